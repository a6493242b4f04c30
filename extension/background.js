// The service worker: the only code that talks to the Loyalty Bridge server. Content scripts send typed
// messages ({type, ...}); each type maps to fixed API paths built here. Ids from the page are checked and
// URL-encoded; no URL from a page is ever fetched. No state in globals: Chrome stops this worker when idle.

importScripts("lib/i18n.js", "lib/api.js", "lib/queue.js");

/* global apiRequest, loadConfig, ApiError, enqueueCommit, flushQueue, isRetryable, QUEUE_KEY, t, loadMessages,
   useChosenLanguage, LANGUAGES */

const SYSTEMS = ["lightspeed-x", "lightspeed-r", "demo"];

function checkSystem(system) {
  if (!SYSTEMS.includes(system)) throw new ApiError("config", t("errUnsupportedPos"));
  return system;
}

function checkId(value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new ApiError("config", t("errBadRecord"));
  return n;
}

function seg(value) {
  return encodeURIComponent(String(value));
}

const handlers = {
  // The chosen language's messages for the content scripts (see content/i18n.js).
  async messages({language}) {
    const lang = LANGUAGES.includes(language) ? language : await useChosenLanguage();
    return {language: lang, messages: await loadMessages(lang)};
  },

  async testConnection() {
    return apiRequest("GET", "/api/v1/me");
  },

  // The POS customer → linked account, or candidates, or nothing; plus which contact fields the active
  // programs require, so a new-account form can ask for the address up front.
  async resolve({system, customer}) {
    const out = await apiRequest("POST", "/api/v1/customers/resolve", {pos: {system: checkSystem(system)}, customer});
    if (out.status !== "linked") {
      const programs = await apiRequest("GET", "/api/v1/programs?status=active");
      out.requires = [...new Set(programs.programs.flatMap((p) => p.requires || []))];
    }
    return out;
  },

  async preview({sale}) {
    return apiRequest("POST", "/api/v1/sales/preview", {sale});
  },

  // A commit the server cannot take now (unreachable, busy, restarting) is queued, not lost, and the answer
  // says so; the server's commit is idempotent, so sending it again is safe.
  async commit({sale, reasons}) {
    try {
      const result = await apiRequest("POST", "/api/v1/sales/commit", {sale, reasons: reasons || {}});
      return {queued: false, result};
    } catch (e) {
      if (isRetryable(e)) {
        const entry = await enqueueCommit(sale, reasons);
        return {queued: true, key: entry.key, message: e.message};
      }
      throw e;
    }
  },

  async searchAccounts({q}) {
    return apiRequest("GET", "/api/v1/accounts?q=" + encodeURIComponent(String(q || "").slice(0, 200)));
  },

  async createAccount({account}) {
    return apiRequest("POST", "/api/v1/accounts", account);
  },

  async link({system, customerId, accountId}) {
    return apiRequest("PUT", `/api/v1/links/${seg(checkSystem(system))}/${seg(customerId)}`,
      {account_id: checkId(accountId)});
  },

  async unlink({system, customerId, reason, managerPin}) {
    return apiRequest("DELETE", `/api/v1/links/${seg(checkSystem(system))}/${seg(customerId)}`,
      {reason: reason || t("incorrectMap"), manager_pin: managerPin || null});
  },

  // A scanned member card: letters and digits only reach the path (anything else is refused before asking).
  async memberCard({code}) {
    const text = String(code || "").replace(/[\s-]/g, "").toUpperCase().slice(0, 40);
    if (!/^[0-9A-Z]+$/.test(text)) {
      throw new ApiError("config", t("scanInvalidCode"), 0, {error: {code: "invalid_card_code"}});
    }
    return apiRequest("GET", `/api/v1/member-cards/${seg(text)}`);
  },

  // With the sale on the register: its lines that can be the free item, and the default one.
  async rewardInfo({cardId, sale}) {
    if (sale) return apiRequest("POST", `/api/v1/cards/${checkId(cardId)}/reward`, {sale});
    return apiRequest("GET", `/api/v1/cards/${checkId(cardId)}/reward`);
  },

  // The fields a manufacturer requires are saved on the account first, then the card is redeemed.
  async redeem({cardId, accountId, accountPatch, sale, item}) {
    if (accountPatch && Object.keys(accountPatch).length) {
      await apiRequest("PATCH", `/api/v1/accounts/${checkId(accountId)}`, accountPatch);
    }
    return apiRequest("POST", `/api/v1/cards/${checkId(cardId)}/redeem`, {sale, item});
  },

  // Spends a points reward; the key makes a retried click spend once.
  async redeemPoints({accountId, programId, rewardId, sale, key}) {
    return apiRequest("POST", "/api/v1/points/redeem", {account_id: checkId(accountId),
      program_id: checkId(programId), reward_id: checkId(rewardId), sale: sale || null}, undefined,
    key ? {"Idempotency-Key": String(key).slice(0, 200)} : undefined);
  },

  async flushQueue() {
    return flushQueue(true);
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = message && Object.prototype.hasOwnProperty.call(handlers, message.type) && handlers[message.type];
  if (!handler) {
    sendResponse({ok: false, error: t("errUnknownRequest")});
    return false;
  }
  useChosenLanguage().catch(() => "").then(() => handler(message))
    .then((data) => sendResponse({ok: true, data}))
    .catch((e) => sendResponse({ok: false, error: e instanceof ApiError ? e.message :
      t("errExtension"), code: e.code || "extension_error",
    status: e.status || 0, details: e.body && e.body.error ? e.body.error : null}));
  // Any activity is a good moment to retry what is queued.
  if (message.type !== "flushQueue" && message.type !== "messages") flushQueue(false).catch(() => {});
  return true; // answer asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === "loyalty-retry") flushQueue(false).catch(() => {});
});

// New settings (e.g. the server is back at a new address): retry everything queued now.
chrome.storage.onChanged.addListener((changes, area) => {
  if ((area === "local" || area === "managed") && (changes.server_url || changes.token)) {
    flushQueue(true).catch(() => {});
  }
});

chrome.runtime.onStartup.addListener(() => flushQueue(true).catch(() => {}));

chrome.action.onClicked.addListener(() => chrome.runtime.openOptionsPage());

/* exported QUEUE_KEY, loadConfig */
