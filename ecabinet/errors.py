"""The one error shape: `{"ok": false, "error": code, "message": text, "status": n}`.

Services raise these; the app turns them (and framework errors) into that JSON body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ecabinet.messages import translate


class AppError(Exception):
    """An error meant for the client, carrying its HTTP status and a stable code."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.details = details

    def body(self, language: str = "en") -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, language, **self.details)


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class PollClosed(Conflict):
    """A ballot for a poll that is not open (closed, or not yet opened)."""

    code = "poll_closed"


class AlreadyVoted(Conflict):
    """A second ballot from one member (a new Idempotency-Key, not a retry)."""

    code = "already_voted"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class NotReady(AppError):
    """The thing exists but is still being made (a page of a document still processing)."""

    status = 409
    code = "not_ready"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


class Invalid(AppError):
    status = 422
    code = "invalid"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


def error_body(status: int, code: str, message: str, language: str = "en", **details: Any) -> dict[str, Any]:
    """The JSON body of every error answer, its messages in `language`."""
    if language != "en":
        message = translate(message, language)
        for key in ("errors", "fields"):
            if isinstance(details.get(key), list):
                details[key] = [
                    {**item, "message": translate(item["message"], language)} if "message" in item else item
                    for item in details[key]
                ]
    return {"ok": False, "error": code, "message": message, "status": status, **details}
