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


def _screen(page):
    html = page.get_data(as_text=True)
    data = json.loads(re.search(r'<script id="demo-data" type="application/json">(.*?)</script>', html, re.S)[1])
    return html, data


def test_demo_pos_speaks_the_language_the_staff_app_would(tmp_path):
    """A French store trying the demo sees its register in French: the words and the money format."""
    app = create_app({"DATABASE_URL": "sqlite:///" + str(tmp_path / "demo.sqlite3"), "DEMO": True, "TESTING": True})
    client = app.test_client()
    html, en = _screen(client.get("/demo/pos", headers={"Accept-Language": "en-CA"}))
    assert '<html lang="en">' in html and "A stand-in for the Lightspeed X-Series sell screen" in html
    assert (en["text"]["pay"], en["text"]["refund_of"], en["locale"], en["currency"]) == \
        ("Pay", "Refund of {sale}", "en-CA", "CAD")

    html, fr = _screen(client.get("/demo/pos", headers={"Accept-Language": "fr-CA,fr;q=0.9"}))
    assert '<html lang="fr">' in html and "<title>Caisse de démonstration · Vente · " in html
    assert "Une doublure de l'écran de vente de Lightspeed X-Series" in html.replace("&#39;", "'")
    assert (fr["text"]["pay"], fr["text"]["refund_of"], fr["text"]["empty"], fr["locale"]) == \
        ("Payer", "Remboursement de {sale}", "Ajoutez des produits pour commencer la vente", "fr-CA")
    assert fr["text"].keys() == en["text"].keys()
    for key, english in en["text"].items():  # the script fills the same placeholders in both languages
        assert re.findall(r"\{\w+\}", fr["text"][key]) == re.findall(r"\{\w+\}", english), key
        assert key in ("total",) or fr["text"][key] != english, key
