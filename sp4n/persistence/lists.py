"""The SQL of lists: a :class:`~sp4n.persistence.query.ComplaintQuery` as one SELECT on the
complaints table and its read-model columns, in keyset order, on the indexes of tables.py (or
as one SELECT COUNT of the same conditions).

A list is asked for often and with few distinct sets of filters, so its SELECT is built and
compiled once per *shape* (which filters are given, how many values each list holds, the order)
with every value a bound parameter; a call only binds the values and runs it on the driver's
connection (:mod:`.driver`), and each row becomes a complaint (built from the values in column
order, not by name) with its read-model due instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Engine, Select, and_, bindparam, false, func, or_, select, true, tuple_

from sp4n.persistence import tables as t
from sp4n.persistence.driver import Query
from sp4n.persistence.query import ROW_FIELDS, ComplaintQuery, Order, Rows
from sp4n.persistence.records import Complaint

_C = t.complaints.c
_EQUAL = ("unit", "sop_id", "category", "classification", "channel", "reporter_id", "tracking_number", "external_id")
_RANGES = ("submitted_from", "submitted_until", "updated_from", "updated_until", "due_before", "breached_at")
_SELECTED = [_C[name] for name in ROW_FIELDS]


class Shape(NamedTuple):
    """What the SELECT of a list is built from: the filters given and the length of each list."""

    visibility: tuple[int, int, bool] | None
    """Agencies and units in the viewer's scope, and whether they see their own reports (None:
    they see everything)."""
    equal: tuple[str, ...]
    states: int | None
    agencies: int | None
    reporters: int | None
    reporter_scope: tuple[int, int] | None
    """Agencies and units where a list by reporter may look (None: anywhere)."""
    ranges: tuple[str, ...]
    order: Order
    after: bool


def find_parameters(query: ComplaintQuery) -> tuple[Shape, dict[str, Any]]:
    """The shape of ``query``'s SELECT and the values to bind to it."""
    v = query.visibility
    values: dict[str, Any] = {"lim": query.limit}
    agencies, units = sorted(v.agencies), sorted(v.units)
    _numbered(values, "vis_agency", agencies)
    _numbered(values, "vis_unit", units)
    if v.reporter_id is not None:
        values["vis_reporter"] = v.reporter_id
    visibility = None if v.everything else (len(agencies), len(units), v.reporter_id is not None)
    equal = tuple(name for name in _EQUAL if getattr(query, name) is not None)
    for name in equal:
        values[name] = getattr(query, name)
    states = _numbered(values, "state", None if query.states is None else sorted(query.states))
    agency = _numbered(values, "agency", None if query.agencies is None else sorted(query.agencies))
    reporters = _numbered(values, "reporter", None if query.reporters is None else sorted(query.reporters))
    scope = query.reporter_scope
    reporter_scope = None
    if scope is not None:
        _numbered(values, "rs_agency", sorted(scope.agencies))
        _numbered(values, "rs_unit", sorted(scope.units))
        reporter_scope = (len(scope.agencies), len(scope.units))
    ranges = tuple(name for name in _RANGES if getattr(query, name) is not None)
    for name in ranges:
        values[name] = getattr(query, name)
    if query.after is not None:
        values["after_key"], values["after_id"] = query.after
    return Shape(
        visibility, equal, states, agency, reporters, reporter_scope, ranges, query.order, query.after is not None
    ), values


def _numbered(values: dict[str, Any], prefix: str, items: list[str] | None) -> int | None:
    """Bind ``items`` as ``prefix_0``, ``prefix_1``, ...; their count (None for no list)."""
    if items is None:
        return None
    for i, item in enumerate(items):
        values[f"{prefix}_{i}"] = item
    return len(items)


def _in(column: Any, prefix: str, count: int) -> Any:
    return column.in_([bindparam(f"{prefix}_{i}", type_=column.type) for i in range(count)]) if count else false()


def _in_scope(prefix: str, agencies: int, units: int) -> Any:
    """Complaints of the agencies (and, when some are given, units) bound as ``prefix_agency_i``
    and ``prefix_unit_i`` (none: no complaint)."""
    if agencies and units:
        return and_(_in(_C.agency, f"{prefix}_agency", agencies), _in(_C.unit, f"{prefix}_unit", units))
    return _in(_C.agency, f"{prefix}_agency", agencies)


def _visible(shape: tuple[int, int, bool] | None) -> Any:
    if shape is None:
        return true()
    agencies, units, reporter = shape
    allowed: list[Any] = [_C.confidential.is_(False), _in_scope("vis", agencies, units)]
    if reporter:
        allowed.append(_C.reporter_id == bindparam("vis_reporter", type_=_C.reporter_id.type))
    return or_(*allowed)


