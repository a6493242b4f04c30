// The loyalty panel on the POS page, inside a shadow root (the POS's CSS and ours never mix). Every view is
// built with LB.h (text nodes only). The usual case, a linked customer with nothing to ask, is one click:
// "Commit". Views: account (cards, rewards, uncommitted purchases), reasons (multi-purchase), unlinked
// (candidates, create), walk-in (search), reward (redeem), unlink (manager PIN), queued/sent.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;

  const MATCH_LABELS = {email: "same email", phone: "same phone", name: "same name"};
  const ADDRESS = [["line1", "Street address"], ["line2", "Apartment, suite (optional)"], ["city", "City"],
    ["region", "State / province"], ["postal_code", "ZIP / postal code"], ["country", "Country (2 letters)"]];

  class Panel {
    constructor(adapter) {
      this.adapter = adapter;
      this.host = null;
      this.walkIn = new Map(); // sale id → account id chosen for a sale without a POS customer
      this.queuedKey = null;
      this.queuedSale = null;
      this.view = null;
      this.generation = 0; // answers for a view the cashier has already left are dropped
      this.saleTimer = null;
      chrome.storage.onChanged.addListener((changes, area) => {
        if (area === "local" && changes.commit_queue) this.onQueueChange(changes.commit_queue.newValue || {});
      });
      if (LB.clientApi) LB.clientApi.listeners.push(() => this.onSaleChanged());
    }

    get isOpen() {
      return Boolean(this.host && this.host.isConnected && !this.host.hidden);
    }

    ensureHost() {
      if (this.host && this.host.isConnected) return;
      this.host = h("div", {id: "loyalty-bridge-panel-host"});
      const root = this.host.attachShadow({mode: "open"});
      const style = h("style", {}, LB.PANEL_CSS);
      this.titleEl = h("h2", {id: "lb-title", tabindex: "-1"}, "Loyalty");
      this.statusEl = h("p", {class: "status", role: "status", "aria-live": "polite"});
      this.bodyEl = h("div", {class: "body"});
      this.panelEl = h("section", {class: "panel", role: "dialog", "aria-labelledby": "lb-title"},
        h("header", {}, this.titleEl,
          h("button", {class: "close", type: "button", "aria-label": "Close the loyalty panel",
            onclick: () => this.close()}, "×")),
        this.statusEl, this.bodyEl);
      this.panelEl.addEventListener("keydown", (e) => {
        if (e.key === "Escape") this.close();
      });
      root.append(style, this.panelEl);
      document.documentElement.append(this.host);
    }

    open(opener) {
      this.ensureHost();
      this.opener = opener || null;
      this.host.hidden = false;
      this.place(opener);
      this.refresh();
    }

    // Just under the button, right edges aligned, so the button (and the POS header) stay in view.
    place(opener) {
      if (!opener || !opener.isConnected) return;
      const rect = opener.getBoundingClientRect();
      const top = Math.max(8, Math.round(rect.bottom + 6));
      this.host.style.top = top + "px";
      this.panelEl.style.maxHeight = Math.max(240, window.innerHeight - top - 12) + "px";
      this.host.style.right = Math.max(8, Math.round(window.innerWidth - rect.right)) + "px";
    }

    close() {
      if (!this.host) return;
      this.host.hidden = true;
      this.generation++;
      if (this.opener && this.opener.isConnected) this.opener.focus();
    }

    // Replace the view: a title, an optional status sentence, the content; focus goes to the title.
    show(view, title, content, note) {
      this.view = view;
      this.titleEl.textContent = title;
      this.say(note ? note.text : "", note ? note.kind : "");
      this.bodyEl.replaceChildren(...[].concat(content).filter(Boolean));
      const first = this.bodyEl.querySelector("[autofocus]");
      (first || this.titleEl).focus({preventScroll: true});
    }

    say(text, kind) {
      this.statusEl.textContent = text || "";
      this.statusEl.className = "status" + (kind ? " " + kind : "");
    }

    error(text, note) {
      this.show("error", "Loyalty", [h("p", {class: "error-text"}, text),
        h("button", {type: "button", onclick: () => this.refresh(), autofocus: true}, "Try again")], note);
    }

    // The sale as the POS shows it now, with the account chosen for a walk-in sale.
    currentSale() {
      const sale = this.adapter.readSale();
      if (sale && !(sale.customer && sale.customer.pos_id)) {
        sale.account_id = this.walkIn.get(sale.pos.sale_id) || null;
      }
      return sale;
    }

    onSaleChanged() {
      if (!this.isOpen || this.view !== "account") return;
      clearTimeout(this.saleTimer);
      this.saleTimer = setTimeout(() => this.refresh(), 250);
    }

    // Preview first: for a linked customer it is the only request (it carries the account and its cards).
    async refresh(note) {
      const gen = ++this.generation;
      const sale = this.currentSale();
      if (!sale) {
        this.show("empty", "Loyalty", h("p", {}, "No sale is open on the POS. Add a customer or an item first."),
          note);
        return;
      }
      if (!(sale.customer && sale.customer.pos_id) && !sale.account_id && !sale.pos.return_for) {
        this.renderWalkIn(sale, note);
        return;
      }
      this.say("Loading…");
      const preview = await LB.send("preview", {sale});
      if (gen !== this.generation) return;
      if (preview.ok) this.renderAccount(sale, preview.data, note);
      else if (preview.code === "customer_not_linked") await this.resolve(sale, gen, note);
      else this.error(preview.error, await queuedNote(sale));
    }

    async resolve(sale, gen, note) {
      const answer = await LB.send("resolve", {system: sale.pos.system, customer: sale.customer});
      if (gen !== this.generation) return;
      if (!answer.ok) this.error(answer.error);
      else if (answer.data.status === "linked") this.refresh(note);
      else this.renderUnlinked(sale, answer.data, note);
    }

    // --- a linked customer (or a walk-in sale with its account) ------------------------------------------------

    renderAccount(sale, preview, note) {
      const account = preview.account;
      if (!account) {
        this.show("account", "Loyalty", h("p", {}, "This refund's original sale was never committed: nothing to " +
          "reverse."), note);
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
        autofocus: lines.length > 0, onclick: () => this.commit(this.currentSale(), {})}, "Commit");
      this.show("account", account.name, [
        h("p", {class: "contact"}, [account.email, account.phone].filter(Boolean).join(" · ")),
        h("h3", {}, "Cards"),
        cards.length ? h("ul", {class: "cards"}, cards.map((c) => this.cardItem(sale, account, c,
          projected.get(c.program_id)))) : h("p", {class: "muted"}, "No cards yet: the first qualifying " +
          "purchase starts one."),
        h("p", {class: "rewards"}, `Rewards available: ${rewards.length}`),
        h("h3", {}, "Current uncommitted purchases"),
        lines.length ? h("ul", {class: "uncommitted"}, lines.map((l) => this.lineItem(l))) :
          h("p", {class: "no-items"}, "No items on current sale"),
        (preview.warnings || []).map((w) => h("p", {class: "warning"}, w.message)),
        h("div", {class: "actions sticky"}, commit,
          sale.customer && sale.customer.pos_id ? h("button", {type: "button", class: "link unmap",
            onclick: () => this.renderUnlink(sale, account)}, "Incorrect customer map") : null),
      ], note);
    }

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
    }

    lineItem(line) {
      const qty = Number(line.quantity) - Number(line.committed_quantity || 0);
      return h("li", {class: "line", "data-line-id": line.line_id},
        h("span", {class: "name"}, line.name || `Line ${line.line_id}`), ` × ${qty}`,
        line.cards.length ? h("ul", {class: "punches"}, line.cards.map((c) =>
          h("li", {}, `${c.punches > 0 ? "+" : ""}${c.punches} on ${c.program}`))) :
          h("span", {class: "muted"}, " (no card)"));
    }

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
    }

    renderCommitted(sale, result, word) {
      const punched = (result.cards || []).filter((c) => c.punches_to_add !== 0)
        .map((c) => `${c.program} ${c.punches_to_add > 0 ? "+" : ""}${c.punches_to_add} ` +
          `(${c.punches_after} of ${c.buy_quantity}${c.rewards_available ? ", reward available" : ""})`);
      const text = `${word}: ${punched.length ? punched.join("; ") : "no punches on this sale"}.`;
      this.renderAccount(sale, {...result, uncommitted_lines: []}, {text, kind: "ok confirmation"});
    }

    onQueueChange(queue) {
      const entry = this.queuedKey && queue[this.queuedKey];
      if (!entry || entry.status === "queued") return;
      const sale = this.queuedSale;
      this.queuedKey = this.queuedSale = null;
      if (!this.isOpen) return;
      if (entry.status === "sent") this.renderCommitted(sale, entry.result, "Sent (it was queued)");
      else this.say(`The queued commit was refused: ${entry.error}`, "error");
    }

    // --- multi-purchase reasons ----------------------------------------------------------------------------------

    renderReasons(sale, details) {
      const reasons = details.reasons || [];
      const rows = (details.cards || []).map((card) => {
        const id = `lb-reason-${card.program_id}`;
        const note = h("input", {type: "text", name: `note-${card.program_id}`, class: "note", maxlength: "500",
          placeholder: "Why? (required for Other)", hidden: true, "aria-label": `Note for ${card.program}`});
        const select = h("select", {id, name: `reason-${card.program_id}`, required: true,
          "data-program-id": card.program_id,
          onchange: () => {
            note.hidden = select.value !== "Other";
            note.required = select.value === "Other";
          }},
        h("option", {value: ""}, "Choose a reason…"), reasons.map((r) => h("option", {value: r}, r)));
        return h("div", {class: "reason"},
          h("label", {for: id}, `${card.program}: ${card.punches_to_add} on this card in one visit`), select, note);
      });
      const form = h("form", {class: "reasons"}, rows,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary commit"}, "Commit"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Back")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const chosen = {};
        for (const select of form.querySelectorAll("select")) {
          const pid = select.dataset.programId;
          chosen[pid] = {reason: select.value, note: form.elements[`note-${pid}`].value.trim() || null};
        }
        this.commit(this.currentSale(), chosen);
      });
      this.show("reasons", "Why more than one?", [h("p", {}, "More than one unit goes on a card in this visit. " +
        "Manufacturers audit this: choose a reason for each card."), form]);
      const first = form.querySelector("select");
      if (first) first.focus();
    }

    // --- not linked: candidates, create --------------------------------------------------------------------------

    renderUnlinked(sale, data, note) {
      const who = [sale.customer.first_name, sale.customer.last_name].filter(Boolean).join(" ") || "This customer";
      const candidates = data.candidates || [];
      this.show("unlinked", "Not linked yet", [
        h("p", {}, `${who} (POS customer) is not linked to a loyalty account.`),
        candidates.length ? h("h3", {}, "Possible matches") : null,
        candidates.length ? h("ul", {class: "candidates"}, candidates.map((c) => this.candidateItem(sale, c))) :
          h("p", {class: "muted"}, "No account matches this customer's email, phone or name."),
        h("div", {class: "actions"}, h("button", {type: "button", class: "create", autofocus: !candidates.length,
          onclick: () => this.renderCreate(sale, data.prefill, data.requires || [])},
        "Create new loyalty account")),
      ], note);
    }

    candidateItem(sale, c) {
      const a = c.account;
      const why = c.family ? "family: shares this phone" : MATCH_LABELS[c.match] || c.match;
      return h("li", {class: "candidate", "data-account-id": a.id},
        h("span", {class: "name"}, a.name), " ",
        h("span", {class: "muted"}, [a.email, a.phone].filter(Boolean).join(" · ")), " ",
        h("span", {class: "match"}, `(${why})`), " ",
        h("button", {type: "button", class: "select", onclick: () => this.select(sale, a)}, "Select"));
    }

    async select(sale, account) {
      if (!(sale.customer && sale.customer.pos_id)) {
        this.walkIn.set(sale.pos.sale_id, account.id);
        return this.refresh();
      }
      this.say("Linking…");
      const answer = await LB.send("link", {system: sale.pos.system, customerId: sale.customer.pos_id,
        accountId: account.id});
      if (!answer.ok) return this.say(answer.error, "error");
      this.refresh({text: `Linked to ${account.name}.`, kind: "ok"});
    }

    renderCreate(sale, prefill, requires) {
      const p = prefill || {};
      const input = (name, label, value, attrs) => h("label", {}, label,
        h("input", {name, value: value || "", ...attrs}));
      const needsAddress = requires.includes("address");
      const address = h("fieldset", {class: "address", hidden: !needsAddress},
        h("legend", {}, needsAddress ? "Mailing address (a program requires it)" : "Mailing address"),
        ADDRESS.map(([name, label]) => input(`address.${name}`, label, name === "country" ? "US" : "",
          {maxlength: name === "country" ? "2" : "200"})));
      const form = h("form", {class: "create-account"},
        input("first_name", "First name", p.first_name, {required: true, maxlength: "100", autofocus: true}),
        input("last_name", "Last name", p.last_name, {required: true, maxlength: "100"}),
        input("email", "Email", p.email, {type: "email", maxlength: "254"}),
        input("phone", "Phone", p.phone, {type: "tel", maxlength: "40"}),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "sms_consent"}),
          " The customer agrees to loyalty text messages"),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "email_consent"}),
          " The customer agrees to loyalty emails"),
        needsAddress ? null : h("button", {type: "button", class: "link", onclick: (e) => {
          address.hidden = false;
          e.target.remove();
        }}, "Add a mailing address"),
        address,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary"}, "Create account"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Back")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.createAccount(sale, form, !address.hidden);
      });
      this.show("create", "New loyalty account", form);
    }

    async createAccount(sale, form, withAddress) {
      const v = (name) => form.elements[name].value.trim() || null;
      const body = {first_name: v("first_name"), last_name: v("last_name"), email: v("email"), phone: v("phone"),
        sms_consent: form.elements.sms_consent.checked, email_consent: form.elements.email_consent.checked,
        consent_source: "register: asked at checkout"};
      if (withAddress) body.address = readAddress(form);
      const posId = sale.customer && sale.customer.pos_id;
      if (posId) body.link = {system: sale.pos.system, customer_id: posId};
      this.say("Creating…");
      const answer = await LB.send("createAccount", {account: body});
      if (!answer.ok) return this.say(fieldErrors(answer), "error");
      if (!posId) this.walkIn.set(sale.pos.sale_id, answer.data.id);
      this.refresh({text: `Account created for ${answer.data.name}.`, kind: "ok"});
    }

    // --- a walk-in sale: find the account by phone or email --------------------------------------------------

    renderWalkIn(sale, note) {
      const results = h("ul", {class: "search-results"});
      const q = h("input", {type: "search", name: "q", autofocus: true, maxlength: "200",
        "aria-label": "Phone, email or name", placeholder: "Phone, email or name"});
      const form = h("form", {class: "search"}, q, h("button", {type: "submit"}, "Find"));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say("Searching…");
        const answer = await LB.send("searchAccounts", {q: q.value});
        if (!answer.ok) return this.say(answer.error, "error");
        const found = answer.data.accounts;
        this.say(found.length ? "" : "No loyalty account found.", found.length ? "" : "error");
        results.replaceChildren(...found.map((a) => this.candidateItem(sale, {account: a, match: "search"})));
      });
      this.show("walkin", "Walk-in sale", [
        h("p", {}, "No POS customer on this sale. Find the loyalty account by phone or email:"), form, results,
        h("div", {class: "actions"}, h("button", {type: "button", class: "create",
          onclick: () => this.renderCreate(sale, {}, [])}, "Create new loyalty account")),
      ], note);
    }

    // --- rewards ----------------------------------------------------------------------------------------------

    async renderReward(sale, account, card) {
      this.say("Loading…");
      const answer = await LB.send("rewardInfo", {cardId: card.id});
      if (!answer.ok) return this.say(answer.error, "error");
      const info = answer.data;
      const suggested = info.suggested_item;
      const items = sale.lines.filter((l) => Number(l.quantity) > 0).map((l) => ({
        sku: l.sku, upc: l.upc, name: l.name, unit_price: l.unit_price, line_id: l.line_id}));
      if (suggested && !items.some((i) => suggested.upc && i.upc === suggested.upc)) {
        items.push({...suggested, unit_price: null, line_id: null});
      }
      const preferred = Math.max(0, items.findIndex((i) => suggested && i.upc === suggested.upc));
      const label = (item) => item.name + (item.unit_price ? ` (${LB.money(item.unit_price)})` : "");
      const select = h("select", {name: "item", id: "lb-reward-item"}, items.map((item, i) => h("option",
        {value: String(i), selected: i === preferred}, label(item))));
      const missing = info.missing_fields || [];
      const form = h("form", {class: "redeem"},
        h("p", {class: "max-value"}, `Maximum value to discount: ${LB.money(info.max_value)}`),
        suggested ? h("p", {class: "muted"}, `Suggested free item: ${suggested.name || suggested.upc}`) : null,
        h("label", {for: "lb-reward-item"}, "Free item"), select,
        missing.length ? h("fieldset", {class: "missing"},
          h("legend", {}, `The manufacturer requires the customer's ${missing.join(" and ")} first`),
          missing.flatMap((f) => f === "address" ?
            ADDRESS.map(([name, label]) => h("label", {}, label, h("input", {name: `address.${name}`,
              value: name === "country" ? "US" : "", required: name !== "line2"}))) :
            [h("label", {}, f === "email" ? "Email" : "Phone",
              h("input", {name: f, type: f === "email" ? "email" : "tel", required: true}))])) : null,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary redeem-button",
          autofocus: !missing.length}, "Redeem"),
        h("button", {type: "button", onclick: () => this.refresh()}, "Back")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const patch = {};
        if (missing.includes("address")) patch.address = readAddress(form);
        for (const f of ["email", "phone"]) if (missing.includes(f)) patch[f] = form.elements[f].value.trim();
        const item = items[Number(select.value)] || {};
        this.say("Redeeming…");
        const r = await LB.send("redeem", {cardId: card.id, accountId: account.id, accountPatch: patch,
          sale: {system: sale.pos.system, sale_id: sale.pos.sale_id},
          item: {sku: item.sku || null, upc: item.upc || null, name: item.name || null,
            unit_price: item.unit_price || null}});
        if (!r.ok) return this.say(fieldErrors(r), "error");
        this.refresh({kind: "ok reward-done", text: "Reward redeemed. Apply a discount of " +
          `${LB.money(r.data.discount)} on ${item.name || "the free item"} in the POS now ` +
          `(at most ${LB.money(r.data.max_value)}).`});
      });
      this.show("reward", `Reward: ${info.program}`, form);
    }

    // --- incorrect customer map --------------------------------------------------------------------------------

    renderUnlink(sale, account) {
      const form = h("form", {class: "unlink"},
        h("p", {}, `Unlink ${account.name} from this POS customer? A manager must approve with their PIN.`),
        h("label", {}, "Manager PIN", h("input", {type: "password", name: "manager_pin", inputmode: "numeric",
          autocomplete: "off", required: true, maxlength: "20", autofocus: true})),
        h("label", {}, "Reason", h("input", {type: "text", name: "reason", value: "Incorrect customer map",
          required: true, maxlength: "500"})),
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary danger"}, "Unlink"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Cancel")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say("Unlinking…");
        const answer = await LB.send("unlink", {system: sale.pos.system, customerId: sale.customer.pos_id,
          reason: form.elements.reason.value.trim(), managerPin: form.elements.manager_pin.value});
        if (!answer.ok) {
          form.elements.manager_pin.value = "";
          return this.say(answer.error, "error");
        }
        this.refresh({text: `Unlinked from ${account.name}. Choose the right account for this customer.`,
          kind: "ok"});
      });
      this.show("unlink", "Incorrect customer map", form);
    }
  }

  // When the server is out of reach, say whether this sale's commit is already waiting in the offline queue.
  async function queuedNote(sale) {
    const queue = (await chrome.storage.local.get("commit_queue")).commit_queue || {};
    const entry = queue[`${sale.pos.system}:${sale.pos.sale_id}`];
    return entry && entry.status === "queued" ? {kind: "queued", text: "This sale's commit is queued: it will " +
      "be sent automatically when the server is back."} : null;
  }

  function readAddress(form) {
    const out = {};
    for (const [name] of ADDRESS) out[name] = form.elements[`address.${name}`].value.trim() || null;
    return out;
  }

  function fieldErrors(answer) {
    const fields = (answer.details && answer.details.fields) || {};
    const parts = Object.entries(fields).map(([k, v]) => `${k.replace(/_/g, " ")}: ${[].concat(v).join(", ")}`);
    return parts.length ? `${answer.error} (${parts.join("; ")})` : answer.error;
  }

  LB.Panel = Panel;
})();
