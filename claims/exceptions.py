"""Domain errors. Each has a stable ``code``; the API and the views turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class NotPermitted(DomainError):
    """The user may not do this."""

    code = "forbidden"
    http_status = 403


class TransitionNotAllowed(DomainError):
    """The workflow does not allow this action from the claim's current state."""

    code = "invalid_transition"
    http_status = 409


class GuardFailed(DomainError):
    """The action is allowed from this state, but a condition does not hold."""

    code = "guard_failed"
    http_status = 400


class Conflict(DomainError):
    """Someone else changed the row first (compare-and-set found nothing to update)."""

    code = "conflict"
    http_status = 409


class InvalidInput(DomainError):
    """A value is missing or malformed; ``field`` names it."""

    code = "invalid"
    http_status = 400
