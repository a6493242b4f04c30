"""Cross-origin access to /api: every API answer (errors too) names the caller's origin, or "*" for a caller that
sends none, and a browser's preflight for the register's headers is answered; the staff pages are not shared
with other sites. The extension's service worker has host permissions and needs none of this, but a server
address given by policy outside them, or another site's page holding a token, does."""
from __future__ import annotations

import pytest

ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def test_api_answers_allow_the_calling_origin(api):
    r = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {api.token}", "Origin": ORIGIN})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in r.headers["Vary"] and "Access-Control-Allow-Credentials" not in r.headers


@pytest.mark.parametrize("method, path, status", [("get", "/api/v1/me", 401), ("post", "/api/v1/sales/commit", 401),
                                                  ("get", "/api/v1/no-such-thing", 404)])
def test_api_errors_are_readable_cross_origin(client, method, path, status):
    r = getattr(client, method)(path, headers={"Origin": ORIGIN})
    assert r.status_code == status and r.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_caller_without_origin_gets_the_wildcard(client):
    assert client.get("/api/v1/health").headers["Access-Control-Allow-Origin"] == "*"


def test_the_preflight_of_a_commit_allows_the_registers_headers(client):
    r = client.options("/api/v1/sales/commit", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, accept-language, idempotency-key, x-other"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert allowed == {"authorization", "content-type", "accept-language", "idempotency-key"}


def test_staff_pages_are_not_shared_with_other_sites(client):
    for path in ("/", "/login"):
        assert "Access-Control-Allow-Origin" not in client.get(path, headers={"Origin": "https://other.example"}).headers
