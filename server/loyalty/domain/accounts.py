"""Accounts and POS-customer links: create, update, resolve a POS customer, link, unlink (incorrect map)."""
from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import gettext as _
from peewee import IntegrityError

from .. import events, fastsql
from ..audit import record
from ..db import write_transaction
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..models import Account, PosLink, Sale, utcnow
from ..programs import KINDS, catalog
from .cards import iso
from .contacts import ContactError, display_phone, normalize_email, normalize_phone, try_normalize_email, try_normalize_phone
from .moves import move_sale

ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")
ADDRESS_ATTRS = tuple(f"address_{k}" if k in ("line1", "line2") else k for k in ADDRESS_FIELDS)
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "notes", "is_test", "language")


def account_dict(account: Account, *, cards: bool = False, links: bool = False, detail: bool = False) -> dict:
    out = {
        "id": account.id,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "name": account.full_name,
        "email": account.email,
        "phone": account.phone,
        # The panel shows the number as the store writes it; "phone" stays E.164 for programs.
        "phone_display": display_phone(account.phone, _phone_region()),
        "address": {k: getattr(account, f"address_{k}" if k in ("line1", "line2") else k) for k in ADDRESS_FIELDS}
        if account.address_line1 or account.city else None,
        "notes": account.notes,
        "sms_consent": account.sms_consent,
        "sms_consent_at": iso(account.sms_consent_at),
        "sms_consent_source": account.sms_consent_source,
        "email_consent": account.email_consent,
        "email_consent_at": iso(account.email_consent_at),
        "email_consent_source": account.email_consent_source,
        "is_test": account.is_test,
        "language": account.language,
        "merged_into": account.merged_into_id,
        "created_at": iso(account.created_at),
    }
    if cards:  # what the account holds in each kind of program: "cards", "points"
        for kind in KINDS.values():
            out[kind.answer_key] = kind.account_summary(account.id, detail)
    if links:
        out["links"] = [link_dict(link) for link in
                        PosLink.select().where((PosLink.account == account.id) & PosLink.unlinked_at.is_null())]
    return out


def _phone_region() -> str:
    return current_app.config.get("PHONE_REGION", "US") if has_app_context() else "US"


def link_dict(link: PosLink) -> dict:
    return {
        "system": link.pos_system,
        "customer_id": link.pos_customer_id,
        "account_id": link.account_id,
        "linked_by": link.linked_by,
        "linked_at": iso(link.linked_at),
        "unlinked_at": iso(link.unlinked_at),
        "unlinked_by": link.unlinked_by,
        "unlink_reason": link.unlink_reason,
    }


def get_account(account_id: int) -> Account:
    account = fastsql.first(Account, '"id" = ?', (account_id,))
    if account is None:
        raise NotFound(_("no account %(id)s", id=account_id), fields={"account_id": [_("unknown account")]})
    if account.merged_into_id:
        # An account merged into another answers as the surviving one.
        return get_account(account.merged_into_id)
    return account


def _apply_fields(account: Account, data: dict, region: str, actor: str, now) -> dict:
    """Set contact fields from validated input; returns {field: [before, after]} of what changed."""
    changed = {}

    def put(attr, value):
        before = getattr(account, attr)
        if before != value:
            changed[attr] = [before if not hasattr(before, "isoformat") else iso(before), value]
            setattr(account, attr, value)

    errors = {}
    for key in CONTACT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        try:
            if key == "email":
                value = normalize_email(value)
            elif key == "phone":
                value = normalize_phone(value, region)
        except ContactError as exc:
            errors[key] = [str(exc)]
            continue
        if key in ("first_name", "last_name"):
            value = (value or "").strip()
        put(key, value)
    if errors:
        raise ValidationFailed(_("some fields are not valid"), fields=errors)
    if "address" in data:
        address = data["address"] or {}
        for k in ADDRESS_FIELDS:
            value = address.get(k) or None
            if k == "country" and value:
                value = value.upper()
            put(f"address_{k}" if k in ("line1", "line2") else k, value)
    source = data.get("consent_source") or actor
    for channel in ("sms", "email"):
        key = f"{channel}_consent"
        if key in data and bool(data[key]) != getattr(account, key):
            put(key, bool(data[key]))
            setattr(account, f"{key}_at", now)
            setattr(account, f"{key}_source", source)
            changed[f"{key}_source"] = [None, source]
    account.name_key = Account.make_name_key(account.first_name, account.last_name)
    return changed


