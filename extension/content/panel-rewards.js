// The panel's reward view: the maximum value to discount, the fields the manufacturer requires, Redeem, and
// the discount the cashier applies in the POS.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;
  const {ADDRESS, readAddress, fieldErrors, fieldName} = LB.panelParts;

  Object.assign(LB.Panel.prototype, {
    async renderReward(sale, account, card) {
      this.say(t("loading"));
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
        h("p", {class: "max-value"}, t("maxValue", LB.money(info.max_value))),
        suggested ? h("p", {class: "muted"}, t("suggestedItem", suggested.name || suggested.upc)) : null,
        h("label", {for: "lb-reward-item"}, t("freeItem")), select,
        missing.length ? h("fieldset", {class: "missing"},
          h("legend", {}, t("manufacturerRequires", missing.map(fieldName).join(t("and")))),
          missing.flatMap((f) => f === "address" ?
            ADDRESS.map(([name, label]) => h("label", {}, t(label), h("input", {name: `address.${name}`,
              value: name === "country" ? "US" : "", required: name !== "line2"}))) :
            [h("label", {}, f === "email" ? t("email") : t("phone"),
              h("input", {name: f, type: f === "email" ? "email" : "tel", required: true}))])) : null,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary redeem-button",
          autofocus: !missing.length}, t("redeem")),
        h("button", {type: "button", onclick: () => this.refresh()}, t("back"))));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const patch = {};
        if (missing.includes("address")) patch.address = readAddress(form);
        for (const f of ["email", "phone"]) if (missing.includes(f)) patch[f] = form.elements[f].value.trim();
        const item = items[Number(select.value)] || {};
        this.say(t("redeeming"));
        const r = await LB.send("redeem", {cardId: card.id, accountId: account.id, accountPatch: patch,
          sale: {system: sale.pos.system, sale_id: sale.pos.sale_id},
          item: {sku: item.sku || null, upc: item.upc || null, name: item.name || null,
            unit_price: item.unit_price || null}});
        if (!r.ok) return this.say(fieldErrors(r), "error");
        this.refresh({kind: "ok reward-done", text: t("rewardRedeemed", LB.money(r.data.discount),
          item.name || t("theFreeItem"), LB.money(r.data.max_value))});
      });
      this.show("reward", t("rewardTitle", info.program), form);
    },
  });
})();
