"""Marshmallow schemas: every request body is loaded through one of these at the API boundary."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from .bounds import NO_NUL, IdField, string_fields
from .domain.programs import REQUIRABLE_FIELDS, REWARD_RULES
from .i18n import LANGUAGES

POS_SYSTEMS = ("lightspeed-x", "lightspeed-r", "demo")
Id = validate.Length(min=1, max=100)
Short = validate.Length(max=100)


class Base(Schema):
    """Unknown fields are ignored; every string field refuses NUL characters (PostgreSQL cannot store them)."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name, field_obj):
        for text_field in string_fields(field_obj):
            # A field with its own pattern (a country code) excludes NUL already.
            if not any(isinstance(v, validate.Regexp) for v in text_field.validators):
                text_field.validators.append(NO_NUL)


def _text(max_len=100, **kw):
    return fields.Str(validate=validate.Length(max=max_len), **kw)


class PosSchema(Base):
    system = fields.Str(required=True, validate=validate.OneOf(POS_SYSTEMS))
    sale_id = fields.Str(required=True, validate=Id)
    store = _text(load_default=None, allow_none=True)
    register = _text(load_default=None, allow_none=True)
    return_for = fields.Str(load_default=None, allow_none=True, validate=Id)


class PosSystemSchema(Base):
    system = fields.Str(required=True, validate=validate.OneOf(POS_SYSTEMS))


class CustomerSchema(Base):
    pos_id = fields.Str(load_default=None, allow_none=True, validate=Id)
    # The display name whole, when the register shows no separate first and last name.
    name = _text(200, load_default=None, allow_none=True)
    first_name = _text(load_default=None, allow_none=True)
    last_name = _text(load_default=None, allow_none=True)
    email = _text(254, load_default=None, allow_none=True)
    phone = _text(40, load_default=None, allow_none=True)


class LineSchema(Base):
    line_id = fields.Str(required=True, validate=Id)
    product_id = fields.Str(load_default=None, allow_none=True, validate=Short)
    sku = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    upc = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    name = _text(300, load_default=None, allow_none=True)
    quantity = fields.Decimal(required=True, validate=validate.Range(min=Decimal(-10000), max=Decimal(10000)))
    unit_price = fields.Decimal(load_default=None, allow_none=True,
                                validate=validate.Range(min=Decimal(-10_000_000), max=Decimal(10_000_000)))
    original = fields.Nested(lambda: OriginalRefSchema(), load_default=None, allow_none=True)


class OriginalRefSchema(Base):
    """The sale line a refund line returns, when it is not on the refund's ``return_for`` sale."""
    sale_id = fields.Str(required=True, validate=Id)
    line_id = fields.Str(load_default=None, allow_none=True, validate=Id)


class SaleSchema(Base):
    pos = fields.Nested(PosSchema, required=True)
    customer = fields.Nested(CustomerSchema, load_default=None, allow_none=True)
    account_id = IdField(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(max=500))

    @validates_schema
    def check(self, data, **kwargs):
        ids = [line["line_id"] for line in data.get("lines", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError(_("each line needs its own line_id"), "lines")
        if data.get("pos", {}).get("return_for") and data["pos"]["return_for"] == data["pos"].get("sale_id"):
            raise ValidationError(_("a sale cannot return itself"), "pos")
        for key in ("sku", "upc", "product_id"):
            for line in data.get("lines", []):
                if line.get(key) is not None:
                    line[key] = line[key].strip() or None
        if data.get("lines"):
            for line in data["lines"]:
                line["quantity"] = line["quantity"].normalize() if line["quantity"] else Decimal(0)


class ReasonSchema(Base):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    note = _text(500, load_default=None, allow_none=True)


class PreviewSchema(Base):
    sale = fields.Nested(SaleSchema, required=True)


class CommitSchema(Base):
    sale = fields.Nested(SaleSchema, required=True)
    reasons = fields.Dict(keys=fields.Str(), values=fields.Nested(ReasonSchema), load_default=dict)


class ResolveSchema(Base):
    pos = fields.Nested(PosSystemSchema, required=True)
    customer = fields.Nested(CustomerSchema, required=True)


class AddressSchema(Base):
    line1 = _text(200, load_default=None, allow_none=True)
    line2 = _text(200, load_default=None, allow_none=True)
    city = _text(100, load_default=None, allow_none=True)
    region = _text(100, load_default=None, allow_none=True)
    postal_code = _text(20, load_default=None, allow_none=True)
    country = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z]{2}$",
                                                                                      error=_l("a 2-letter code")))


