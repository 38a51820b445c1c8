"""The outbox rows of a SQL store: pending items, leases for concurrent drainers, delivery.

Each item carries its event (content and hash), read with it. On PostgreSQL the candidates of
a claim are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent drainers take different
items; SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, select, tuple_, update

from sp4n.persistence import tables as t
from sp4n.persistence.records import OutboxItem
from sp4n.persistence.rows import event_from, outbox_from

Opener = Callable[[], AbstractContextManager[Connection]]


class SqlOutbox:
    """The outbox table of one store, on its connections (``begin`` writes, ``read`` reads)."""

    def __init__(self, begin: Opener, read: Opener, dialect: str) -> None:
        self._begin = begin
        self._read = read
        self.dialect = dialect

    def pending(self, limit: int) -> list[OutboxItem]:
        """Undelivered outbox items, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(t.outbox)
                .where(t.outbox.c.delivered_at.is_(None))
                .order_by(t.outbox.c.created_at, t.outbox.c.id)
                .limit(limit)
            ).all()
            return _outbox_items(conn, rows)

    def mark_delivered(self, item_ids: Sequence[str], at: datetime) -> None:
        """Record delivery."""
        with self._begin() as conn:
            conn.execute(update(t.outbox).where(t.outbox.c.id.in_(list(item_ids))).values(delivered_at=at))

    def claim(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]:
        """Lease up to ``limit`` undelivered items no one else holds, oldest first.

        On PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent
        drainers take different items; SQLite has one writer at a time.
        """
        o = t.outbox
        free = and_(o.c.delivered_at.is_(None), (o.c.lease_expires.is_(None)) | (o.c.lease_expires <= now))
        query = select(o.c.id).where(free).order_by(o.c.created_at, o.c.id).limit(limit)
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._begin() as conn:
            ids = [r.id for r in conn.execute(query)]
            if not ids:
                return []
            conn.execute(update(o).where(o.c.id.in_(ids)).values(lease_owner=owner, lease_expires=now + lease))
            rows = conn.execute(select(o).where(o.c.id.in_(ids)).order_by(o.c.created_at, o.c.id)).all()
            return _outbox_items(conn, rows)

    def finish(self, item_id: str, owner: str, delivered_at: datetime | None, error: str | None) -> None:
        """End a lease held by ``owner``: delivered, or failed with ``error`` (it stays pending)."""
        o = t.outbox
        with self._begin() as conn:
            conn.execute(
                update(o)
                .where(and_(o.c.id == item_id, o.c.lease_owner == owner))
                .values(
                    delivered_at=delivered_at,
                    last_error=error,
                    attempts=o.c.attempts + 1,
                    lease_owner=None,
                    lease_expires=None,
                )
            )

    def prune(self, delivered_before: datetime) -> int:
        """Remove outbox items delivered before ``delivered_before`` (their events stay)."""
        o = t.outbox
        with self._begin() as conn:
            result = conn.execute(
                delete(o).where(and_(o.c.delivered_at.is_not(None), o.c.delivered_at < delivered_before))
            )
            return int(result.rowcount)


def _outbox_items(conn: Connection, rows: Sequence[Row[Any]]) -> list[OutboxItem]:
    """Outbox rows with their payloads: the events they carry (content and hash)."""
    if not rows:
        return []
    keys = [(r.complaint_id, r.event_seq) for r in rows]
    found = conn.execute(select(t.events).where(tuple_(t.events.c.complaint_id, t.events.c.seq).in_(keys)))
    events = {(e.complaint_id, e.seq): event_from(e._mapping) for e in found}
    return [outbox_from(r._mapping, events[(r.complaint_id, r.event_seq)]) for r in rows]
