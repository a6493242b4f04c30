"""Every staff page at a laptop's and a tablet's width: no text runs out of its box (a long email under the next
box, where staff cannot read it) and no page scrolls sideways (a wide table scrolls in its own place)."""
import pytest

from sitemap import page_urls
from test_accessibility import sign_in, signed_out_after  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

OVERFLOWS = """
const found = [];
const scrolls = (el, box) => {
  for (let e = el.parentElement; e && e !== box; e = e.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return true;
  }
  return false;
};
for (const box of document.querySelectorAll('.grid > div, article, details.action, main')) {
  const edge = box.getBoundingClientRect().right;
  for (const el of box.querySelectorAll('dd, dt, td, th, li, p, a, span, b, small, summary, label, input, select,'
                                        + 'button, h1, h2, h3')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && r.right > edge + 1 && !scrolls(el, box)) {
      found.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.value || '').trim().slice(0, 40)}" `
                 + `${Math.round(r.right - edge)} px past its ${box.tagName.toLowerCase()}`);
    }
  }
}
if (document.documentElement.scrollWidth > window.innerWidth) found.push('the page scrolls sideways');
return [...new Set(found)].slice(0, 3);
"""


def test_no_staff_page_runs_text_out_of_its_box_or_scrolls_sideways(browser, store, signed_out_after):  # noqa: F811
    driver = browser
    driver.delete_all_cookies()
    sign_in(driver, store.url)
    urls = [u for u in page_urls(store.app) if not u.startswith("/demo/")]
    assert any(u.startswith("/accounts/") for u in urls) and any("/points" in u for u in urls)
    size = driver.get_window_size()
    problems = []
    try:
        for width in (1280, 800):
            driver.set_window_size(width, 900)
            for path in urls:
                driver.get(store.url + path)
                problems += [f"{width} px {path}: {p}" for p in driver.execute_script(OVERFLOWS)]
    finally:
        driver.set_window_size(size["width"], size["height"])
    assert not problems, "\n".join(problems)
