"""The feed: every event in one global, gap-free order, delivered to named consumers.

Each consumer has its own cursor and queue (see :mod:`sp4n.persistence.feed_rows`). Per
complaint, events reach a consumer in order: a failed event holds back that complaint's later
events for that consumer only. Failures back off exponentially with jitter, up to a cap; after
``max_attempts`` attempts, or when the event has waited ``max_age``, it is parked (a dead
letter, with its last error) until :meth:`Feed.retry` or :meth:`Feed.skip`. A parked event
still holds back its complaint's later events: order is never broken silently.

A consumer receives the view of each event its audience may see (:mod:`.audience`), and the
events of bulk imports (``ChangeSet.historical``) only if it asks for them.
"""

from __future__ import annotations

import logging
import random as random_module
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sp4n.errors import ConsumerNotFound, GatewayError, InvalidArgumentError
from sp4n.persistence.feed_base import FeedStore
from sp4n.persistence.feed_records import (
    Audience,
    Consumer,
    ConsumerStatus,
    Delivery,
    DeliveryStatus,
    FeedEntry,
    Outcome,
)
from sp4n.workflow.audience import view
from sp4n.workflow.runtime import Runtime

log = logging.getLogger("sp4n.feed")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Backoff:
    """How long a failed delivery waits: ``base`` doubling (``factor``) per attempt up to
    ``cap``, of which a random half is jitter (so consumers that failed together do not come
    back together)."""

    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    factor: float = 2.0

    def delay(self, attempts: int, draw: float) -> timedelta:
        """The wait after the ``attempts``-th failure, for a random ``draw`` in [0, 1)."""
        raw = min(self.cap.total_seconds(), self.base.total_seconds() * self.factor ** max(attempts - 1, 0))
        return timedelta(seconds=raw / 2 + raw / 2 * draw)


@dataclass(frozen=True)
class FeedItem:
    """One event as a consumer receives it."""

    consumer: str
    position: int
    complaint_id: str
    seq: int
    kind: str
    at: datetime
    attempts: int
    """Earlier attempts to deliver it to this consumer."""
    data: dict[str, Any]
    """The view of the event for the consumer's audience (see :mod:`sp4n.workflow.audience`)."""
    queued_at: datetime
    """When it entered the consumer's queue (its age counts from there)."""

    @property
    def id(self) -> str:
        """The event's stable id, the same for every consumer and every attempt."""
        return f"{self.complaint_id}/{self.seq}"


@dataclass(frozen=True)
class DeliveryResult:
    """How one round of deliveries went."""

    delivered: int
    failed: int
    parked: int


@dataclass(frozen=True)
class ConsumerState:
    """What ``sp4n feed status`` shows of one consumer."""

    consumer: Consumer
    head: int
    """The last position of the feed."""
    queued: int
    parked: int


