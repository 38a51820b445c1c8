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
from functools import lru_cache
from typing import Any

from sqlalchemy import String, Table

from sp4n.documents import DocumentLimits
from sp4n.errors import InvalidArgumentError
from sp4n.persistence import tables as t

MAX_TEXT = 100_000
"""The longest title, description or other unbounded text, in characters."""

DATA_LIMITS = DocumentLimits(max_depth=32, max_values=100_000, max_digits=30)
"""How deep and how large JSON data (attributes, command data) may be."""


def _lengths(table: Table) -> dict[str, int]:
    return {c.name: int(c.type.length) for c in table.columns if isinstance(c.type, String) and c.type.length}


_COMPLAINT = _lengths(t.complaints)
_EVENT = _lengths(t.events)
_TIMER = _lengths(t.timers)


def complaint_limit(name: str) -> int | None:
    """How long a complaint's text field ``name`` may be (None: not a text field)."""
    if name in ("title", "description"):
        return MAX_TEXT
    return _COMPLAINT.get(name)


def check_text(value: str, field: str, limit: int = MAX_TEXT) -> None:
    """Text every store keeps alike: valid Unicode, no NUL, at most ``limit`` characters."""
    if len(value) <= limit and value.isascii() and "\x00" not in value:
        return  # the common case, checked in one pass
    if len(value) > limit:
        raise InvalidArgumentError(field, value, f"text of at most {limit} characters (got {len(value)})")
    if "\x00" in value:
        raise InvalidArgumentError(field, value, "text without NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(field, value, "valid Unicode text (no lone surrogates)") from None


def _path(parent: str, key: object) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"


def _where(entry: tuple[Any, Any, Any, int]) -> str:
    """The path of a value on :func:`check_data`'s stack: its parents' keys, from the field."""
    keys = []
    while entry[1] is not None:
        keys.append(entry[2])
        entry = entry[1]
    where = str(entry[2])
    for key in reversed(keys):
        where = _path(where, key)
    return where


def check_data(value: Any, field: str, not_json: type[Exception] = InvalidArgumentError) -> None:
    """JSON data every store keeps alike, in one walk without recursion (so 100,000-deep data is
    refused, not a RecursionError): bounded depth and size, numbers of at most
    ``DATA_LIMITS.max_digits`` digits, finite floats, text keys, and text as :func:`check_text`
    wants it. A value of another type raises ``not_json(field, value, reason)``."""
    limits = DATA_LIMITS
    count = 0
    # (value, its parent's entry, its key): a value's path ("data.items[2].name") is only spelled
    # out for an error, not built for every value checked
    stack: list[tuple[Any, Any, Any, int]] = [(value, None, field, 1)]
    while stack:
        entry = stack.pop()
        item, _, _, depth = entry
        count += 1
        kind = type(item)
        if kind is str:
            if len(item) > MAX_TEXT or not item.isascii() or "\x00" in item:  # the common case inline
                check_text(item, _where(entry))
        elif item is None or kind is bool:
            continue
        elif kind is int:
            if item.bit_length() > limits.max_digits * 10 // 3:  # about max_digits decimal digits
                raise InvalidArgumentError(
                    field, value, f"JSON data within limits: a number of more than {limits.max_digits} digits"
                )
        elif kind is float:
            if not math.isfinite(item):
                raise InvalidArgumentError(_where(entry), item, "a finite number")
        elif kind is dict or kind is list or kind is tuple:
            if depth >= limits.max_depth or count + len(item) > limits.max_values:
                reason = (
                    f"nested deeper than {limits.max_depth} levels"
                    if depth >= limits.max_depth
                    else f"more than {limits.max_values} values"
                )
                raise InvalidArgumentError(field, value, f"JSON data within limits: {reason}")
            if kind is dict:
                for key, inner in item.items():
                    if type(key) is not str:
                        raise InvalidArgumentError(_where(entry), key, "JSON data with text keys")
                    if len(key) > 200 or not key.isascii() or "\x00" in key:
                        check_text(key, f"{_where(entry)} key", 200)
                    stack.append((inner, entry, key, depth + 1))
            else:
                stack.extend((inner, entry, i, depth + 1) for i, inner in enumerate(item))
        elif isinstance(item, str | int | float | dict | list | tuple):
            stack.append((json_plain(item), entry[1], entry[2], depth))  # a subclass (an IntEnum, an OrderedDict)
            count -= 1
        else:
            raise not_json(_where(entry), item, "JSON data: text, numbers, booleans, null, lists and objects")


def json_plain(item: Any) -> Any:
    """A subclass of a JSON type as the plain type (an IntEnum as int, an OrderedDict as dict)."""
    if isinstance(item, bool):
        return bool(item)
    if isinstance(item, str):
        return str(item)
    if isinstance(item, int):
        return int(item)
    if isinstance(item, float):
        return float(item)
    if isinstance(item, dict):
        return dict(item)
    return list(item) if isinstance(item, list | tuple) else item


Fields = tuple[tuple[str, int], ...]
"""(name, column length) of the text fields a record's check reads, precompiled once."""

_COMPLAINT_FIELDS: Fields = tuple(_COMPLAINT.items())
_EVENT_FIELDS: Fields = tuple(_EVENT.items())


@lru_cache(maxsize=256)
def _complaint_fields(names: tuple[str, ...]) -> Fields:
    """The text fields among ``names`` (a change's ``fields``), for each set of names once."""
    return tuple((n, _COMPLAINT[n]) for n in names if n in _COMPLAINT)


def _check_record(record: Any, fields: Fields, prefix: str) -> None:
    values = record.__dict__
    for name, limit in fields:
        value = values.get(name)
        # inline fast path: most values are short ASCII (the hot path saves several records a command)
        if type(value) is str and (len(value) > limit or not value.isascii() or "\x00" in value):
            check_text(value, f"{prefix}{name}", limit)


def check_limits(change: Any) -> None:
    """Every field of a ChangeSet within the limits all stores share (see the module docstring).

    Of a stored complaint only the fields the change names (``change.fields``) are checked: the
    rest were checked when they were written, and SQL stores write only those."""
    complaint = change.complaint
    names = change.fields if change.expected_version and change.fields is not None else None
    _check_record(complaint, _COMPLAINT_FIELDS if names is None else _complaint_fields(names), "")
    if names is None or "title" in names:
        check_text(complaint.title, "title")
    if names is None or "description" in names:
        check_text(complaint.description, "description")
    if names is None or "attributes" in names:
        check_data(complaint.attributes, "attributes")
    for event in change.events:
        _check_record(event, _EVENT_FIELDS, "event.")
        check_data(event.payload, "data")
    # a ledger's fields are the complaint's id and the SOP's identifiers (at most 64 characters,
    # as the column): nothing to check; a timer's id joins three of them, and may be too long
    timer_id = _TIMER["id"]
    for timer in change.add_timers:
        if len(timer.id) > timer_id:
            check_text(timer.id, "timer.id", timer_id)