def create_account(data: dict, actor: str, region: str = "US") -> Account:
    now = utcnow()
    with write_transaction():
        account = Account(first_name="", last_name="", name_key="", created_at=now, updated_at=now)
        changed = _apply_fields(account, data, region, actor, now)
        if not account.first_name or not account.last_name:
            raise ValidationFailed(_("first and last name are required"), fields={
                k: [_("required")] for k in ("first_name", "last_name") if not getattr(account, k)})
        account.save()
        record(actor, "account.create", "account", account.id, account_id=account.id,
               fields={k: v[1] for k, v in changed.items()})
        link = data.get("link")
        if link:
            link_customer(link["system"], link["customer_id"], account.id, actor)
        events.emit("account.created", account=account, actor=actor)
    return account


# What a register (a cashier token) may change on an account: what a customer tells the cashier at the counter.
# A contact detail only where the account has none yet (the panel asks for them before a reward), and consent
# given or withdrawn, the language the customer reads. Names, notes, replacing a contact detail and is_test (a test account leaves the reports)
# need the staff role.
REGISTER_FILLS = {"email": lambda a: bool(a.email), "phone": lambda a: bool(a.phone),
                  "address": lambda a: a.has_address()}
REGISTER_MAY_SET = ("sms_consent", "email_consent", "language")


def _register_refusals(changed: dict, had: dict) -> dict:
    """The fields a register changed but may not (``changed`` from _apply_fields, ``had`` which contact details
    the account had before), each with why."""
    refused = {}
    for attr in changed:
        field = "address" if attr in ADDRESS_ATTRS else attr
        if field.startswith(REGISTER_MAY_SET):  # the consent flags and their _source
            continue
        if field in REGISTER_FILLS:
            if had[field]:
                refused[field] = [_("a register may fill this in only when the account has none; staff can change it")]
            continue
        refused[field] = [_("a register may not change this; it needs the staff role")]
    return refused


def update_account(account_id: int, data: dict, actor: str, region: str = "US", *,
                   register: bool = False) -> Account:
    """Change an account's details; ``register``: the change comes from a cashier token (REGISTER_FILLS)."""
    now = utcnow()
    with write_transaction():
        account = get_account(account_id)
        had = {field: check(account) for field, check in REGISTER_FILLS.items()}
        changed = _apply_fields(account, data, region, actor, now)
        refused = _register_refusals(changed, had) if register else {}
        if refused:  # raised inside the transaction: nothing of this request is kept
            raise Forbidden(_("a register may only fill in missing contact details and record consent"),
                            code="forbidden", fields=refused)
        if not account.first_name or not account.last_name:
            raise ValidationFailed(_("first and last name cannot be empty"), fields={
                k: [_("required")] for k in ("first_name", "last_name") if not getattr(account, k)})
        if changed:
            account.updated_at = now
            account.save()
            record(actor, "account.update", "account", account.id, account_id=account.id, changed=changed)
    return account


