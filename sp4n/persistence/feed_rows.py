"""The feed of a SQL store: the sequencer, consumers and their queues.

Positions: a save inserts each event's feed row without a position. The sequencer numbers the
committed rows that have none, under the lock of the ``feed_position`` counter row, in one short
transaction: positions are handed out one sequencer run after the other, and a run's positions
become visible together when it commits. So a reader that has seen position N has seen every
position below N, and no event that commits later can get a position below one already read
(on PostgreSQL, a SEQUENCE would give both gaps and numbers that commit out of order). Events
of one complaint are inserted one transaction after the other (the version check), so their
row ids, and then their positions, keep their order.

Claims of one consumer are serialised by a lock on its row (PostgreSQL) or the write lock
(SQLite); different consumers claim in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, tuple_, update

from sp4n.errors import DuplicateConsumer
from sp4n.persistence import tables as t
from sp4n.persistence.feed_records import (
    Audience,
    Consumer,
    ConsumerStatus,
    Delivery,
    DeliveryStatus,
    FeedEntry,
    Outcome,
    pick_ready,
)
from sp4n.persistence.hotpath import dialect_insert
from sp4n.persistence.rows import event_from

Opener = Callable[[], AbstractContextManager[Connection]]

SCAN = 1000
"""Feed entries a claim takes into a consumer's queue at most."""

_SEQUENCE_BATCH = 5000
"""Rows one sequencer run numbers at most."""

F, C, D = t.feed.c, t.consumers.c, t.deliveries.c


