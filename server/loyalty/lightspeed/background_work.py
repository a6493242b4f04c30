"""What the background worker (loyalty.background) does for Lightspeed:

- ``lightspeed-rseries-poll``: every ``RSERIES_POLL_SECONDS`` (env ``LOYALTY_RSERIES_POLL_SECONDS``, default 60),
  poll every R-Series connection's completed sales and refunds (``rseries.poller.poll_all``; safe to run twice);
- ``pos.create_customer`` outbox rows: an account created in loyalty (the ``account.created`` event) is queued,
  in the same transaction, for each connection whose ``create_pos_customers`` is on; the worker then looks for
  the customer in the POS or creates it (``pos_customers.create_in_pos``). A POS that is down or refuses is
  retried with back-off, and never holds up or undoes the account.
"""
from __future__ import annotations

import os

from flask import current_app

from .. import events
from ..background import PermanentFailure, TemporaryFailure, enqueue, register_handler, register_job
from ..models import PosLink
from .client import BadToken, Unavailable, XSeriesError
from .pos_customers import OUTBOX_KIND, connections_creating_customers, create_in_pos

POLL_JOB = "lightspeed-rseries-poll"


def poll_rseries():
    from .rseries.poller import poll_all

    results = poll_all("worker")
    read = sum(r.get("received", 0) for r in results.values())
    failed = [name for name, r in results.items() if "error" in r]
    return f"{read} sales read" + (f"; stopped: {', '.join(failed)}" if failed else "") if results else None


def queue_pos_customers(account, actor=None, **_):
    """On ``account.created``, inside the account's transaction: one outbox row per connection creating
    customers, unless the account is already linked to a customer of that POS (created from the register)."""
    for conn in connections_creating_customers():
        if PosLink.select().where((PosLink.account == account.id) & (PosLink.pos_system == conn.system)
                                  & PosLink.unlinked_at.is_null()).exists():
            continue
        enqueue(OUTBOX_KIND, {"connection_id": conn.id, "account_id": account.id}, account_id=account.id,
                dedupe_key=f"{OUTBOX_KIND}:{conn.id}:{account.id}")


def create_pos_customer(item):
    try:
        create_in_pos(item.payload["connection_id"], item.payload["account_id"], actor="outbox",
                      region=current_app.config.get("PHONE_REGION", "US"))
    except (Unavailable, BadToken) as exc:  # down, rate limited, or a token to reconnect: worth trying later
        raise TemporaryFailure(str(exc)) from None
    except XSeriesError as exc:  # the POS refused this customer (its data): trying again would not help
        raise PermanentFailure(str(exc)) from None


def init_app(app):
    every = float(os.environ.get("LOYALTY_RSERIES_POLL_SECONDS") or app.config.get("RSERIES_POLL_SECONDS", 60))
    register_job(POLL_JOB, every, poll_rseries)
    register_handler(OUTBOX_KIND, create_pos_customer, max_attempts=10)
    events.on("account.created", queue_pos_customers)


def pos_customer_queue(limit: int = 50) -> list:
    """POS customers still to create, or that failed, newest first: what the POS connection page shows staff."""
    from ..background import OutboxItem
    from ..models import Account

    rows = list(OutboxItem.select().where((OutboxItem.kind == OUTBOX_KIND)
                                          & OutboxItem.state.in_(("pending", "sending", "failed")))
                .order_by(OutboxItem.id.desc()).limit(limit))
    accounts = {a.id: a for a in Account.select().where(Account.id.in_([r.account_id for r in rows] or [0]))}
    return [{"item": r, "account": accounts.get(r.account_id)} for r in rows]
