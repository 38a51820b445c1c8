"""The feed's part of the store protocol: numbering events, consumers and their queues.

A store's ``feed`` implements :class:`FeedStore`: ``MemoryFeed`` for the memory store,
``SqlFeed`` for SQLite and PostgreSQL. Both decide which deliveries may go with the same pure
function (:func:`sp4n.persistence.feed_records.pick_ready`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sp4n.persistence.feed_records import Consumer, Delivery, DeliveryStatus, FeedEntry, Outcome


@runtime_checkable
class FeedStore(Protocol):
    """The feed of a store."""

    def sequence(self) -> int:
        """Give every committed, unnumbered event the next positions, in commit order, with no
        gaps; the last position given (0 when the feed is empty)."""
        ...

    def entries(self, after: int, limit: int) -> list[FeedEntry]:
        """Numbered entries after position ``after``, in order, with their events."""
        ...

    def add_consumer(self, consumer: Consumer) -> None:
        """Keep a new consumer; DuplicateConsumer if the name is taken."""
        ...

    def consumer(self, name: str) -> Consumer | None:
        """One consumer by name."""
        ...

    def consumers(self) -> list[Consumer]:
        """Every consumer, by name."""
        ...

    def update_consumer(self, consumer: Consumer) -> None:
        """Store a consumer's settings (url, secrets, status, limits; never its cursor)."""
        ...

    def remove_consumer(self, name: str) -> bool:
        """Forget a consumer and its queue; whether there was one."""
        ...

    def claim(self, name: str, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take newly numbered events into the consumer's queue, then lease up to ``limit``
        deliveries that may go now (see ``pick_ready``), with their entries and events."""
        ...

    def finish(self, name: str, owner: str, position: int, outcome: Outcome | None) -> bool:
        """End ``owner``'s lease: delivered (``outcome`` None: it leaves the queue) or failed;
        False when ``owner`` no longer holds it."""
        ...

    def delivered(self, name: str, owner: str, positions: Sequence[int]) -> int:
        """Take the deliveries at ``positions`` that ``owner`` still holds out of the queue, in
        one write (a batch recorded at once); how many it held."""
        ...

    def release(self, name: str, owner: str, positions: Sequence[int]) -> None:
        """Give back leases ``owner`` holds and did not use."""
        ...

    def queue(self, name: str, status: DeliveryStatus | None, limit: int) -> list[Delivery]:
        """A consumer's deliveries (of one status, or all), in position order."""
        ...

    def requeue(self, name: str, position: int | None, now: datetime) -> int:
        """Parked deliveries (one, or all) queued again with fresh attempts; how many."""
        ...

    def drop(self, name: str, position: int) -> bool:
        """Take one delivery out of the queue without delivering it; whether there was one."""
        ...
