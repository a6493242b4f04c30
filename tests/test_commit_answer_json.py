"""A commit's answer is encoded once, for the sale's stored replay answer and the response: both must be the
bytes Flask's JSON and the row's JSONField would have written."""
from builders import line, sale
from loyalty.db import database
from loyalty.models import Sale


def test_a_commit_sends_the_bytes_its_replay_sends_and_stores_them(api, program, linked):
    body = {"sale": sale(sale_id="ENC-1", lines=[line(1), line(2, upc="000000000000", price="10.5")]), "reasons": {}}
    first = api.post("/api/v1/sales/commit", body)
    assert first.status_code == 200, first.get_json()
    assert first.mimetype == "application/json"
    replay = api.post("/api/v1/sales/commit", body)  # the stored answer, encoded by Flask's JSON
    assert replay.get_data() == first.get_data()
    assert first.get_data().endswith(b"}\n")
    stored = database.execute_sql('SELECT "last_response" FROM "sale" WHERE "id" = ?'.replace(
        "?", database.param), (Sale.get(Sale.pos_sale_id == "ENC-1").id,)).fetchone()[0]
    assert stored.encode() + b"\n" == first.get_data()
    assert first.headers.get("Content-Language") and first.headers.get("Server-Timing")
