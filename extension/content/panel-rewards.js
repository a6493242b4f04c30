// The panel's reward view: the free item (a qualifying line of this sale by default, another item only by an
// explicit choice), the fields the manufacturer requires, Redeem, and the discount: put on the sale by the
// adapter where the POS allows it (applyDiscount), otherwise said exactly, with its amount one click to copy.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;
  const {ADDRESS, readAddress, fieldErrors, fieldName} = LB.panelParts;

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
      this.say(t("loading"));
      const current = this.currentSale() || sale;
      const answer = await LB.send("rewardInfo", {cardId: card.id, sale: current});
      if (!answer.ok) return this.say(answer.error, "error");
      const info = answer.data;
      const choices = rewardChoices(info);
      const preferred = choices.findIndex((c) => c.line_id && c.line_id === info.default_line_id);
      const label = (c) => c.onSale ? t("rewardLine", c.name || c.upc, LB.money(c.unit_price), LB.money(c.discount)) :
        t("rewardNotOnSale", c.name || c.upc || c.sku);
      const select = h("select", {name: "item", id: "lb-reward-item", required: true},
        preferred < 0 ? h("option", {value: ""}, t("chooseFreeItem")) : null,
        choices.map((c, i) => h("option", {value: String(i), selected: i === preferred}, label(c))));
      const missing = info.missing_fields || [];
      const form = h("form", {class: "redeem"},
        h("p", {class: "max-value"}, t("maxValue", LB.money(info.max_value))),
        preferred < 0 ? h("p", {class: "warning"}, choices.length ? t("noLineQualifiesChoose") :
          t("noLineQualifies")) : null,
        h("label", {for: "lb-reward-item"}, t("freeItem")), select,
        missing.length ? h("fieldset", {class: "missing"},
          h("legend", {}, t("manufacturerRequires", missing.map(fieldName).join(t("and")))),
          missing.flatMap((f) => f === "address" ?
            ADDRESS.map(([name, text]) => h("label", {}, t(text), h("input", {name: `address.${name}`,
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
        const item = choices[Number(select.value)] || {};
        this.say(t("redeeming"));
        const r = await LB.send("redeem", {cardId: card.id, accountId: account.id, accountPatch: patch,
          sale: {system: current.pos.system, sale_id: current.pos.sale_id},
          item: {line_id: item.line_id || null, product_id: item.product_id || null, sku: item.sku || null,
            upc: item.upc || null, name: item.name || null, unit_price: item.unit_price || null}});
        if (!r.ok) return this.say(fieldErrors(r), "error");
        this.refresh(await this.discountNote(current, item, r.data, info.program));
      });
      this.show("reward", t("rewardTitle", info.program), form);
    },

    // After a redemption: the adapter puts the discount on the sale's line if it can; otherwise the exact
    // instruction, with a button that copies the amount.
    async discountNote(sale, item, redemption, program) {
      const name = item.name || t("theFreeItem");
      const amount = redemption.discount;
      const line = item.line_id && sale.lines.find((l) => l.line_id === item.line_id);
      if (line && typeof this.adapter.applyDiscount === "function" &&
          await this.adapter.applyDiscount(line, amount, t("rewardTitle", program))) {
        return {kind: "ok reward-done", sticky: true, text: t("rewardApplied", LB.money(amount), name)};
      }
      const plain = Number(amount).toFixed(2);
      const copy = h("button", {type: "button", class: "copy-amount", "aria-label": t("copyAmount", plain),
        onclick: async () => {
          copy.textContent = (await copyText(plain)) ? t("copied") : t("copyFailed");
        }}, t("copyAmount", plain));
      return {kind: "ok reward-done", sticky: true, extra: copy,
        text: t(line ? "rewardRedeemed" : "rewardRedeemedAddItem", LB.money(amount), name,
          LB.money(redemption.max_value))};
    },
  });
})();
