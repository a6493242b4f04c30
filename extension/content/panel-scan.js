// The panel's member card scan: a USB scanner is a keyboard that types the card's code and presses Enter, so
// the scan field is a one-line form. Scanning (or typing) a code finds the loyalty account in one step; the
// cashier then confirms, which links the POS customer to it (or, on a walk-in sale, uses it for this sale).
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;

  const REFUSALS = {invalid_card_code: "scanInvalidCode", unknown_card: "scanUnknownCard",
    card_revoked: "scanRevokedCard", card_unassigned: "scanUnassignedCard"};

  Object.assign(LB.Panel.prototype, {
    // The scan field for a view; `autofocus` so that a scanner's keystrokes land in it.
    scanField(sale, {autofocus = false} = {}) {
      const code = h("input", {type: "text", name: "card_code", class: "scan", maxlength: "40",
        autocomplete: "off", autocapitalize: "characters", spellcheck: "false", autofocus,
        "aria-label": t("scanFieldLabel"), placeholder: t("scanFieldPlaceholder")});
      const form = h("form", {class: "scan-card"}, code, h("button", {type: "submit"}, t("scanFindButton")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const text = code.value.trim();
        if (text) this.lookUpCard(sale, text);
      });
      return form;
    },

    async lookUpCard(sale, text) {
      this.say(t("scanLookingUp"));
      const answer = await LB.send("memberCard", {code: text});
      if (!answer.ok) {
        return this.say(REFUSALS[answer.code] ? t(REFUSALS[answer.code]) : answer.error, "error");
      }
      this.renderCardFound(sale, answer.data);
    },

    renderCardFound(sale, found) {
      const a = found.account;
      const posCustomer = sale.customer && sale.customer.pos_id;
      const who = posCustomer ? ([sale.customer.first_name, sale.customer.last_name].filter(Boolean).join(" ") ||
        t("scanThisCustomer")) : null;
      const cards = (a.cards || []).filter((c) => c.status === "open" || c.status === "complete");
      this.show("card-found", t("scanFoundTitle"), [
        h("p", {class: "found"}, h("span", {class: "name"}, a.name), " ",
          h("span", {class: "muted"}, [a.email, a.phone_display || a.phone].filter(Boolean).join(" · "))),
        h("p", {class: "muted"}, t("scanCardCode", found.card.code_display)),
        cards.length ? h("ul", {class: "card-summary"}, cards.map((c) => h("li", {},
          `${c.program}: ${c.status === "complete" ? t("scanRewardAvailable") : `${c.punches} / ${c.buy_quantity}`}`)))
          : null,
        h("p", {}, posCustomer ? t("scanLinkQuestion", who) : t("scanUseQuestion")),
        h("div", {class: "actions"},
          h("button", {type: "button", class: "primary confirm-card", autofocus: true,
            onclick: () => this.select(sale, a)}, posCustomer ? t("scanLinkButton") : t("scanUseButton")),
          h("button", {type: "button", onclick: () => this.refresh()}, t("scanCancel"))),
      ]);
    },
  });
})();
