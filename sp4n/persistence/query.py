"""What a list of complaints asks the store for: filters, visibility, order and a keyset position.

The store answers from the read model (columns of the complaints table kept by every change:
``next_due_at``, ``breached``, ``external_id``), never by replaying events. Pagination is by
keyset: a page ends at its last (sort value, id) and the next page starts after it, so a page
costs the same at row 10 as at row 1,000,000 and rows added meanwhile do not shift it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

from sp4n.persistence.records import Complaint

ROW_FIELDS = (*Complaint.__dataclass_fields__, "next_due_at")
"""What a row of a list holds, in order: a complaint's fields, then its earliest running due
instant (:meth:`Store.find_rows`)."""
_fields_of = attrgetter(*ROW_FIELDS[:-1])

Reader = Callable[[Any], Any] | None
"""How a value of a row becomes the field's value (None: it is already)."""


class Rows(NamedTuple):
    """A page of a list as rows (:meth:`Store.find_rows`): each complaint's values in
    :data:`ROW_FIELDS` order as the database gave them, and the reader of each position, which
    turns a value into the field's value (None too, as SQLAlchemy's result processors do).
    Reading is left to whoever makes something of the rows, so each value is read once, where
    it is used (a view that withholds the attributes never reads them)."""

    rows: Sequence[Sequence[Any]]
    readers: tuple[Reader, ...]

    def read(self, row: Sequence[Any], position: int) -> Any:
        """The field's value at ``position`` of ``row``."""
        value = row[position]
        reader = self.readers[position]
        return value if reader is None or value is None else reader(value)


class Order(StrEnum):
    """How a list is sorted (ties by complaint id)."""

    DUE = "due"
    """Earliest due instant of a running clock first; complaints with no running clock are left out."""
    SUBMITTED = "submitted"
    """Oldest receipt first."""


@dataclass(frozen=True)
class Visibility:
    """Which complaints a viewer may list: every non-confidential one, and confidential ones
    only within their scope (``everything``, an agency in ``agencies`` and, when ``units`` is
    given, one of those units, or their own reports)."""

    everything: bool = False
    agencies: frozenset[str] = frozenset()
    reporter_id: str | None = None
    units: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ComplaintQuery:
    """Filters of a list; None means "any". Instants are aware; periods are half-open [from, until)."""

    visibility: Visibility
    order: Order = Order.SUBMITTED
    limit: int = 50
    after: tuple[datetime, str] | None = None
    """The keyset position: the (sort value, id) of the last row of the previous page."""
    states: frozenset[str] | None = None
    agencies: frozenset[str] | None = None
    unit: str | None = None
    sop_id: str | None = None
    category: str | None = None
    classification: str | None = None
    channel: str | None = None
    reporter_id: str | None = None
    reporters: frozenset[str] | None = None
    """Only reports of one of these reporters (a book's check for likely duplicates asks once
    for all its reporters)."""
    submitted_from: datetime | None = None
    submitted_until: datetime | None = None
    updated_from: datetime | None = None
    updated_until: datetime | None = None
    due_before: datetime | None = None
    """Only complaints with a running clock due at or before this instant."""
    breached_at: datetime | None = None
    """Only complaints breached as of this instant: a running clock past due, or a run that ended late."""
    tracking_number: str | None = None
    external_id: str | None = None
    reporter_scope: Visibility | None = None
    """With a reporter filter, for a viewer who sees reporters only within a scope: only
    complaints whose reporter they see (not anonymous, of these agencies and units)."""

    @classmethod
    def of(cls, values: dict[str, Any]) -> ComplaintQuery:
        """The query with these fields (the others at their defaults), made without the 24
        ``object.__setattr__`` calls of a frozen dataclass's ``__init__``, which a list pays
        on every call; the values are the caller's to check, their names are checked here."""
        unknown = values.keys() - _QUERY_FIELDS
        if unknown or "visibility" not in values:
            raise TypeError(f"not the fields of a ComplaintQuery: {sorted(unknown) or 'no visibility'}")
        query = object.__new__(cls)
        object.__setattr__(query, "__dict__", {**_QUERY_DEFAULTS, **values})
        return query

    def page(self, limit: int, after: tuple[datetime, str] | None) -> ComplaintQuery:
        """This query with another limit and keyset position: ``dataclasses.replace`` without
        its checks and ``__init__`` of 24 fields, which a list pays on every page (the values
        are this query's, checked when it was made)."""
        page = object.__new__(ComplaintQuery)
        object.__setattr__(page, "__dict__", {**self.__dict__, "limit": limit, "after": after})
        return page


