"""Every staff page in French: a manager who chose French sees French text, French dates and money, and not one
of the English sentences the catalog knows (a string left out of _() would show up here)."""
from __future__ import annotations

import html
import os
import re

import pytest
from babel.messages.pofile import read_po

from builders import line, program_body, sale
from webtools import commit, new_account, punch, text

CATALOG = os.path.join(os.path.dirname(__file__), "..", "..", "server", "loyalty", "translations", "fr",
                       "LC_MESSAGES", "messages.po")


def known_english_sentences() -> list[str]:
    """The catalog's English texts of two words or more whose French is different, cut at their placeholders
    (each fixed piece of two words or more counts)."""
    with open(CATALOG, "rb") as f:
        catalog = read_po(f, locale="fr")
    french = " ".join(s if isinstance(s, str) else " ".join(s) for s in (m.string for m in catalog if m.id))
    out = set()
    for message in catalog:
        if not message.id:
            continue
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]", msgid):
                piece = piece.strip(" .,:;()?…")
                if len(piece.split()) >= 2 and piece not in french:
                    out.add(piece)
    return sorted(out)


ENGLISH = known_english_sentences()


def visible(response) -> str:
    """What a person reads: the text, and the attributes a browser shows (placeholder, title, aria-label, value of
    buttons), with the markup and the CSRF tokens left out."""
    page = text(response)
    attrs = re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', page)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([body] + attrs))


@pytest.fixture
def french_manager(manager):
    r = manager.post("/language", {"language": "fr", "next": "/"})
    assert r.status_code == 302
    return manager


@pytest.fixture
def shop(api, manager_api, french_manager):
    """An account with a card, a redemption, a punch waiting for review, a device token: every page has rows."""
    from loyalty.auth import create_token
    from loyalty.domain.redemptions import redeem_card
    from loyalty.models import Card, Punch

    manager_api.post("/api/v1/programs", program_body(multi_purchase_threshold=1))
    dana = new_account(api, "Dana", "Tremblay", email="dana@example.com")
    punch(api, dana["id"], 12, customer=None)
    card = Card.get((Card.account == dana["id"]) & (Card.status == "complete"))
    redeem_card(card.id, {"system": "demo", "sale_id": "R-1"}, {"name": "Sac gratuit"}, "test")
    commit(api, sale("S-many", lines=[line(1, qty=3)], customer=None, account_id=dana["id"]),
           reasons={str(card.program_id): {"reason": "Multiple pets"}})
    Punch.update(needs_review=True).where(Punch.id == Punch.select().order_by(Punch.id.desc()).first().id).execute()
    create_token("Caisse 1", "cashier")
    return dana


def pages(account_id, program_id):
    return ["/", f"/?q=Dana", f"/accounts/{account_id}", f"/accounts/{account_id}/edit", "/programs",
            "/programs/new", f"/programs/{program_id}", "/reports/participation", "/reports/redemptions?state=all",
            "/review", "/tokens", "/pos"]


def test_every_staff_page_in_french_has_no_known_english_sentence(french_manager, shop):
    from loyalty.models import Program

    assert len(ENGLISH) > 100, "the list of known English sentences comes from the catalog"
    program_id = Program.select().first().id
    for path in pages(shop["id"], program_id):
        r = french_manager.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Language"] == "fr"
        page = visible(r)
        assert '<html lang="fr">' in text(r), path
        leftovers = [s for s in ENGLISH if s in page]
        assert not leftovers, f"{path} shows English: {leftovers}"


def test_account_page_in_french_reads_as_quebec_french(french_manager, shop):
    page = visible(french_manager.get(f"/accounts/{shop['id']}"))
    assert "Cartes à points" in page and "Courriel" in page and "Journal d'audit" in page
    assert re.search(r"\d{1,2} [a-zéû]+\.? 20\d\d", page), "dates like '26 nov. 2026'"
    assert "Plusieurs animaux" in page, "the stored reason shown with its French label"
    redemptions = visible(french_manager.get("/reports/redemptions?state=all"))
    assert re.search(r"plafond \d+,\d\d\u00a0\$", redemptions), "money as '12,50 $'"


def test_csv_headers_follow_the_language(french_manager, manager, shop):
    french = text(french_manager.get("/reports/participation?format=csv")).splitlines()[0]
    assert french.startswith("programme,fabricant,distributeur,clients distincts")
    french_manager.post("/language", {"language": "en", "next": "/"})
    english = text(manager.get("/reports/participation?format=csv")).splitlines()[0]
    assert english.startswith("program,manufacturer,distributor,unique_customers")


def test_confirmation_and_flash_in_french(french_manager, shop):
    r = french_manager.post(f"/accounts/{shop['id']}/adjust", {"program_id": "1", "quantity": "-2",
                                                                 "reason": "Erreur de caisse"})
    page = visible(r)
    assert "Ajuster les poinçons?" in page and "Raison : Erreur de caisse" in page
    r = french_manager.post(f"/accounts/{shop['id']}/adjust", {"program_id": "1", "quantity": "-2",
                                                                 "reason": "Erreur de caisse"}, confirm=True,
                            follow_redirects=True)
    assert "poinçons ajustés de -2" in visible(r)


def test_an_error_page_in_french(french_manager):
    r = french_manager.get("/accounts/99999")
    assert r.status_code == 404
    page = visible(r)
    assert "Cela n'a pas fonctionné" in page and "compte 99999" in page


def test_member_cards_plurals_and_money_in_french(french_manager, shop):
    page = visible(french_manager.get("/member-cards"))
    assert "Cartes de membre" in page and "Aucun lot pour l'instant." in page and "balayez ou tapez" in page
    one = visible(french_manager.post("/member-cards/batches", {"name": "Comptoir", "count": "1"},
                                      follow_redirects=True))
    assert "Lot Comptoir créé : 1 carte." in one and "1 carte de membre" in one  # 1 is singular in French
    two = visible(french_manager.post("/member-cards/batches", {"name": "Vitrine", "count": "2"},
                                      follow_redirects=True))
    assert "Lot Vitrine créé : 2 cartes." in two and "2 cartes de membre" in two
    report = visible(french_manager.get("/reports/redemptions?state=all"))
    assert re.search(r"\d+ échanges?, \d+,\d\d\u00a0\$ au total", report), "totals as '1 échange, 12,50 $ au total'"
    assert "Télécharger en Excel" in report


def test_workbook_sheets_and_headers_follow_the_language(french_manager, shop):
    import io

    from openpyxl import load_workbook

    r = french_manager.get("/reports/redemptions?state=all&format=xlsx")
    book = load_workbook(io.BytesIO(r.get_data()), read_only=True)
    assert book.sheetnames == ["Échanges", "Totaux"]
    headers = [c.value for c in next(book["Totaux"].iter_rows(max_row=1))]
    assert headers == ["distributeur", "fabricant", "échanges", "valeur"]
