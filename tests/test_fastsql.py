"""fastsql's hand-written paths give what peewee's own would: ``insert`` stores the same rows as peewee's insert
(defaults, conversions, a model instance for a foreign key), ``select`` reads them as peewee's select does,
``instance`` builds the instance ``Model(**values)`` would."""
import datetime as dt
from decimal import Decimal

from loyalty import fastsql
from loyalty.models import Account, AuditLog, Card, Sale, SaleLine


def _same(model, values):
    expected, built = model(**values), fastsql.instance(model, values)
    assert type(built) is model
    assert built.__data__ == expected.__data__
    assert built._dirty == expected._dirty
    assert built.__rel__ == expected.__rel__
    return built


def test_a_new_sale_line_is_the_model_with_those_values():
    line = _same(SaleLine, {"id": 3, "sale": 7, "line_id": "1", "product_id": "p", "sku": None, "upc": "0123",
                            "name": "Kibble", "unit_price": Decimal("12.50"), "quantity": Decimal(2),
                            "original_line": None})
    assert (line.sale_id, line.original_line_id, line.unit_price) == (7, None, Decimal("12.50"))


def test_an_audit_row_is_the_model_with_those_values():
    row = _same(AuditLog, {"id": 9, "actor": "register", "action": "sale.commit", "entity": "sale", "entity_id": "3",
                           "account_id": 4, "details": {"changes": []}, "at": dt.datetime(2026, 1, 2, 3, 4, 5)})
    assert row.details == {"changes": []}


def test_fields_left_out_take_their_defaults():
    card = _same(Card, {"id": 1, "account": 2, "program": 3, "created_at": dt.datetime(2026, 1, 2)})
    assert (card.seq, card.punches, card.status) == (1, 0, "open")


def _stored(model, ours, theirs, unique=()):
    """The rows ``ours`` as stored, each checked equal to its row of ``theirs`` but for the id and ``unique``, and
    read back by ``fastsql.select`` as peewee's select reads it."""
    rows = {row.id: row.__data__ for row in model.select()}
    skip = {"id", *unique}
    for a, b in zip(ours, theirs, strict=True):
        assert {k: v for k, v in rows[a].items() if k not in skip} == \
            {k: v for k, v in rows[b].items() if k not in skip}
        assert fastsql.first(model, '"id" = ?', (a,)).__data__ == rows[a]
    return [rows[a] for a in ours]


def test_insert_stores_the_rows_peewee_stores(app):
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 678000)
    people = [{"first_name": "Ana", "last_name": "Lima", "name_key": "lima ana", "phone": "+15550001111",
               "sms_consent": True, "created_at": at, "updated_at": at},
              {"first_name": "Bo", "last_name": "Ek", "name_key": "ek bo", "email": None, "is_test": True,
               "notes": "", "created_at": at, "updated_at": at}]
    ana, bo = _stored(Account, fastsql.insert(Account, people), [Account.insert(**r).execute() for r in people])
    assert (ana["sms_consent"], bo["is_test"], ana["language"]) == (True, True, "en")

    owner = Account.get_by_id(ana["id"])  # a model instance for the foreign key, and an id
    sales = [{"pos_system": "x", "pos_sale_id": f"ours-{n}", "account": who, "created_at": at, "updated_at": at,
              "last_response": {"n": n}} for n, who in enumerate((owner, bo["id"]))]
    theirs = [{**r, "pos_sale_id": "theirs" + r["pos_sale_id"][4:]} for r in sales]
    first, _ = _stored(Sale, fastsql.insert(Sale, sales), [Sale.insert(**r).execute() for r in theirs],
                       unique=("pos_sale_id",))
    assert (first["account"], first["last_response"]) == (ana["id"], {"n": 0})

    lines = [{"sale": first["id"], "line_id": str(n), "upc": "0123", "name": "Kibble", "quantity": q,
              "unit_price": price} for n, (q, price) in enumerate(((Decimal(2), Decimal("12.5")),
                                                                   (Decimal("-1"), None)))]
    theirs = [{**r, "line_id": "t" + r["line_id"]} for r in lines]
    kibble, _ = _stored(SaleLine, fastsql.insert(SaleLine, lines), [SaleLine.insert(**r).execute() for r in theirs],
                        unique=("line_id",))
    assert (kibble["quantity"], kibble["unit_price"]) == (Decimal(2), Decimal("12.5"))
