"""The review queue: a webhook's multi-purchase punches get their reason from a manager."""
import pytest

from builders import line, sale
from loyalty.domain.adjustments import review_punch
from loyalty.domain.sales import Options, commit_sale
from loyalty.errors import Conflict, ValidationFailed
from loyalty.models import AuditLog, Punch
from loyalty.schemas import SaleSchema
from webtools import text


@pytest.fixture
def flagged(program, linked):
    body = SaleSchema().load(sale("W-1", lines=[line(1, qty=3)]))
    commit_sale(body, {}, Options(actor="webhook", ask_reasons=False, source="webhook"))
    return Punch.get(Punch.needs_review == True)  # noqa: E712


def test_manager_records_the_reason(manager, flagged):
    page = text(manager.get("/review"))
    assert "Dana Whitfield" in page and "W-1" in page
    r = manager.post(f"/review/{flagged.id}", {"reason": "Multiple pets", "note": "two dogs"})
    assert r.status_code == 302
    row = Punch.get_by_id(flagged.id)
    assert (row.needs_review, row.reason, row.note, row.quantity) == (False, "Multiple pets", "two dogs", 3)
    audit = AuditLog.get(AuditLog.action == "punch.review")
    assert audit.details["before"]["reason"] == "needs reason" and audit.actor == "user:manager1"
    assert "Nothing to review" in text(manager.get("/review"))


def test_review_refuses_unknown_reasons_and_a_second_review(flagged):
    allowed = ("Multiple pets", "Other")
    with pytest.raises(ValidationFailed):
        review_punch(flagged.id, "user:boss", reason="Because", allowed=allowed)
    with pytest.raises(ValidationFailed, match="note"):
        review_punch(flagged.id, "user:boss", reason="Other", allowed=allowed)
    review_punch(flagged.id, "user:boss", reason="Other", note="a kennel", allowed=allowed)
    with pytest.raises(Conflict):
        review_punch(flagged.id, "user:boss", reason="Multiple pets", allowed=allowed)


def test_cashier_cannot_review(cashier, flagged):
    assert cashier.get("/review").status_code == 403
    assert cashier.post(f"/review/{flagged.id}", {"reason": "Other"}).status_code == 403
