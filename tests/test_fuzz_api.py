"""Random and half-valid bodies never get a 500: every answer is JSON, and errors are 4xx with the error shape."""
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from builders import ACANA

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                        st.text(max_size=30), st.sampled_from(["", "1", "-1", "1.5", "1e400", "NaN", "Infinity",
                                                               "lightspeed-x", "demo", ACANA, "<b>x</b>"]))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def maybe(strategy):
    return st.one_of(strategy, json_value)


line = st.fixed_dictionaries({}, optional={
    "line_id": maybe(st.text(max_size=5)), "upc": maybe(st.just(ACANA)), "sku": json_value,
    "quantity": maybe(st.sampled_from(["1", "2", "-1", "0.5", 3, -2, "x"])),
    "unit_price": maybe(st.sampled_from(["54.99", "0", "-3", 1.25])), "name": json_value, "product_id": json_value})
sale = st.fixed_dictionaries({}, optional={
    "pos": maybe(st.fixed_dictionaries({}, optional={
        "system": maybe(st.sampled_from(["lightspeed-x", "demo"])), "sale_id": maybe(st.sampled_from(["S-1", "S-2"])),
        "return_for": maybe(st.sampled_from([None, "S-1", "S-9"]))})),
    "customer": maybe(st.fixed_dictionaries({}, optional={
        "pos_id": maybe(st.sampled_from(["c-42", "c-9"])), "email": json_value, "phone": json_value,
        "first_name": json_value, "last_name": json_value})),
    "account_id": maybe(st.sampled_from([None, 1, 2, 10**20])),
    "lines": maybe(st.lists(line, max_size=4))})

BODIES = {
    "/api/v1/sales/commit": st.fixed_dictionaries({"sale": maybe(sale)}, optional={
        "reasons": maybe(st.dictionaries(st.sampled_from(["1", "x"]), json_value, max_size=2))}),
    "/api/v1/sales/preview": st.fixed_dictionaries({"sale": maybe(sale)}),
    "/api/v1/customers/resolve": st.fixed_dictionaries({}, optional={
        "pos": json_value, "customer": maybe(st.fixed_dictionaries({}, optional={
            "pos_id": json_value, "email": json_value, "phone": json_value}))}),
    "/api/v1/accounts": st.fixed_dictionaries({}, optional={
        "first_name": json_value, "last_name": maybe(st.just("B")), "email": json_value, "phone": json_value,
        "address": json_value, "link": json_value, "sms_consent": json_value}),
    "/api/v1/cards/1/redeem": st.fixed_dictionaries({}, optional={"sale": json_value, "item": json_value}),
}
SETTINGS = settings(max_examples=int(os.environ.get("LOYALTY_FUZZ_EXAMPLES", 60)), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("path", sorted(BODIES))
def test_random_bodies_get_a_json_answer_never_a_500(api, program, linked, path):
    @SETTINGS
    @given(body=st.one_of(BODIES[path], json_value))
    def check(body):
        r = api.post(path, body)
        assert r.status_code < 500, (r.status_code, body, r.data[:300])
        assert r.is_json
        if r.status_code >= 400:
            assert set(r.get_json()["error"]) >= {"code", "message", "fields"}

    check()
