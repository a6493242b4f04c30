"""No English on a French page: every page of the app (each GET route of the URL map, with sample values, as a
signed-in manager who chose French), every form's answer to empty input, the customer's page, the unsubscribe
page and the emails, read as a person reads them (text nodes and the attributes a browser shows), must hold no
English text.

A text is English when, once the data it shows (names, programs, notes: anything stored in the database, except a
note the server wrote itself) is taken out, it
- is one of the known English strings: the catalog's English texts, and the strings of the templates and of the
  Python code that never went through ``_()`` (those never reach the catalog, so only this list knows them), or
- has an English word that French never uses ("the", "your", "with", ...), or a one-word English text of the
  catalog that no French text uses ("address", "pending"): a code or a word left untranslated,
unless it is on the short allow-list of names below. Flashes and errors the sweep cannot reach are checked in the
code instead (tests/test_i18n.py, test_messages_for_people_are_never_plain_strings_in_the_code).
"""
from __future__ import annotations

import ast
import functools
import json
import os
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from sitemap import page_urls, sample_arguments

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SERVER = os.path.join(ROOT, "server", "loyalty")
CATALOG = os.path.join(SERVER, "translations", "fr", "LC_MESSAGES", "messages.po")

# Words of English sentences that French never uses (a placeholder like valid_from is one token, not a word).
ENGLISH_WORDS = set("""the your you yours and of to with for by this that these those is are was were not yet from
be been has have had will would can cannot could should there here what which who whom when where how why if it its
their they them we our us my all any none no new an at in or into than then only each every more most must may
please yes done sorry already been being does did don't can't isn't won't doesn't didn't wasn't aren't you're it's
there's let's out off over under after before about again also just still too very""".split())
# Names, brands and words spelled the same in both languages.
ALLOWED = {"Loyalty Bridge", "Lightspeed", "Lightspeed X-Series", "Lightspeed R-Series", "English", "Français",
           "CSV", "Excel", "SMS", "QR", "Code 128"}
STRIP = " \t\r\n.,:;()[]?!…·—–-|/*«»\"'#%$+=0123456789"


# ---- what a person reads ----------------------------------------------------------------------------------

