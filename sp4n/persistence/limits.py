"""Field limits, checked before any store writes, so that every store refuses the same values.

SQLite stores a 65-character id in a VARCHAR(64) column and PostgreSQL refuses it; PostgreSQL
refuses a NUL character in text and SQLite keeps it; neither can encode a lone surrogate. So
each change is checked against the columns' lengths (read from the table definitions, so the
limits cannot drift from the schema) and for text every database takes, and refused with an
InvalidArgumentError naming the field and the value, before the memory store, SQLite or
PostgreSQL sees it.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import String, Table

from sp4n.documents import DocumentLimits, check_shape
from sp4n.errors import DocumentError, InvalidArgumentError
from sp4n.persistence import tables as t

MAX_TEXT = 100_000
"""The longest title, description or other unbounded text, in characters."""

DATA_LIMITS = DocumentLimits(max_depth=32, max_values=100_000, max_digits=30)
"""How deep and how large JSON data (attributes, command data) may be."""


def _lengths(table: Table) -> dict[str, int]:
    return {c.name: int(c.type.length) for c in table.columns if isinstance(c.type, String) and c.type.length}


_COMPLAINT = _lengths(t.complaints)
_EVENT = _lengths(t.events)
_CLOCK = _lengths(t.clocks)
_TIMER = _lengths(t.timers)


def complaint_limit(name: str) -> int | None:
    """How long a complaint's text field ``name`` may be (None: not a text field)."""
    if name in ("title", "description"):
        return MAX_TEXT
    return _COMPLAINT.get(name)


def check_text(value: str, field: str, limit: int = MAX_TEXT) -> None:
    """Text every store keeps alike: valid Unicode, no NUL, at most ``limit`` characters."""
    if len(value) > limit:
        raise InvalidArgumentError(field, value, f"text of at most {limit} characters (got {len(value)})")
    if "\x00" in value:
        raise InvalidArgumentError(field, value, "text without NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(field, value, "valid Unicode text (no lone surrogates)") from None


def check_data(value: Any, field: str) -> None:
    """JSON data every store keeps alike: bounded depth and size, short numbers, finite floats,
    string keys, and text as :func:`check_text` wants it."""
    try:
        check_shape(value, DATA_LIMITS)
    except DocumentError as exc:
        raise InvalidArgumentError(field, value, f"JSON data within limits: {exc.reason}") from None
    stack: list[tuple[Any, str]] = [(value, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            check_text(item, where)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidArgumentError(where, item, "a finite number")
        elif isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise InvalidArgumentError(where, key, "JSON data with text keys")
                check_text(key, f"{where} key", 200)
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((inner, f"{where}[{i}]") for i, inner in enumerate(item))


def _check_record(record: Any, lengths: dict[str, int], prefix: str) -> None:
    for name, limit in lengths.items():
        value = getattr(record, name, None)
        if isinstance(value, str):
            check_text(value, f"{prefix}{name}", limit)


def check_limits(change: Any) -> None:
    """Every field of a ChangeSet within the limits all stores share (see the module docstring)."""
    complaint = change.complaint
    _check_record(complaint, _COMPLAINT, "")
    check_text(complaint.title, "title")
    check_text(complaint.description, "description")
    check_data(complaint.attributes, "attributes")
    for event in change.events:
        _check_record(event, _EVENT, "event.")
        check_data(event.payload, "data")
    for ledger in change.clocks:
        _check_record(ledger, _CLOCK, "clock.")
    for timer in change.add_timers:
        _check_record(timer, _TIMER, "timer.")