def live_link_and_account(system: str, customer_id: str):
    """(the POS customer's live link, its account as ``get_account`` answers it) in one statement; (None, None)
    without a live link."""
    n, m = len(PosLink._meta.sorted_fields), len(Account._meta.sorted_fields)
    # In a preview or commit, the program catalog's version comes with it (programs/catalog.py): a statement fewer
    version = catalog.VERSION_COLUMN if catalog.version_wanted() else ""
    rows = fastsql.rows(
        f'SELECT {fastsql.columns(PosLink, qualified=True)}, {fastsql.columns(Account, qualified=True)}{version} '
        'FROM "pos_link" JOIN "account" ON "account"."id" = "pos_link"."account_id" WHERE "pos_link"."pos_system" '
        '= ? AND "pos_link"."pos_customer_id" = ? AND "pos_link"."unlinked_at" IS NULL LIMIT 1', (system, customer_id))
    if not rows:
        return None, None
    if version:
        catalog.note_version(rows[0][n + m])
    link, account = fastsql.hydrate(PosLink, rows[0][:n]), fastsql.hydrate(Account, rows[0][n:n + m])
    return link, get_account(account.merged_into_id) if account.merged_into_id else account


def live_link(system: str, customer_id: str) -> PosLink | None:
    return fastsql.first(PosLink, '"pos_system" = ? AND "pos_customer_id" = ? AND "unlinked_at" IS NULL',
                         (system, customer_id))


def link_customer(system: str, customer_id: str, account_id: int, actor: str) -> PosLink:
    """Link a POS customer to an account; linking again to the same account is a no-op."""
    with write_transaction():
        account = get_account(account_id)
        existing = live_link(system, customer_id)
        if existing is not None:
            if existing.account_id == account.id:
                return existing
            raise Conflict(_("this POS customer is already linked to another account"), code="already_linked",
                           extra={"account_id": existing.account_id})
        try:
            with write_transaction():  # a savepoint: a concurrent link loses on the unique index, not silently
                link = PosLink.create(pos_system=system, pos_customer_id=customer_id, account=account.id,
                                      linked_by=actor)
        except IntegrityError:
            raise Conflict(_("this POS customer was just linked by someone else"), code="already_linked") from None
        record(actor, "link.create", "pos_link", link.id, account_id=account.id, system=system,
               customer_id=customer_id)
    return link


def unlink_customer(system: str, customer_id: str, actor: str, reason: str, move_sales_to: int | None = None):
    """The "incorrect customer map": end the link (kept as history) and optionally move the sales committed
    through it, with their punches, to the right account."""
    with write_transaction():
        link = live_link(system, customer_id)
        if link is None:
            raise NotFound(_("this POS customer is not linked"), code="not_linked")
        target = get_account(move_sales_to) if move_sales_to is not None else None
        if target is not None and target.id == link.account_id:
            raise ValidationFailed(_("move_sales_to is the account already linked"),
                                   fields={"move_sales_to": [_("must be a different account")]})
        link.unlinked_at = utcnow()
        link.unlinked_by = actor
        link.unlink_reason = reason
        link.save()
        moved = []
        if target is not None:
            for sale in Sale.select().where(Sale.link == link.id).order_by(Sale.id):
                move_sale(sale, target.id, actor)
                moved.append(sale.pos_sale_id)
        record(actor, "link.unlink", "pos_link", link.id, account_id=link.account_id, system=system,
               customer_id=customer_id, reason=reason, moved_sales=moved,
               moved_to=target.id if target else None)
    return link, moved


# Functions that fill a POS customer's missing details from elsewhere (e.g. the customers imported from the
# POS, when the register only knows the customer's id); see register_customer_enricher.
_CUSTOMER_ENRICHERS = []


def register_customer_enricher(func):
    """``func(system, customer)`` mutates the customer dict in place, filling missing names, email, phone."""
    if func not in _CUSTOMER_ENRICHERS:
        _CUSTOMER_ENRICHERS.append(func)
    return func


def split_display_name(name: str) -> tuple[str, str]:
    """A display name without the POS's own fields: the last word is the last name ("Mary Ann Smith" is Mary Ann
    / Smith), which is right more often than the first word alone; the cashier can still edit it."""
    parts = (name or "").split()
    if len(parts) < 2:
        return (parts[0] if parts else ""), ""
    return " ".join(parts[:-1]), parts[-1]


