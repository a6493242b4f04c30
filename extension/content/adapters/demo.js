// The bundled demo POS (/demo/pos): an X-Series look-alike that also writes ids, UPCs and SKUs on its DOM
// (data-* attributes), so the whole sale is read from the page. Recognised by its marker, on any host.
(function () {
  const LB = globalThis.LoyaltyBridge;

  function root() {
    return document.querySelector("[data-demo-pos]");
  }

  LB.registerAdapter({
    name: "demo",
    system: "demo",
    priority: 10,
    matches() {
      return Boolean(root());
    },
    isSaleScreen() {
      return Boolean(root() && document.querySelector(".sale[data-sale-id]"));
    },
    hasOpenSale() {
      const sale = document.querySelector(".sale[data-sale-id]");
      return Boolean(sale && sale.querySelector(".wr-customer-badge, .sale-list-item"));
    },
    payButton: ".btn--pay",
    // The demo POS takes a line discount from a DOM event (see its pos.js); true once the line shows it.
    applyDiscount(line, amount, label) {
      document.dispatchEvent(new CustomEvent("demo-pos:apply-discount", {
        detail: JSON.stringify({line_id: line.line_id, amount: String(amount), label})}));
      const el = document.querySelector(`.sale-list-item[data-line-id="${CSS.escape(line.line_id)}"]`);
      return Boolean(el && el.dataset.discount);
    },
    buttonAnchor() {
      return document.querySelector(".sale .sale-header .sale-actions");
    },
    readSale() {
      const screen = LB.readSellScreen(document);
      if (!screen || !screen.el.dataset.saleId) return null;
      const c = screen.customer;
      const customer = c ? {pos_id: c.el.dataset.customerId || null, ...LB.customerNames(c.name, c.el.dataset.firstName,
        c.el.dataset.lastName),
        email: c.email, phone: c.phone} : null;
      const lines = screen.lines.map((line) => {
        const d = line.el.dataset;
        return {line_id: d.lineId, product_id: d.productId || null, sku: d.sku || null, upc: d.upc || null,
          name: line.name, quantity: d.quantity || line.quantity || "1", unit_price: d.unitPrice || line.price};
      });
      return {pos: {system: "demo", sale_id: screen.el.dataset.saleId, store: "Main St",
        register: "Demo register", return_for: screen.el.dataset.returnFor || null},
      customer, account_id: null, lines};
    },
  });
})();
