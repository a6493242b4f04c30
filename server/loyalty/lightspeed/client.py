"""A small client of the X-Series REST API (2.0 list endpoints, or a dated version such as 2026-01).

Lists page with the ``version`` cursor: ask ``after=<previous page's version.max>`` with ``page_size``; a page
with empty ``data`` ends the walk. Rate limits (429) wait as long as ``Retry-After`` says; 5xx answers,
timeouts and dropped connections retry with exponential back-off. The token travels only in the
``Authorization`` header and never appears in an exception's text or a log line.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import requests

log = logging.getLogger("loyalty.lightspeed")

DEFAULT_HOST = "https://{prefix}.retail.lightspeed.app"


def default_base_url(prefix: str, api_version: str = "2.0") -> str:
    return f"{DEFAULT_HOST.format(prefix=prefix)}/api/{api_version}"


class XSeriesError(Exception):
    """The API could not be used; the message says why and what to do, never the token."""


class BadToken(XSeriesError):
    pass


class Unavailable(XSeriesError):
    pass


@dataclass
class Page:
    data: list
    version_max: int | None


@dataclass
class RetryPolicy:
    attempts: int = 5  # tries per request, the first included
    base_delay: float = 1.0  # back-off: base_delay * 2**retry, at most max_delay
    max_delay: float = 60.0
    timeout: float = 20.0  # seconds per request (connect and read)
    longest_wait: float = 300.0  # a Retry-After longer than this gives up instead of blocking the command


class XSeriesClient:
    def __init__(self, base_url: str, token: str, *, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.sleep = sleep  # injectable, so tests assert the delays asked for instead of waiting
        self.session = session or requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json",
                                     "User-Agent": "loyalty-bridge"})

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- one request, with retries -------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None) -> dict:
        return self.request("GET", path, params=params)

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _before_request(self, method: str):
        """A hook: R-Series waits here for room in its leaky bucket."""

    def _after_response(self, response):
        """A hook: R-Series reads its bucket level here."""

    def _unauthorized(self) -> bool:
        """A hook: True when the credentials were renewed and the request should go again (R-Series refreshes
        its OAuth token); X-Series tokens do not renew."""
        return False

    def request(self, method: str, path: str, params: dict | None = None, json: dict | None = None) -> dict:
        url = self._url(path)
        label = path.split("?", 1)[0].rsplit("/", 1)[-1] if path.startswith("http") else path
        last = ""
        renewed = False
        attempt = 0
        while attempt < self.policy.attempts:
            retry_after = None
            self._before_request(method)
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.policy.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last = f"{type(exc).__name__} after {self.policy.timeout:g} s" if isinstance(
                    exc, requests.Timeout) else "connection failed"
            else:
                with response:
                    self._after_response(response)
                    body, last, retry_after = self._read(response, label)
                # Raised only once the response is gone: a traceback kept by the caller would otherwise keep
                # its socket open.
                del response
                if isinstance(body, BadToken) and not renewed and self._unauthorized():
                    renewed = True  # once: a token refused right after its renewal is a real refusal
                    continue
                if isinstance(body, XSeriesError):
                    raise body
                if last is None:
                    return body
            attempt += 1
            if attempt == self.policy.attempts:
                break
            delay = self._delay(attempt - 1, retry_after)
            if delay > self.policy.longest_wait:
                raise Unavailable(f"Lightspeed {label}: {last}, asked to wait {delay:.0f} s; run the sync again "
                                  "later (it resumes where it stopped)")
            log.warning("Lightspeed %s: %s; retrying in %.1f s (try %d of %d)", label, last, delay, attempt + 1,
                        self.policy.attempts)
            self.sleep(delay)
        raise Unavailable(f"Lightspeed {label}: {last}, {self.policy.attempts} tries; run the sync again later "
                          "(it resumes where it stopped)")

    @staticmethod
    def _read(response, path: str) -> tuple:
        """(body, None, None) for a success; (None, why, Retry-After seconds) for an answer worth retrying;
        (an error to raise, None, None) for one that is not."""
        if response.status_code in (401, 403):
            return BadToken(f"Lightspeed refused the API token (HTTP {response.status_code}) for {path}: "
                            "check the token and its scopes, then connect again with a valid one "
                            "(staff app: POS connection; CLI: loyalty pos connect)"), None, None
        if response.status_code == 429:
            return None, "rate limited (HTTP 429)", parse_retry_after(response.headers.get("Retry-After"))
        if response.status_code >= 500:
            return None, f"HTTP {response.status_code}", None
        if response.status_code >= 400:
            return XSeriesError(f"Lightspeed answered HTTP {response.status_code} for {path}"), None, None
        try:
            return response.json(), None, None
        except ValueError:
            return XSeriesError(f"Lightspeed answered {path} with something that is not JSON"), None, None

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # Honour the server's wait even past max_delay: asking again sooner only earns another 429.
            return retry_after
        return min(self.policy.max_delay, self.policy.base_delay * (2 ** attempt))

    # --- paging ----------------------------------------------------------------------------------------------

    def pages(self, resource: str, after: int = 0, page_size: int = 200, **params) -> Iterator[Page]:
        """Each page of ``resource`` after version ``after``, until an empty page."""
        while True:
            body = self.get(resource, {"after": after, "page_size": page_size, **params})
            data = body.get("data") or []
            if not data:
                return
            version_max = (body.get("version") or {}).get("max")
            if version_max is None:
                version_max = max((item.get("version") or 0) for item in data)
            if version_max <= after:
                raise XSeriesError(f"Lightspeed {resource}: the version cursor did not advance ({after})")
            yield Page(data=data, version_max=int(version_max))
            after = int(version_max)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())
