"""The staff app's POS connection page for R-Series: connect with OAuth (code from R-Series, secret never shown
again), what the page shows of a connection (the Rewards button's addresses), and the customer-creation setting."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from lightspeed_support import signed_in
from loyalty.lightspeed.models import PosConnection
from loyalty.models import AuditLog


def test_a_manager_connects_rseries_from_the_page_and_sees_the_button_addresses(client, rfake, rfake_server):
    csrf = signed_in(client, "manager")
    r = client.get(f"/pos/rseries/authorize?client_id={rfake.client_id}&oauth_base={rfake_server.url}")
    assert r.status_code == 302
    sent = urlparse(r.headers["Location"])
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == rfake_server.url + "/auth/oauth/authorize"
    query = parse_qs(sent.query)
    assert query["client_id"] == [rfake.client_id] and query["redirect_uri"] == ["http://localhost/rseries/oauth"]
    # R-Series sends the manager back with a code: the return page links to this form with it filled in.
    code = rfake.authorize("http://localhost/rseries/oauth")
    back = client.get(f"/rseries/oauth?code={code}").get_data(as_text=True)
    assert f"/pos?rseries_code={code}" in back
    assert f'value="{code}"' in client.get(f"/pos?rseries_code={code}").get_data(as_text=True)
    r = client.post("/pos/rseries/connect", data={
        "csrf_token": csrf, "client_id": rfake.client_id, "client_secret": rfake.client_secret, "code": code,
        "oauth_base": rfake_server.url, "api_root": rfake_server.url})
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "Connected &#39;r81234&#39; to R-Series account 81234" in page
    assert "http://localhost/rseries/rewards?tab=sale" in page and "http://localhost/rseries/rewards?tab=refund" in page
    assert rfake.client_secret not in page
    assert PosConnection.get().system == "lightspeed-r"


def test_a_refused_code_says_so_and_stores_nothing(client, rfake, rfake_server):
    csrf = signed_in(client, "manager")
    r = client.post("/pos/rseries/connect", data={
        "csrf_token": csrf, "client_id": rfake.client_id, "client_secret": rfake.client_secret, "code": "made-up",
        "oauth_base": rfake_server.url, "api_root": rfake_server.url})
    assert r.status_code == 400 and "refused the authorisation" in r.get_data(as_text=True)
    assert PosConnection.select().count() == 0


def test_only_managers_and_the_customer_setting_leaves_an_audit_row(client, rconnection):
    csrf = signed_in(client, "staff", username="sam")
    assert client.post("/pos/rseries/connect", data={"csrf_token": csrf}).status_code == 403
    client.post("/signout", data={"csrf_token": csrf})
    csrf = signed_in(client, "manager")
    r = client.post(f"/pos/{rconnection.id}/settings", data={"csrf_token": csrf, "create_pos_customers": "yes"})
    assert r.status_code == 200 and "are created as POS customers" in r.get_data(as_text=True)
    assert PosConnection.get_by_id(rconnection.id).create_pos_customers
    assert AuditLog.get(AuditLog.action == "pos.settings").actor == "user:kim"
    r = client.post(f"/pos/{rconnection.id}/settings", data={"csrf_token": csrf, "create_pos_customers": "maybe"})
    assert r.status_code == 422
