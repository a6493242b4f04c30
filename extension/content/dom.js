// Building the panel's DOM without HTML strings: every text from the page or the server goes in as a Text node
// (textContent), so a customer named "<img src=x onerror=...>" is shown as those characters.
(function () {
  const LB = globalThis.LoyaltyBridge;

  // h("button", {class: "primary", onclick: fn, disabled: true}, "Commit")
  LB.h = function (tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "value" || key === "checked") el[key] = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  };

  // A typed request to the service worker: {ok, data} or {ok: false, error: "a plain sentence", ...}.
  LB.send = async function (type, payload) {
    try {
      const answer = await chrome.runtime.sendMessage({type, ...payload});
      return answer || {ok: false, error: LB.t("errNoAnswerReload")};
    } catch (e) {
      return {ok: false, error: LB.t("errExtensionRestarted")};
    }
  };

  // In the panel's language: "$12.50" (English), "12,50 $" (French, as in Quebec).
  LB.money = function (value) {
    const n = Number(value);
    if (isNaN(n)) return String(value);
    return new Intl.NumberFormat(LB.locale(), {style: "currency", currency: "CAD", currencyDisplay: "narrowSymbol"})
      .format(n);
  };

  LB.number = function (value) {
    const n = Number(value);
    return isNaN(n) ? String(value) : new Intl.NumberFormat(LB.locale()).format(n);
  };
})();
