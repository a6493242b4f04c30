// Wiring: the adapter is chosen by what the page is (its DOM markers or Client API messages), and chosen again
// until one matches, because single-page POS screens draw the sell screen after the content script has run.
(function () {
  const LB = globalThis.LoyaltyBridge;
  if (LB.started) return;
  LB.started = true;

  let adapter = null;
  let panel = null;

  function currentAdapter() {
    if (!adapter) adapter = LB.pickAdapter();
    return adapter;
  }

  const button = new LB.LoyaltyButton(currentAdapter, (el) => {
    if (!panel) panel = new LB.Panel(adapter);
    if (panel.isOpen) panel.close();
    else panel.open(el);
  });
  // The button and panel are drawn in the panel's language (the options page's setting, not Chrome's).
  LB.i18nReady().then(() => button.start());
})();
