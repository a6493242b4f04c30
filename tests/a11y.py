"""axe-core in every browser test. `watch(driver)` makes the session's Chromium check each page state a test
reaches: after every navigation and before every click (a test clicks in a state it has just waited for, so that
state is settled), each distinct state once per session. A violation of impact serious or critical fails the test
that reached it, with axe's own explanation. `assert_accessible(driver)` checks the current state on demand.

A state is the page's path (numbers folded, so every account page is one state), the names of its query
parameters, and, on a POS page, the loyalty panel's view and status kind (its host sits in <body> and its shadow
root is open, so axe checks the panel's text like the page's).

axe-core is vendored (tests/vendor/axe-core, MPL-2.0): nothing is downloaded at run time.
"""
from __future__ import annotations

import os

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.command import Command

AXE_VERSION = "4.14.1"
AXE_JS = os.path.join(os.path.dirname(__file__), "vendor", "axe-core", "axe.min.js")
FAILING_IMPACTS = ("serious", "critical")
# WCAG 2.0 and 2.1, levels A and AA (the rules the product promises), plus axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_STATE_JS = """
if (document.readyState !== 'complete') return null;
const scheme = location.protocol;
if (!['http:', 'https:', 'chrome-extension:'].includes(scheme)) return null;
if (document.contentType !== 'text/html') return null;  // JSON or an image Chromium renders: not our page
const params = [...new URLSearchParams(location.search).keys()].sort().join(',');
const host = document.getElementById('loyalty-bridge-panel-host');
const panel = host && !host.hidden && host.shadowRoot && host.shadowRoot.querySelector('.panel');
let view = '';
if (panel) {
  const status = panel.querySelector('.status');
  view = (panel.dataset.view || 'loading') + (status && status.textContent ? ':' + status.className : '');
}
return [location.pathname.replace(/[0-9]+/g, 'N'), params, view].join('|');
"""

_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done(r.violations.filter(v => arguments[1].includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, summary: n.failureSummary}))}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def _axe_source() -> str:
    with open(AXE_JS, encoding="utf-8") as f:
        return f.read()


class AccessibilityWatch:
    """Wraps one driver's command dispatch (driver.execute): every command from the driver, its elements and
    their shadow roots passes there, so clicks inside the panel are seen too."""

    CHECK_AFTER = {Command.GET, Command.REFRESH, Command.GO_BACK, Command.GO_FORWARD}
    CHECK_BEFORE = {Command.CLICK_ELEMENT}

    def __init__(self, driver):
        self.driver = driver
        self.seen: dict[str, list] = {}  # state -> violations found there
        self.busy = False
        self.source = _axe_source()
        self._execute = driver.execute
        driver.execute = self.execute
        driver._loyalty_a11y = self

    def execute(self, command, params=None):
        if command in self.CHECK_BEFORE:
            self.check_new_state()
        result = self._execute(command, params)
        if command in self.CHECK_AFTER:
            self.check_new_state()
        return result

    def state(self):
        return self.driver.execute_script(_STATE_JS)

    def check_new_state(self):
        """Check the current state unless it was checked before; quietly does nothing while the page is
        loading or closing (the next command will catch the settled state)."""
        if self.busy:
            return
        self.busy = True
        try:
            try:
                key = self.state()
                if key is None or key in self.seen:
                    return
                violations = self.run()
            except WebDriverException:
                return
            self.seen[key] = violations
        finally:
            self.busy = False
        fail_on(violations, key)

    def check(self):
        """Check the current state now (even if seen before); returns its state key."""
        self.busy = True
        try:
            key = self.state() or self.driver.current_url
            violations = self.run()
            self.seen[key] = violations
        finally:
            self.busy = False
        fail_on(violations, key)
        return key

    def run(self) -> list:
        if not self.driver.execute_script("return typeof axe === 'object' && axe.version === arguments[0]",
                                          AXE_VERSION):
            self.driver.execute_script(self.source)
        return self.driver.execute_async_script(_RUN_JS, TAGS, list(FAILING_IMPACTS))


def fail_on(violations: list, where: str):
    if violations:
        raise AssertionError(f"accessibility (axe-core {AXE_VERSION}) at {where}:\n" + describe(violations))


def describe(violations: list) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def watch(driver) -> AccessibilityWatch:
    return AccessibilityWatch(driver)


def assert_accessible(driver) -> str:
    """Fail unless the page (and the panel, when open) has no serious or critical axe violation."""
    checker = getattr(driver, "_loyalty_a11y", None) or watch(driver)
    return checker.check()


def checked_states(driver) -> set:
    checker = getattr(driver, "_loyalty_a11y", None)
    return set(checker.seen) if checker else set()
