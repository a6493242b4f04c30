"""A local stand-in for Twilio's Messages API (the documented request and answer shapes), with failures on demand.

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json   form To, From, Body; HTTP basic auth (sid, token)
      201 {"sid": "SM…", "status": "queued", "to", "from", "body", "account_sid", ...}
      errors {"code": <Twilio error code>, "message", "more_info", "status"}

``standin.fail_next(n, status)`` makes the next ``n`` requests fail (503: provider down; 429: rate limited);
``standin.refuse(number, code)`` answers 400 with that Twilio error code for one recipient (21211 invalid number,
21610 the recipient replied STOP)."""
from __future__ import annotations

import secrets
import threading

from flask import Flask, jsonify, request


class SmsStandIn:
    def __init__(self, sid="AC" + "0" * 32, token="standin-auth-token"):
        self.sid, self.token = sid, token
        self.sent: list[dict] = []
        self.requests = 0
        self._failures: list[int] = []
        self._refused: dict[str, int] = {}
        self._lock = threading.Lock()
        self.app = self._make_app()

    def fail_next(self, n: int, status: int = 503):
        self._failures.extend([status] * n)

    def refuse(self, number: str, code: int):
        self._refused[number] = code

    def _make_app(self):
        app = Flask("sms_standin")

        @app.get("/api/v1/health")  # LiveServer's readiness check
        def health():
            return {"ok": True}

        @app.post("/2010-04-01/Accounts/<sid>/Messages.json")
        def messages(sid):
            with self._lock:
                self.requests += 1
                failure = self._failures.pop(0) if self._failures else None
            auth = request.authorization
            if not auth or auth.username != self.sid or auth.password != self.token or sid != self.sid:
                return jsonify(code=20003, message="Authenticate", status=401), 401
            if failure:
                return jsonify(code=20429 if failure == 429 else 20500, message="Service unavailable",
                               status=failure), failure
            to, sender, body = (request.form.get(k) for k in ("To", "From", "Body"))
            if not to or not sender or not body:
                return jsonify(code=21604, message="A 'To' phone number is required.", status=400), 400
            if to in self._refused:
                return jsonify(code=self._refused[to], message="refused", status=400,
                               more_info=f"https://www.twilio.com/docs/errors/{self._refused[to]}"), 400
            message = {"sid": "SM" + secrets.token_hex(16), "status": "queued", "to": to, "from": sender,
                       "body": body, "account_sid": sid, "num_segments": "1", "direction": "outbound-api"}
            with self._lock:
                self.sent.append(message)
            return jsonify(message), 201

        return app
