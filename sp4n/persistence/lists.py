"""The SQL of lists: a :class:`~sp4n.persistence.query.ComplaintQuery` as one SELECT on the
complaints table and its read-model columns, in keyset order, on the indexes of tables.py (or
as one SELECT COUNT of the same conditions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, false, func, literal, or_, select, true, tuple_

from sp4n.persistence import tables as t
from sp4n.persistence.query import ComplaintQuery, Order

_C = t.complaints.c


def _visible(query: ComplaintQuery) -> Any:
    v = query.visibility
    if v.everything:
        return true()
    allowed: list[Any] = [_C.confidential.is_(False)]
    if v.agencies and v.units:
        allowed.append(and_(_C.agency.in_(sorted(v.agencies)), _C.unit.in_(sorted(v.units))))
    elif v.agencies:
        allowed.append(_C.agency.in_(sorted(v.agencies)))
    if v.reporter_id is not None:
        allowed.append(_C.reporter_id == v.reporter_id)
    return or_(*allowed)


def _where(query: ComplaintQuery) -> list[Any]:
    """The conditions of ``query``'s filters and visibility (its order and position aside)."""
    where: list[Any] = [_visible(query)]
    for column, wanted in (
        (_C.unit, query.unit),
        (_C.sop_id, query.sop_id),
        (_C.category, query.category),
        (_C.classification, query.classification),
        (_C.channel, query.channel),
        (_C.reporter_id, query.reporter_id),
        (_C.tracking_number, query.tracking_number),
        (_C.external_id, query.external_id),
    ):
        if wanted is not None:
            where.append(column == wanted)
    if query.states is not None:
        where.append(_C.state.in_(sorted(query.states)) if query.states else false())
    if query.agencies is not None:
        where.append(_C.agency.in_(sorted(query.agencies)) if query.agencies else false())
    if query.submitted_from is not None:
        where.append(_C.submitted_at >= query.submitted_from)
    if query.submitted_until is not None:
        where.append(_C.submitted_at < query.submitted_until)
    if query.due_before is not None:
        where.append(_C.next_due_at <= query.due_before)
    if query.breached_at is not None:
        where.append(or_(_C.breached.is_(True), _C.next_due_at <= query.breached_at))
    if query.order is Order.DUE:
        where.append(_C.next_due_at.is_not(None))
    return where


def find_statement(query: ComplaintQuery) -> Select[Any]:
    """The SELECT of one page: complaint rows with ``next_due_at``, ``limit`` rows after ``after``."""
    where = _where(query)
    key = _C.next_due_at if query.order is Order.DUE else _C.submitted_at
    if query.after is not None:
        # row-value comparison: both databases walk the (key, id) index from that point
        value, cid = query.after
        where.append(tuple_(key, _C.id) > tuple_(literal(value, key.type), literal(cid, _C.id.type)))
    return select(t.complaints).where(and_(*where)).order_by(key, _C.id).limit(query.limit)


def count_statement(query: ComplaintQuery) -> Select[Any]:
    """The SELECT COUNT of every row that passes ``query`` (its limit and position aside)."""
    return select(func.count()).select_from(t.complaints).where(and_(*_where(query)))
