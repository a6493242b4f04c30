// The loyalty panel on the POS page, inside a shadow root (the POS's CSS and ours never mix): its frame, opening
// and closing, and choosing the view for the current sale. Every view is built with LB.h (text nodes only);
// the views live in panel-checkout.js (account, Commit, reasons, queued), panel-accounts.js (candidates, create,
// walk-in, incorrect customer map) and panel-rewards.js (redeem). The usual case, a linked customer with nothing
// to ask, is one click: "Commit".
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;

  const t = LB.t;
  // Message keys: the labels are looked up when drawn, in the language chosen then.
  const MATCH_LABELS = {email: "matchEmail", phone: "matchPhone", name: "matchName"};
  const ADDRESS = [["line1", "addrLine1"], ["line2", "addrLine2"], ["city", "addrCity"],
    ["region", "addrRegion"], ["postal_code", "addrPostalCode"], ["country", "addrCountry"]];

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
      if (this.host) {
        this.reattach();
        return;
      }
      this.host = h("div", {id: "loyalty-bridge-panel-host"});
      const root = this.host.attachShadow({mode: "open"});
      const style = h("style", {}, LB.PANEL_CSS);
      this.titleEl = h("h2", {id: "lb-title", tabindex: "-1"}, t("panelTitle"));
      this.statusEl = h("p", {class: "status", role: "status", "aria-live": "polite"});
      this.bodyEl = h("div", {class: "body"});
      this.panelEl = h("section", {class: "panel", role: "dialog", "aria-labelledby": "lb-title"},
        h("header", {}, this.titleEl,
          h("button", {class: "close", type: "button", "aria-label": t("panelClose"),
            onclick: () => this.close()}, "×")),
        this.statusEl, this.bodyEl);
      this.panelEl.addEventListener("keydown", (e) => {
        if (e.key === "Escape") this.close();
      });
      root.append(style, this.panelEl);
      this.reattach();
      // A POS that redraws its whole <body> drops the host with it: put the same host (its shadow root, view and
      // listeners intact) back. The callback only schedules one frame, like the button's observer.
      let scheduled = false;
      new MutationObserver(() => {
        if (scheduled || this.host.isConnected) return;
        scheduled = true;
        requestAnimationFrame(() => {
          scheduled = false;
          this.reattach();
        });
      }).observe(document.documentElement, {childList: true, subtree: true});
    }

    // The host lives in <body> (not <html>) so that the page's landmarks and accessibility checkers see it.
    reattach() {
      if (!this.host.isConnected) (document.body || document.documentElement).append(this.host);
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
      this.panelEl.dataset.view = view; // which view is drawn, for tests and the accessibility checks
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
      this.show("error", t("panelTitle"), [h("p", {class: "error-text"}, text),
        h("button", {type: "button", onclick: () => this.refresh(), autofocus: true}, t("tryAgain"))], note);
    }

    // The sale as the POS shows it now, with the account chosen for a walk-in sale.
    currentSale() {
      const sale = this.adapter.readSale();
      if (sale && !(sale.customer && sale.customer.pos_id)) {
        sale.account_id = this.walkIn.get(sale.pos.sale_id) || null;
      }
      return sale;
    }

    // The panel follows the sale, except in a form the cashier may be typing in.
    onSaleChanged() {
      if (!this.isOpen || !["account", "empty", "walkin", "unlinked", "error"].includes(this.view)) return;
      clearTimeout(this.saleTimer);
      this.saleTimer = setTimeout(() => this.refresh(), 250);
    }

    // Preview first: for a linked customer it is the only request (it carries the account and its cards).
    async refresh(note) {
      const gen = ++this.generation;
      const sale = this.currentSale();
      if (!sale) {
        this.show("empty", t("panelTitle"), h("p", {}, t("noSale")), note);
        return;
      }
      if (!(sale.customer && sale.customer.pos_id) && !sale.account_id && !sale.pos.return_for) {
        this.renderWalkIn(sale, note);
        return;
      }
      this.say(t("loading"));
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
  }

  // When the server is out of reach, say whether this sale's commit is already waiting in the offline queue.
  async function queuedNote(sale) {
    const queue = (await chrome.storage.local.get("commit_queue")).commit_queue || {};
    const entry = queue[`${sale.pos.system}:${sale.pos.sale_id}`];
    return entry && entry.status === "queued" ? {kind: "queued", text: t("saleQueued")} : null;
  }

  function readAddress(form) {
    const out = {};
    for (const [name] of ADDRESS) out[name] = form.elements[`address.${name}`].value.trim() || null;
    return out;
  }

  // The server's field names are codes; the sentences after them come in the panel's language.
  function fieldErrors(answer) {
    const fields = (answer.details && answer.details.fields) || {};
    const parts = Object.entries(fields).map(([k, v]) => `${fieldName(k)}: ${[].concat(v).join(", ")}`);
    return parts.length ? `${answer.error} (${parts.join("; ")})` : answer.error;
  }

  const FIELD_KEYS = {first_name: "fieldFirstName", last_name: "fieldLastName", email: "fieldEmail",
    phone: "fieldPhone", address: "fieldAddress"};

  function fieldName(field) {
    return FIELD_KEYS[field] ? t(FIELD_KEYS[field]) : field.replace(/_/g, " ");
  }

  LB.Panel = Panel;
  // Shared with the panel's views (panel-*.js), which add their methods to Panel.prototype.
  LB.panelParts = {ADDRESS, MATCH_LABELS, readAddress, fieldErrors, fieldName, queuedNote};
})();
