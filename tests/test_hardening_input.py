"""What a black-box attack found (issue 9), kept fixed: hostile input is a clear 4xx on SQLite and PostgreSQL,
never a 500, and every answer carries the security headers."""
import json
import os
import stat

import pytest

from builders import line, make_app, sale

HUGE = 2**63  # SQLite's integers stop at 2**63 - 1 (OverflowError); PostgreSQL's integer at 2**31 - 1


def error(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.is_json, r.data[:200]
    if code:
        assert r.get_json()["error"]["code"] == code, r.get_json()
    return r.get_json()["error"]


@pytest.mark.parametrize("number", [HUGE, 2**31, 10**30])
def test_ids_past_the_integer_columns_are_404_in_paths(api, manager_api, number):
    error(api.get(f"/api/v1/accounts/{number}"), 404)
    error(api.patch(f"/api/v1/accounts/{number}", {"first_name": "x"}), 404)
    error(api.get(f"/api/v1/accounts/{number}/history"), 404)
    error(api.get(f"/api/v1/cards/{number}/reward"), 404)
    error(api.post(f"/api/v1/cards/{number}/redeem", {"item": {}}), 404)
    error(manager_api.get(f"/api/v1/programs/{number}"), 404)
    error(manager_api.patch(f"/api/v1/programs/{number}", {"name": "x"}), 404)


@pytest.mark.parametrize("number", [HUGE, 2**31, 0, -1])
def test_ids_past_the_integer_columns_are_422_in_bodies(api, linked, number):
    err = error(api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)], account_id=number)}), 422)
    assert "account_id" in err["fields"]["sale"]
    err = error(api.put("/api/v1/links/lightspeed-x/c-77", {"account_id": number}), 422)
    assert "account_id" in err["fields"]
    err = error(api.delete("/api/v1/links/lightspeed-x/c-42", {"reason": "wrong", "manager_pin": "0000",
                                                                 "move_sales_to": number}), 422)
    assert "move_sales_to" in err["fields"]


def test_nul_characters_are_400_wherever_they_come_in(api, linked):
    assert "first_name" in error(api.post("/api/v1/accounts", {"first_name": "Nu\u0000l", "last_name": "B"}),
                                 422, "invalid")["fields"]
    assert "notes" in error(api.patch(f"/api/v1/accounts/{linked['id']}", {"notes": "\u0000"}), 422)["fields"]
    err = error(api.post("/api/v1/customers/resolve", {"pos": {"system": "demo"},
                                                       "customer": {"pos_id": "c\u0000"}}), 422)
    assert "pos_id" in err["fields"]["customer"]
    assert "reasons" in error(api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)]),
                                                                "reasons": {"\u0000": {"reason": "x"}}}), 422)["fields"]
    # A field the API ignores may hold anything: it never reaches the database.
    assert api.post("/api/v1/customers/resolve", {"pos": {"system": "demo"}, "customer": {"pos_id": "c-1"},
                                                  "x\u0000": "\u0000"}).status_code == 200
    error(api.get("/api/v1/accounts?q=da%00na"), 400, "bad_request")
    error(api.put("/api/v1/links/lightspeed-x/c%0042", {"account_id": linked["id"]}), 400, "bad_request")
    error(api.client.post("/webhooks/lightspeed/shop%00", data=b"payload=%7B%7D",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}), 400)
    assert api.get(f"/api/v1/accounts/{linked['id']}").get_json()["first_name"] == "Dana"


@pytest.mark.parametrize("depth", [33, 5000, 200_000])
def test_deeply_nested_json_is_400(api, depth):
    body = '{"sale": ' + "[" * depth + "]" * depth + "}"
    r = api.client.post("/api/v1/sales/commit", data=body, content_type="application/json",
                        headers={"Authorization": f"Bearer {api.token}"})
    assert "nested" in error(r, 400, "malformed_json")["message"]


def test_nesting_a_sale_needs_is_accepted(api, program, linked):
    assert api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)])}).status_code == 200


def test_a_search_of_many_words_answers(api, linked):
    r = api.get("/api/v1/accounts?q=" + "+".join(["d"] * 100))
    assert r.status_code == 200, r.data[:200]
    r = api.get("/api/v1/accounts?q=dana+" + "+".join(["w"] * 99))
    assert r.status_code == 200 and [a["id"] for a in r.get_json()["accounts"]] == [linked["id"]]


@pytest.mark.parametrize("path,method", [("/api/v1/health", "GET"), ("/api/v1/me", "GET"),
                                         ("/api/v1/nothing-here", "GET"), ("/api/v1/programs", "DELETE"),
                                         ("/no-such-page", "GET"), ("/api/v1/openapi.json", "GET")])
def test_every_answer_carries_the_security_headers(client, path, method):
    r = client.open(path, method=method)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/accounts", "/signin", "/webhooks/lightspeed/x"])
def test_trace_is_a_405_with_an_allow_header(client, path):
    r = client.open(path, method="TRACE")
    assert r.status_code == 405
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed and "TRACE" not in allowed


def test_the_sqlite_file_and_its_wal_and_shm_are_private(tmp_path):
    path = tmp_path / "private.sqlite3"
    make_app(f"sqlite:///{path}")
    from loyalty.auth import create_token

    create_token("register", "cashier")  # a write: SQLite creates the -wal and -shm files
    for name in (path, f"{path}-wal", f"{path}-shm"):
        assert os.path.exists(name), name
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, (name, oct(os.stat(name).st_mode))


def test_a_world_readable_sqlite_file_is_made_private(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    make_app(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_json_nul_check_finds_keys_and_deep_values():
    from loyalty import bounds

    assert bounds.refusal({"a": [{"b": "x\u0000"}]})
    assert bounds.refusal({"a\u0000": 1})
    assert bounds.refusal(json.loads("[" * 40 + "]" * 40))
    assert bounds.refusal({"a": [{"b": "fine"}]}) is None


def test_refusals_are_in_french_for_a_french_register_with_the_same_codes(api):
    headers = {"Authorization": f"Bearer {api.token}", "Accept-Language": "fr-CA"}
    nul = error(api.client.get("/api/v1/accounts?q=da%00na", headers=headers), 400, "bad_request")
    assert nul["message"] == "l'adresse contient un caractère NUL"
    body = '{"sale": ' + "[" * 40 + "]" * 40 + "}"
    deep = error(api.client.post("/api/v1/sales/commit", data=body, content_type="application/json",
                                 headers=headers), 400, "malformed_json")
    assert "imbriqué" in deep["message"] and "nested" not in deep["message"]
