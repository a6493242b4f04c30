// The adapters' registry. Every POS adapter has one small interface:
//   name, system          the adapter's name and the server's POS system name
//   matches()             is this page that POS (by its DOM markers or messages, not only by host)
//   isSaleScreen()        is the sale screen showing
//   hasOpenSale()         is there a sale to commit (a customer or a line); the button is inert otherwise
//   buttonAnchor()        the element the button goes into (the sale's header actions)
//   readSale()            the current sale in the server's sale shape, or null
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

  LB.splitName = function (full) {
    const parts = String(full || "").trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return {first_name: null, last_name: null};
    return {first_name: parts[0], last_name: parts.slice(1).join(" ") || null};
  };

  // A badge's description lines hold a customer code, an email or a phone, in no fixed order.
  LB.contactFrom = function (texts) {
    const out = {email: null, phone: null};
    for (const raw of texts) {
      const t = String(raw || "").trim();
      if (!out.email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) out.email = t;
      else if (!out.phone && (t.match(/\d/g) || []).length >= 7 && /^[+\d\s().\-]+$/.test(t)) out.phone = t;
    }
    return out;
  };

  LB.text = function (root, selector) {
    const el = root && root.querySelector(selector);
    return el ? el.textContent.trim() : null;
  };
})();
