// The panel's checkout views: the account with its cards and uncommitted purchases, the one-click Commit, the
// multi-purchase reasons, and a queued commit reported when it is sent.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;

  // {program_id: {reason, note}} from a form's reason drop-downs.
  function readReasons(form) {
    const chosen = {};
    for (const select of form.querySelectorAll("select[data-program-id]")) {
      const pid = select.dataset.programId;
      chosen[pid] = {reason: select.value, note: form.elements[`note-${pid}`].value.trim() || null};
    }
    return chosen;
  }

  // "ACANA 25 lb +2: card complete, reward available; 1 punch on the next card" or "ACANA 25 lb +1 (8 of 12)".
  function cardChange(c) {
    const punches = `${c.punches_to_add > 0 ? "+" : ""}${c.punches_to_add}`;
    if (c.punches_to_add > 0 && c.punches_before + c.punches_to_add >= c.buy_quantity) {
      return t(c.punches_after === 1 ? "committedCardCompleteOne" : "committedCardComplete", c.program, punches,
        LB.number(c.punches_after));
    }
    return t("committedCard", c.program, punches, c.punches_after, c.buy_quantity);
  }

  Object.assign(LB.Panel.prototype, {
    // The account, its cards and this sale's uncommitted purchases. After a commit (`committed`) the cards show
    // the new counts with no projection. When preview already knows a card needs a multi-purchase reason, its
    // drop-down is here, before the first click on Commit.
    renderAccount(sale, preview, note, committed) {
      const account = preview.account;
      if (!account) {
        this.show("account", t("panelTitle"), h("p", {}, t("refundNeverCommitted")), note);
        return;
      }
      const report = committed ? [] : preview.cards || [];
      const projected = new Map(report.map((c) => [c.program_id, c]));
      const cards = (account.cards || []).filter((c) => c.status === "open" || c.status === "complete");
      // A program this sale punches for the first time has no card yet: show the one the commit will start.
      for (const p of report) {
        if (p.punches_to_add > 0 && !cards.some((c) => c.program_id === p.program_id && c.status === "open")) {
          cards.push({id: null, program_id: p.program_id, program: p.program, punches: 0,
            buy_quantity: p.buy_quantity, status: "open"});
        }
      }
      const rewards = cards.filter((c) => c.status === "complete");
      const lines = committed ? [] : preview.uncommitted_lines || [];
      const onSale = ((sale && sale.lines) || []).filter((l) => Number(l.quantity) !== 0);
      const asks = lines.length ? report.filter((c) => c.reason_required) : [];
      const commit = h("button", {type: "submit", class: "primary commit", disabled: lines.length === 0,
        autofocus: lines.length > 0 && !asks.length}, t("commit"));
      const form = h("form", {class: "checkout"},
        asks.length ? h("div", {class: "reasons"}, h("p", {class: "ask"}, t("reasonsIntro")),
        asks.map((c, i) => this.reasonRow(c, preview.reasons || [], i === 0, preview.reason_labels))) : null,
        h("div", {class: "actions sticky"}, commit,
          sale.customer && sale.customer.pos_id ? h("button", {type: "button", class: "link unmap",
            onclick: () => this.renderUnlink(sale, account)}, t("incorrectMap")) : null));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.commit(this.currentSale(), readReasons(form));
      });
      const moves = preview.sale && preview.sale.moves_from;
      this.show("account", account.name, [
        h("p", {class: "contact"}, [account.email, account.phone_display || account.phone].filter(Boolean).join(" · ")),
        h("h3", {}, t("cards")),
        cards.length ? h("ul", {class: "cards"}, cards.map((c) => this.cardItem(sale, account, c,
          projected.get(c.program_id)))) : h("p", {class: "muted"}, t("noCards")),
        h("p", {class: "rewards"}, t("rewardsAvailable", LB.number(rewards.length))),
        this.pointsSection(sale, account, preview),
        h("h3", {}, t("uncommittedPurchases")),
        lines.length ? h("ul", {class: "uncommitted"}, lines.map((l) => this.lineItem(l, moves))) :
          onSale.length ? h("p", {class: "no-items all-committed"}, t("allCommitted")) :
            h("p", {class: "no-items muted"}, t("noItems")),
        (preview.warnings || []).map((w) => h("p", {class: "warning"}, w.message)),
        form,
      ], note);
    },

    // One card's multi-purchase reason: the drop-down, and a note (a hint, never a value) required for Other.
    reasonRow(card, reasons, autofocus, labels) {
      const id = `lb-reason-${card.program_id}`;
      const count = card.punches_to_add;
      const note = h("input", {type: "text", name: `note-${card.program_id}`, class: "note", maxlength: "500",
        placeholder: t("reasonNotePlaceholder"), hidden: true, "aria-label": t("reasonNoteFor", card.program)});
      const select = h("select", {id, name: `reason-${card.program_id}`, required: true, autofocus,
        "data-program-id": card.program_id,
        onchange: () => {
          note.hidden = select.value !== "Other";
          note.required = select.value === "Other";
        }},
      h("option", {value: ""}, t("chooseReason")),
      reasons.map((r) => h("option", {value: r}, (labels || {})[r] || r)));
      return h("div", {class: "reason"}, h("label", {for: id}, t("reasonCardLabel", card.program, count)), select,
        note);
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

    lineItem(line, moves) {
      const qty = Number(line.quantity) - Number(line.committed_quantity || 0);
      const from = line.moving && moves ? " " + t("movesFrom", moves.name) : "";
      return h("li", {class: "line", "data-line-id": line.line_id},
        h("span", {class: "name"}, line.name || t("lineN", line.line_id)), ` × ${LB.number(qty)}`,
        line.cards.length ? h("ul", {class: "punches"}, line.cards.map((c) => h("li", {}, c.free && !c.punches ?
          t("givenFree", c.program) : t("punchesOn", `${c.punches > 0 ? "+" : ""}${c.punches}`, c.program) + from))) :
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
      const punched = (result.cards || []).filter((c) => c.punches_to_add !== 0).map(cardChange);
      const parts = [punched.length ? punched.join("; ") : t("noPunches"), ...this.pointsSummary(result)];
      const text = t("committedSummary", word, parts.join("; "));
      this.renderAccount(sale, {...result, uncommitted_lines: []}, {text, kind: "ok confirmation"}, true);
    },

    // After Pay: if this sale's purchases are not committed, say so once, with Commit now (the sale read before
    // the POS cleared it). Nothing to remind (not linked, nothing punches, server unreachable): stay quiet.
    async remindAfterPay(sale, opener) {
      const answer = await LB.send("preview", {sale});
      if (!answer.ok || !answer.data.account) return;
      const lines = (answer.data.uncommitted_lines || []).filter((l) => l.cards.some((c) => c.punches > 0));
      if (!lines.length) return;
      this.ensureHost();
      this.host.hidden = false;
      this.opener = opener || null;
      this.place(opener);
      this.generation++;
      this.show("reminder", t("reminderTitle"), [
        h("p", {}, t("reminderIntro", answer.data.account.name)),
        h("ul", {class: "uncommitted reminder-lines"}, lines.map((l) => this.lineItem(l))),
        h("p", {class: "muted"}, t("reminderSaleWent")),
        h("div", {class: "actions"},
          h("button", {type: "button", class: "primary commit", autofocus: true,
            onclick: () => this.commit(sale, {})}, t("commitNow")),
          h("button", {type: "button", class: "dismiss", onclick: () => this.close()}, t("dismiss"))),
      ], {text: t("reminderStatus"), kind: "queued"});
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

    // The server asked for reasons the preview did not foresee (the sale changed in between).
    renderReasons(sale, details) {
      const rows = (details.cards || []).map((card, i) => this.reasonRow(card, details.reasons || [], i === 0,
        details.reason_labels));
      const form = h("form", {class: "reasons"}, rows,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary commit"}, t("commit")),
          h("button", {type: "button", onclick: () => this.refresh()}, t("back"))));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.commit(sale, readReasons(form)); // the sale the commit was for (it may be paid and gone by now)
      });
      this.show("reasons", t("reasonsTitle"), [h("p", {}, t("reasonsIntro")), form]);
    },
  });
})();