class SqlFeed:
    """The feed tables of one store, on its connections (``begin`` writes, ``read`` reads)."""

    def __init__(self, begin: Opener, read: Opener, dialect: str) -> None:
        self._begin = begin
        self._read = read
        self.dialect = dialect

    def _for_update(self, query: Any) -> Any:
        return query.with_for_update() if self.dialect == "postgresql" else query

    # ------------------------------------------------------------------ positions

    def sequence(self) -> int:
        """Number the committed rows that have no position yet (see the module's doc)."""
        with self._begin() as conn:
            counter = self._for_update(select(t.counters.c.next_value).where(t.counters.c.name == t.FEED_COUNTER))
            first = conn.execute(counter).scalar()
            if first is None:
                conn.execute(
                    dialect_insert(self.dialect, t.counters)
                    .values(name=t.FEED_COUNTER, next_value=1)
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                first = conn.execute(counter).scalar_one()
            ids = conn.execute(select(F.id).where(F.position.is_(None)).order_by(F.id).limit(_SEQUENCE_BATCH)).scalars()
            rows = [{"b_id": row_id, "b_pos": first + i} for i, row_id in enumerate(ids)]
            if rows:
                conn.execute(update(t.feed).where(F.id == bindparam("b_id")).values(position=bindparam("b_pos")), rows)
                conn.execute(
                    update(t.counters).where(t.counters.c.name == t.FEED_COUNTER).values(next_value=first + len(rows))
                )
            return int(first) + len(rows) - 1

    def entries(self, after: int, limit: int) -> list[FeedEntry]:
        """Numbered entries after ``after``, with their events."""
        query = select(t.feed).where(F.position > after).order_by(F.position).limit(limit)
        with self._read() as conn:
            return _with_events(conn, conn.execute(query).mappings().all())

    # ------------------------------------------------------------------ consumers

    def add_consumer(self, consumer: Consumer) -> None:
        """Keep a new consumer."""
        with self._begin() as conn:
            if conn.execute(select(C.name).where(C.name == consumer.name)).first() is not None:
                raise DuplicateConsumer(consumer.name)
            conn.execute(insert(t.consumers).values(name=consumer.name, **_consumer_values(consumer)))

    def consumer(self, name: str) -> Consumer | None:
        """One consumer by name."""
        with self._read() as conn:
            row = conn.execute(select(t.consumers).where(C.name == name)).mappings().first()
        return _consumer_from(row) if row is not None else None

    def consumers(self) -> list[Consumer]:
        """Every consumer, by name."""
        with self._read() as conn:
            return [_consumer_from(r) for r in conn.execute(select(t.consumers).order_by(C.name)).mappings()]

    def update_consumer(self, consumer: Consumer) -> None:
        """Store a consumer's settings (not its cursor)."""
        values = _consumer_values(consumer)
        del values["cursor"]
        with self._begin() as conn:
            conn.execute(update(t.consumers).where(C.name == consumer.name).values(**values))

    def remove_consumer(self, name: str) -> bool:
        """Forget a consumer and its queue."""
        with self._begin() as conn:
            conn.execute(delete(t.deliveries).where(D.consumer == name))
            return bool(conn.execute(delete(t.consumers).where(C.name == name)).rowcount)

    # ------------------------------------------------------------------ deliveries

    def claim(self, name: str, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take new entries into the queue, then lease what may go now."""
        with self._begin() as conn:
            row = conn.execute(self._for_update(select(t.consumers).where(C.name == name))).mappings().first()
            if row is None or row["status"] != ConsumerStatus.ACTIVE.value:
                return []
            self._scan(conn, _consumer_from(row), now)
            ready = pick_ready(self._candidates(conn, name, now, limit), now, limit)
            if not ready:
                return []
            positions = [d.position for d in ready]
            conn.execute(
                update(t.deliveries)
                .where(and_(D.consumer == name, D.position.in_(positions)))
                .values(lease_owner=owner, lease_expires=now + lease)
            )
            found = conn.execute(select(t.feed).where(F.position.in_(positions))).mappings().all()
            entries = {e.position: e for e in _with_events(conn, found)}
        for d in ready:
            d.lease_owner, d.lease_expires, d.entry = owner, now + lease, entries[d.position]
        return ready

    def _scan(self, conn: Connection, consumer: Consumer, now: datetime) -> None:
        """Take the entries after the consumer's cursor into its queue (those it admits)."""
        query = select(t.feed).where(F.position > consumer.cursor).order_by(F.position).limit(SCAN)
        found = [_entry_from(r) for r in conn.execute(query).mappings()]
        if not found:
            return
        rows = [
            {
                "consumer": consumer.name,
                "position": e.position,
                "complaint_id": e.complaint_id,
                "status": DeliveryStatus.QUEUED.value,
                "attempts": 0,
                "queued_at": now,
                "next_at": now,
            }
            for e in found
            if consumer.admits(e)
        ]
        if rows:
            conn.execute(insert(t.deliveries), rows)
        conn.execute(update(t.consumers).where(C.name == consumer.name).values(cursor=found[-1].position))

    def _candidates(self, conn: Connection, name: str, now: datetime, limit: int) -> list[Delivery]:
        """The heads of complaints' queues that may go now, and what follows them."""
        earlier = t.deliveries.alias("earlier")
        head = and_(
            D.consumer == name,
            D.status == DeliveryStatus.QUEUED.value,
            D.next_at <= now,
            D.lease_expires.is_(None) | (D.lease_expires <= now),
            # the first of its complaint; a scalar min() keeps the per-row index lookup on
            # (consumer, complaint_id) that a NOT EXISTS anti-join may lose on a fresh table
            D.position
            == select(func.min(earlier.c.position))
            .where(and_(earlier.c.consumer == D.consumer, earlier.c.complaint_id == D.complaint_id))
            .scalar_subquery(),
        )
        heads = conn.execute(select(D.complaint_id).where(head).order_by(D.position).limit(limit)).scalars().all()
        if not heads:
            return []
        query = (
            select(t.deliveries)
            .where(and_(D.consumer == name, D.complaint_id.in_(list(heads))))
            .order_by(D.position)
            .limit(limit * 4)
        )
        return [_delivery_from(r) for r in conn.execute(query).mappings()]

    def finish(self, name: str, owner: str, position: int, outcome: Outcome | None) -> bool:
        """End ``owner``'s lease: delivered, or failed with ``outcome``."""
        mine = and_(D.consumer == name, D.position == position, D.lease_owner == owner)
        with self._begin() as conn:
            if outcome is None:
                return bool(conn.execute(delete(t.deliveries).where(mine)).rowcount)
            status = DeliveryStatus.PARKED if outcome.parked else DeliveryStatus.QUEUED
            values: dict[str, Any] = {
                "status": status.value,
                "next_at": outcome.next_at,
                "last_error": outcome.error,
                "lease_owner": None,
                "lease_expires": None,
            }
            if outcome.counts:
                values["attempts"] = D.attempts + 1
            return bool(conn.execute(update(t.deliveries).where(mine).values(**values)).rowcount)

    def delivered(self, name: str, owner: str, positions: Sequence[int]) -> int:
        """Delivered: out of the queue, in one DELETE."""
        if not positions:
            return 0
        mine = and_(D.consumer == name, D.lease_owner == owner, D.position.in_(list(positions)))
        with self._begin() as conn:
            return int(conn.execute(delete(t.deliveries).where(mine)).rowcount)

    def release(self, name: str, owner: str, positions: Sequence[int]) -> None:
        """Give back unused leases."""
        if not positions:
            return
        with self._begin() as conn:
            conn.execute(
                update(t.deliveries)
                .where(and_(D.consumer == name, D.lease_owner == owner, D.position.in_(list(positions))))
                .values(lease_owner=None, lease_expires=None)
            )

    def queue(self, name: str, status: DeliveryStatus | None, limit: int) -> list[Delivery]:
        """A consumer's deliveries, in position order."""
        query = select(t.deliveries).where(D.consumer == name)
        if status is not None:
            query = query.where(D.status == status.value)
        with self._read() as conn:
            return [_delivery_from(r) for r in conn.execute(query.order_by(D.position).limit(limit)).mappings()]

    def requeue(self, name: str, position: int | None, now: datetime) -> int:
        """Parked deliveries queued again."""
        where = and_(D.consumer == name, D.status == DeliveryStatus.PARKED.value)
        if position is not None:
            where = and_(where, D.position == position)
        values = {"status": DeliveryStatus.QUEUED.value, "attempts": 0, "next_at": now, "queued_at": now}
        with self._begin() as conn:
            return int(conn.execute(update(t.deliveries).where(where).values(**values)).rowcount)

    def drop(self, name: str, position: int) -> bool:
        """Take one delivery out of the queue."""
        with self._begin() as conn:
            where = and_(D.consumer == name, D.position == position)
            return bool(conn.execute(delete(t.deliveries).where(where)).rowcount)


def _entry_from(row: Mapping[Any, Any]) -> FeedEntry:
    return FeedEntry(
        position=int(row["position"]),
        complaint_id=row["complaint_id"],
        event_seq=row["event_seq"],
        at=row["at"],
        kind=row["kind"],
        anonymous=bool(row["anonymous"]),
        confidential=bool(row["confidential"]),
        historical=bool(row["historical"]),
    )


def _with_events(conn: Connection, rows: Sequence[Mapping[Any, Any]]) -> list[FeedEntry]:
    """Entries from feed rows, each with its event."""
    if not rows:
        return []
    keys = [(r["complaint_id"], r["event_seq"]) for r in rows]
    found = conn.execute(select(t.events).where(tuple_(t.events.c.complaint_id, t.events.c.seq).in_(keys)))
    events = {(e.complaint_id, e.seq): event_from(e._mapping) for e in found}
    out = []
    for r in rows:
        entry = _entry_from(r)
        out.append(FeedEntry(**{**entry.__dict__, "event": events[(entry.complaint_id, entry.event_seq)]}))
    return out


def _consumer_values(c: Consumer) -> dict[str, Any]:
    return {
        "audience": c.audience.value,
        "url": c.url,
        "secrets": list(c.secrets),
        "historical": c.historical,
        "status": c.status.value,
        "cursor": c.cursor,
        "max_attempts": c.max_attempts,
        "max_age_seconds": c.max_age_seconds,
        "created_at": c.created_at,
        "disabled_reason": c.disabled_reason,
    }


def _consumer_from(row: Mapping[Any, Any]) -> Consumer:
    return Consumer(
        name=row["name"],
        audience=Audience(row["audience"]),
        cursor=int(row["cursor"]),
        created_at=row["created_at"],
        url=row["url"],
        secrets=list(row["secrets"]),
        historical=bool(row["historical"]),
        status=ConsumerStatus(row["status"]),
        max_attempts=int(row["max_attempts"]),
        max_age_seconds=float(row["max_age_seconds"]),
        disabled_reason=row["disabled_reason"],
    )


def _delivery_from(row: Mapping[Any, Any]) -> Delivery:
    return Delivery(
        consumer=row["consumer"],
        position=int(row["position"]),
        complaint_id=row["complaint_id"],
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"]),
        queued_at=row["queued_at"],
        next_at=row["next_at"],
        last_error=row["last_error"],
        lease_owner=row["lease_owner"],
        lease_expires=row["lease_expires"],
    )
