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
