"""Domain errors shared by every app. Services raise these (or Django's ValidationError)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; `field` names the input it is about, if any."""

    status_code = 400
    code = "invalid"
    extra: dict | None = None  # JSON-ready details the API adds to the error (e.g. next_slots)

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class ConflictError(DomainError):
    """The request lost a race or clashes with existing state (HTTP 409)."""

    status_code = 409
    code = "conflict"
