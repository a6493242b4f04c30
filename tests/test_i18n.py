"""Translations: the French catalog covers every message in the code, the extension's two message files match,
the language of each request is chosen by the documented rules, and numbers, money and dates are Babel's."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..")
CATALOG = os.path.join(ROOT, "server", "loyalty", "translations", "fr", "LC_MESSAGES", "messages.po")
LOCALES = os.path.join(ROOT, "extension", "_locales")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"]  # as scripts/translations


def nbsp(text: str) -> str:
    """Babel writes fr-CA with no-break spaces ("12,50\u00a0$"); compare with plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every message the code marks for translation, extracted exactly as the documented `pybabel extract`."""
    from babel.messages.pofile import read_po

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
                    "-F", "babel.cfg", *KEYWORDS, "-o", str(pot), "server"], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def french():
    from babel.messages.pofile import read_po

    with open(CATALOG, "rb") as f:
        return read_po(f, locale="fr")


def test_every_message_in_the_code_has_a_french_translation(extracted, french):
    missing, untranslated, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        found = french.get(message.id, context=message.context)
        if found is None:
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
        elif not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            untranslated.append(message.id)
    hint = ("run `pybabel extract -F babel.cfg -k _l -o server/loyalty/translations/messages.pot server` and "
            "`pybabel update -i server/loyalty/translations/messages.pot -d server/loyalty/translations`, then "
            "translate (README, Translations)")
    assert not missing, f"not in the French catalog ({hint}): {missing}"
    assert not fuzzy, f"fuzzy (check the translation, then remove the fuzzy flag): {fuzzy}"
    assert not untranslated, f"no French translation: {untranslated}"


def test_french_catalog_placeholders_and_plural_rule(french):
    assert french.plural_expr.replace(" ", "") in ("(n>1)", "n>1")  # French: 0 and 1 are singular
    assert french.num_plurals == 2
    for message in french:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\((\w+)\)", s)) <= wanted | set(re.findall(r"%\((\w+)\)", ids[0])), \
                f"{message.id!r}: the translation uses placeholders the English does not"
            if len(strings) == 1:
                assert set(re.findall(r"%\((\w+)\)", s)) == wanted, f"{message.id!r}: placeholders differ"


def _messages(lang):
    with open(os.path.join(LOCALES, lang, "messages.json"), encoding="utf-8") as f:
        return json.load(f)


def _placeholders(entry):
    named = {name.lower(): spec["content"] for name, spec in entry.get("placeholders", {}).items()}
    used = {m.lower() for m in re.findall(r"\$([A-Za-z0-9_@]+)\$", entry["message"])}
    return named, used


def test_extension_message_files_have_the_same_keys_and_placeholders():
    en, fr = _messages("en"), _messages("fr")
    assert sorted(en) == sorted(fr), f"only in en: {sorted(set(en) - set(fr))}; only in fr: {sorted(set(fr) - set(en))}"
    for key in en:
        assert fr[key]["message"].strip(), f"{key}: empty French message"
        (en_named, en_used), (fr_named, fr_used) = _placeholders(en[key]), _placeholders(fr[key])
        assert en_named == fr_named, f"{key}: the placeholders differ"
        assert en_used == set(en_named) and fr_used == set(fr_named), f"{key}: a placeholder is defined but " \
                                                                      "unused, or used but not defined"


def test_every_key_the_extension_uses_is_in_its_message_files():
    en = _messages("en")
    used = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "extension")):
        for name in files:
            if name.endswith((".js", ".html", ".json")) and "_locales" not in folder:
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    source = f.read()
                used |= set(re.findall(r"\bt\(\s*[\"']([A-Za-z0-9_]+)[\"']", source))
                used |= set(re.findall(r"data-i18n(?:-[a-z-]+)?=\"([A-Za-z0-9_]+)\"", source))
                used |= set(re.findall(r"__MSG_([A-Za-z0-9_]+)__", source))
    assert used, "no translated strings found in the extension"
    assert not used - set(en), f"keys used but not in _locales/en/messages.json: {sorted(used - set(en))}"


def test_manifest_declares_the_default_locale():
    with open(os.path.join(ROOT, "extension", "manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["default_locale"] == "en"
    assert manifest["name"].startswith("__MSG_")
    with open(os.path.join(ROOT, "extension", "managed_schema.json")) as f:
        assert json.load(f)["properties"]["language"]["type"] == "string"


# ---- which language a request gets -------------------------------------------------------------------------

def test_api_answers_in_the_language_asked_for_with_the_same_code(client):
    english = client.get("/api/v1/me", headers={"Authorization": "Bearer lb_nope"}).get_json()
    french = client.get("/api/v1/me", headers={"Authorization": "Bearer lb_nope",
                                                 "Accept-Language": "fr-CA,fr;q=0.9"})
    assert french.headers["Content-Language"] == "fr"
    assert french.get_json()["error"]["code"] == english["error"]["code"] == "token_invalid"
    assert french.get_json()["error"]["message"] != english["error"]["message"]
    assert "jeton" in french.get_json()["error"]["message"]


def test_staff_pages_follow_user_choice_then_store_default_then_browser(app, client):
    from loyalty.auth import create_user

    assert "Connexion" in client.get("/signin", headers={"Accept-Language": "fr-CA"}).get_data(as_text=True)
    assert "Sign in" in client.get("/signin", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    app.config["LANGUAGE"] = "fr"
    page = client.get("/signin", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "Connexion" in page and '<html lang="fr">' in page

    create_user("lee", "manager", "a long enough password")
    client.get("/signin")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    client.post("/signin", data={"username": "lee", "password": "a long enough password", "csrf_token": csrf})
    with client.session_transaction() as s:
        csrf = s["csrf"]
    r = client.post("/language", data={"language": "en", "csrf_token": csrf, "next": "/"})
    assert r.status_code == 302
    from loyalty.models import AuditLog, User
    assert User.get(User.username == "lee").language == "en"
    assert AuditLog.get(AuditLog.action == "user.language").actor == "user:lee"
    page = client.get("/", headers={"Accept-Language": "fr-CA"}, follow_redirects=True).get_data(as_text=True)
    assert "Sign out" in page and "Déconnexion" not in page


def test_language_picked_before_sign_in_is_kept(client):
    client.get("/signin")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    client.post("/language", data={"language": "fr", "csrf_token": csrf, "next": "/signin"})
    page = client.get("/signin", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Connexion" in page and 'value="fr" selected' in page


def test_store_language_must_be_offered(db_url):
    from builders import make_app

    with pytest.raises(ValueError, match="LOYALTY_LANGUAGE"):
        make_app(db_url, LANGUAGE="de")


# ---- Babel's formatters ------------------------------------------------------------------------------------

def test_money_numbers_and_dates_in_fr_ca_and_en(app):
    from loyalty import i18n

    with app.test_request_context("/"), i18n.in_language("fr"):
        assert nbsp(i18n.money("12.5")) == "12,50 $"
        assert nbsp(i18n.number(1234.5)) == "1 234,5"
        assert i18n.date(dt.date(2026, 11, 26)) == "26 nov. 2026"
        assert i18n.current_language() == "fr"
    with app.test_request_context("/"), i18n.in_language("en"):
        assert i18n.money("12.5") == "$12.50"
        assert i18n.date(dt.date(2026, 11, 26)) == "Nov 26, 2026"


def test_french_plurals_treat_zero_and_one_as_singular(app):
    from flask_babel import ngettext

    from loyalty import i18n

    with app.test_request_context("/"), i18n.in_language("fr"):
        one, many = "too many failed sign-ins: try again in %(num)d second", "too many failed sign-ins: try again in %(num)d seconds"
        assert ngettext(one, many, 0).endswith("0 seconde")
        assert ngettext(one, many, 1).endswith("1 seconde")
        assert ngettext(one, many, 2).endswith("2 secondes")


def test_stale_compiled_catalog_is_rebuilt(tmp_path):
    import shutil

    from loyalty.i18n import compile_catalogs

    src = tmp_path / "translations"
    shutil.copytree(os.path.dirname(os.path.dirname(CATALOG)), src / "fr",
                    ignore=shutil.ignore_patterns("*.mo"))
    assert compile_catalogs(str(src)) == ["fr"]
    assert compile_catalogs(str(src)) == []  # up to date
    po = src / "fr" / "LC_MESSAGES" / "messages.po"
    later = os.path.getmtime(src / "fr" / "LC_MESSAGES" / "messages.mo") + 10  # the .po edited after compiling
    os.utime(po, (later, later))
    assert compile_catalogs(str(src)) == ["fr"]
    assert (src / "fr" / "LC_MESSAGES" / "messages.mo").stat().st_size > 100


def test_account_language_set_at_enrolment_from_the_register_and_editable(api, client, tokens):
    headers = {"Authorization": f"Bearer {tokens['cashier']}"}
    fr = client.post("/api/v1/accounts", json={"first_name": "Élise", "last_name": "Gagnon"},
                     headers={**headers, "Accept-Language": "fr-CA"}).get_json()
    en = client.post("/api/v1/accounts", json={"first_name": "Sam", "last_name": "Rivera"}, headers=headers)
    assert fr["language"] == "fr" and en.get_json()["language"] == "en"
    chosen = client.post("/api/v1/accounts", json={"first_name": "Ana", "last_name": "Roy", "language": "en"},
                         headers={**headers, "Accept-Language": "fr"}).get_json()
    assert chosen["language"] == "en"
    r = client.patch(f"/api/v1/accounts/{fr['id']}", json={"language": "de"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["fields"]["language"]
    r = client.patch(f"/api/v1/accounts/{fr['id']}", json={"language": "en"}, headers=headers)
    assert r.get_json()["language"] == "en"


def test_no_module_that_translates_rebinds_underscore():
    """`x, _ = f()` in a function that also calls _("...") makes _ a local: the call then fails at run time."""
    import ast

    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "server", "loyalty")):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            imports_gettext = any(isinstance(n, ast.ImportFrom) and n.module == "flask_babel"
                                  and any(a.asname == "_" for a in n.names) for n in ast.walk(tree))
            if imports_gettext:
                offenders += [f"{os.path.relpath(path, ROOT)}:{n.lineno}" for n in ast.walk(tree)
                              if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    assert not offenders, f"rename the throwaway variable (e.g. _unused): {offenders}"


def test_user_add_with_a_language(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from loyalty.cli import main
    from loyalty.models import User

    monkeypatch.setenv("LOYALTY_DATABASE_URL", "sqlite:///" + str(tmp_path / "cli.sqlite3"))
    r = CliRunner().invoke(main, ["user", "add", "marie", "--role", "staff", "--password", "long enough pw",
                                  "--language", "fr"])
    assert r.exit_code == 0, r.output
    assert User.get(User.username == "marie").language == "fr"
    r = CliRunner().invoke(main, ["user", "add", "bob", "--role", "staff", "--password", "long enough pw",
                                  "--language", "de"])
    assert r.exit_code != 0


def test_text_for_a_customer_outside_any_request(app):
    """A background job (an email to the customer) has an app context but no request: in_language still works."""
    from flask_babel import gettext

    from loyalty import i18n

    with i18n.in_language("fr"):
        assert gettext("wrong username or password") == "nom d'utilisateur ou mot de passe erroné"
        assert nbsp(i18n.money(3)) == "3,00 $"
    with i18n.in_language(None):  # no language on the account: the store's default, else English
        assert gettext("wrong username or password") == "wrong username or password"


def test_field_messages_of_the_api_follow_accept_language(api, client, tokens):
    """Marshmallow's own messages (required, length, one of) and ours come in French; the code stays the same."""
    headers = {"Authorization": f"Bearer {tokens['cashier']}"}
    body = {"first_name": "", "language": "de"}
    english = client.post("/api/v1/accounts", json=body, headers=headers).get_json()["error"]
    french = client.post("/api/v1/accounts", json=body, headers={**headers, "Accept-Language": "fr-CA"}).get_json()
    french = french["error"]
    assert english["code"] == french["code"] == "invalid"
    assert english["fields"]["last_name"] == ["Missing data for required field."]
    assert french["fields"]["last_name"] == ["Champ obligatoire manquant."]
    assert french["fields"]["first_name"] == ["La longueur doit être entre 1 et 100."]
    assert french["fields"]["language"] == ["Doit être l'une des valeurs suivantes : en, fr."]
    account = client.post("/api/v1/accounts", json={"first_name": "Élise", "last_name": "Gagnon"},
                          headers=headers).get_json()
    refused = client.patch(f"/api/v1/accounts/{account['id']}", json={"notes": "x"},
                           headers={**headers, "Accept-Language": "fr"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert refused.get_json()["error"]["message"].startswith("une caisse peut seulement")
    assert refused.get_json()["error"]["fields"]["notes"] == ["une caisse ne peut pas modifier ce champ; il faut le "
                                                               "rôle personnel"]


def test_notes_the_server_writes_read_in_the_page_language(app):
    from loyalty import i18n

    with app.test_request_context("/"), i18n.in_language("fr"):
        assert i18n.system_note("merged from account 3 into account 7") == "fusionné du compte 3 dans le compte 7"
        assert i18n.system_note("earned points expired on 2026-11-26") == "points accumulés expirés le 26 nov. 2026"
        assert i18n.system_note("typed by staff: the dog ate it") == "typed by staff: the dog ate it"
    with app.test_request_context("/"), i18n.in_language("en"):
        assert i18n.system_note("sale moved to account 4") == "sale moved to account 4"


# Calls whose text reaches a person (a flash, an error page, the register's panel): their message goes through
# gettext. The command line (cli.py) speaks English to the person who runs it.
MESSAGE_CALLS = {"flash", "ValidationFailed", "NotFound", "Conflict", "Forbidden", "Unauthorized", "LoyaltyError",
                 "InputRefused", "PinRequired", "ContactError", "InvalidCode", "ValidationError", "confirm_or_run"}


def test_messages_for_people_are_never_plain_strings_in_the_code():
    import ast

    def plain(node):
        return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)
                                                   and any(c.isalpha() for c in node.value))

    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "server", "loyalty")):
        for name in files:
            if not name.endswith(".py") or name == "cli.py" or "demo_pos" in folder:
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                called = getattr(node.func, "id", getattr(node.func, "attr", None))
                texts = []
                if called in MESSAGE_CALLS and node.args:
                    texts.append(node.args[0])
                    if called == "confirm_or_run" and len(node.args) > 1 and isinstance(node.args[1], ast.List):
                        texts += node.args[1].elts
                texts += [k.value for k in node.keywords if k.arg in ("description", "button")]
                offenders += [f"{os.path.relpath(path, ROOT)}:{t.lineno}" for t in texts if plain(t)]
    assert not offenders, f"wrap these messages in _() (README, Translations): {offenders}"
