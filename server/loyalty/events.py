"""Domain events for features that react inside the same transaction (e.g. queue a welcome email).

The domain calls ``emit("account.created", account=...)`` inside its write transaction; a feature subscribes with
``on("account.created", func)`` at import time. A subscriber writes only rows (an outbox row, an audit row): if the
event's transaction rolls back, so does what the subscriber wrote. Domain code thus never imports the features that
react to it.

Events emitted today:
- ``account.created`` (account, actor)
- ``card.completed`` (card, account_id): a punch card reached its goal, a reward is available
- ``member_card.assigned`` (card, account, actor): a member card was given to an account (the card email)
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def on(name: str, func: Callable) -> Callable:
    if func not in _subscribers[name]:
        _subscribers[name].append(func)
    return func


def emit(name: str, **data):
    for func in list(_subscribers.get(name, ())):
        func(**data)

