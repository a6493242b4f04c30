// The panel's CSS, applied inside its shadow root (a <style> with this text), so the POS's rules never reach it
// and ours never reach the POS. `all: initial` on the host stops inherited POS fonts and colours too.
(function () {
  globalThis.LoyaltyBridge.PANEL_CSS = `
:host { all: initial; position: fixed; top: 12px; right: 12px; z-index: 2147483647; }
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
.panel { box-sizing: border-box; width: 400px; max-height: calc(100vh - 80px); overflow: auto; background: #fff;
  color: #1d2a33; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; border-radius: 10px;
  box-shadow: 0 8px 28px rgba(0,0,0,.28); border-top: 6px solid #29a3e6; }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px 0; }
h2 { margin: 0; font-size: 18px; outline: none; }
h3 { margin: 14px 0 4px; font-size: 13px; color: #4a5a66; }
.body { padding: 4px 14px 14px; }
.status { margin: 6px 14px 0; min-height: 0; }
.status:empty { display: none; }
.status.ok { color: #1f6f36; background: #e8f6ec; padding: 6px 8px; border-radius: 6px; }
.status.error { color: #a1221b; background: #fdecea; padding: 6px 8px; border-radius: 6px; }
.status.queued { color: #7a4b00; background: #fff4dc; padding: 6px 8px; border-radius: 6px; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding: 4px 0; border-bottom: 1px solid #edf0f2; }
ul.punches li { border: 0; padding: 0 0 0 12px; color: #155f8f; font-size: 13px; }
.progress { font-weight: 600; }
.after { color: #155f8f; margin-left: 6px; }
.muted, .contact { color: #60707c; }
.warning { color: #7a4b00; }
.rewards { font-weight: 600; }
.no-items { color: #1f6f36; font-weight: 600; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 14px; }
/* Commit stays in view however long the sale: the cashier never scrolls for the one click. */
.actions.sticky { position: sticky; bottom: 0; background: #fff; padding: 8px 0 2px; margin-bottom: -2px; }
button { font: inherit; padding: 7px 12px; border-radius: 6px; border: 1px solid #1b7fbf; background: #fff;
  color: #155f8f; cursor: pointer; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #7cc8f2; outline-offset: 1px; }
button.primary { background: #1a78b4; color: #fff; border-color: #155f8f; font-weight: 600; }
button.danger { background: #c0392b; border-color: #962d22; }
button[disabled] { opacity: .5; cursor: default; }
button.link { border: 0; background: none; text-decoration: underline; padding: 7px 4px; }
button.close { border: 0; font-size: 20px; line-height: 1; padding: 2px 8px; }
label { display: block; margin-top: 8px; font-weight: 600; font-size: 13px; }
label.check { font-weight: 400; }
input[type=text], input[type=email], input[type=tel], input[type=search], input[type=password], input:not([type]),
select { display: block; box-sizing: border-box; width: 100%; margin-top: 2px; padding: 6px 8px; font: inherit;
  border: 1px solid #9aa8b3; border-radius: 5px; }
form.search { display: flex; gap: 6px; } form.search input { flex: 1; margin: 0; }
form.scan-card { display: flex; gap: 6px; margin: 10px 0; } form.scan-card input { flex: 1; margin: 0; letter-spacing: .05em; }
fieldset { border: 1px solid #d5dde3; border-radius: 6px; margin-top: 10px; }
.max-value { font-size: 16px; font-weight: 700; }
.balance { font-weight: 600; }
ul.points-rewards li { border: 0; padding: 4px 0 0 12px; display: flex; align-items: center; gap: 8px; }
ul.points-rewards .reward-name { flex: 1; }
`;
})();
