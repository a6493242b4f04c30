// The server client used by the service worker, and only by it. Paths are built here from typed messages;
// nothing from a page ever becomes a URL. Settings come from chrome.storage every time (the worker keeps no
// globals: Chrome stops it after ~30 s idle). Managed storage (enterprise policy) wins over local settings.

/* exported loadConfig, apiRequest, ApiError, plainError */

class ApiError extends Error {
  constructor(kind, message, status, body) {
    super(message);
    this.kind = kind; // "config" | "network" | "http"
    this.status = status || 0;
    this.body = body || null;
    this.code = body && body.error ? body.error.code : kind;
  }
}

async function loadConfig() {
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(["server_url", "token"]);
  } catch (e) {
    managed = {}; // no policy schema support (e.g. some Chromium builds): local settings only
  }
  const local = await chrome.storage.local.get(["server_url", "token"]);
  const serverUrl = (managed.server_url || local.server_url || "").trim().replace(/\/+$/, "");
  const token = (managed.token || local.token || "").trim();
  return {serverUrl, token, managed: Boolean(managed.server_url || managed.token)};
}

async function apiRequest(method, path, body, config, headers) {
  const cfg = config || await loadConfig();
  if (!cfg.serverUrl || !cfg.token) {
    throw new ApiError("config", "The extension is not set up yet: open its options and enter the server " +
      "address and the register token.");
  }
  let response;
  try {
    response = await fetch(cfg.serverUrl + path, {
      method,
      headers: {"Authorization": "Bearer " + cfg.token, "Content-Type": "application/json", ...(headers || {})},
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError("network", "The loyalty server cannot be reached. Check the network, or the server " +
      "address in the extension's options.");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError("http", plainError(response.status, data), response.status, data);
  }
  return data;
}

// One plain sentence per error the cashier may see; never a stack trace or raw JSON.
function plainError(status, data) {
  const err = (data && data.error) || {};
  const known = {
    token_missing: "The register token is missing: set it in the extension's options.",
    token_invalid: "The register token was rejected by the server. Ask a manager for a valid token and " +
      "enter it in the extension's options.",
    customer_not_linked: "This customer is not linked to a loyalty account yet: select or create one first.",
    pin_invalid: "That manager PIN was not recognised.",
    manager_approval_required: "A manager must approve this: enter a manager PIN.",
    rate_limited: "Too many wrong PINs: wait 15 minutes or ask a manager to sign in.",
    no_reward_available: "This card has no reward available.",
    insufficient_points: "Not enough points for this reward.",
    already_linked: "This POS customer is already linked to another loyalty account.",
    forbidden: "This register's token is not allowed to do that.",
  };
  if (known[err.code]) return known[err.code];
  if (status >= 500) return "The loyalty server had a problem (error " + status + "). Try again in a moment.";
  if (err.message) {
    const text = String(err.message);
    return text.charAt(0).toUpperCase() + text.slice(1).replace(/[.]?$/, ".");
  }
  return "The loyalty server answered with error " + status + ".";
}