def resolve_customer(system: str, customer: dict, region: str = "US", limit: int = 10) -> dict:
    """The linked account; else candidates by email, phone (a family when several share it), then name;
    else nothing, with the POS data ready to prefill a new account."""
    customer = dict(customer)
    for enrich in _CUSTOMER_ENRICHERS:
        enrich(system, customer)
    if not customer.get("first_name") and not customer.get("last_name") and customer.get("name"):
        customer["first_name"], customer["last_name"] = split_display_name(customer["name"])
    prefill = {
        "first_name": (customer.get("first_name") or "").strip(),
        "last_name": (customer.get("last_name") or "").strip(),
        "email": try_normalize_email(customer.get("email")),
        "phone": try_normalize_phone(customer.get("phone"), region),
        "link": {"system": system, "customer_id": customer["pos_id"]} if customer.get("pos_id") else None,
        "address": customer.get("address") or None,  # from the POS's imported copy (an enricher), when it has one
    }
    if customer.get("pos_id"):
        link = live_link(system, customer["pos_id"])
        if link is not None:
            account = get_account(link.account_id)
            return {"status": "linked", "account": account_dict(account, cards=True, links=True),
                    "candidates": [], "prefill": prefill}
    seen: dict[int, dict] = {}

    def add(column, value, match):
        for account in fastsql.select(Account, f'"{column}" = ? AND "merged_into_id" IS NULL', (value,),
                                      order='"id"', limit=limit):
            if account.id not in seen:
                seen[account.id] = {"account": account_dict(account), "match": match}

    if prefill["email"]:
        add("email", prefill["email"], "email")
    if prefill["phone"]:
        before = len(seen)
        add("phone", prefill["phone"], "phone")
        family = [c for c in list(seen.values())[before:] if c["match"] == "phone"]
        if len(family) > 1:
            for c in family:
                c["family"] = True
    if prefill["first_name"] and prefill["last_name"]:
        add("name_key", Account.make_name_key(prefill["first_name"], prefill["last_name"]), "name")
    candidates = list(seen.values())[:limit]
    return {"status": "candidates" if candidates else "none", "account": None, "candidates": candidates,
            "prefill": prefill}


PHONE_TAIL_DIGITS = 7  # fewer digits match too many numbers to be a phone search
# A name is a few words; each word is two LIKE terms, and SQLite's parser overflows its stack at about 90 words.
MAX_SEARCH_WORDS = 8


def search_accounts(q: str, region: str = "US", limit: int = 25) -> list[Account]:
    q = (q or "").strip()
    if not q:
        return list(Account.select().where(Account.merged_into.is_null())
                    .order_by(Account.updated_at.desc()).limit(limit))
    live = Account.merged_into.is_null()
    email = try_normalize_email(q) if "@" in q else None
    if email:
        return list(Account.select().where((Account.email == email) & live).limit(limit))
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= PHONE_TAIL_DIGITS and not any(ch.isalpha() for ch in q):
        phone = try_normalize_phone(q, region)
        if phone:
            found = list(Account.select().where((Account.phone == phone) & live).limit(limit))
            if found:
                return found
        # Part of a number ("201-3344", the local number without its area code): the end of the stored
        # E.164 number, as people read a phone out from its last digits.
        found = list(Account.select().where(Account.phone.endswith(digits) & live)
                     .order_by(Account.name_key).limit(limit))
        if found:
            return found
    # A POS customer id typed into the box finds its linked account too.
    linked = [link.account_id for link in PosLink.select().where(
        (PosLink.pos_customer_id == q) & PosLink.unlinked_at.is_null()).limit(limit)]
    # Every word must start the last name, the first name or a later part of either (peewee escapes LIKE).
    cond = live
    for word in q.lower().split()[:MAX_SEARCH_WORDS]:
        cond &= Account.name_key.startswith(word) | Account.name_key.contains(" " + word)
    if linked:
        cond = (cond | Account.id.in_(linked)) & live
    return list(Account.select().where(cond).order_by(Account.name_key).limit(limit))
