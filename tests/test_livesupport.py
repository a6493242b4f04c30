import pytest
import requests


def test_live_server_serves_the_api_over_real_http(live_server):
    r = requests.get(live_server.url + "/api/v1/health", timeout=5)
    assert r.status_code == 200 and r.json() == {"ok": True}
    r = requests.get(live_server.url + "/api/v1/me", timeout=5)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_missing"


@pytest.mark.browser
def test_chromium_opens_a_page_from_the_live_server(live_server, chromium_session):
    chromium_session.get(live_server.url + "/api/v1/health")
    assert '"ok"' in chromium_session.page_source
