// The Rewards page's own part: sign the register in, read the R-Series sale through the server, and open the
// extension's panel on it. Every flow after that (link or create, commit, reasons, redeem, incorrect customer
// map, refund) is the panel's code, the same as on a register with the extension.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const page = globalThis.LoyaltyRewardsPage;
  const config = page.config;
  const $ = (id) => document.getElementById(id);
  let sale = null;
  let panel = null;

  // The adapter the panel reads the sale from: the sale the server read from R-Series.
  const adapter = {
    name: "lightspeed-r-rewards-page",
    system: "lightspeed-r",
    priority: 0,
    matches: () => true,
    isSaleScreen: () => true,
    hasOpenSale: () => Boolean(sale),
    buttonAnchor: () => null,
    readSale: () => (sale ? JSON.parse(JSON.stringify(sale)) : null),
  };

  function message(text) {
    $("rewards-message").textContent = text || "";
    $("rewards-message").hidden = !text;
  }

  async function signedIn() {
    if (config.session) return true;
    const stored = await page.local.get(page.TOKEN_KEY);
    return Boolean(stored[page.TOKEN_KEY]);
  }

  function showSignIn(error) {
    $("rewards-signin").hidden = false;
    $("rewards-signin-error").textContent = error || "";
    $("rewards-reload").hidden = true;
    $("rewards-signout").hidden = true;
    if (panel) panel.close();
    $("rewards-token").focus();
  }

  $("rewards-signin").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("rewards-token").value.trim();
    if (!token) return;
    try {
      await apiRequest("GET", "/api/v1/me", undefined, {serverUrl: location.origin, token}); // eslint-disable-line no-undef
    } catch (e) {
      showSignIn(e.message);
      return;
    }
    await page.local.set({[page.TOKEN_KEY]: token});
    $("rewards-token").value = "";
    $("rewards-signin").hidden = true;
    load();
  });

  $("rewards-signout").addEventListener("click", async () => {
    await page.local.remove(page.TOKEN_KEY);
    sale = null;
    showSignIn();
  });

  $("rewards-reload").addEventListener("click", () => load());

  function saleQuery() {
    const q = new URLSearchParams({tab: config.tab});
    if (config.sale_id) q.set("sale_id", config.sale_id);
    if (config.register_id) q.set("register_id", config.register_id);
    if (config.connection) q.set("connection", config.connection);
    return config.sale_url + "?" + q.toString();
  }

  // In the page's language (the panel's too: see rseries-rewards-chrome.js), from the extension's messages.
  function describe(s) {
    if (!s) return LB.t("rewardsPageNoSale");
    const parts = [LB.t(s.pos.return_for ? "rewardsPageRefund" : "rewardsPageSale", s.pos.sale_id)];
    if (s.ticket) parts.push(" " + LB.t("rewardsPageTicket", s.ticket));
    if (s.completed) parts.push(", " + LB.t("rewardsPageCompleted"));
    return parts.join("");
  }

  async function load() {
    if (!(await signedIn())) {
      showSignIn();
      return;
    }
    $("rewards-signout").hidden = Boolean(config.session);
    $("rewards-reload").hidden = false;
    await LB.i18nReady();
    $("rewards-sale").textContent = LB.t("rewardsPageReading");
    let answer;
    try {
      answer = await apiRequest("GET", saleQuery()); // eslint-disable-line no-undef
    } catch (e) {
      $("rewards-sale").textContent = "";
      if (e.status === 401 && !config.session) {
        await page.local.remove(page.TOKEN_KEY);
        showSignIn(e.message);
      } else {
        message(e.message);
      }
      return;
    }
    message("");
    sale = answer.sale;
    $("rewards-sale").textContent = describe(sale);
    if (!panel) panel = new LB.Panel(adapter);
    panel.open(null);
    // Under the page's header, at the left, instead of the corner of a POS screen.
    const top = document.querySelector(".rewards-top").getBoundingClientRect().bottom + 12;
    Object.assign(panel.host.style, {top: top + "px", left: "16px", right: "auto"});
  }

  load();
})();
