// The Rewards page runs the extension's panel and service-worker code unchanged; this file is the part of
// `chrome.*` they use, served by the page instead of the browser:
// - runtime.sendMessage goes to the handlers background.js registers (no worker: the same page);
// - storage.local is window.localStorage (the offline commit queue and the register's token live there);
// - storage.managed is empty (no policy on a web page), alarms and the other events are quiet.
// It also signs the API requests: the register's token (Bearer), or the staff session (cookie + the page's
// CSRF token in X-CSRF-Token, so the token never has to be pasted on a register a manager signed in).
(function () {
  const config = JSON.parse(document.getElementById("rewards-config").textContent);
  const TOKEN_KEY = "token";
  const PREFIX = "loyalty-rewards:";
  const quiet = {addListener() {}};
  const changeListeners = [];
  let messageListener = null;

  function keysOf(keys) {
    if (keys == null) return Object.keys(localStorage).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length));
    if (typeof keys === "string") return [keys];
    return Array.isArray(keys) ? keys : Object.keys(keys);
  }

  const local = {
    async get(keys) {
      const out = {};
      for (const key of keysOf(keys)) {
        const raw = localStorage.getItem(PREFIX + key);
        if (raw !== null) out[key] = JSON.parse(raw);
      }
      // The server is this page's own; a staff session needs no token (see the fetch below).
      out.server_url = location.origin;
      if (config.session) out.token = "staff-session";
      return out;
    },
    async set(items) {
      const changes = {};
      for (const [key, value] of Object.entries(items)) {
        const before = localStorage.getItem(PREFIX + key);
        localStorage.setItem(PREFIX + key, JSON.stringify(value));
        changes[key] = {oldValue: before === null ? undefined : JSON.parse(before), newValue: value};
      }
      for (const fn of changeListeners) fn(changes, "local");
    },
    async remove(keys) {
      for (const key of [].concat(keys)) localStorage.removeItem(PREFIX + key);
    },
  };

  globalThis.chrome = {
    runtime: {
      onMessage: {addListener(fn) { messageListener = fn; }},
      onStartup: quiet,
      sendMessage(message) {
        return new Promise((resolve) => {
          if (!messageListener) resolve({ok: false, error: config.texts.incomplete});
          else messageListener(message, {}, resolve);
        });
      },
      openOptionsPage() {},
      getURL(path) { return new URL("ext/" + path, location.href.replace(/[?#].*$/, "/")).href; },
    },
    storage: {local, managed: {async get() { return {}; }}, onChanged: {addListener(fn) { changeListeners.push(fn); }}},
    alarms: {onAlarm: quiet, create() {}, clear() {}},
    // The extension's own translations are loaded from its _locales (see runtime.getURL); nothing built in.
    // "Chrome's language" is the page's: the staff user's choice, else the store's, else the browser's (the
    // server's rules), so the panel and the server's messages (Accept-Language) follow the page.
    i18n: {getUILanguage: () => document.documentElement.lang || navigator.language || "en", getMessage: () => ""},
    action: {onClicked: quiet},
  };
  globalThis.importScripts = function () {}; // background.js asks for lib/*.js: the page loads them itself

  // A staff session: API requests to this server carry the session's CSRF token instead of a bearer token.
  if (config.session) {
    const realFetch = globalThis.fetch.bind(globalThis);
    globalThis.fetch = function (url, options) {
      if (String(url).startsWith(location.origin + "/") && options && options.headers) {
        const headers = Object.assign({}, options.headers, {"X-CSRF-Token": config.csrf});
        delete headers.Authorization;
        options = Object.assign({}, options, {headers, credentials: "same-origin"});
      }
      return realFetch(url, options);
    };
  }

  globalThis.LoyaltyRewardsPage = {config, local, TOKEN_KEY};
})();
