"""The R-Series Rewards page's server side: the page, the extension files it loads, the current sale read from
R-Series, and the API answering a staff session only with the session's CSRF token."""
from __future__ import annotations

import pytest

from lightspeed_support import signed_in


@pytest.fixture
def acana_sale(rconnection, rfake):
    dana = rfake.add_customer("Dana", "Whitfield", "dana@example.com", "555-201-3344")
    acana = rfake.add_item("Acana Dog 25lb", upc="064992523251", custom_sku="ACA-25")
    return rfake.add_sale(dana, [(acana, 2, "94.99")], completed=False, register_id="3")


def test_the_page_loads_the_extensions_own_panel_code_and_only_that(client):
    r = client.get("/rseries/rewards?tab=refund&saleID=12&registerID=3")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for name in ("lib/api.js", "background.js", "content/panel.js", "content/panel-checkout.js"):
        assert f"/rseries/rewards/ext/{name}" in html
    assert '"sale_id": "12"' in html and '"register_id": "3"' in html and '"tab": "refund"' in html
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert client.get("/rseries/rewards/ext/content/panel.js").status_code == 200
    for path in ("options.js", "manifest.json", "../server/loyalty/__init__.py", "content/../manifest.json"):
        assert client.get("/rseries/rewards/ext/" + path).status_code == 404, path


def test_the_current_sale_is_read_from_rseries_in_the_panels_shape(client, tokens, acana_sale):
    headers = {"Authorization": f"Bearer {tokens['cashier']}"}
    assert client.get("/rseries/rewards/sale").status_code == 401
    r = client.get(f"/rseries/rewards/sale?sale_id={acana_sale['saleID']}", headers=headers)
    assert r.status_code == 200, r.get_json()
    sale = r.get_json()["sale"]
    assert sale["pos"] == {"system": "lightspeed-r", "sale_id": acana_sale["saleID"], "store": "r81234",
                           "register": "3", "return_for": None}
    assert sale["customer"]["email"] == "dana@example.com"
    assert sale["lines"][0]["upc"] == "064992523251" and sale["lines"][0]["quantity"] == "2"
    # Without a sale id: the register's most recent open sale.
    r = client.get("/rseries/rewards/sale?register_id=3", headers=headers)
    assert r.get_json()["sale"]["pos"]["sale_id"] == acana_sale["saleID"]
    assert client.get("/rseries/rewards/sale?register_id=9", headers=headers).get_json()["sale"] is None
    r = client.get("/rseries/rewards/sale?sale_id=1;DROP", headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"sale_id": ["a number"]}
    assert client.get("/rseries/rewards/sale?sale_id=999", headers=headers).get_json()["sale"] is None


def test_a_staff_session_works_only_with_its_csrf_token(client, acana_sale):
    csrf = signed_in(client)
    url = f"/rseries/rewards/sale?sale_id={acana_sale['saleID']}"
    assert client.get(url).status_code == 401  # the cookie alone: another site's page could send that
    assert client.get(url, headers={"X-CSRF-Token": "forged"}).status_code == 401
    r = client.get(url, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.get_json()["sale"]["pos"]["sale_id"] == acana_sale["saleID"]
    assert client.get("/api/v1/me", headers={"X-CSRF-Token": csrf}).get_json()["name"] == "kim"
    page = client.get("/rseries/rewards").get_data(as_text=True)
    assert '"session": true' in page and '"user": "kim"' in page


def test_rseries_unreachable_is_a_clear_502_and_not_connected_a_404(client, tokens, rfake, rconnection):
    headers = {"Authorization": f"Bearer {tokens['cashier']}"}
    rfake.fail(500, times=99, resource="Sale")
    r = client.get("/rseries/rewards/sale?sale_id=1", headers=headers)
    assert r.status_code == 502 and "R-Series could not be read" in r.get_json()["error"]["message"]
    from loyalty.lightspeed.models import PosConnection

    PosConnection.delete().execute()
    r = client.get("/rseries/rewards/sale", headers=headers)
    assert r.status_code == 404 and "not connected to R-Series" in r.get_json()["error"]["message"]


def test_the_redirect_page_shows_the_code_to_finish_with_as_text(client):
    r = client.get("/rseries/oauth?code=abc123&state=x")
    assert r.status_code == 200 and "--code abc123" in r.get_data(as_text=True)
    r = client.get("/rseries/oauth?error=access_denied&error_description=<b>no</b>")
    html = r.get_data(as_text=True)
    assert "&lt;b&gt;no&lt;/b&gt;" in html and "<b>no</b>" not in html