class Feed:
    """The feed of an engine's store: consumers, claims and delivery outcomes."""

    def __init__(
        self, runtime: Runtime, *, backoff: Backoff | None = None, random: Callable[[], float] | None = None
    ) -> None:
        self.runtime = runtime
        self.backoff = backoff or Backoff()
        self.random = random or random_module.Random().random

    @property
    def _store(self) -> FeedStore:
        return self.runtime.store.feed

    # ------------------------------------------------------------------ consumers

    def add_consumer(
        self,
        name: str,
        audience: Audience | str,
        *,
        start: str | int = "now",
        url: str | None = None,
        secrets: list[str] | None = None,
        historical: bool = False,
        max_attempts: int = 12,
        max_age: timedelta = timedelta(days=3),
    ) -> Consumer:
        """Add a consumer that starts after the events already in the feed (``start="now"``),
        with the first event (``"beginning"``), or after a position."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidArgumentError("name", name, "1-64 lowercase letters, digits, '_', '.' or '-'")
        try:
            kind = Audience(audience)
        except ValueError:
            raise InvalidArgumentError("audience", audience, "national, agency or public") from None
        head = self._store.sequence()
        if start == "now":
            cursor = head
        elif start == "beginning":
            cursor = 0
        elif isinstance(start, int) and not isinstance(start, bool) and 0 <= start <= head:
            cursor = start
        else:
            raise InvalidArgumentError("start", start, f"'now', 'beginning' or a position from 0 to {head}")
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidArgumentError("max_attempts", max_attempts, "a whole number of at least 1")
        if not isinstance(max_age, timedelta) or max_age <= timedelta(0):
            raise InvalidArgumentError("max_age", max_age, "a positive timedelta")
        consumer = Consumer(
            name,
            kind,
            cursor,
            self.runtime.now(),
            url=url,
            secrets=list(secrets or []),
            historical=historical,
            max_attempts=max_attempts,
            max_age_seconds=max_age.total_seconds(),
        )
        self._store.add_consumer(consumer)
        return consumer

    def consumer(self, name: str) -> Consumer:
        """One consumer; ConsumerNotFound if there is none by that name."""
        found = self._store.consumer(name)
        if found is None:
            raise ConsumerNotFound(name, tuple(c.name for c in self.consumers()))
        return found

    def consumers(self) -> list[Consumer]:
        """Every consumer, by name."""
        return list(self._store.consumers())

    def update(self, consumer: Consumer) -> None:
        """Store a consumer's changed settings (secrets, url, status, limits)."""
        self.consumer(consumer.name)
        self._store.update_consumer(consumer)

    def remove_consumer(self, name: str) -> None:
        """Forget a consumer and its queue."""
        if not self._store.remove_consumer(name):
            raise ConsumerNotFound(name, tuple(c.name for c in self.consumers()))

    def disable(self, name: str, reason: str) -> None:
        """Stop deliveries to a consumer (an endpoint that answered 410 Gone); its queue stays."""
        consumer = self.consumer(name)
        consumer.status, consumer.disabled_reason = ConsumerStatus.DISABLED, reason
        self._store.update_consumer(consumer)
        log.warning("feed consumer %s disabled: %s", name, reason)

    def entries(self, after: int = 0, limit: int = 100) -> list[FeedEntry]:
        """The feed itself after position ``after``: every event, whole, in order (for readers
        that keep their own cursor and see everything, such as an audit or a national mirror)."""
        self._store.sequence()
        return self._store.entries(after, limit)

    # ------------------------------------------------------------------ deliveries

    def claim(
        self, name: str, limit: int = 100, *, owner: str, lease: timedelta = timedelta(minutes=2)
    ) -> list[FeedItem]:
        """Lease up to ``limit`` events that may go to ``name`` now, in position order."""
        if not isinstance(limit, int) or limit < 1:
            raise InvalidArgumentError("limit", limit, "a whole number of at least 1")
        if not isinstance(lease, timedelta) or lease <= timedelta(0):
            raise InvalidArgumentError("lease", lease, "a positive timedelta")
        consumer = self.consumer(name)
        self._store.sequence()
        claimed = self._store.claim(name, owner, self.runtime.now(), lease, limit)
        items = []
        for d in claimed:
            e = d.entry
            data = view(e, consumer.audience) if e is not None else None
            if e is None or data is None:  # never queued for this audience: nothing to send
                self._store.finish(name, owner, d.position, None)
                continue
            items.append(
                FeedItem(name, d.position, e.complaint_id, e.event_seq, e.kind, e.at, d.attempts, data, d.queued_at)
            )
        return items

    def delivered(self, item: FeedItem, owner: str) -> bool:
        """Record ``item`` as delivered (False if ``owner`` no longer held it)."""
        return self._store.finish(item.consumer, owner, item.position, None)

    def failed(
        self, item: FeedItem, owner: str, error: str, *, retry_after: float | None = None, give_up: bool = False
    ) -> Outcome:
        """Record a failed attempt: back off, or park it when attempts or age run out (or at
        once with ``give_up``: the other system refused the request itself). ``retry_after``
        (seconds a system asked to wait) replaces the backoff and is no failure."""
        consumer = self.consumer(item.consumer)
        now = self.runtime.now()
        attempts = item.attempts + 1
        if retry_after is not None:
            outcome = Outcome(error, now + timedelta(seconds=max(retry_after, 0.0)), parked=False, counts=False)
        else:
            too_old = (now - item.queued_at).total_seconds() >= consumer.max_age_seconds
            parked = give_up or attempts >= consumer.max_attempts or too_old
            outcome = Outcome(error, now + self.backoff.delay(attempts, self.random()), parked)
        self._store.finish(item.consumer, owner, item.position, outcome)
        if outcome.parked:
            log.warning("feed %s: event %s parked after %d attempts: %s", item.consumer, item.id, attempts, error)
        return outcome

    def release(self, items: list[FeedItem], owner: str) -> None:
        """Give back leases on items not attempted."""
        for name in {i.consumer for i in items}:
            self._store.release(name, owner, [i.position for i in items if i.consumer == name])

    def deliver(
        self,
        name: str,
        handler: Callable[[FeedItem], None],
        limit: int = 100,
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(minutes=2),
        stop: Callable[[], bool] | None = None,
    ) -> DeliveryResult:
        """Claim up to ``limit`` events for ``name`` and hand each to ``handler``; an exception
        is a failure (a :class:`GatewayError` with ``retry_after`` waits as asked; one that is
        not ``retryable`` is parked at once; one with status 410 disables the consumer). After a
        failure, the complaint's later events of the batch are given back untried; once
        ``stop()`` is true, or most of the lease is used up, all the rest are. Deliveries are
        recorded together when the batch ends."""
        owner = owner or f"feed-{uuid.uuid4().hex[:12]}"
        items = self.claim(name, limit, owner=owner, lease=lease)
        # what is left when most of the lease is used up goes back, so no other process takes
        # it while this one still sends
        give_back_at = self.runtime.now() + lease * 0.8
        done: list[int] = []  # recorded in one write when the batch ends (a crash before: sent again)
        failed = parked = 0
        held: set[str] = set()
        try:
            for n, item in enumerate(items):
                if (stop is not None and stop()) or self.runtime.now() >= give_back_at:
                    self.release(items[n:], owner)
                    break
                if item.complaint_id in held:
                    self.release([item], owner)
                    continue
                try:
                    handler(item)
                except Exception as exc:
                    if isinstance(exc, GatewayError) and exc.status == 410:
                        self.release(items[n:], owner)
                        self.disable(name, str(exc))
                        break
                    held.add(item.complaint_id)
                    gateway = exc if isinstance(exc, GatewayError) else None
                    outcome = self.failed(
                        item,
                        owner,
                        f"{type(exc).__name__}: {exc}",
                        retry_after=gateway.retry_after if gateway else None,
                        give_up=gateway is not None and not gateway.retryable,
                    )
                    failed += 1
                    parked += outcome.parked
                else:
                    done.append(item.position)
        finally:
            self._store.delivered(name, owner, done)
        return DeliveryResult(len(done), failed, parked)

    # ------------------------------------------------------------------ status and dead letters

    def status(self, name: str) -> ConsumerState:
        """A consumer's cursor, the feed's head, and how many events wait or are parked."""
        consumer = self.consumer(name)
        head = self._store.sequence()
        queue = self._store.queue(name, None, 10_000_000)
        parked = sum(d.status is DeliveryStatus.PARKED for d in queue)
        return ConsumerState(consumer, head, len(queue) - parked + max(head - consumer.cursor, 0), parked)

    def parked(self, name: str, limit: int = 100) -> list[Delivery]:
        """A consumer's parked deliveries, with their last errors, in position order."""
        self.consumer(name)
        return self._store.queue(name, DeliveryStatus.PARKED, limit)

    def retry(self, name: str, position: int | None = None) -> int:
        """Queue parked events again (one, or all of the consumer's), with fresh attempts."""
        self.consumer(name)
        return self._store.requeue(name, position, self.runtime.now())

    def skip(self, name: str, position: int) -> None:
        """Give up on one event for a consumer (it is not delivered); its complaint goes on."""
        self.consumer(name)
        if not self._store.drop(name, position):
            raise InvalidArgumentError("position", position, f"an event in the queue of {name!r}")
