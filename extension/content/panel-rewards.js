// The panel's reward view: the free item (a qualifying line of this sale by default, another item only by an
// explicit choice), the fields the manufacturer requires, Redeem, and the discount: put on the sale by the
// adapter where the POS allows it (applyDiscount), otherwise said exactly, with its amount one click to copy.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const {ADDRESS, readAddress, fieldErrors} = LB.panelParts;

  // The choices: the sale's qualifying lines (from the server, each with its discount), then the card's own
  // item when it is not on the sale.
  function rewardChoices(info) {
    const choices = (info.lines || []).map((l) => ({...l, onSale: true}));
    const s = info.suggested_item;
    const same = (c) => (s.upc && c.upc === s.upc) || (s.sku && c.sku === s.sku);
    if (s && !choices.some(same)) {
      choices.push({...s, line_id: null, unit_price: null, discount: info.max_value, onSale: false});
    }
    return choices;
  }

  // Copy a text with one click; the Clipboard API when the page allows it, else a selected textarea.
  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = h("textarea", {style: "position:fixed;opacity:0"}, text);
      document.body.append(area);
      area.select();
      const ok = document.execCommand("copy");
      area.remove();
      return ok;
    }
  }

  Object.assign(LB.Panel.prototype, {
    async renderReward(sale, account, card) {
      this.say("Loading…");
      const current = this.currentSale() || sale;
      const answer = await LB.send("rewardInfo", {cardId: card.id, sale: current});
      if (!answer.ok) return this.say(answer.error, "error");
      const info = answer.data;
      const choices = rewardChoices(info);
      const preferred = choices.findIndex((c) => c.line_id && c.line_id === info.default_line_id);
      const label = (c) => c.onSale ? `${c.name || c.upc} (${LB.money(c.unit_price)}): discount ` +
        `${LB.money(c.discount)}` : `${c.name || c.upc || c.sku}: not on this sale`;
      const select = h("select", {name: "item", id: "lb-reward-item", required: true},
        preferred < 0 ? h("option", {value: ""}, "Choose the free item…") : null,
        choices.map((c, i) => h("option", {value: String(i), selected: i === preferred}, label(c))));
      const missing = info.missing_fields || [];
      const form = h("form", {class: "redeem"},
        h("p", {class: "max-value"}, `Maximum value to discount: ${LB.money(info.max_value)}`),
        preferred < 0 ? h("p", {class: "warning"}, choices.length ? "No item on this sale qualifies: choose " +
          "the free item." : "No item on this sale qualifies for this card.") : null,
        h("label", {for: "lb-reward-item"}, "Free item"), select,
        missing.length ? h("fieldset", {class: "missing"},
          h("legend", {}, `The manufacturer requires the customer's ${missing.join(" and ")} first`),
          missing.flatMap((f) => f === "address" ?
            ADDRESS.map(([name, text]) => h("label", {}, text, h("input", {name: `address.${name}`,
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
        const item = choices[Number(select.value)] || {};
        this.say("Redeeming…");
        const r = await LB.send("redeem", {cardId: card.id, accountId: account.id, accountPatch: patch,
          sale: {system: current.pos.system, sale_id: current.pos.sale_id},
          item: {line_id: item.line_id || null, product_id: item.product_id || null, sku: item.sku || null,
            upc: item.upc || null, name: item.name || null, unit_price: item.unit_price || null}});
        if (!r.ok) return this.say(fieldErrors(r), "error");
        this.refresh(await this.discountNote(current, item, r.data, info.program));
      });
      this.show("reward", `Reward: ${info.program}`, form);
    },

    // After a redemption: the adapter puts the discount on the sale's line if it can; otherwise the exact
    // instruction, with a button that copies the amount.
    async discountNote(sale, item, redemption, program) {
      const name = item.name || "the free item";
      const amount = redemption.discount;
      const line = item.line_id && sale.lines.find((l) => l.line_id === item.line_id);
      if (line && typeof this.adapter.applyDiscount === "function" &&
          await this.adapter.applyDiscount(line, amount, `Reward: ${program}`)) {
        return {kind: "ok reward-done", sticky: true,
          text: `Reward redeemed: a discount of ${LB.money(amount)} is on ${name} in the sale.`};
      }
      const copy = h("button", {type: "button", class: "copy-amount", "aria-label": `Copy ${LB.money(amount)}`,
        onclick: async () => {
          copy.textContent = (await copyText(Number(amount).toFixed(2))) ? "Copied" : "Copy failed: type it";
        }}, `Copy ${Number(amount).toFixed(2)}`);
      return {kind: "ok reward-done", sticky: true, extra: copy,
        text: `Reward redeemed. Apply a discount of ${LB.money(amount)} on ${name}` +
          (line ? "" : " (add it to the sale)") + ` in the POS now (at most ${LB.money(redemption.max_value)}).`};
    },
  });
})();
