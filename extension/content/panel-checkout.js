// The panel's checkout views: the account with its cards and uncommitted purchases, the one-click Commit, the
// multi-purchase reasons, and a queued commit reported when it is sent.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;

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
    const sign = c.punches_to_add > 0 ? "+" : "";
    if (c.punches_to_add > 0 && c.punches_before + c.punches_to_add >= c.buy_quantity) {
      const next = c.punches_after === 1 ? "1 punch" : `${c.punches_after} punches`;
      return `${c.program} ${sign}${c.punches_to_add}: card complete, reward available; ${next} on the next card`;
    }
    return `${c.program} ${sign}${c.punches_to_add} (${c.punches_after} of ${c.buy_quantity})`;
  }

  Object.assign(LB.Panel.prototype, {
    // The account, its cards and this sale's uncommitted purchases. After a commit (`committed`) the cards show
    // the new counts with no projection. When preview already knows a card needs a multi-purchase reason, its
    // drop-down is here, before the first click on Commit.
    renderAccount(sale, preview, note, committed) {
      const account = preview.account;
      if (!account) {
        this.show("account", "Loyalty", h("p", {}, "This refund's original sale was never committed: nothing to " +
          "reverse."), note);
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
        autofocus: lines.length > 0 && !asks.length}, "Commit");
      const form = h("form", {class: "checkout"},
        asks.length ? h("div", {class: "reasons"}, h("p", {class: "ask"}, "More than one unit goes on a card in " +
          "this visit. Manufacturers audit this: choose a reason for each card."),
        asks.map((c, i) => this.reasonRow(c, preview.reasons || [], i === 0))) : null,
        h("div", {class: "actions sticky"}, commit,
          sale.customer && sale.customer.pos_id ? h("button", {type: "button", class: "link unmap",
            onclick: () => this.renderUnlink(sale, account)}, "Incorrect customer map") : null));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.commit(this.currentSale(), readReasons(form));
      });
      const moves = preview.sale && preview.sale.moves_from;
      this.show("account", account.name, [
        h("p", {class: "contact"}, [account.email, account.phone].filter(Boolean).join(" · ")),
        h("h3", {}, "Cards"),
        cards.length ? h("ul", {class: "cards"}, cards.map((c) => this.cardItem(sale, account, c,
          projected.get(c.program_id)))) : h("p", {class: "muted"}, "No cards yet: the first qualifying " +
          "purchase starts one."),
        h("p", {class: "rewards"}, `Rewards available: ${rewards.length}`),
        h("h3", {}, "Current uncommitted purchases"),
        lines.length ? h("ul", {class: "uncommitted"}, lines.map((l) => this.lineItem(l, moves))) :
          onSale.length ? h("p", {class: "no-items all-committed"}, "Everything on this sale is committed.") :
            h("p", {class: "no-items muted"}, "No items on current sale"),
        (preview.warnings || []).map((w) => h("p", {class: "warning"}, w.message)),
        form,
      ], note);
    },

    // One card's multi-purchase reason: the drop-down, and a note (a hint, never a value) required for Other.
    reasonRow(card, reasons, autofocus) {
      const id = `lb-reason-${card.program_id}`;
      const count = card.punches_to_add;
      const note = h("input", {type: "text", name: `note-${card.program_id}`, class: "note", maxlength: "500",
        placeholder: "Why? (required for Other)", hidden: true, "aria-label": `Note for ${card.program}`});
      const select = h("select", {id, name: `reason-${card.program_id}`, required: true, autofocus,
        "data-program-id": card.program_id,
        onchange: () => {
          note.hidden = select.value !== "Other";
          note.required = select.value === "Other";
        }},
      h("option", {value: ""}, "Choose a reason…"), reasons.map((r) => h("option", {value: r}, r)));
      return h("div", {class: "reason"},
        h("label", {for: id}, `${card.program}: ${count} on this card in one visit`), select, note);
    },

    cardItem(sale, account, card, projection) {
      if (card.status === "complete") {
        return h("li", {class: "card complete", "data-card-id": card.id},
          h("span", {class: "program"}, card.program), " ",
          h("span", {class: "progress"}, `${card.buy_quantity} of ${card.buy_quantity}: reward available`), " ",
          h("button", {type: "button", class: "use-reward",
            onclick: () => this.renderReward(sale, account, card)}, "Redeem reward"));
      }
      const adding = projection ? projection.punches_to_add : 0;
      let after = "";
      if (adding > 0 && card.punches + adding >= card.buy_quantity) after = " → complete after commit: a reward";
      else if (adding > 0) after = ` → ${card.punches + adding} of ${card.buy_quantity} after commit`;
      return h("li", {class: "card", "data-card-id": card.id || "new"},
        h("span", {class: "program"}, card.program), " ",
        h("span", {class: "progress"}, `${card.punches} of ${card.buy_quantity}`),
        after ? h("span", {class: "after"}, after) : null);
    },

    lineItem(line, moves) {
      const qty = Number(line.quantity) - Number(line.committed_quantity || 0);
      const from = line.moving && moves ? ` (moves from ${moves.name})` : "";
      return h("li", {class: "line", "data-line-id": line.line_id},
        h("span", {class: "name"}, line.name || `Line ${line.line_id}`), ` × ${qty}`,
        line.cards.length ? h("ul", {class: "punches"}, line.cards.map((c) => h("li", {}, c.free && !c.punches ?
          `given free as a ${c.program} reward: no punch` :
          `${c.punches > 0 ? "+" : ""}${c.punches} on ${c.program}${from}`))) :
          h("span", {class: "muted"}, " (no card)"));
    },

    async commit(sale, reasons) {
      if (!sale) return this.refresh();
      for (const b of this.bodyEl.querySelectorAll("button")) b.disabled = true;
      this.say("Committing…");
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
        return this.say("Queued: the loyalty server cannot be reached. This commit is saved and will be sent " +
          "automatically when the server is back.", "queued");
      }
      this.renderCommitted(sale, answer.data.result, "Committed");
    },

    renderCommitted(sale, result, word) {
      const punched = (result.cards || []).filter((c) => c.punches_to_add !== 0).map(cardChange);
      const text = `${word}: ${punched.length ? punched.join("; ") : "no punches on this sale"}.`;
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
      this.show("reminder", "Not committed yet", [
        h("p", {}, `${answer.data.account.name}'s purchases on the sale just paid are not committed to loyalty:`),
        h("ul", {class: "uncommitted reminder-lines"}, lines.map((l) => this.lineItem(l))),
        h("p", {class: "muted"}, "The sale itself went through. Commit now to give the punches."),
        h("div", {class: "actions"},
          h("button", {type: "button", class: "primary commit", autofocus: true,
            onclick: () => this.commit(sale, {})}, "Commit now"),
          h("button", {type: "button", class: "dismiss", onclick: () => this.close()}, "Dismiss")),
      ], {text: "Reminder: this sale was paid without committing.", kind: "queued"});
    },

    onQueueChange(queue) {
      const entry = this.queuedKey && queue[this.queuedKey];
      if (!entry || entry.status === "queued") return;
      const sale = this.queuedSale;
      this.queuedKey = this.queuedSale = null;
      if (!this.isOpen) return;
      if (entry.status === "sent") this.renderCommitted(sale, entry.result, "Sent (it was queued)");
      else this.say(`The queued commit was refused: ${entry.error}`, "error");
    },

    // The server asked for reasons the preview did not foresee (the sale changed in between).
    renderReasons(sale, details) {
      const rows = (details.cards || []).map((card, i) => this.reasonRow(card, details.reasons || [], i === 0));
      const form = h("form", {class: "reasons"}, rows,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary commit"}, "Commit"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Back")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.commit(sale, readReasons(form)); // the sale the commit was for (it may be paid and gone by now)
      });
      this.show("reasons", "Why more than one?", [h("p", {}, "More than one unit goes on a card in this visit. " +
        "Manufacturers audit this: choose a reason for each card."), form]);
    },
  });
})();
