"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives, for the email tests."""
from __future__ import annotations

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd cannot listen on port 0 (its readiness check connects to the port it was given)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps each message; recipients starting with ``bounce`` are refused with a 550."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """``server.start()`` / ``server.stop()`` (stop it to play a mail server that is down); ``server.url``."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.inbox.messages
