"""The timer queue of the SQL store: due timers found, claimed under leases and released.

Each deadline is a row of ``sp4n_timers``; workers lease the due ones (``claim_due``), fire
them and close them in the change they save, or give the lease back. The queries walk the
``(status, due_at, priority, id)`` index (docs/performance.md shows their plans). A part of
:class:`~sp4n.persistence.sql.SqlStore`, kept apart as a concept of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from sp4n.persistence import tables as t
from sp4n.persistence.base import TimerClose
from sp4n.persistence.records import Timer, TimerStatus
from sp4n.persistence.rows import timer_from

_CLAIM_ROUNDS = 4
"""Reads of candidates per claim, when some are held up by earlier timers of their complaints."""

# (the benchmark explains this query's plan)
DUE_TIMERS = (
    select(t.timers)
    .where(and_(t.timers.c.status == TimerStatus.PENDING.value, t.timers.c.due_at <= bindparam("now")))
    .order_by(t.timers.c.due_at, t.timers.c.priority, t.timers.c.id)
    .limit(bindparam("lim"))
)
_NEXT_DUE = (
    select(t.timers.c.due_at).where(t.timers.c.status == TimerStatus.PENDING.value).order_by(t.timers.c.due_at).limit(1)
)


class SqlTimers:
    """The timer queue's side of the SQL store (mixed into it: the store's connections)."""

    dialect: str
    _begin: Callable[[], AbstractContextManager[Connection]]
    _read: Callable[[], AbstractContextManager[Connection]]

    def close_stale_timer(self, close: TimerClose) -> bool:
        """Close one pending timer alone (its clock moved on)."""
        with self._begin() as conn:
            result = conn.execute(
                update(t.timers)
                .where(and_(t.timers.c.id == close.timer_id, t.timers.c.status == TimerStatus.PENDING.value))
                .values(status=close.status.value, closed_at=close.closed_at, lateness_seconds=close.lateness_seconds)
            )
            return bool(result.rowcount == 1)

    def timers(self, complaint_id: str) -> list[Timer]:
        """Every timer of a complaint."""
        with self._read() as conn:
            rows = conn.execute(
                select(t.timers)
                .where(t.timers.c.complaint_id == complaint_id)
                .order_by(t.timers.c.due_at, t.timers.c.priority, t.timers.c.id)
            ).all()
        return [timer_from(r._mapping) for r in rows]

    def timer(self, timer_id: str) -> Timer | None:
        """One timer by id."""
        with self._read() as conn:
            row = conn.execute(select(t.timers).where(t.timers.c.id == timer_id)).first()
        return timer_from(row._mapping) if row is not None else None

    def due_timers(self, now: datetime, limit: int) -> list[Timer]:
        """Pending timers due by ``now``, earliest first (ties by id)."""
        with self._read() as conn:
            rows = conn.execute(DUE_TIMERS, {"now": now, "lim": limit}).all()
        return [timer_from(r._mapping) for r in rows]

    def next_due_at(self) -> datetime | None:
        """The earliest pending due instant."""
        with self._read() as conn:
            value: datetime | None = conn.execute(_NEXT_DUE).scalar()  # UtcDateTime: aware UTC already
        return value

    def claim_due(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Timer]:
        """Lease up to ``limit`` due pending timers that no live lease holds, earliest first.

        PostgreSQL locks the candidate rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
        workers claim disjoint batches without waiting for each other; SQLite serializes writers.
        A complaint's timers fire in order: a candidate is left out while an earlier due timer of
        its complaint is pending outside the batch (leased, or being claimed, by another
        worker), and further candidates are read, a few rounds at most, to fill the batch.
        """
        tm = t.timers
        due = and_(tm.c.status == TimerStatus.PENDING.value, tm.c.due_at <= now)
        free = (tm.c.lease_expires.is_(None)) | (tm.c.lease_expires <= now)
        order = (tm.c.due_at, tm.c.priority, tm.c.id)
        ids: list[str] = []
        seen: list[str] = []
        with self._begin() as conn:
            for _ in range(_CLAIM_ROUNDS):
                query = select(tm.c.id, tm.c.complaint_id).where(and_(due, free)).order_by(*order).limit(limit)
                if seen:
                    query = query.where(tm.c.id.not_in(seen))
                if self.dialect == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                candidates = conn.execute(query).all()
                if not candidates:
                    break
                seen += [r.id for r in candidates]
                ids += self._in_order(conn, due, order, ids, candidates)
                if len(ids) >= limit:
                    break
            ids = ids[:limit]
            if not ids:
                return []
            conn.execute(update(tm).where(tm.c.id.in_(ids)).values(lease_owner=owner, lease_expires=now + lease))
            rows = conn.execute(select(tm).where(tm.c.id.in_(ids)).order_by(*order)).all()
        return [timer_from(r._mapping) for r in rows]

    @staticmethod
    def _in_order(
        conn: Connection, due: Any, order: tuple[Any, ...], kept: list[str], candidates: Sequence[Any]
    ) -> list[str]:
        """The candidates that no earlier due timer of their complaint outside the batch holds up,
        in the database's own order (its collation decides ties, as in the ORDER BY)."""
        tm = t.timers
        batch = set(kept) | {r.id for r in candidates}
        complaints = list({r.complaint_id for r in candidates})
        held_up: set[str] = set()
        free_to_go: set[str] = set()
        for r in conn.execute(
            select(tm.c.id, tm.c.complaint_id).where(and_(due, tm.c.complaint_id.in_(complaints))).order_by(*order)
        ):
            if r.complaint_id in held_up:
                continue
            if r.id in batch:
                free_to_go.add(r.id)
            else:
                held_up.add(r.complaint_id)
        return [r.id for r in candidates if r.id in free_to_go]

    def release_timers(self, owner: str, timer_ids: Sequence[str]) -> None:
        """Give back leases ``owner`` holds on timers it did not close."""
        if not timer_ids:
            return
        tm = t.timers
        with self._begin() as conn:
            conn.execute(
                update(tm)
                .where(and_(tm.c.id.in_(list(timer_ids)), tm.c.lease_owner == owner))
                .values(lease_owner=None, lease_expires=None)
            )

    def complaints_with_pending_timers(self, due_from: datetime | None = None) -> list[str]:
        """Ids of complaints that have at least one pending timer (due at or after ``due_from``,
        if given: a range of the (status, due_at, ...) index)."""
        tm = t.timers
        query = select(tm.c.complaint_id).where(tm.c.status == TimerStatus.PENDING.value)
        if due_from is not None:
            query = query.where(tm.c.due_at >= due_from)
        with self._read() as conn:
            rows = conn.execute(query.distinct()).all()
        return sorted(r.complaint_id for r in rows)
