// The "Commit to Loyalty" button in the sale's header actions. Single-page POS screens replace their DOM, so a
// MutationObserver notices; its callback only schedules one requestAnimationFrame (no work per mutation), and
// the frame's check is an `isConnected` test plus, when the button is gone, one re-injection. Copies of the
// button cloned by a re-render are dead markup (no listener) and are removed, so there is never more than one.
(function () {
  const LB = globalThis.LoyaltyBridge;
  const MARK = "data-loyalty-bridge-button";
  // White on #1a78b4 is 4.8:1 (WCAG AA). Inert, the button looks inert: grey, dashed, a not-allowed cursor.
  const STYLE = "border-radius:4px;padding:6px 12px;margin:0 6px;font:600 14px/1.2 system-ui,sans-serif;" +
    "white-space:nowrap;";
  const ENABLED = "background:#1a78b4;color:#fff;border:1px solid #155f8f;cursor:pointer;";
  const DISABLED = "background:#e4e8eb;color:#4f5b64;border:1px dashed #8a969e;cursor:not-allowed;";

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
        if (this.el.disabled === open) this.setEnabled(open);
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
      el.textContent = LB.t("buttonCommit");
      this.el = el;
      this.setEnabled(false); // tick() enables it when a sale is open
      el.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation(); // the POS's own header handlers are not ours to trigger
        this.onClick(el);
      });
      anchor.prepend(el);
    }

    // Disabled, it says why (a tooltip, and the same sentence for screen readers).
    setEnabled(open) {
      const el = this.el;
      el.disabled = !open;
      el.setAttribute("style", STYLE + (open ? ENABLED : DISABLED));
      if (open) {
        el.removeAttribute("title");
        el.removeAttribute("aria-description");
      } else {
        const why = LB.t("buttonInert");
        el.title = why;
        el.setAttribute("aria-description", why);
      }
    }
  }

  LB.LoyaltyButton = LoyaltyButton;
})();
