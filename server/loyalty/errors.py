"""Errors that carry an HTTP meaning but no Flask: the domain raises them, the API renders them."""
from __future__ import annotations


class BadSetting(ValueError):
    """A setting (an environment variable) the server cannot start with: the CLI says it in one line."""


class LoyaltyError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None,
                 status: int | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}
        self.extra = extra or {}

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message, "fields": self.fields}
        body.update(self.extra)
        return {"error": body}


class ValidationFailed(LoyaltyError):
    status = 422
    code = "invalid"


class NotFound(LoyaltyError):
    status = 404
    code = "not_found"


class Conflict(LoyaltyError):
    status = 409
    code = "conflict"


class Forbidden(LoyaltyError):
    status = 403
    code = "forbidden"


class Unauthorized(LoyaltyError):
    status = 401
    code = "unauthorized"
