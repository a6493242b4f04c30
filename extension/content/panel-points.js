// The panel's points view: for each points program the balance, what this sale will earn, and the rewards the
// customer can afford, each redeemed with one click (the server spends the points once per click, however often
// the request is retried: an Idempotency-Key). After a commit the answer carries the new balance.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;

  // What the cashier takes off in the POS for a reward.
  function discountText(reward, discount) {
    const d = discount || reward.discount || {};
    if (d.kind === "percent_off") return t("pointsDiscountPercent", LB.number(d.amount));
    if (d.kind === "free_item") return t("pointsDiscountFree", LB.money(d.amount));
    return t("pointsDiscountAmount", LB.money(d.amount));
  }

  function signed(n) {
    return `${n > 0 ? "+" : ""}${LB.number(n)}`;
  }

  Object.assign(LB.Panel.prototype, {
    // The "Points" section of the account view (one element: the view's children are not flattened); null when
    // no points program runs.
    pointsSection(sale, account, answer) {
      const programs = account.points || [];
      if (!programs.length) return null;
      const bySale = new Map(((answer && answer.points) || []).map((p) => [p.program_id, p]));
      const items = programs.map((p) => {
        const toEarn = (bySale.get(p.program_id) || {}).to_earn || 0;
        const affordable = (p.rewards || []).filter((r) => r.affordable);
        return h("li", {class: "points-program", "data-program-id": p.program_id},
          h("span", {class: "program"}, p.program), " ",
          h("span", {class: "balance"}, t("pointsBalance", LB.number(p.balance))),
          toEarn ? " " : null,
          toEarn ? h("span", {class: "after to-earn"}, t("pointsToEarn", signed(toEarn))) : null,
          p.balance < 0 ? h("p", {class: "warning"}, t("pointsNegative")) : null,
          affordable.length ? h("ul", {class: "points-rewards"}, affordable.map((r) => h("li", {},
            h("span", {class: "reward-name"}, t("pointsRewardCost", r.name, LB.number(r.cost))),
            h("button", {type: "button", class: "redeem-points", "data-reward-id": r.id,
              "data-key": crypto.randomUUID(),
              onclick: (e) => this.redeemPoints(sale, account, p, r, e.currentTarget.dataset.key)},
            t("pointsRedeem"))))) : null);
      });
      return h("section", {class: "points-section"}, h("h3", {}, t("pointsHeading")),
        h("ul", {class: "points"}, items));
    },

    // The commit confirmation's points part: "Paws Points +104 (balance 604)".
    pointsSummary(result) {
      return (result.points || []).filter((p) => p.earned || p.restored).map((p) => p.restored ?
        t("pointsCommittedRestored", p.program, signed(p.earned), LB.number(p.restored), LB.number(p.balance)) :
        t("pointsCommitted", p.program, signed(p.earned), LB.number(p.balance)));
    },

    async redeemPoints(sale, account, program, reward, key) {
      for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = true;
      this.say(t("pointsRedeeming"));
      const r = await LB.send("redeemPoints", {accountId: account.id, programId: program.program_id,
        rewardId: reward.id, sale: {system: sale.pos.system, sale_id: sale.pos.sale_id}, key});
      if (!r.ok) {
        for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = false;
        return this.say(r.error, "error");
      }
      this.refresh({kind: "ok reward-done", text: t("pointsRedeemed", reward.name,
        discountText(reward, r.data.discount), LB.number(r.data.points_spent), LB.number(r.data.balance))});
    },
  });
})();
