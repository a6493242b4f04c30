"""Sending one email over SMTP (the standard library's smtplib), with failures sorted into "try again later"
and "never": a 5xx answer to the recipient or the message is a bounce; anything else (a refused connection, a
4xx, a timeout) is temporary.

``LOYALTY_SMTP_URL``: ``smtp://host:25`` (plain, STARTTLS when the server offers it), ``smtp://host:587?starttls=1``
(STARTTLS required), ``smtps://user:pass@host:465`` (TLS from the start); user and password are URL-quoted."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from ..background import PermanentFailure, TemporaryFailure

TIMEOUT = 20


class Bounced(PermanentFailure):
    """The server refused the recipient for good."""


@dataclass
class SmtpSettings:
    host: str
    port: int
    tls: bool
    starttls: bool | None  # None: use it when offered
    user: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> "SmtpSettings":
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError("LOYALTY_SMTP_URL must look like smtp://host:port or smtps://user:pass@host:465")
        query = parse_qs(parsed.query)
        tls = parsed.scheme == "smtps"
        starttls = None if "starttls" not in query else query["starttls"][0] in ("1", "true", "yes")
        return cls(parsed.hostname, parsed.port or (465 if tls else 25), tls, starttls,
                   unquote(parsed.username) if parsed.username else None,
                   unquote(parsed.password) if parsed.password else None)


def send(settings: SmtpSettings, message: EmailMessage):
    try:
        if settings.tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with client:
            client.ehlo()
            if not settings.tls and (settings.starttls or (settings.starttls is None
                                                            and client.has_extn("starttls"))):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for code, msg in exc.recipients.values())
        if codes and all(500 <= c < 600 for c in codes):
            raise Bounced(f"recipient refused: {text}") from None
        raise TemporaryFailure(f"recipient deferred: {text}") from None
    except smtplib.SMTPResponseException as exc:
        text = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            raise TemporaryFailure(f"SMTP sign-in refused (check LOYALTY_SMTP_URL): {exc.smtp_code}") from None
        if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused):
            raise PermanentFailure(f"message refused: {text}") from None
        raise TemporaryFailure(f"SMTP server said {text}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(f"SMTP server unreachable: {type(exc).__name__}: {exc}") from None
