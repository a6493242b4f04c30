// t(key, ...subs) for the content scripts (panel, button). The language setting is read here, but the messages
// file is fetched by the service worker (a content script's fetch of a packaged file would need it web-accessible).
// Until it has arrived, t() uses chrome.i18n (Chrome's UI language); the panel is drawn after i18nReady().

/* global I18n, chosenLanguage, normalizeLanguage */

(function () {
  const LB = (globalThis.LoyaltyBridge = globalThis.LoyaltyBridge || {});
  if (LB.i18nReady) return;

  async function load() {
    const language = await chosenLanguage();
    const answer = await chrome.runtime.sendMessage({type: "messages", language});
    if (answer && answer.ok) I18n.use(answer.data.language, answer.data.messages);
    return I18n.language;
  }

  let loading = null;
  LB.i18nReady = () => (loading = loading || load().catch(() => ""));
  LB.t = (key, ...subs) => I18n.t(key, ...subs);
  LB.language = () => I18n.language || normalizeLanguage(chrome.i18n.getUILanguage()) || "en";
  // Numbers and money are formatted for Canada in either language ("$12.50", "12,50 $").
  LB.locale = () => (LB.language() === "fr" ? "fr-CA" : "en-CA");

  // A new setting applies to the next panel drawn, without reloading the POS page.
  chrome.storage.onChanged.addListener((changes, area) => {
    if ((area === "local" || area === "managed") && changes.language) {
      loading = null;
      LB.i18nReady();
    }
  });
})();
