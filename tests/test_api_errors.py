"""Bad input of every kind gets a clear JSON error with a 4xx status, never a 500 or an HTML page."""

from builders import line, program_body, sale


def error(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.data[:300])
    assert r.is_json, r.data[:200]
    err = r.get_json()["error"]
    assert set(err) >= {"code", "message", "fields"}
    if code:
        assert err["code"] == code, err
    return err


def test_missing_and_invalid_tokens_are_401(client, tokens):
    error(client.get("/api/v1/me"), 401, "token_missing")
    error(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401, "token_invalid")
    error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "token_missing")


def test_revoked_token_is_refused(client, app):
    from loyalty.auth import create_token, revoke_token

    row, secret = create_token("old register", "cashier")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoke_token(row.id, "test")
    error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401, "token_invalid")


def test_wrong_role_is_403(api):
    error(api.post("/api/v1/programs", program_body()), 403, "forbidden")


def test_malformed_json_is_400(api):
    r = api.client.post("/api/v1/sales/commit", data="{not json", content_type="application/json",
                        headers={"Authorization": f"Bearer {api.token}"})
    error(r, 400, "malformed_json")
    r = api.client.post("/api/v1/sales/commit", data="", content_type="application/json",
                        headers={"Authorization": f"Bearer {api.token}"})
    error(r, 400, "malformed_json")
    error(api.post("/api/v1/sales/commit", [1, 2]), 400, "malformed_json")


def test_invalid_fields_are_422_naming_each_field(api):
    bad = {"sale": {"pos": {"system": "square", "sale_id": ""}, "lines": [
        {"line_id": "1", "quantity": "lots", "unit_price": "NaN"}, {"quantity": "1"}]}}
    err = error(api.post("/api/v1/sales/commit", bad), 422, "invalid")
    f = err["fields"]["sale"]
    assert set(f["pos"]) == {"system", "sale_id"}
    assert set(f["lines"]["0"]) == {"quantity", "unit_price"}
    assert "line_id" in f["lines"]["1"]


def test_duplicate_line_ids_are_422(api):
    body = sale(lines=[line(1), line(1)])
    err = error(api.post("/api/v1/sales/commit", {"sale": body}), 422)
    assert "lines" in err["fields"]["sale"]


def test_program_validation(manager_api):
    err = error(manager_api.post("/api/v1/programs", program_body(buy_quantity=0, reward_rule="cheapest",
                                                                  requires=["shoe size"], upcs=[" "])), 422)
    assert {"buy_quantity", "reward_rule", "requires", "upcs"} <= set(err["fields"])
    err = error(manager_api.post("/api/v1/programs", program_body(upcs=[], skus=[])), 422)
    assert "upcs" in err["fields"]
    error(manager_api.post("/api/v1/programs", program_body(buy_quantity="12")), 422)


def test_unknown_ids_are_404(api, manager_api):
    error(api.get("/api/v1/accounts/12345"), 404, "not_found")
    error(api.patch("/api/v1/accounts/12345", {"first_name": "x"}), 404)
    error(api.get("/api/v1/cards/5/reward"), 404)
    error(api.post("/api/v1/cards/5/redeem", {"item": {}}), 404)
    error(manager_api.patch("/api/v1/programs/77", {"name": "x"}), 404)
    error(api.put("/api/v1/links/lightspeed-x/c-1", {"account_id": 404}), 404)
    error(api.get("/api/v1/nothing-here"), 404)


def test_unknown_pos_system_in_a_path_is_422(api):
    error(api.put("/api/v1/links/square/c-1", {"account_id": 1}), 422)


def test_oversized_body_is_413(api):
    big = {"sale": sale(lines=[line(i, name="x" * 290) for i in range(400)]), "pad": "y" * 1_100_000}
    error(api.post("/api/v1/sales/commit", big), 413, "too_large")


def test_wrong_method_is_a_json_405(api):
    error(api.client.delete("/api/v1/programs", headers={"Authorization": f"Bearer {api.token}"}), 405)


def test_extreme_values_are_rejected_not_crashing(api, program, linked):
    err = error(api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1, qty="1e30")])}), 422)
    assert "quantity" in err["fields"]["sale"]["lines"]["0"]
    error(api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1, qty="Infinity")])}), 422)
    error(api.post("/api/v1/accounts", {"first_name": "a" * 101, "last_name": "b"}), 422)
    error(api.post("/api/v1/sales/commit", {"sale": sale(lines=[line(1)]), "reasons": "all"}), 422)
    error(api.put("/api/v1/links/lightspeed-x/c-1", {"account_id": "1"}), 422)


def test_html_pages_never_answer_api_errors(api):
    r = api.get("/api/v1/accounts/not-a-number")
    assert r.status_code == 404 and r.is_json
