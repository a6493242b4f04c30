// The "Commit to Loyalty" button in the sale's header actions. Single-page POS screens replace their DOM, so a
// MutationObserver notices; its callback only schedules one requestAnimationFrame (no work per mutation), and
// the frame's check is an `isConnected` test plus, when the button is gone, one re-injection. Copies of the
// button cloned by a re-render are dead markup (no listener) and are removed, so there is never more than one.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const MARK = "data-loyalty-bridge-button";
  const STYLE = "background:#1a78b4;color:#fff;border:1px solid #155f8f;border-radius:4px;padding:6px 12px;" +
    "margin:0 6px;font:600 14px/1.2 system-ui,sans-serif;cursor:pointer;white-space:nowrap;";

  class LoyaltyButton {
    constructor(getAdapter, onClick) {
      this.getAdapter = getAdapter;
      this.onClick = onClick;
      this.el = null;
      this.scheduled = false;
      this.observer = new MutationObserver(() => this.schedule());
    }

    start() {
      this.observer.observe(document.documentElement, {childList: true, subtree: true});
      this.tick();
    }

    schedule() {
      if (this.scheduled) return;
      this.scheduled = true;
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.tick();
      });
    }

    tick() {
      // scripts/bench_extension.py sets this attribute to time each frame's work (User Timing, seen by the page).
      if (document.documentElement.hasAttribute("data-loyalty-bridge-bench")) {
        const start = performance.now();
        this.check();
        performance.measure("loyalty-bridge-tick", {start, end: performance.now()});
      } else {
        this.check();
      }
    }

    check() {
      const adapter = this.getAdapter();
      if (!adapter) return;
      if (!this.el || !this.el.isConnected) this.inject(adapter);
      if (this.el && this.el.isConnected) {
        const open = adapter.hasOpenSale();
        if (this.el.disabled === open) {
          this.el.disabled = !open;
          this.el.style.opacity = open ? "1" : "0.5";
          this.el.title = open ? "" : LB.t("buttonNoSale");
        }
      }
    }

    inject(adapter) {
      const anchor = adapter.buttonAnchor();
      if (!anchor) return;
      for (const dead of document.querySelectorAll(`[${MARK}]`)) dead.remove();
      const el = document.createElement("button");
      el.type = "button";
      el.setAttribute(MARK, "");
      el.className = "loyalty-bridge-button";
      el.setAttribute("style", STYLE);
      el.textContent = LB.t("buttonCommit");
      el.disabled = true; // tick() enables it when a sale is open
      el.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation(); // the POS's own header handlers are not ours to trigger
        this.onClick(el);
      });
      anchor.prepend(el);
      this.el = el;
    }
  }

  LB.LoyaltyButton = LoyaltyButton;
})();
