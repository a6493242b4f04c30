// The adapters' registry. Every POS adapter has one small interface:
//   name, system          the adapter's name and the server's POS system name
//   matches()             is this page that POS (by its DOM markers or messages, not only by host)
//   isSaleScreen()        is the sale screen showing
//   hasOpenSale()         is there a sale to commit (a customer or a line); the button is inert otherwise
//   buttonAnchor()        the element the button goes into (the sale's header actions)
//   readSale()            the current sale in the server's sale shape, or null
// and optionally:
//   payButton             a selector for the POS's Pay button (a reminder when paying before committing)
//   applyDiscount(line, amount, label)  put a reward's discount on a sale line; true when the POS took it
// Content scripts share one isolated world, so this namespace is private to the extension.
(function () {
  const LB = (globalThis.LoyaltyBridge = globalThis.LoyaltyBridge || {});
  LB.adapters = LB.adapters || [];

  // Adapters registered with a lower `priority` are tried first (the demo POS looks like X-Series on purpose).
  LB.registerAdapter = function (adapter) {
    LB.adapters.push(adapter);
    LB.adapters.sort((a, b) => a.priority - b.priority);
  };

  LB.pickAdapter = function () {
    return LB.adapters.find((a) => a.matches()) || null;
  };

  // "$1,234.50" → "1234.50"; null when there is no number.
  LB.parseMoney = function (text) {
    if (text == null) return null;
    const cleaned = String(text).replace(/[^0-9.\-]/g, "");
    return cleaned && !isNaN(Number(cleaned)) ? String(Number(cleaned).toFixed(2)) : null;
  };

  // The customer's names as the POS has them: its own first and last name fields when it shows them, else the
  // display name whole (the server fills first/last from the POS's synced customer record, or splits it then).
  LB.customerNames = function (full, first, last) {
    const clean = (t) => (t == null ? "" : String(t).trim()) || null;
    if (clean(first) || clean(last)) return {first_name: clean(first), last_name: clean(last), name: clean(full)};
    return {first_name: null, last_name: null, name: clean(full)};
  };

  // A badge's description holds a customer code, an email and a phone, in any order, one per element or several
  // in one ("DANA-7731 · (604) 555-0142 · dana@example.com"): emails and phones are found inside any text.
  const EMAIL = /[^\s@<>()[\],;:"·|]+@[^\s@<>()[\],;:"·|]+\.[A-Za-z]{2,}/;
  const PHONE = /\+?\(?\d[\d\s().\-]{5,}\d/g;
  LB.contactFrom = function (texts) {
    const out = {email: null, phone: null};
    for (const raw of texts) {
      let t = String(raw || "");
      const email = EMAIL.exec(t);
      if (email) {
        if (!out.email) out.email = email[0];
        t = t.replace(email[0], " ");
      }
      for (const m of t.match(PHONE) || []) {
        const date = /^\d{4}-\d{2}-\d{2}$/.test(m.trim()); // "Customer since 2019-04-12" is not a phone
        if (!out.phone && !date && (m.match(/\d/g) || []).length >= 7) out.phone = m.trim();
      }
    }
    return out;
  };

  LB.text = function (root, selector) {
    const el = root && root.querySelector(selector);
    return el ? el.textContent.trim() : null;
  };
})();
