// The panel's checkout views: the account with its cards and uncommitted purchases, the one-click Commit, the
// multi-purchase reasons, and a queued commit reported when it is sent.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;

  Object.assign(LB.Panel.prototype, {
    renderAccount(sale, preview, note) {
      const account = preview.account;
      if (!account) {
        this.show("account", t("panelTitle"), h("p", {}, t("refundNeverCommitted")), note);
        return;
      }
      const projected = new Map((preview.cards || []).map((c) => [c.program_id, c]));
      const cards = (account.cards || []).filter((c) => c.status === "open" || c.status === "complete");
      // A program this sale punches for the first time has no card yet: show the one the commit will start.
      for (const p of preview.cards || []) {
        if (p.punches_to_add > 0 && !cards.some((c) => c.program_id === p.program_id && c.status === "open")) {
          cards.push({id: null, program_id: p.program_id, program: p.program, punches: 0,
            buy_quantity: p.buy_quantity, status: "open"});
        }
      }
      const rewards = cards.filter((c) => c.status === "complete");
      const lines = preview.uncommitted_lines || [];
      const commit = h("button", {type: "button", class: "primary commit", disabled: lines.length === 0,
        autofocus: lines.length > 0, onclick: () => this.commit(this.currentSale(), {})}, t("commit"));
      this.show("account", account.name, [
        h("p", {class: "contact"}, [account.email, account.phone].filter(Boolean).join(" · ")),
        h("h3", {}, t("cards")),
        cards.length ? h("ul", {class: "cards"}, cards.map((c) => this.cardItem(sale, account, c,
          projected.get(c.program_id)))) : h("p", {class: "muted"}, t("noCards")),
        h("p", {class: "rewards"}, t("rewardsAvailable", LB.number(rewards.length))),
        this.pointsSection(sale, account, preview),
        h("h3", {}, t("uncommittedPurchases")),
        lines.length ? h("ul", {class: "uncommitted"}, lines.map((l) => this.lineItem(l))) :
          h("p", {class: "no-items"}, t("noItems")),
        (preview.warnings || []).map((w) => h("p", {class: "warning"}, w.message)),
        h("div", {class: "actions sticky"}, commit,
          sale.customer && sale.customer.pos_id ? h("button", {type: "button", class: "link unmap",
            onclick: () => this.renderUnlink(sale, account)}, t("incorrectMap")) : null),
      ], note);
    },

    cardItem(sale, account, card, projection) {
      if (card.status === "complete") {
        return h("li", {class: "card complete", "data-card-id": card.id},
          h("span", {class: "program"}, card.program), " ",
          h("span", {class: "progress"}, t("cardComplete", card.buy_quantity)), " ",
          h("button", {type: "button", class: "use-reward",
            onclick: () => this.renderReward(sale, account, card)}, t("redeemReward")));
      }
      const adding = projection ? projection.punches_to_add : 0;
      let after = "";
      if (adding > 0 && card.punches + adding >= card.buy_quantity) after = " → " + t("completeAfterCommit");
      else if (adding > 0) after = " → " + t("afterCommit", card.punches + adding, card.buy_quantity);
      return h("li", {class: "card", "data-card-id": card.id || "new"},
        h("span", {class: "program"}, card.program), " ",
        h("span", {class: "progress"}, t("nOfM", card.punches, card.buy_quantity)),
        after ? h("span", {class: "after"}, after) : null);
    },

    lineItem(line) {
      const qty = Number(line.quantity) - Number(line.committed_quantity || 0);
      return h("li", {class: "line", "data-line-id": line.line_id},
        h("span", {class: "name"}, line.name || t("lineN", line.line_id)), ` × ${LB.number(qty)}`,
        line.cards.length ? h("ul", {class: "punches"}, line.cards.map((c) =>
          h("li", {}, t("punchesOn", `${c.punches > 0 ? "+" : ""}${c.punches}`, c.program)))) :
          h("span", {class: "muted"}, " " + t("noCard")));
    },

    async commit(sale, reasons) {
      if (!sale) return this.refresh();
      for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = true;
      this.say(t("committing"));
      const gen = ++this.generation;
      const answer = await LB.send("commit", {sale, reasons});
      if (gen !== this.generation) return;
      if (!answer.ok) {
        if (answer.code === "reason_required" && answer.details) return this.renderReasons(sale, answer.details);
        for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = false;
        return this.say(answer.error, "error");
      }
      if (answer.data.queued) {
        this.queuedKey = answer.data.key;
        this.queuedSale = sale;
        return this.say(t("commitQueued"), "queued");
      }
      this.renderCommitted(sale, answer.data.result, t("committed"));
    },

    renderCommitted(sale, result, word) {
      const punched = (result.cards || []).filter((c) => c.punches_to_add !== 0)
        .map((c) => t(c.rewards_available ? "committedCardReward" : "committedCard", c.program,
          `${c.punches_to_add > 0 ? "+" : ""}${c.punches_to_add}`, c.punches_after, c.buy_quantity));
      const parts = [punched.length ? punched.join("; ") : t("noPunches"), ...this.pointsSummary(result)];
      const text = t("committedSummary", word, parts.join("; "));
      this.renderAccount(sale, {...result, uncommitted_lines: []}, {text, kind: "ok confirmation"});
    },

    onQueueChange(queue) {
      const entry = this.queuedKey && queue[this.queuedKey];
      if (!entry || entry.status === "queued") return;
      const sale = this.queuedSale;
      this.queuedKey = this.queuedSale = null;
      if (!this.isOpen) return;
      if (entry.status === "sent") this.renderCommitted(sale, entry.result, t("sentQueued"));
      else this.say(t("queuedRefused", entry.error), "error");
    },

    renderReasons(sale, details) {
      const reasons = details.reasons || [];
      const labels = details.reason_labels || {}; // the store's reasons in the panel's language
      const rows = (details.cards || []).map((card) => {
        const id = `lb-reason-${card.program_id}`;
        const note = h("input", {type: "text", name: `note-${card.program_id}`, class: "note", maxlength: "500",
          placeholder: t("reasonNotePlaceholder"), hidden: true, "aria-label": t("reasonNoteFor", card.program)});
        const select = h("select", {id, name: `reason-${card.program_id}`, required: true,
          "data-program-id": card.program_id,
          onchange: () => {
            note.hidden = select.value !== "Other";
            note.required = select.value === "Other";
          }},
        h("option", {value: ""}, t("chooseReason")), reasons.map((r) => h("option", {value: r}, labels[r] || r)));
        return h("div", {class: "reason"},
          h("label", {for: id}, t("reasonCardLabel", card.program, card.punches_to_add)), select, note);
      });
      const form = h("form", {class: "reasons"}, rows,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary commit"}, t("commit")),
          h("button", {type: "button", onclick: () => this.refresh()}, t("back"))));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const chosen = {};
        for (const select of form.querySelectorAll("select")) {
          const pid = select.dataset.programId;
          chosen[pid] = {reason: select.value, note: form.elements[`note-${pid}`].value.trim() || null};
        }
        this.commit(this.currentSale(), chosen);
      });
      this.show("reasons", t("reasonsTitle"), [h("p", {}, t("reasonsIntro")), form]);
      const first = form.querySelector("select");
      if (first) first.focus();
    },
  });
})();
