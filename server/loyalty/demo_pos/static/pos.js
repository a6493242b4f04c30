// The demo sell screen: a small single-page app shaped like the Lightspeed X-Series register. Every change
// re-renders the whole screen (new nodes, as the real register's framework does), and posts the register's
// Client API messages (sale:update / sale:complete / sale:discard) to its own window. It writes ids, UPCs and
// SKUs on the lines (data-*), which the real register does not; the extension's demo adapter reads them.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("demo-data").textContent);
  const app = document.getElementById("app");
  const STORE_KEY = "demo-pos-state";

  function newSaleId() {
    return "demo-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
  }

  function emptySale(extra) {
    return Object.assign({id: newSaleId(), customer_id: null, return_for: null, lines: [], next_line: 1}, extra);
  }

  // The screen's state survives a reload of the tab (like a parked sale), not a new tab.
  let state = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null") ||
    {sale: emptySale(), completed: [], customers: DATA.customers.slice(), next_customer: 1};

  const productById = Object.fromEntries(DATA.products.map((p) => [p.product_id, p]));

  // h("li", {class: "x", onclick: fn}, "text", child): DOM nodes, text always as text.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  // The page's words and money format come from the server, in the language the staff app chose.
  const T = DATA.text;
  const say = (key, values) => T[key].replace(/\{(\w+)\}/g, (m, name) => String(values[name]));
  const currency = new Intl.NumberFormat(DATA.locale, {style: "currency", currency: DATA.currency});
  const money = (n) => currency.format(n);
  const customerById = (id) => state.customers.find((c) => c.pos_id === id) || null;
  const discountOf = (line) => (line.discount ? Number(line.discount.amount) : 0);
  const lineTotal = (line) => line.quantity * Number(line.unit_price) - discountOf(line);
  const saleTotal = (sale) => sale.lines.reduce((sum, l) => sum + lineTotal(l), 0);

  function clientApiSale(sale) {
    const total = saleTotal(sale).toFixed(2);
    return {
      id: sale.id, client_id: "demo-register", client_sale_id: sale.id, register_id: "demo-register",
      return_for: sale.return_for, customer_id: sale.customer_id,
      totals: {total_price: total, total_tax: "0.00", total_payment: "0.00", total_to_pay: total},
      line_items: sale.lines.map((l) => ({id: l.id, product_id: l.product_id, quantity: l.quantity,
        unit_price: l.unit_price, discount: discountOf(l).toFixed(2), unit_tax: "0.00", tax_id: null, tags: [],
        gift_card_number: null})),
    };
  }

  function post(eventName, sale) {
    window.postMessage(JSON.stringify({event_name: eventName, data: {sale: clientApiSale(sale)},
      source: "Vend Client API"}), window.location.origin);
  }

  // Every action goes through here: change the state, render everything anew, tell the Client API listeners.
  function update(change, eventName) {
    const before = state.sale;
    change();
    sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    render();
    if (eventName) post(eventName, before);
    post("sale:update", state.sale);
  }

  const actions = {
    addProduct(pid) {
      update(() => {
        const sale = state.sale;
        const sign = sale.return_for ? -1 : 1;
        const existing = sale.lines.find((l) => l.product_id === pid);
        if (existing) existing.quantity += sign;
        else {
          const p = productById[pid];
          sale.lines.push({id: String(sale.next_line++), product_id: pid, sku: p.sku, upc: p.upc, name: p.name,
            unit_price: p.unit_price, quantity: sign});
        }
      });
    },
    changeQuantity(lineId, delta) {
      update(() => {
        const line = state.sale.lines.find((l) => l.id === lineId);
        line.quantity += delta;
        if (line.quantity === 0) state.sale.lines = state.sale.lines.filter((l) => l !== line);
      });
    },
    // A line discount, as X-Series has: an amount off the line (at most its price), with a label.
    setDiscount(lineId, amount, label) {
      const line = state.sale.lines.find((l) => l.id === lineId);
      const value = Math.min(Math.abs(line.quantity * Number(line.unit_price)), Number(amount));
      if (!line || !(value > 0)) return false;
      update(() => { line.discount = {amount: value.toFixed(2), label: label || T.discount}; });
      return true;
    },
    removeDiscount(lineId) {
      update(() => { state.sale.lines.find((l) => l.id === lineId).discount = null; });
    },
    removeLine(lineId) {
      update(() => {
        state.sale.lines = state.sale.lines.filter((l) => l.id !== lineId);
      });
    },
    attachCustomer(id) {
      if (id) update(() => { state.sale.customer_id = id; });
    },
    removeCustomer() {
      update(() => { state.sale.customer_id = null; });
    },
    createCustomer(form) {
      const v = (n) => form.elements[n].value.trim();
      if (!v("first_name") && !v("last_name")) return;
      update(() => {
        // Unique across tabs and reloads, like a POS's own customer ids.
        const c = {pos_id: "c-new-" + Date.now().toString(36) + state.next_customer++, first_name: v("first_name"),
          last_name: v("last_name"), email: v("email"), phone: v("phone")};
        state.customers.push(c);
        state.sale.customer_id = c.pos_id;
      });
    },
    newSale() {
      const discard = state.sale.lines.length > 0;
      update(() => { state.sale = emptySale(); }, discard ? "sale:discard" : null);
    },
    pay() {
      if (!state.sale.lines.length) return;
      update(() => {
        state.completed.unshift(Object.assign({}, state.sale, {completed_at: new Date().toISOString()}));
        state.sale = emptySale();
      }, "sale:complete");
    },
    refund(saleId) {
      const original = state.completed.find((s) => s.id === saleId);
      update(() => {
        state.sale = emptySale({return_for: original.id, customer_id: original.customer_id,
          lines: original.lines.map((l) => Object.assign({}, l, {quantity: -l.quantity})),
          next_line: original.next_line});
      });
    },
  };

  function customerBadge(c) {
    return h("div", {class: "wr-customer-badge vd-id-badge", dataset: {customerId: c.pos_id,
      firstName: c.first_name || "", lastName: c.last_name || ""}},
      h("div", {class: "vd-id-badge__content"},
        h("div", {class: "vd-id-badge__header-title"}, [c.first_name, c.last_name].filter(Boolean).join(" ")),
        c.email ? h("div", {class: "vd-id-badge__description"}, c.email) : null,
        c.phone ? h("div", {class: "vd-id-badge__description"}, c.phone) : null),
      h("button", {class: "wr-customer-badge-remove", type: "button", "aria-label": T.remove_customer,
        onclick: actions.removeCustomer}, "×"));
  }

  function customerPicker() {
    const select = h("select", {class: "customer-picker", "aria-label": T.customer},
      h("option", {value: ""}, T.add_customer),
      state.customers.map((c) => h("option", {value: c.pos_id}, `${c.first_name} ${c.last_name} (${c.pos_id})`)));
    return h("div", {class: "customer-search"}, select,
      h("button", {type: "button", class: "attach-customer", onclick: () => actions.attachCustomer(select.value)},
        T.add_to_sale));
  }

  // The cashier's own line discount: an amount typed in a small form under the line.
  function discountForm(line) {
    const amount = h("input", {name: "amount", inputmode: "decimal",
      "aria-label": say("discount_on", {item: line.name}), placeholder: T.amount_off});
    const form = h("form", {class: "li-discount-form", hidden: true}, amount,
      h("button", {type: "submit"}, T.apply));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      actions.setDiscount(line.id, amount.value.replace(/[^0-9.]/g, ""), T.discount);
    });
    return form;
  }

  function saleLine(line) {
    const form = discountForm(line);
    return h("li", {class: "sale-list-item", dataset: {lineId: line.id, productId: line.product_id,
      sku: line.sku || "", upc: line.upc || "", quantity: String(line.quantity), unitPrice: line.unit_price,
      discount: line.discount ? line.discount.amount : ""}},
    h("div", {class: "li-cell-summary--name-container"}, h("span", {class: "pro-li-cell-summary-name"}, line.name)),
    h("div", {class: "li-cell-qty"},
      h("button", {type: "button", class: "qty-dec", "aria-label": T.one_less,
        onclick: () => actions.changeQuantity(line.id, -1)}, "−"),
      h("span", {class: "li-cell-quantity"}, String(line.quantity)),
      h("button", {type: "button", class: "qty-inc", "aria-label": T.one_more,
        onclick: () => actions.changeQuantity(line.id, 1)}, "+")),
    h("span", {class: "wr-li-cell-summary-price-value"}, money(lineTotal(line))),
    h("button", {type: "button", class: "li-remove", "aria-label": T.remove_line,
      onclick: () => actions.removeLine(line.id)}, T.remove),
    line.discount ? h("div", {class: "li-discount"},
      h("span", {class: "li-discount-label"}, line.discount.label), " ",
      h("span", {class: "li-discount-amount"}, money(-Number(line.discount.amount))), " ",
      h("button", {type: "button", class: "li-discount-remove", "aria-label": T.remove_discount,
        onclick: () => actions.removeDiscount(line.id)}, "×")) :
      h("button", {type: "button", class: "li-discount-open", onclick: () => { form.hidden = false; }},
        T.discount),
    form);
  }

  function render() {
    const sale = state.sale;
    const customer = sale.customer_id ? customerById(sale.customer_id) : null;
    const newCustomer = h("form", {class: "new-customer"},
      h("h3", {}, T.new_customer),
      ["first_name", "last_name", "email", "phone"].map((n) => h("input", {name: n, placeholder: T[n],
        "aria-label": T[n]})),
      h("button", {type: "submit"}, T.create_customer));
    newCustomer.addEventListener("submit", (e) => {
      e.preventDefault();
      actions.createCustomer(newCustomer);
    });
    const screen = h("div", {class: "register"},
      h("section", {class: "catalog"},
        h("h2", {}, T.products),
        h("div", {class: "products"}, DATA.products.map((p) => h("button", {type: "button", class: "product",
          dataset: {productId: p.product_id}, onclick: () => actions.addProduct(p.product_id)},
        h("span", {class: "product-name"}, p.name), h("span", {class: "product-price"}, money(Number(p.unit_price)))))),
        newCustomer),
      h("section", {class: "sale", dataset: {saleId: sale.id, returnFor: sale.return_for || ""}},
        h("div", {class: "sale-header"},
          h("div", {class: "sale-title"}, sale.return_for ? say("refund_of", {sale: sale.return_for}) : T.current_sale),
          customer ? customerBadge(customer) : customerPicker(),
          h("div", {class: "sale-actions"},
            h("button", {type: "button", class: "btn btn--new-sale", onclick: actions.newSale}, T.new_sale))),
        sale.lines.length ? h("ul", {class: "sale-list"}, sale.lines.map(saleLine)) :
          h("div", {class: "sale-list sale-list--empty"}, T.empty),
        h("div", {class: "sale-footer"},
          h("span", {class: "sale-total"}, say("total", {amount: money(saleTotal(sale))})),
          h("button", {type: "button", class: "btn btn--pay", disabled: !sale.lines.length, onclick: actions.pay},
            sale.return_for ? T.refund : T.pay))),
      h("section", {class: "completed-sales"},
        h("h2", {}, T.completed_sales),
        state.completed.length ? h("ul", {}, state.completed.map((s) => h("li", {class: "completed-sale",
          dataset: {saleId: s.id}},
        say(s.return_for ? "refund_done" : "sale_done", {sale: s.id, amount: money(saleTotal(s))}), " ",
        s.return_for ? null : h("button", {type: "button", class: "refund", onclick: () => actions.refund(s.id)},
          T.refund)))) : h("p", {}, T.none_yet)));
    app.replaceChildren(screen);
  }

  // Integrations (the loyalty extension) put a discount on a line with a DOM event whose detail is a JSON string
  // {line_id, amount, label}: the page and an extension's content script share the DOM, not their JavaScript.
  document.addEventListener("demo-pos:apply-discount", (e) => {
    try {
      const d = JSON.parse(e.detail);
      actions.setDiscount(String(d.line_id), d.amount, String(d.label || T.discount).slice(0, 100));
    } catch (err) {
      console.warn("demo POS: bad discount request", err);
    }
  });

  render();
  post("sale:update", state.sale);
})();