_QUERY_FIELDS = frozenset(ComplaintQuery.__dataclass_fields__)
_QUERY_DEFAULTS = {
    f.name: f.default for f in ComplaintQuery.__dataclass_fields__.values() if f.default is not dataclasses.MISSING
}


def in_scope(complaint: Complaint, scope: Visibility) -> bool:
    """Whether ``complaint`` lies within the agencies (and units) of ``scope``."""
    return (
        complaint.agency is not None
        and complaint.agency in scope.agencies
        and (not scope.units or complaint.unit in scope.units)
    )


def matches(complaint: Complaint, next_due_at: datetime | None, breached: bool, query: ComplaintQuery) -> bool:
    """Whether a complaint (with its read-model facts) passes ``query``'s filters and visibility
    (the in-memory store's way; the SQL store says the same in SQL)."""
    v = query.visibility
    if complaint.confidential and not (
        v.everything or in_scope(complaint, v) or (v.reporter_id is not None and complaint.reporter_id == v.reporter_id)
    ):
        return False
    scope = query.reporter_scope
    if scope is not None and (complaint.anonymous or not in_scope(complaint, scope)):
        return False
    equal = (
        (query.unit, complaint.unit),
        (query.sop_id, complaint.sop_id),
        (query.category, complaint.category),
        (query.classification, complaint.classification),
        (query.channel, complaint.channel),
        (query.reporter_id, complaint.reporter_id),
        (query.tracking_number, complaint.tracking_number),
        (query.external_id, complaint.external_id),
    )
    if any(wanted is not None and wanted != value for wanted, value in equal):
        return False
    if query.states is not None and complaint.state not in query.states:
        return False
    if query.agencies is not None and complaint.agency not in query.agencies:
        return False
    if query.reporters is not None and complaint.reporter_id not in query.reporters:
        return False
    if query.submitted_from is not None and complaint.submitted_at < query.submitted_from:
        return False
    if query.submitted_until is not None and complaint.submitted_at >= query.submitted_until:
        return False
    if query.updated_from is not None and complaint.updated_at < query.updated_from:
        return False
    if query.updated_until is not None and complaint.updated_at >= query.updated_until:
        return False
    if query.due_before is not None and (next_due_at is None or next_due_at > query.due_before):
        return False
    if query.breached_at is not None and not (
        breached or (next_due_at is not None and next_due_at <= query.breached_at)
    ):
        return False
    return not (query.order is Order.DUE and next_due_at is None)


def as_rows(found: Sequence[tuple[Complaint, datetime | None]]) -> Rows:
    """Complaints and their due instants as the rows of a list, with nothing left to read."""
    return Rows([(*_fields_of(complaint), due) for complaint, due in found], _AS_IS)


_AS_IS: tuple[Reader, ...] = (None,) * len(ROW_FIELDS)


def sort_key(complaint: Complaint, next_due_at: datetime | None, order: Order) -> tuple[datetime, str]:
    """The keyset of a row in ``order``: (sort value, id)."""
    if order is Order.DUE:
        assert next_due_at is not None  # matches() leaves the others out
        return (next_due_at, complaint.id)
    return (complaint.submitted_at, complaint.id)
