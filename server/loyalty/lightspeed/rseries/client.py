"""A client of the R-Series API V3 for one account: the shared retry loop (``lightspeed.client``), plus

- the leaky bucket: every answer says how full the account's bucket is (``X-LS-API-Bucket-Level: used/size``)
  and how fast it drains (``X-LS-API-Drip-Rate`` units a second). Before a request the client estimates the
  level now and waits until the request fits, instead of earning a 429; a 429 still waits its Retry-After. The
  costs are read from the headers, not hard-coded (Lightspeed changed them in 2026): a request is assumed to
  cost what the last one of its kind did;
- OAuth: the bearer token comes from a ``TokenKeeper``; a 401 renews it once and asks again;
- paging: ``@attributes.next`` (cursor paging), else ``offset``/``limit`` against ``@attributes.count``.
"""
from __future__ import annotations

import json
import time
from typing import Callable, Iterator

from ..client import RetryPolicy, XSeriesClient, XSeriesError

MAX_LIMIT = 100


def as_list(value) -> list:
    """R-Series sends a one-element list as the element itself, and an empty one as "" or not at all."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


class RSeriesClient(XSeriesClient):
    def __init__(self, base_url: str, tokens, *, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 session=None):
        self.tokens = tokens
        super().__init__(base_url, tokens.current(), policy=policy, sleep=sleep, session=session)
        self.clock = clock
        self.level: float | None = None  # units used, as of ``level_at``
        self.size: float | None = None
        self.drip: float | None = None
        self.level_at = 0.0
        self.costs = {"GET": 1.0, "POST": 10.0, "PUT": 10.0, "DELETE": 10.0}

    # --- the leaky bucket ------------------------------------------------------------------------------------

    def _before_request(self, method: str):
        if self.level is None or not self.size or not self.drip:
            return
        cost = self.costs.get(method, 1.0)
        now_level = max(0.0, self.level - (self.clock() - self.level_at) * self.drip)
        if now_level + cost > self.size:
            self.sleep((now_level + cost - self.size) / self.drip)
        self._method = method
        self._level_before = max(0.0, self.level - (self.clock() - self.level_at) * self.drip)

    def _after_response(self, response):
        level = response.headers.get("X-LS-API-Bucket-Level")
        drip = response.headers.get("X-LS-API-Drip-Rate")
        try:
            used, size = (float(x) for x in level.split("/", 1))
            drip = float(drip)
        except (AttributeError, ValueError, TypeError):
            return
        if self.level is not None and response.status_code < 400 and getattr(self, "_method", None):
            # What this request cost: the level now, less what was left of the previous one.
            cost = used - getattr(self, "_level_before", used)
            if cost > 0:
                self.costs[self._method] = cost
        self.level, self.size, self.drip, self.level_at = used, size, drip, self.clock()

    # --- OAuth -----------------------------------------------------------------------------------------------

    def _unauthorized(self) -> bool:
        token = self.tokens.renew()
        self.session.headers["Authorization"] = f"Bearer {token}"
        return True

    # --- resources -------------------------------------------------------------------------------------------

    def post(self, resource: str, body: dict) -> dict:
        return self.request("POST", f"{resource}.json", json=body)

    def one(self, resource: str, object_id: str, relations: list | None = None) -> dict | None:
        params = {"load_relations": json.dumps(relations)} if relations else None
        try:
            body = self.request("GET", f"{resource}/{object_id}.json", params=params)
        except XSeriesError as exc:
            if "HTTP 404" in str(exc):
                return None
            raise
        found = as_list(body.get(resource))
        return found[0] if found else None

    def pages(self, resource: str, params: dict | None = None, relations: list | None = None,
              limit: int = MAX_LIMIT) -> Iterator[list]:
        """Each page of ``resource`` (a list of objects), following ``@attributes.next`` to the end."""
        query = {**(params or {}), "limit": min(limit, MAX_LIMIT)}
        if relations:
            query["load_relations"] = json.dumps(relations)
        path, offset = f"{resource}.json", 0
        while True:
            body = self.request("GET", path, params=query)
            items = as_list(body.get(resource))
            attributes = body.get("@attributes") or {}
            if items:
                yield items
            if "next" in attributes:
                if not attributes["next"]:
                    return
                path, query = attributes["next"], None  # the next URL carries every parameter
                continue
            # The older paging: offset/limit against count.
            offset += len(items)
            try:
                count = int(attributes.get("count") or 0)
            except ValueError:
                count = 0
            if not items or offset >= count:
                return
            query = {**query, "offset": offset}


def client_for(conn, *, policy: RetryPolicy | None = None, **kwargs) -> RSeriesClient:
    from .auth import TokenKeeper, rseries_account

    rseries_account(conn)  # NotFound for a connection that is not R-Series
    return RSeriesClient(conn.base_url, TokenKeeper(conn), policy=policy or RetryPolicy(), **kwargs)
