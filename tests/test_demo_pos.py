"""The demo POS is served only in demo mode, with the demo catalog's products (and their UPCs) in the page."""
import json
import re

from loyalty import create_app


def test_demo_pos_is_absent_outside_demo_mode(client):
    assert client.get("/demo/pos").status_code == 404


def test_demo_pos_page_carries_the_catalog_and_customers(tmp_path):
    from loyalty import demo_data

    app = create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "demo.sqlite3"), "DEMO": True, "TESTING": True})
    client = app.test_client()
    page = client.get("/demo/pos")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-demo-pos" in html
    data = json.loads(re.search(r'<script id="demo-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert [p["upc"] for p in data["products"]] == [p[2] for p in demo_data.PRODUCTS]
    assert [c["pos_id"] for c in data["customers"]] == [c["pos_id"] for c in demo_data.CUSTOMERS]
    assert data["system"] == "demo"
    for asset in ("pos.js", "pos.css"):
        assert client.get(f"/demo/static/{asset}").status_code == 200
