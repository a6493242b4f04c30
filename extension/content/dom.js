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
      return answer || {ok: false, error: "The extension did not answer. Reload the page and try again."};
    } catch (e) {
      return {ok: false, error: "The extension was updated or restarted. Reload the page and try again."};
    }
  };

  LB.money = function (value) {
    const n = Number(value);
    return isNaN(n) ? String(value) : "$" + n.toFixed(2);
  };
})();
