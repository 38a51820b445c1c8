"""Errors as RFC 9457 problem details (``application/problem+json``).

One table maps sp4n's error tree (:mod:`sp4n.errors`) to HTTP statuses; the body carries the
sp4n error type (``error``), the ``field`` and the ``value`` when the error names them, and
whether a retry may succeed. Errors of storage and anything unexpected are answered with a
fixed text: no traceback, SQL or database URL ever reaches a client (they go to the log).
A complaint the caller may not see is answered exactly as one that does not exist.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from sp4n import errors as e

log = logging.getLogger("sp4n.service")

PROBLEM_JSON = "application/problem+json"

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (e.ComplaintNotFound, 404),
    (e.ComplaintNotVisible, 404),
    (e.SopNotFoundError, 404),
    (e.ConsumerNotFound, 404),
    (e.DuplicateConsumer, 409),
    (e.ConcurrencyConflict, 409),
    (e.IdempotencyConflict, 409),
    (e.DuplicateComplaint, 409),
    (e.TransitionNotAllowed, 409),
    (e.PermissionDenied, 403),
    (e.DatabaseUnavailable, 503),
    (e.SchemaOutdated, 503),
    (e.StoreError, 500),
    (e.MissingData, 422),
    (e.InvalidData, 422),
    (e.InvalidArgumentError, 422),
    (e.SopValidationError, 422),
    (e.CalendarError, 422),
    (e.BookError, 422),
    (e.Sp4nError, 400),
)
"""The first class an error is an instance of gives its status (subclasses come first)."""

_HIDDEN = {
    500: "the service could not complete the request; it has been logged",
    503: "the database is not available; retry later",
}
"""What a client is told of errors whose own message may name the database or its SQL."""

NOT_FOUND = "no complaint with this id is visible to the caller"


class Problem(Exception):
    """An HTTP problem the service raises itself (authentication, preconditions, limits)."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        *,
        field: str | None = None,
        value: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.field = field
        self.value = value
        self.headers = headers or {}
        super().__init__(detail)


def status_of(exc: Exception) -> int:
    """The HTTP status of an sp4n error."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def _json_value(value: Any) -> Any:
    """The value an error names, as JSON (its repr, cut short, when it is not plain data)."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)[:200]
    return value if len(text) <= 500 else text[:200]


def problem_response(
    request: Request | None,
    status: int,
    error: str,
    detail: str,
    *,
    field: str | None = None,
    value: Any = None,
    retryable: bool = False,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response (``extra``: members of the problem's own type)."""
    body: dict[str, Any] = {
        "type": f"urn:sp4n:problem:{error}",
        "title": error,
        "status": status,
        "detail": detail,
        "error": error,
        "retryable": retryable,
    }
    if request is not None:
        body["instance"] = request.url.path
    if field is not None:
        body["field"] = field
        body["value"] = _json_value(value)
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(exc: Exception) -> tuple[str | None, Any]:
    for name in ("field", "argument"):
        if isinstance(getattr(exc, name, None), str):
            return getattr(exc, name), getattr(exc, "value", None)
    if isinstance(exc, e.MissingData):
        return ",".join(exc.fields), None
    if isinstance(exc, e.SopValidationError):
        return exc.location or None, None
    return None, None


def sp4n_problem(request: Request | None, exc: Exception) -> JSONResponse:
    """The problem response of an sp4n error (or of anything else, hidden)."""
    status = status_of(exc) if isinstance(exc, e.Sp4nError) else 500
    error = type(exc).__name__ if isinstance(exc, e.Sp4nError) else "InternalError"
    if status in _HIDDEN:
        log.error("request failed: %s", exc, exc_info=exc)
        retryable = status == 503
        return problem_response(request, status, error, _HIDDEN[status], retryable=retryable)
    if isinstance(exc, e.ComplaintNotFound | e.ComplaintNotVisible):
        return problem_response(request, 404, "ComplaintNotFound", NOT_FOUND)
    field, value = _field_of(exc)
    retryable = isinstance(exc, e.ConcurrencyConflict)
    extra = {"problems": exc.problems} if isinstance(exc, e.BookError) else None
    return problem_response(
        request, status, error, str(exc), field=field, value=value, retryable=retryable, extra=extra
    )


async def handle_sp4n(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for every sp4n error and every unexpected exception."""
    return sp4n_problem(request, exc)


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    """The app's handler for the service's own problems."""
    assert isinstance(exc, Problem)
    return problem_response(
        request, exc.status, exc.error, exc.detail, field=exc.field, value=exc.value, headers=exc.headers
    )
