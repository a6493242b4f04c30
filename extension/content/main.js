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

  // Pay clicked with purchases not committed for a linked customer: one reminder per sale, in the panel. The
  // POS's own click handler still runs (never blocked); the sale is read first, since paying clears it.
  const reminded = new Set();
  document.addEventListener("click", (event) => {
    const a = currentAdapter();
    const target = event.target instanceof Element ? event.target : null;
    if (!a || !a.payButton || !target || !target.closest(a.payButton)) return;
    if (!panel) panel = new LB.Panel(a);
    const sale = panel.currentSale();
    if (!sale || sale.pos.return_for || reminded.has(sale.pos.sale_id)) return;
    if (!(sale.customer && sale.customer.pos_id) && !sale.account_id) return;
    reminded.add(sale.pos.sale_id);
    panel.remindAfterPay(sale, button.el);
  }, true);
})();
