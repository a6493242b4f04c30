// Lightspeed R-Series (Retail) register: *.merchantos.com/register.php, *.lightspeedapp.com, or a saved copy.
// Line rows carry ids like #line_<id>_description; the lines control bar (.register-lines-control) is where
// integrations put their buttons. The sale id comes from the register's sale id field or the URL.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const LINE_ID = /^line_(\d+)_/;

  function lineIds() {
    const ids = [];
    for (const el of document.querySelectorAll("[id^='line_']")) {
      const m = LINE_ID.exec(el.id);
      if (m && !ids.includes(m[1])) ids.push(m[1]);
    }
    return ids;
  }

  function field(id, suffixes) {
    for (const suffix of suffixes) {
      const el = document.getElementById(`line_${id}_${suffix}`);
      if (el) return ("value" in el && el.tagName !== "LI" ? el.value : el.textContent).trim();
    }
    return null;
  }

  function saleId() {
    const el = document.querySelector("#sale_id, input[name='sale_id'], [data-sale-id]");
    const fromDom = el && (el.value || el.dataset.saleId || el.textContent || "").trim();
    return fromDom || new URLSearchParams(location.search).get("sale_id");
  }

  LB.registerAdapter({
    name: "lightspeed-r",
    system: "lightspeed-r",
    priority: 30,
    matches() {
      return Boolean(document.querySelector(".register-lines-control")) ||
        (/\.merchantos\.com$/.test(location.hostname) && location.pathname.endsWith("register.php"));
    },
    isSaleScreen() {
      return Boolean(document.querySelector(".register-lines-control"));
    },
    hasOpenSale() {
      return lineIds().length > 0 || Boolean(document.querySelector("#customer_id[value]:not([value=''])"));
    },
    buttonAnchor() {
      return document.querySelector(".register-lines-control");
    },
    readSale() {
      const id = saleId();
      if (!id) return null;
      const lines = lineIds().map((lid) => ({
        line_id: lid,
        product_id: field(lid, ["item_id", "itemID"]),
        sku: field(lid, ["sku", "custom_sku", "manufacturer_sku"]),
        upc: field(lid, ["upc", "ean"]),
        name: field(lid, ["description", "name"]),
        quantity: field(lid, ["quantity", "qty"]) || "1",
        unit_price: LB.parseMoney(field(lid, ["unit_price", "price"])),
      }));
      const customerId = (document.querySelector("#customer_id, input[name='customer_id']") || {}).value || null;
      const name = LB.text(document, "#customer_name, .customer-name");
      // The customer form's own fields, when the register shows them.
      const formValue = (sel) => {
        const el = document.querySelector(sel);
        return el ? el.value || el.textContent : null;
      };
      const contact = LB.contactFrom([LB.text(document, "#customer_email, .customer-email"),
        LB.text(document, "#customer_phone, .customer-phone")]);
      const customer = customerId || name ? {pos_id: customerId,
        ...LB.customerNames(name, formValue("#customer_first_name, input[name='firstName']"),
          formValue("#customer_last_name, input[name='lastName']")), ...contact} : null;
      return {pos: {system: "lightspeed-r", sale_id: String(id), store: null, register: null, return_for: null},
        customer, account_id: null, lines};
    },
  });
})();