class LinkRefSchema(Base):
    system = fields.Str(required=True, validate=validate.OneOf(POS_SYSTEMS))
    customer_id = fields.Str(required=True, validate=Id)


class AccountUpdateSchema(Base):
    first_name = fields.Str(validate=validate.Length(min=1, max=100))
    last_name = fields.Str(validate=validate.Length(min=1, max=100))
    email = _text(254, allow_none=True)
    phone = _text(40, allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)
    notes = _text(2000)
    sms_consent = fields.Bool()
    email_consent = fields.Bool()
    consent_source = _text(100)
    is_test = fields.Bool()
    language = fields.Str(validate=validate.OneOf(LANGUAGES),
                          metadata={"description": "the customer's language for their page and emails; at "
                                                   "enrolment, the register's (Accept-Language) when not given"})


class AccountCreateSchema(AccountUpdateSchema):
    first_name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    link = fields.Nested(LinkRefSchema, load_default=None, allow_none=True)


class LinkSchema(Base):
    account_id = IdField(required=True)


class UnlinkSchema(Base):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    move_sales_to = IdField(load_default=None, allow_none=True)
    manager_pin = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20))


class Code(fields.Str):
    """A UPC or SKU: trimmed, not empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        if not value or len(value) > 64:
            raise ValidationError(_("a code of 1 to 64 characters"))
        return value


class ProgramSchema(Base):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    manufacturer = _text(200, load_default="")
    distributor = _text(200, load_default="")
    buy_quantity = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    upcs = fields.List(Code(), load_default=list, validate=validate.Length(max=20000))
    skus = fields.List(Code(), load_default=list, validate=validate.Length(max=20000))
    reward_rule = fields.Str(load_default="lesser_or_equal", validate=validate.OneOf(REWARD_RULES))
    window_days = fields.Int(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=3660))
    requires = fields.List(fields.Str(validate=validate.OneOf(REQUIRABLE_FIELDS)), load_default=list)
    multi_purchase_threshold = fields.Int(load_default=1, strict=True, validate=validate.Range(min=1, max=1000))
    status = fields.Str(load_default="active", validate=validate.OneOf(("active", "archived")))

    @validates_schema
    def check(self, data, **kwargs):
        if not data.get("upcs") and not data.get("skus") and not self.partial:
            raise ValidationError(_("list at least one qualifying UPC or SKU"), "upcs")


class ItemSchema(Base):
    product_id = fields.Str(load_default=None, allow_none=True, validate=Short)
    sku = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    upc = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    name = _text(300, load_default=None, allow_none=True)
    unit_price = fields.Decimal(load_default=None, allow_none=True,
                                validate=validate.Range(min=Decimal(0), max=Decimal(10_000_000)))
    line_id = fields.Str(load_default=None, allow_none=True, validate=Id)


class SaleRefSchema(Base):
    system = fields.Str(required=True, validate=validate.OneOf(POS_SYSTEMS))
    sale_id = fields.Str(required=True, validate=Id)


class RewardQuerySchema(Base):
    sale = fields.Nested(SaleSchema, required=True)


class RedeemSchema(Base):
    sale = fields.Nested(SaleRefSchema, load_default=None, allow_none=True)
    item = fields.Nested(ItemSchema, load_default=dict)


class PointsRedeemSchema(Base):
    account_id = IdField(required=True)
    program_id = IdField(required=True)
    reward_id = IdField(required=True)
    sale = fields.Nested(SaleRefSchema, load_default=None, allow_none=True)
    line_id = fields.Str(load_default=None, allow_none=True, validate=Id)


class PointsAdjustSchema(Base):
    program_id = IdField(required=True)
    points = fields.Int(required=True, strict=True, validate=validate.Range(min=-10_000_000, max=10_000_000))
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class ErrorSchema(Base):
    code = fields.Str()
    message = fields.Str()
    fields = fields.Dict()


class ErrorEnvelope(Base):
    error = fields.Nested(ErrorSchema)


class MemberCardAssignSchema(Base):
    email = _text(254, allow_none=True)
    account_id = fields.Int(strict=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))

    @validates_schema
    def _one_of(self, data, **kwargs):
        if not data.get("email") and not data.get("account_id"):
            raise ValidationError(_("give an email or an account_id"), field_name="email")


class MemberCardRevokeSchema(Base):
    reason = _text(200, load_default="")


# ---- the register's sale, loaded without marshmallow --------------------------------------------------------
# Every preview and commit loads a sale; through marshmallow that is about a tenth of a commit's time. A body of
# the usual shape is loaded here to exactly what SaleSchema gives; anything else (an error of any kind, a refund
# line's ``original``, a commit's reasons) returns None and goes through the schemas, so every message and code
# stays theirs. tests/test_schema_fast_path.py holds the two to the same answers.

_POS_TEXT = (("store", 100), ("register", 100))
_CUSTOMER_TEXT = (("name", 200), ("first_name", 100), ("last_name", 100), ("email", 254),
                  ("phone", 40))
_LINE_TEXT = (("product_id", 100), ("sku", 64), ("upc", 64), ("name", 300))
_QUANTITY = (Decimal(-10000), Decimal(10000))
_PRICE = (Decimal(-10_000_000), Decimal(10_000_000))


def _id(value) -> bool:
    return type(value) is str and 1 <= len(value) <= 100 and "\x00" not in value


def _optional_text(source: dict, specs, out: dict) -> bool:
    for key, max_len in specs:
        value = source.get(key)
        if value is not None and (type(value) is not str or len(value) > max_len or "\x00" in value):
            return False
        out[key] = value
    return True


def _decimal(value, bounds):
    if type(value) not in (int, float, str):
        return None
    try:
        num = Decimal(str(value))
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation; a number too long for str()
        return None
    if not num.is_finite() or not bounds[0] <= num <= bounds[1]:
        return None
    return num


def fast_sale(sale) -> dict | None:
    """``SaleSchema().load(sale)`` for a sale of the usual shape, or None (load it through the schema)."""
    if type(sale) is not dict:
        return None
    pos, customer, lines = sale.get("pos"), sale.get("customer"), sale.get("lines")
    if type(pos) is not dict or type(lines) is not list or len(lines) > 500:
        return None
    system, sale_id, return_for = pos.get("system"), pos.get("sale_id"), pos.get("return_for")
    if system not in POS_SYSTEMS or type(system) is not str or not _id(sale_id):
        return None
    if return_for is not None and (not _id(return_for) or return_for == sale_id):
        return None
    pos_out = {"system": system, "sale_id": sale_id}
    if not _optional_text(pos, _POS_TEXT, pos_out):
        return None
    pos_out["return_for"] = return_for
    customer_out = None
    if customer is not None:
        if type(customer) is not dict:
            return None
        pos_id = customer.get("pos_id")
        customer_out = {"pos_id": pos_id}
        if (pos_id is not None and not _id(pos_id)) or not _optional_text(customer, _CUSTOMER_TEXT, customer_out):
            return None
    account_id = sale.get("account_id")
    if account_id is not None and (type(account_id) is not int or not 1 <= account_id <= 2**31 - 1):
        return None
    lines_out, seen = [], set()
    for line in lines:
        if type(line) is not dict or line.get("original") is not None:
            return None
        line_id = line.get("line_id")
        if not _id(line_id) or line_id in seen:
            return None
        seen.add(line_id)
        out = {"line_id": line_id}
        if not _optional_text(line, _LINE_TEXT, out):
            return None
        quantity = _decimal(line.get("quantity"), _QUANTITY)
        price = line.get("unit_price")
        if quantity is None or (price is not None and (price := _decimal(price, _PRICE)) is None):
            return None
        for key in ("sku", "upc", "product_id"):
            if out[key] is not None:
                out[key] = out[key].strip() or None
        out["quantity"] = quantity.normalize() if quantity else Decimal(0)
        out["unit_price"] = price
        out["original"] = None
        lines_out.append(out)
    return {"pos": pos_out, "customer": customer_out, "account_id": account_id, "lines": lines_out}


def _fast_sale_body(data: dict) -> dict | None:
    sale = fast_sale(data.get("sale"))
    return None if sale is None else {"sale": sale}


def _fast_commit_body(data: dict) -> dict | None:
    if data.get("reasons", {}) != {}:  # absent or empty only: reasons given go through the schema
        return None
    sale = fast_sale(data.get("sale"))
    return None if sale is None else {"sale": sale, "reasons": {}}


# The API's ``body()`` tries these first, with the same schemas' load as the fallback.
FAST_LOADS = {PreviewSchema: _fast_sale_body, RewardQuerySchema: _fast_sale_body, CommitSchema: _fast_commit_body}