def _conditions(shape: Shape) -> list[Any]:
    """The conditions of a list of that shape: its filters and visibility (position aside)."""
    visibility, equal, states, agencies, reporters, reporter_scope, ranges, order, _ = shape
    where: list[Any] = [_visible(visibility)]
    where += [_C[name] == bindparam(name, type_=_C[name].type) for name in equal]
    if states is not None:
        where.append(_in(_C.state, "state", states))
    if agencies is not None:
        where.append(_in(_C.agency, "agency", agencies))
    if reporters is not None:
        where.append(_in(_C.reporter_id, "reporter", reporters))
    if reporter_scope is not None:
        where.append(and_(_C.anonymous.is_(False), _in_scope("rs", *reporter_scope)))
    instant = _C.submitted_at.type
    bound = {name: bindparam(name, type_=instant) for name in ranges}
    if "submitted_from" in bound:
        where.append(_C.submitted_at >= bound["submitted_from"])
    if "submitted_until" in bound:
        where.append(_C.submitted_at < bound["submitted_until"])
    if "updated_from" in bound:
        where.append(_C.updated_at >= bound["updated_from"])
    if "updated_until" in bound:
        where.append(_C.updated_at < bound["updated_until"])
    if "due_before" in bound:
        where.append(_C.next_due_at <= bound["due_before"])
    if "breached_at" in bound:
        where.append(or_(_C.breached.is_(True), _C.next_due_at <= bound["breached_at"]))
    if order is Order.DUE:
        where.append(_C.next_due_at.is_not(None))
    return where


@lru_cache(maxsize=256)
def find_statement(shape: Shape) -> Select[Any]:
    """The SELECT of one page of a list of that shape: a complaint's columns and its
    ``next_due_at``, at most ``:lim`` rows after ``(:after_key, :after_id)``."""
    where = _conditions(shape)
    key = _C.next_due_at if shape.order is Order.DUE else _C.submitted_at
    if shape.after:
        # row-value comparison: both databases walk the (key, id) index from that point
        position = tuple_(bindparam("after_key", type_=key.type), bindparam("after_id", type_=_C.id.type))
        where.append(tuple_(key, _C.id) > position)
    return select(*_SELECTED).where(and_(*where)).order_by(key, _C.id).limit(bindparam("lim"))


@lru_cache(maxsize=256)
def count_statement(shape: Shape) -> Select[Any]:
    """The SELECT COUNT of every row a list of that shape passes (its limit and position aside)."""
    return select(func.count()).select_from(t.complaints).where(and_(*_conditions(shape)))


class Lister:
    """The lists of one engine's store: each shape's SELECT compiled once for its dialect."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._compiled = lru_cache(maxsize=256)(self._compile)
        self._counted = lru_cache(maxsize=256)(self._compile_count)
        self._bound = lru_cache(maxsize=256)(self._bind)

    def _compile(self, shape: Shape) -> Query:
        return Query(find_statement(shape), self._engine)

    def _compile_count(self, shape: Shape) -> Query:
        return Query(count_statement(shape), self._engine)

    def count(self, cursor: Any, query: ComplaintQuery) -> int:
        """How many complaints pass ``query``, read on a DBAPI cursor (one SELECT COUNT)."""
        shape, values = find_parameters(replace(query, after=None))
        del values["lim"]
        compiled = self._counted(shape)
        (row,) = compiled.run(cursor, values)
        return int(compiled.values(row)[0])

    def find(self, cursor: Any, query: ComplaintQuery) -> list[tuple[Complaint, datetime | None]]:
        """A page of ``query`` read on a DBAPI cursor: each complaint with its ``next_due_at``."""
        compiled, found = self._run(cursor, query)
        return [(Complaint(*values[:-1]), values[-1]) for values in map(compiled.values, found)]

    def rows(self, cursor: Any, query: ComplaintQuery) -> Rows:
        """A page of ``query`` read on a DBAPI cursor, as the driver returns it, with the reader
        of each column (:class:`~sp4n.persistence.query.Rows`)."""
        compiled, found = self._run(cursor, query)
        return Rows(found, compiled.readers)

    def _run(self, cursor: Any, query: ComplaintQuery) -> tuple[Query, list[tuple[Any, ...]]]:
        compiled, params = self._bound(query)
        return compiled, compiled.run_bound(cursor, params)

    def _bind(self, query: ComplaintQuery) -> tuple[Query, Sequence[Any] | dict[str, Any]]:
        """The SELECT of ``query`` and the driver's parameters for it (kept for the queries
        asked again: a screen refreshed, the same page of a list asked by many)."""
        shape, values = find_parameters(query)
        compiled = self._compiled(shape)
        return compiled, compiled.bind(values)
