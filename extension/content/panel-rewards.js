// The panel's reward view: the maximum value to discount, the fields the manufacturer requires, Redeem, and
// the discount the cashier applies in the POS.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const {ADDRESS, readAddress, fieldErrors} = LB.panelParts;

  Object.assign(LB.Panel.prototype, {
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
    },
  });
})();
