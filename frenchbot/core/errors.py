"""The one domain error of the project.

A service that refuses an input raises a ``DomainError`` (or an app's subclass of it): a French sentence for the
person, the field it is about, and a machine-readable ``code``. Pages show ``message`` next to ``field``; the JSON
API maps ``code`` to an HTTP status in one place (``config/api.py``), so no API view picks 409 or 422 by hand.
"""

from __future__ import annotations

from typing import Any

# What each code means over HTTP. A code not listed here answers 422: the input was refused.
HTTP_STATUS_BY_CODE = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "taken": 409,
    "rate_limited": 429,
    "unavailable": 503,
}


class DomainError(Exception):
    """A refusal the person can act on.

    Attributes:
        message: what to tell the person, in French (already translated), a whole sentence.
        field: the input it is about (a form field or a JSON key), or None for the request as a whole.
        code: what kind of refusal it is, for programs: a key of ``HTTP_STATUS_BY_CODE`` or an app's own code
            (which answers 422 over HTTP).
        errors: for a refusal of several inputs at once, each field (or question id) with its own message; the
            first one is also ``message`` and ``field`` when those are not given.
        extra: more JSON for the API's answer (say, the slots still free when the one asked for was taken).
    """

    default_code = "invalid"

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        code: str | None = None,
        errors: dict | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.errors = dict(errors or {})
        if not message and self.errors:
            first_field, message = next(iter(self.errors.items()))
            field = field if field is not None else str(first_field)
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code or self.default_code
        self.extra = dict(extra or {})

    @property
    def http_status(self) -> int:
        return HTTP_STATUS_BY_CODE.get(self.code, 422)

    def as_json(self) -> dict[str, Any]:
        """The body of the API's answer: ``{"detail", "field", "code"}``, ``errors`` when there are several,
        and ``extra``."""
        body: dict[str, Any] = {"detail": self.message, "field": self.field, "code": self.code}
        if self.errors:
            body["errors"] = {str(key): str(value) for key, value in self.errors.items()}
        return {**body, **self.extra}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code} field={self.field!r}: {self.message}>"
