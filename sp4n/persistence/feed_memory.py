"""The feed of the memory store: the same rules as :mod:`sp4n.persistence.feed_rows`, in dicts.

Events are numbered as they are saved (under the store's lock, saves are in commit order).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sp4n.errors import DuplicateConsumer
from sp4n.persistence.feed_records import Consumer, Delivery, DeliveryStatus, FeedEntry, Outcome, pick_ready
from sp4n.persistence.records import Complaint, Event


class MemoryFeed:
    """Feed entries, consumers and queues in memory, under the memory store's lock."""

    def __init__(self, lock: threading.RLock, event_of: Callable[[str, int], Event]) -> None:
        self._lock = lock
        self._event_of = event_of
        self._entries: list[FeedEntry] = []
        self._consumers: dict[str, Consumer] = {}
        self._queues: dict[str, dict[int, Delivery]] = {}

    def append(self, entry: FeedEntry) -> None:
        """Number a saved event (called by the store, inside its save)."""
        numbered = FeedEntry(  # (a plain constructor call: dataclasses.replace costs a command more)
            len(self._entries) + 1,
            entry.complaint_id,
            entry.event_seq,
            entry.at,
            entry.kind,
            entry.anonymous,
            entry.confidential,
            entry.historical,
            entry.event,
        )
        self._entries.append(numbered)

    def tighten(self, complaint: Complaint) -> None:
        """Give the complaint's earlier entries the privacy flags it carries now (see
        :func:`sp4n.persistence.base.tightened`)."""
        for i, entry in enumerate(self._entries):
            if entry.complaint_id == complaint.id:
                self._entries[i] = dataclasses.replace(
                    entry,
                    anonymous=entry.anonymous or complaint.anonymous,
                    confidential=entry.confidential or complaint.confidential,
                )

    def sequence(self) -> int:
        """The last position (numbered already, as events are saved)."""
        with self._lock:
            return len(self._entries)

    def entries(self, after: int, limit: int) -> list[FeedEntry]:
        """Numbered entries after ``after``, with their events."""
        with self._lock:
            return [self._with_event(e) for e in self._entries[max(after, 0) : max(after, 0) + limit]]

    def _with_event(self, entry: FeedEntry) -> FeedEntry:
        return dataclasses.replace(entry, event=self._event_of(entry.complaint_id, entry.event_seq))

    def add_consumer(self, consumer: Consumer) -> None:
        """Keep a new consumer."""
        with self._lock:
            if consumer.name in self._consumers:
                raise DuplicateConsumer(consumer.name)
            self._consumers[consumer.name] = dataclasses.replace(consumer, secrets=list(consumer.secrets))
            self._queues[consumer.name] = {}

    def consumer(self, name: str) -> Consumer | None:
        """One consumer by name (a copy)."""
        with self._lock:
            found = self._consumers.get(name)
            return dataclasses.replace(found, secrets=list(found.secrets)) if found else None

    def consumers(self) -> list[Consumer]:
        """Every consumer, by name."""
        with self._lock:
            return [c for name in sorted(self._consumers) if (c := self.consumer(name)) is not None]

    def update_consumer(self, consumer: Consumer) -> None:
        """Store a consumer's settings (not its cursor)."""
        with self._lock:
            current = self._consumers.get(consumer.name)
            if current is not None:
                cursor = current.cursor
                self._consumers[consumer.name] = dataclasses.replace(
                    consumer, secrets=list(consumer.secrets), cursor=cursor
                )

    def remove_consumer(self, name: str) -> bool:
        """Forget a consumer and its queue."""
        with self._lock:
            self._queues.pop(name, None)
            return self._consumers.pop(name, None) is not None

    def claim(self, name: str, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take new entries into the queue, then lease what may go now."""
        with self._lock:
            consumer = self._consumers.get(name)
            if consumer is None or consumer.status.value != "active":
                return []
            queue = self._queues[name]
            for entry in self._entries[consumer.cursor :]:
                if consumer.admits(entry):
                    queue[entry.position] = Delivery(
                        name, entry.position, entry.complaint_id, DeliveryStatus.QUEUED, 0, now, now
                    )
            consumer.cursor = len(self._entries)
            ready = pick_ready([queue[p] for p in sorted(queue)], now, limit)
            out = []
            for d in ready:
                d.lease_owner, d.lease_expires = owner, now + lease
                copy = dataclasses.replace(d, entry=self._with_event(self._entries[d.position - 1]))
                out.append(copy)
            return out

    def finish(self, name: str, owner: str, position: int, outcome: Outcome | None) -> bool:
        """End ``owner``'s lease: delivered, or failed with ``outcome``."""
        with self._lock:
            queue = self._queues.get(name, {})
            d = queue.get(position)
            if d is None or d.lease_owner != owner:
                return False
            if outcome is None:
                del queue[position]
                return True
            d.status = DeliveryStatus.PARKED if outcome.parked else DeliveryStatus.QUEUED
            d.next_at, d.last_error = outcome.next_at, outcome.error
            d.attempts += 1 if outcome.counts else 0
            d.lease_owner = d.lease_expires = None
            return True

    def delivered(self, name: str, owner: str, positions: Sequence[int]) -> int:
        """Delivered: out of the queue."""
        with self._lock:
            queue = self._queues.get(name, {})
            mine = [p for p in positions if p in queue and queue[p].lease_owner == owner]
            for p in mine:
                del queue[p]
            return len(mine)

    def release(self, name: str, owner: str, positions: Sequence[int]) -> None:
        """Give back unused leases."""
        with self._lock:
            for p in positions:
                d = self._queues.get(name, {}).get(p)
                if d is not None and d.lease_owner == owner:
                    d.lease_owner = d.lease_expires = None

    def queue(self, name: str, status: DeliveryStatus | None, limit: int) -> list[Delivery]:
        """A consumer's deliveries, in position order (copies)."""
        with self._lock:
            queue = self._queues.get(name, {})
            found = [dataclasses.replace(queue[p]) for p in sorted(queue)]
            return [d for d in found if status is None or d.status is status][:limit]

    def requeue(self, name: str, position: int | None, now: datetime) -> int:
        """Parked deliveries queued again."""
        with self._lock:
            count = 0
            for d in self._queues.get(name, {}).values():
                if d.status is DeliveryStatus.PARKED and position in (None, d.position):
                    d.status, d.attempts, d.next_at, d.queued_at = DeliveryStatus.QUEUED, 0, now, now
                    count += 1
            return count

    def drop(self, name: str, position: int) -> bool:
        """Take one delivery out of the queue."""
        with self._lock:
            return self._queues.get(name, {}).pop(position, None) is not None
