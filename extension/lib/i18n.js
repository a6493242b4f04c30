// Translations for every part of the extension (service worker, options page, content scripts).
//
// Chrome's own chrome.i18n follows Chrome's UI language and cannot be switched per extension, but a store's POS
// may be French while Chrome is English. So the language is a setting ("language": "" = Chrome's language, "en",
// "fr"; on the options page, or preset by policy in managed storage) and the chosen _locales/<lang>/messages.json
// is loaded and formatted here, with Chrome's own rules for placeholders ($name$ → "$1" → the first
// substitution; "$$" is a dollar sign). Strings are looked up with t(key, ...subs).

/* exported LANGUAGES, uiLanguage, chosenLanguage, formatMessage, loadMessages, useChosenLanguage, I18n, t */

const LANGUAGES = ["en", "fr"];

function normalizeLanguage(value) {
  const code = String(value || "").toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(code) ? code : "";
}

function uiLanguage() {
  return normalizeLanguage(chrome.i18n.getUILanguage()) || "en";
}

// Policy wins over the options page; nothing chosen means Chrome's language.
async function chosenLanguage() {
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(["language"]);
  } catch (e) {
    managed = {};
  }
  const local = await chrome.storage.local.get(["language"]);
  return normalizeLanguage(managed.language) || normalizeLanguage(local.language) || uiLanguage();
}

// Chrome's substitution rules for one messages.json entry.
function formatMessage(entry, subs) {
  if (!entry || typeof entry.message !== "string") return "";
  const values = (subs || []).map((s) => (s === undefined || s === null ? "" : String(s)));
  const placeholders = {};
  for (const [name, spec] of Object.entries(entry.placeholders || {})) {
    placeholders[name.toLowerCase()] = String(spec.content || "");
  }
  const numbered = (text) => text.replace(/\$(\d)/g, (m, n) => values[Number(n) - 1] ?? "");
  // One pass over the message only: a substituted value (a price such as "$102.99") is never read again.
  return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$(\d)/g, (m, name, n) => {
    if (m === "$$") return "$";
    if (n) return values[Number(n) - 1] ?? "";
    return numbered(placeholders[name.toLowerCase()] ?? "");
  });
}

// Pages and the service worker read the packaged file directly (content scripts ask the worker for it).
async function loadMessages(language) {
  const response = await fetch(chrome.runtime.getURL(`_locales/${normalizeLanguage(language) || "en"}/messages.json`));
  return response.json();
}

// Pages and the service worker: load the chosen language's messages once (again only when the setting changes);
// returns the language, e.g. for Accept-Language.
async function useChosenLanguage() {
  const language = await chosenLanguage();
  if (I18n.language !== language || !I18n.messages) I18n.use(language, await loadMessages(language));
  return language;
}

// One translator: t(key, ...subs) from the loaded messages, else Chrome's own (Chrome's UI language), else the
// key itself (a missing key shows up in tests instead of an empty label).
const I18n = {
  language: "",
  messages: null,
  use(language, messages) {
    this.language = language;
    this.messages = messages;
  },
  t(key, ...subs) {
    if (this.messages && this.messages[key]) return formatMessage(this.messages[key], subs);
    const own = chrome.i18n.getMessage(key, subs.map((s) => String(s)));
    return own || key;
  },
  // Fills elements marked data-i18n (text: the key is the value), data-i18n-placeholder, -title, -aria-label.
  translatePage(root) {
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = this.t(el.dataset.i18n);
    for (const attr of ["placeholder", "title", "aria-label"]) {
      const data = "i18n" + attr.replace(/(^|-)([a-z])/g, (m, d, c) => c.toUpperCase());
      for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, this.t(el.dataset[data]));
    }
    if (root.documentElement) root.documentElement.lang = this.language;
  },
};

function t(key, ...subs) {
  return I18n.t(key, ...subs);
}