class _Reader(HTMLParser):
    SHOWN_ATTRS = ("placeholder", "title", "aria-label", "alt")
    NOT_TEXT = ("script", "style", "template", "code", "kbd", "samp")  # code: a card code, a CSV column name

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.hidden, self.lang = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in self.NOT_TEXT:
            self.hidden += 1
        self.texts += [attrs[a] for a in self.SHOWN_ATTRS if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.NOT_TEXT and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def html_texts(page: str) -> tuple[list[str], str | None]:
    """The text nodes and shown attributes of an HTML page, whitespace collapsed; and its <html lang>."""
    reader = _Reader()
    reader.feed(page)
    return [" ".join(t.split()) for t in reader.texts], reader.lang


# ---- what English looks like ------------------------------------------------------------------------------

def _pieces(text: str) -> list[str]:
    """The fixed parts of a message, cut at its placeholders (%(name)s, %s, {name})."""
    return [p.strip(STRIP) for p in re.split(r"%\(\w+\)[sdf]|%[sdf]|\{[^{}]*\}", text) if p.strip(STRIP)]


def _catalog():
    with open(CATALOG, "rb") as f:
        return [m for m in read_po(f, locale="fr") if m.id]


def _texts(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def catalog_english() -> set[str]:
    """The catalog's English texts and their fixed pieces."""
    return {p for m in _catalog() for msgid in _texts(m.id) for p in _pieces(msgid)}


def catalog_french() -> set[str]:
    """The French texts and their fixed pieces: a word both languages write alike ("Participation") is French."""
    return {p for m in _catalog() for s in _texts(m.string) for p in _pieces(s)}


class _TemplateText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [v for k, v in attrs if k in _Reader.SHOWN_ATTRS and v]

    def handle_data(self, data):
        self.found.append(data)


def template_english() -> set[str]:
    """Text written straight into the templates (outside any {{ ... }} and {% ... %}): never extracted, so
    never translated."""
    out = set()
    for folder, _dirs, files in os.walk(SERVER):
        for name in files:
            if not name.endswith((".html", ".txt")) or "templates" not in folder:
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                source = re.sub(r"\{#.*?#\}", "", f.read(), flags=re.S)
            source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "\x00", source, flags=re.S)
            reader = _TemplateText()
            reader.feed(source)
            for chunk in reader.found:
                out.update(p for piece in chunk.split("\x00") for p in _pieces(" ".join(piece.split())))
    return out


GETTEXT = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext"}


def python_english() -> set[str]:
    """String literals of the server's code outside _() (f-string parts included), docstrings left out."""
    out = set()
    for folder, _dirs, files in os.walk(SERVER):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            skip = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT:
                    skip.update(id(n) for a in node.args for n in ast.walk(a))
                if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and \
                        node.body and isinstance(node.body[0], ast.Expr):
                    skip.add(id(node.body[0].value))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    out.update(p for p in _pieces(" ".join(node.value.split())) if re.search(r"[A-Za-z]", p))
    return out


KNOWN_ENGLISH = (catalog_english() | template_english() | python_english()) - catalog_french()


def english_vocabulary() -> set[str]:
    """The catalog's one-word English texts ("address", "pending") that no French text uses: one of them inside
    a French sentence is a code or a word left untranslated."""
    french_words = {w.lower() for m in _catalog() for s in _texts(m.string) for piece in _pieces(s)
                    for w in re.findall(r"[^\W\d_]+", piece)}
    return {m.id.lower() for m in _catalog() if isinstance(m.id, str) and re.fullmatch(r"[A-Za-z]{4,}", m.id)
            and m.id.lower() not in french_words}


ENGLISH_VOCABULARY = english_vocabulary()


SERVER_PHRASES = sorted(p for p in KNOWN_ENGLISH if len(p.split()) >= 3)
NOTES = {"note", "reason"}  # a ledger row's: typed by staff, or written by the server (then not data)


def written_by_the_server(value: str) -> bool:
    """A stored note the server wrote itself ("merged from account 3 into account 7"): not data, it must be
    shown in the page's language."""
    return any(phrase in value for phrase in SERVER_PHRASES)


def is_card_code(value: str) -> bool:
    from loyalty.member_cards import codes

    return len(value) == codes.CODE_LENGTH and codes.is_valid(value) and codes.normalize(value) == value


def grouped(code: str) -> str:
    from loyalty.member_cards import codes

    return codes.grouped(code)


def user_data() -> list[str]:
    """Every text stored in the database (names, programs, notes, reasons...): data, shown as the user typed it.
    Codes (lowercase words, like a status) are not data: the page must name them in French; who did something
    (an actor, a user name) is, even when it looks like a code. Longest first."""
    from loyalty.models import BaseModel

    models, todo = [], [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            models.append(sub)
            todo.append(sub)
    values = set()

    def add(value):
        if isinstance(value, str):
            value = " ".join(value.split())
            if value.startswith(("{", "[")):
                try:
                    add(json.loads(value))
                except ValueError:
                    pass
            if len(value) >= 2 and not re.fullmatch(r"[a-z0-9_.:\-]+", value):
                values.add(value)
            if is_card_code(value):  # shown grouped for people to read: "JCNE EGPN CAN" is data, not "can"
                values.add(grouped(value))
        elif isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, list):
            for v in value:
                add(v)

    for model in models:
        if not model._meta.table_name or not model.table_exists():
            continue
        for row in model.select().dicts():
            for name, value in row.items():
                if name in WHO and isinstance(value, str):
                    values.add(value)
                if name in NOTES and isinstance(value, str) and written_by_the_server(value):
                    continue
                add(value)
    return sorted(values, key=len, reverse=True)


WHO = {"actor", "created_by", "assigned_by", "revoked_by", "linked_by", "unlinked_by", "credited_by", "username",
       "reviewed_by", "pos_customer_id", "pos_sale_id"}
EXAMPLES = {"yourshop", "lsxs_pt_"}  # placeholders that show what a Lightspeed value looks like


@functools.lru_cache(maxsize=None)
def _data_pattern(value: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")


def english_in(texts: list[str], data: list[str]) -> list[str]:
    found = []
    for original in texts:
        t = original
        for value in data:
            if value in t:  # a whole value only: a region "NY" inside a card code "81BY NY5V" left "BY" behind
                t = _data_pattern(value).sub("\x00", t)
        for raw in t.split("\x00"):
            part = raw.strip(STRIP)
            if not part or part in ALLOWED or part in EXAMPLES or not re.search(r"[A-Za-z]", part) or "://" in part:
                continue
            # words of the text as shown: stripping digits first made "BY" of a card code "81BY"
            words = {w.lower() for w in re.findall(r"[\w'’]+", raw) if "_" not in w and not re.search(r"\d", w)}
            if part in KNOWN_ENGLISH or words & (ENGLISH_WORDS | ENGLISH_VOCABULARY):
                found.append(original)
                break
    return found


def test_the_detector_knows_english_and_leaves_french_alone():
    assert len(KNOWN_ENGLISH) > 500
    assert "Member cards" in KNOWN_ENGLISH and "Cartes de membre" not in KNOWN_ENGLISH
    english = ["Print sheet", "No batches yet", "Give to the account with email", "Find",
               "requis avant la récompense : address"]
    french = ["Cartes de membre", "Aucun lot pour l'instant", "Imprimer la feuille", "12,50 $", "26 nov. 2026",
              "Dana Whitfield (compte 3)", "Taste of the Wild 28 lb Club", "Échanges", "Téléphone"]
    assert english_in(english, []) == english
    assert english_in(french, ["Dana Whitfield", "Taste of the Wild 28 lb Club"]) == []
    # data inside a longer word is not cut out of it (a card code is not English because "NY" is stored)
    assert english_in(["81BY NY5V 5S8"], ["NY"]) == english_in(["81BY NY5V 5S8"], []) == []
    # a card code is data in the grouped form the pages show, even when a group reads as an English word
    assert is_card_code("JCNEEGPNCAN") and grouped("JCNEEGPNCAN") == "JCNE EGPN CAN"
    assert english_in(["JCNE EGPN CAN"], []) == ["JCNE EGPN CAN"]
    assert english_in(["Carte JCNE EGPN CAN"], [grouped("JCNEEGPNCAN")]) == []
    texts, lang = html_texts('<html lang="fr"><title>Lot</title><script>var the = 1;</script>'
                             '<input type="submit" value="Send it"><p>Bonjour <b>Dana</b></p></html>')
    assert lang == "fr" and texts == ["Lot", "Send it", "Bonjour", "Dana"]


# ---- the pages ----------------------------------------------------------------------------------------------

@pytest.fixture
def french_store(app, users, manager):
    """The demo store (a year of history: cards in every state, redemptions, points) with a member card batch,
    a punch waiting for review, a device token; every account and the manager in French."""
    from loyalty import demo_data
    from loyalty.auth import create_token
    from loyalty.domain.merges import merge_accounts
    from loyalty.models import Account, Punch

    demo_data.load()
    merge_accounts(Account.get(Account.first_name == "Dana").id, Account.get(Account.first_name == "Ben").id,
                   "test")  # ledger rows with a note the server writes ("merged from account ...")
    samples = sample_arguments(app)
    Punch.update(needs_review=True).where(Punch.id == Punch.select().order_by(Punch.id.desc()).first().id).execute()
    create_token("Caisse 1", "cashier")
    Account.update(language="fr").execute()
    assert manager.post("/language", {"language": "fr", "next": "/"}).status_code == 302
    return samples


def _check(response, where, problems, data):
    if "html" not in response.headers.get("Content-Type", ""):
        return
    texts, lang = html_texts(response.get_data(as_text=True))
    if lang != "fr":
        problems.append(f"{where}: <html lang={lang!r}>")
    english = english_in(texts, data)
    if english:
        problems.append(f"{where}: {english}")


def test_every_page_in_french_has_no_english(app, manager, french_store):
    urls = page_urls(app, french_store)
    assert len(urls) > 20 and "/member-cards" in urls
    data = user_data()
    problems = []
    from loyalty.messages import links
    from loyalty.models import Account

    customer = Account.select().where(Account.email.is_null(False)).first()
    working_links = [f"/unsubscribe/{links.unsubscribe_token(customer.id, customer.email)}",
                     f"/me/confirm/{links.confirm_token(customer.id, customer.email)}"]  # the sweep's token fails there
    for path in urls + working_links + ["/accounts/999999"]:
        r = manager.get(path, follow_redirects=True)
        assert r.status_code < 500 and (r.status_code == 200 or path not in working_links), path
        _check(r, f"GET {path}", problems, data)
    assert not problems, "English on French pages:\n" + "\n".join(problems)


def test_every_form_answers_empty_input_in_french(app, manager, french_store):
    """Each form posted empty, then empty and confirmed: the error, the confirmation or the page it leads to."""
    data = user_data()
    problems = []
    values = {k: v[0] for k, v in french_store.items()}
    values.update(card_id=1, punch_id=1, token_id=1, conn_id=1, resource="products", prefix="x")
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in ("web.signout", "web.set_language", "web.signin_post") \
                or "api" in rule.endpoint or "webhooks" in rule.endpoint:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for confirm in (False, True):
            r = manager.post(path, {}, confirm=confirm, follow_redirects=True)
            assert r.status_code < 500, path
            _check(r, f"POST {path}{' (confirmed)' if confirm else ''}", problems, data)
    assert not problems, "English on French pages:\n" + "\n".join(problems)


def test_emails_to_a_french_customer_have_no_english(app, french_store):
    from loyalty.messages import compose
    from loyalty.models import Account

    account = Account.get_by_id(french_store["account_id"][0])
    data = user_data()
    problems = []
    for template in compose.EMAILS:
        message = compose.build_email(1, template, "client@example.com", account,
                                      {"code": french_store["code"][0], "program": "Lucy Pet Buy 10"})
        texts = [compose.subject(template, account)]
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                texts += [" ".join(line.split()) for line in part.get_content().splitlines() if line.strip()]
            elif part.get_content_type() == "text/html":
                html, lang = html_texts(part.get_content())
                texts += html
                if lang not in (None, "fr"):
                    problems.append(f"{template}: <html lang={lang!r}>")
        english = english_in(texts, data)
        if english:
            problems.append(f"{template}: {english}")
    for template in ("welcome", "reward"):
        english = english_in([compose.sms_body(template, account, {"program": "Lucy Pet Buy 10"})], data)
        if english:
            problems.append(f"SMS {template}: {english}")
    assert not problems, "English in French messages:\n" + "\n".join(problems)
