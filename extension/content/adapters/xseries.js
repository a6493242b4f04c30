// Lightspeed X-Series (formerly Vend) web register: *.vendhq.com, *.retail.lightspeed.app, or a saved copy.
// The sale's ids and quantities come from the register's documented Client API messages (sale:update,
// sale:complete, sale:discard); what they lack (customer name, email, phone; line names, prices) from the sell
// screen's DOM (classes in docs: .sale .sale-header .wr-customer-badge, .sale-list .sale-list-item, ...).
(function () {
  const LB = globalThis.LoyaltyBridge;

  // The last sale the register told us about; kept for the page's life (the content script's own memory).
  const clientApi = (LB.clientApi = {sale: null, completed: null, listeners: []});

  window.addEventListener("message", (event) => {
    if (event.source !== window || typeof event.data !== "string" || event.data.indexOf("Vend Client API") < 0) {
      return;
    }
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!msg || msg.source !== "Vend Client API" || !msg.data || !msg.data.sale) return;
    if (msg.event_name === "sale:update") clientApi.sale = msg.data.sale;
    else if (msg.event_name === "sale:complete") {
      clientApi.completed = msg.data.sale;
      clientApi.sale = null;
    } else if (msg.event_name === "sale:discard") clientApi.sale = null;
    else return;
    for (const fn of clientApi.listeners) fn(msg.event_name);
  });

  // The sell screen's DOM, read the same way for X-Series and the demo POS (which copies its classes).
  LB.readSellScreen = function (doc) {
    const sale = doc.querySelector(".sale");
    if (!sale) return null;
    const badge = sale.querySelector(".sale-header .wr-customer-badge");
    const customer = badge ? {
      el: badge,
      name: LB.text(badge, ".vd-id-badge__header-title"),
      ...LB.contactFrom([...badge.querySelectorAll(".vd-id-badge__description")].map((d) => d.textContent)),
    } : null;
    const lines = [...sale.querySelectorAll(".sale-list .sale-list-item")].map((el) => {
      const qtyText = LB.text(el, ".li-cell-quantity, .wr-li-cell-summary-quantity, [data-quantity]");
      return {
        el,
        name: LB.text(el, ".li-cell-summary--name-container .pro-li-cell-summary-name"),
        price: LB.parseMoney(LB.text(el, ".wr-li-cell-summary-price-value")),
        quantity: qtyText && !isNaN(Number(qtyText)) ? qtyText : null,
      };
    });
    return {el: sale, customer, lines};
  };

  function sellScreenOpen(doc) {
    return Boolean(doc.querySelector(".sale .sale-header") || doc.querySelector(".sale .sale-list"));
  }

  LB.registerAdapter({
    name: "lightspeed-x",
    system: "lightspeed-x",
    priority: 20,
    matches() {
      return /(\.vendhq\.com|\.retail\.lightspeed\.app)$/.test(location.hostname) || sellScreenOpen(document) ||
        clientApi.sale !== null;
    },
    isSaleScreen() {
      return sellScreenOpen(document);
    },
    hasOpenSale() {
      const screen = LB.readSellScreen(document);
      return Boolean((clientApi.sale && (clientApi.sale.line_items || []).length) ||
        (screen && (screen.customer || screen.lines.length)));
    },
    payButton: ".btn--pay",
    buttonAnchor() {
      return document.querySelector(".sale .sale-header .sale-actions") || document.querySelector(".sale-actions");
    },
    readSale() {
      const screen = LB.readSellScreen(document);
      const msg = clientApi.sale;
      if (!msg || !(msg.id || msg.client_sale_id)) return null; // ids only come from the Client API
      const items = msg.line_items || [];
      // Messages and the DOM list the lines in the same order; the DOM adds names and prices.
      const lines = items.map((item, i) => {
        const dom = (screen && screen.lines[i]) || {};
        const quantity = item.quantity != null ? String(item.quantity) : (dom.quantity || "1");
        const unit = item.unit_price != null ? String(item.unit_price) :
          (dom.price && Number(quantity) ? (Number(dom.price) / Number(quantity)).toFixed(2) : null);
        return {line_id: String(item.id || i + 1), product_id: item.product_id || null, sku: item.sku || null,
          upc: null, name: dom.name || null, quantity, unit_price: unit};
      });
      const c = screen && screen.customer;
      const customer = msg.customer_id || c ? {
        pos_id: msg.customer_id || null, ...LB.customerNames(c && c.name),
        email: c ? c.email : null, phone: c ? c.phone : null,
      } : null;
      // The store is the register's domain prefix, as the server's X-Series webhooks record it.
      const prefix = /^([^.]+)\.(vendhq\.com|retail\.lightspeed\.app)$/.exec(location.hostname);
      return {pos: {system: "lightspeed-x", sale_id: String(msg.id || msg.client_sale_id),
        store: prefix && prefix[1], register: msg.register_id || null, return_for: msg.return_for || null},
      customer, account_id: null, lines};
    },
  });
})();
