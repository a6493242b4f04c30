"""Every page of the staff app answers odd or missing input with a page and a 4xx, never a 500."""
import io
import re

import pytest

from webtools import new_account, punch

JUNK = [{}, {"quantity": "", "reason": "", "program_id": "", "other_account_id": "", "target_account_id": "",
             "system": "", "customer_id": "", "status": "", "name": "", "role": "", "redemption_id": "",
             "file": (io.BytesIO(b""), "")},
        {"quantity": "1e9", "reason": "x" * 5000, "program_id": "-1", "other_account_id": "1.5",
         "target_account_id": "\x00", "move_sales_to": "0", "buy_quantity": "99999999999999999999",
         "unit_price": "NaN", "email": "@", "phone": "++", "address_country": "USA", "window_days": "-3",
         "requires": "everything", "name": "<b>x</b>", "role": "admin", "redemption_id": "x"}]


def web_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("web.") and rule.endpoint != "web.static":
            yield rule


@pytest.mark.parametrize("junk", range(len(JUNK)))
def test_no_form_input_makes_a_500(app, manager, api, program, junk):
    acct = new_account(api)
    punch(api, acct["id"], 1)
    paths = set()
    for rule in web_rules(app):
        path = rule.rule.replace("<id:account_id>", str(acct["id"])).replace("<id:card_id>", "1") \
            .replace("<id:program_id>", str(program["id"]))
        path = re.sub(r"<id:\w+>", "1", path)
        for method in rule.methods & {"GET", "POST"}:
            paths.add((method, path))
    assert len(paths) > 20
    for method, path in sorted(paths):
        if path == "/signout":
            continue
        for confirm in (False, True):
            data = {k: v for k, v in JUNK[junk].items()}
            if "file" in data:
                data["file"] = (io.BytesIO(b""), "")
            r = manager.get(path, query_string={k: v for k, v in data.items() if k != "file"}) if method == "GET" \
                else manager.post(path, data, confirm=confirm, content_type="multipart/form-data")
            assert r.status_code < 500, (method, path, data, r.status_code)
