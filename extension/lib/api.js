// The server client used by the service worker, and only by it. Paths are built here from typed messages;
// nothing from a page ever becomes a URL. Settings come from chrome.storage every time (the worker keeps no
// globals: Chrome stops it after ~30 s idle). Managed storage (enterprise policy) wins over local settings.

/* exported loadConfig, apiRequest, ApiError, plainError */
/* global t, useChosenLanguage */

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
    throw new ApiError("config", t("errNotSetUp"));
  }
  let response;
  try {
    response = await fetch(cfg.serverUrl + path, {
      method,
      // The server answers its messages (errors, warnings, reasons) in the panel's language.
      headers: {"Authorization": "Bearer " + cfg.token, "Content-Type": "application/json",
        "Accept-Language": await useChosenLanguage(), ...(headers || {})},
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError("network", t("errUnreachable"));
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

// One plain sentence per error the cashier may see, in the panel's language; never a stack trace or raw JSON.
// The server's own message (already in the language sent as Accept-Language) is used for codes not listed here.
const KNOWN_ERRORS = {
  token_missing: "errTokenMissing",
  token_invalid: "errTokenInvalid",
  customer_not_linked: "errCustomerNotLinked",
  pin_invalid: "errPinInvalid",
  manager_approval_required: "errApprovalRequired",
  rate_limited: "errRateLimited",
  no_reward_available: "errNoReward",
  insufficient_points: "errInsufficientPoints",
  already_linked: "errAlreadyLinked",
  forbidden: "errForbidden",
};

function plainError(status, data) {
  const err = (data && data.error) || {};
  if (KNOWN_ERRORS[err.code]) return t(KNOWN_ERRORS[err.code]);
  if (status >= 500) return t("errServer", status);
  if (err.message) {
    const text = String(err.message);
    return text.charAt(0).toUpperCase() + text.slice(1).replace(/[.]?$/, ".");
  }
  return t("errHttp", status);
}
