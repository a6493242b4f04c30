// The panel's points view: for each points program the balance, what this sale will earn, and the rewards the
// customer can afford, each redeemed with one click (the server spends the points once per click, however often
// the request is retried: an Idempotency-Key). After a commit the answer carries the new balance.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;

  // What the cashier takes off in the POS for a reward.
  function discountText(reward, discount) {
    const d = discount || reward.discount || {};
    if (d.kind === "percent_off") return `${Number(d.amount)}% off the sale`;
    if (d.kind === "free_item") return `the free item (at most ${LB.money(d.amount)})`;
    return `${LB.money(d.amount)} off the sale`;
  }

  Object.assign(LB.Panel.prototype, {
    // The "Points" section of the account view (one element: the view's children are not flattened); null when
    // no points program runs.
    pointsSection(sale, account, answer) {
      const programs = account.points || [];
      if (!programs.length) return null;
      const bySale = new Map(((answer && answer.points) || []).map((p) => [p.program_id, p]));
      const items = programs.map((p) => {
        const here = bySale.get(p.program_id) || {};
        const toEarn = here.to_earn || 0;
        const affordable = (p.rewards || []).filter((r) => r.affordable);
        return h("li", {class: "points-program", "data-program-id": p.program_id},
          h("span", {class: "program"}, p.program), " ",
          h("span", {class: "balance"}, `${p.balance} points`),
          toEarn ? h("span", {class: "after to-earn"}, ` → ${toEarn > 0 ? "+" : ""}${toEarn} with this sale`) : null,
          p.balance < 0 ? h("p", {class: "warning"}, "The balance is below zero: points earned by a returned sale " +
            "were already spent.") : null,
          affordable.length ? h("ul", {class: "points-rewards"}, affordable.map((r) => h("li", {},
            h("span", {class: "reward-name"}, `${r.name} (${r.cost} points) `),
            h("button", {type: "button", class: "redeem-points", "data-reward-id": r.id,
              "data-key": crypto.randomUUID(),
              onclick: (e) => this.redeemPoints(sale, account, p, r, e.currentTarget.dataset.key)}, "Redeem")))) :
            null);
      });
      return h("section", {class: "points-section"}, h("h3", {}, "Points"), h("ul", {class: "points"}, items));
    },

    // One line for the commit confirmation: "Paws Points +104 (balance 604)".
    pointsSummary(result) {
      return (result.points || []).filter((p) => p.earned || p.restored).map((p) =>
        `${p.program} ${p.earned > 0 ? "+" : ""}${p.earned}${p.restored ? `, ${p.restored} given back` : ""} ` +
        `(balance ${p.balance})`);
    },

    async redeemPoints(sale, account, program, reward, key) {
      for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = true;
      this.say("Redeeming…");
      const r = await LB.send("redeemPoints", {accountId: account.id, programId: program.program_id,
        rewardId: reward.id, sale: {system: sale.pos.system, sale_id: sale.pos.sale_id}, key});
      if (!r.ok) {
        for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = false;
        return this.say(r.error, "error");
      }
      this.refresh({kind: "ok reward-done", text: `${reward.name} redeemed: apply ` +
        `${discountText(reward, r.data.discount)} in the POS now. ${r.data.points_spent} points spent; ` +
        `balance ${r.data.balance}.`});
    },
  });
})();
