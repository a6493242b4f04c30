"""Lightspeed R-Series (Retail) through its API V3: OAuth connect with rotating tokens (auth), a client that
respects the leaky bucket and pages (client), Item and Customer sync into the shared catalog (sync), completed
sales and refunds polled by timeStamp and committed as the register would (poller)."""
from __future__ import annotations

from . import models  # noqa: F401  (registers the tables)
from .models import SYSTEM  # noqa: F401
