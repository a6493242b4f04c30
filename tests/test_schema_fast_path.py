"""The register's sale is loaded without marshmallow when it has the usual shape (schemas.fast_sale): the fast
path must give exactly what the schemas give, and leave every body they refuse (or that it does not know) to
them, so the API's 422 messages stay theirs."""
import copy
from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import HealthCheck, given, settings, strategies as st
from marshmallow import ValidationError

from loyalty.schemas import FAST_LOADS, CommitSchema, PreviewSchema, RewardQuerySchema

USUAL = {"sale": {
    "pos": {"system": "lightspeed-x", "sale_id": "S-1", "store": "main", "register": "1"},
    "customer": {"pos_id": "c-1", "email": "a@example.com"},
    "lines": [{"line_id": "1", "upc": " 0123 ", "quantity": 2, "unit_price": "12.50", "name": "Kibble"},
              {"line_id": "2", "sku": "SKU-9", "quantity": "1.0", "unit_price": 3.25, "extra": "ignored"},
              {"line_id": "3", "product_id": "p", "quantity": -1}],
    "ignored": True}}


@pytest.fixture(scope="module")
def ctx():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def marshmallow(schema_cls, data):
    try:
        return schema_cls().load(copy.deepcopy(data))
    except ValidationError:
        return "refused"


def check(schema_cls, data):
    fast = FAST_LOADS[schema_cls](copy.deepcopy(data))
    if fast is not None:
        assert fast == marshmallow(schema_cls, data)
        for got, want in zip(fast["sale"]["lines"], marshmallow(schema_cls, data)["sale"]["lines"]):
            assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
    return fast


def test_the_usual_sale_takes_the_fast_path_and_loads_as_the_schema_does(ctx):
    for schema_cls in (PreviewSchema, CommitSchema, RewardQuerySchema):
        loaded = check(schema_cls, USUAL)
        assert loaded is not None
    loaded = check(CommitSchema, {**USUAL, "reasons": {}})
    assert loaded["reasons"] == {} and loaded["sale"]["lines"][0]["upc"] == "0123"
    assert loaded["sale"]["lines"][1]["quantity"] == Decimal(1)
    assert check(PreviewSchema, {"sale": {**USUAL["sale"], "customer": None, "account_id": 7}}) is not None


BAD = [
    {}, {"sale": None}, {"sale": []}, {"sale": {"pos": {"system": "lightspeed-x", "sale_id": "S"}}},
    {"sale": {**USUAL["sale"], "pos": {"system": "square", "sale_id": "S"}}},
    {"sale": {**USUAL["sale"], "pos": {"system": "demo", "sale_id": ""}}},
    {"sale": {**USUAL["sale"], "pos": {"system": "demo", "sale_id": "S", "return_for": "S"}}},
    {"sale": {**USUAL["sale"], "pos": {"system": "demo", "sale_id": "S\x00"}}},
    {"sale": {**USUAL["sale"], "account_id": True}}, {"sale": {**USUAL["sale"], "account_id": 0}},
    {"sale": {**USUAL["sale"], "account_id": 2**31}}, {"sale": {**USUAL["sale"], "account_id": 1.0}},
    {"sale": {**USUAL["sale"], "customer": "c-1"}}, {"sale": {**USUAL["sale"], "customer": {"email": 5}}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": 1}, {"line_id": "1", "quantity": 1}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": True}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": "NaN"}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": "x"}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": 10001}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": 1, "unit_price": "1e9"}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": 1, "sku": "x" * 65}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": "1", "quantity": 1, "original": {"sale_id": "S0"}}]}},
    {"sale": {**USUAL["sale"], "lines": [{"line_id": str(i), "quantity": 1} for i in range(501)]}},
]


@pytest.mark.parametrize("body", BAD)
def test_what_the_schema_refuses_or_the_fast_path_does_not_know_goes_to_the_schema(ctx, body):
    for schema_cls in (PreviewSchema, CommitSchema):
        assert check(schema_cls, body) is None or body["sale"]["lines"][0].get("original")
    assert check(CommitSchema, {**USUAL, "reasons": {"Other": {"reason": "Other"}}}) is None
    assert check(CommitSchema, {**USUAL, "reasons": None}) is None


scalars = st.one_of(st.none(), st.booleans(), st.integers(-20000, 20000), st.floats(allow_nan=True),
                    st.text(max_size=5), st.sampled_from(["demo", "lightspeed-x", " 1.5 ", "1e3", "-0", "Infinity",
                                                          "x" * 101, "a\x00", ""]))
line = st.dictionaries(st.sampled_from(["line_id", "quantity", "unit_price", "sku", "upc", "product_id", "name",
                                        "original"]), scalars, max_size=6)
sale = st.fixed_dictionaries({
    "pos": st.one_of(scalars, st.dictionaries(st.sampled_from(["system", "sale_id", "store", "register",
                                                               "return_for"]), scalars, max_size=5)),
    "lines": st.one_of(scalars, st.lists(line, max_size=4))},
    optional={"customer": st.one_of(scalars, st.dictionaries(st.sampled_from(["pos_id", "name", "email"]), scalars)),
              "account_id": scalars})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sale)
def test_any_body_the_fast_path_loads_the_schema_loads_the_same(ctx, sale):
    check(PreviewSchema, {"sale": sale})


ids = st.sampled_from(["1", "2", "S", "x" * 100, "x" * 101, "", " ", "a\x00"])
numbers = st.one_of(st.integers(-10001, 10001), st.sampled_from(["1.50", "-0", "0.000", "1e2", "10000.0001", True]),
                    st.floats(-2e7, 2e7))
texts = st.one_of(st.none(), st.text(max_size=3), st.sampled_from([" ", " u ", "x" * 65, "x" * 301]))
near_line = st.fixed_dictionaries({"line_id": ids, "quantity": numbers},
                                  optional={"unit_price": st.one_of(st.none(), numbers), "sku": texts, "upc": texts,
                                            "product_id": texts, "name": texts})
near_sale = st.fixed_dictionaries({
    "pos": st.fixed_dictionaries({"system": st.sampled_from(["demo", "lightspeed-r", "other"]), "sale_id": ids},
                                 optional={"return_for": st.one_of(st.none(), ids), "store": texts}),
    "lines": st.lists(near_line, max_size=4)},
    optional={"customer": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"pos_id": texts, "email": texts,
                                                                                  "name": texts})),
              "account_id": st.one_of(st.none(), st.integers(-1, 2**31), st.booleans())})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(near_sale)
def test_a_near_usual_body_loads_the_same_either_way(ctx, sale):
    check(CommitSchema, {"sale": sale})


def test_json_the_walk_is_skipped_for_is_still_refused_when_it_should_be(ctx):
    from loyalty.bounds import InputRefused, MAX_DEPTH, loads

    assert loads(b'{"sale": {"lines": [{"name": "a"}]}}') == {"sale": {"lines": [{"name": "a"}]}}
    for text in ('{"a": "x\\u0000"}', b'{"a": "x\\u0000"}', '{"a": "x\\u0000"}'.encode("utf-16"),
                 "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)):
        with pytest.raises(InputRefused):
            loads(text)
    assert loads('{"a": "x\\u0000"}', nul_ok=True) == {"a": "x\x00"}
    assert loads('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"a": "[" * 34}
