"""The records of the feed: entries (an event's place and privacy facts), consumers, deliveries.

The feed numbers every event with a global, gap-free position once it has committed. Each
consumer has an audience; which events and which view of them it gets is decided by facts
stored with the event when it is written (:class:`FeedEntry`), never by the complaint as it is
when the event is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sp4n.persistence.records import Event


class Audience(StrEnum):
    """Who is behind a consumer, and so which view of an event it may receive.

    ``national``: the national system, which sees reporters (it keeps anonim reports' identities
    from others itself). ``agency``: an agency's own channels; never an anonymous reporter's
    identity. ``public``: anything published; never an anonymous reporter's identity, never a
    confidential (rahasia) report.
    """

    NATIONAL = "national"
    AGENCY = "agency"
    PUBLIC = "public"


class DeliveryStatus(StrEnum):
    """Where an event stands in a consumer's queue."""

    QUEUED = "queued"
    PARKED = "parked"


class ConsumerStatus(StrEnum):
    """Whether a consumer takes deliveries (an endpoint that answered 410 is disabled)."""

    ACTIVE = "active"
    DISABLED = "disabled"


@dataclass(frozen=True)
class FeedEntry:
    """An event's place in the feed, with the facts fixed when it was written."""

    position: int
    complaint_id: str
    event_seq: int
    at: datetime
    kind: str
    anonymous: bool
    confidential: bool
    historical: bool
    event: Event | None = None


@dataclass
class Consumer:
    """A named reader of the feed with its own cursor and queue."""

    name: str
    audience: Audience
    cursor: int
    created_at: datetime
    url: str | None = None
    secrets: list[str] = field(default_factory=list)
    """Signing secrets of a webhook endpoint, newest first (several during a rotation)."""
    historical: bool = False
    """Whether it takes events of bulk imports (``ChangeSet.historical``)."""
    status: ConsumerStatus = ConsumerStatus.ACTIVE
    max_attempts: int = 12
    max_age_seconds: float = 3 * 24 * 3600.0
    disabled_reason: str | None = None

    def admits(self, entry: FeedEntry) -> bool:
        """Whether ``entry`` enters this consumer's queue at all."""
        if entry.historical and not self.historical:
            return False
        return not (entry.confidential and self.audience is Audience.PUBLIC)


@dataclass
class Delivery:
    """One event in one consumer's queue."""

    consumer: str
    position: int
    complaint_id: str
    status: DeliveryStatus
    attempts: int
    queued_at: datetime
    next_at: datetime
    last_error: str | None = None
    lease_owner: str | None = None
    lease_expires: datetime | None = None
    entry: FeedEntry | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a failed delivery: when to try again, or parked, and why."""

    error: str
    next_at: datetime
    parked: bool
    counts: bool = True
    """Whether the attempt counts (an endpoint's ``Retry-After`` asks to wait, it is no failure)."""


def pick_ready(queue: Sequence[Delivery], now: datetime, limit: int) -> list[Delivery]:
    """The deliveries that may go now, at most ``limit``, in position order.

    ``queue`` holds a consumer's deliveries in position order, including every earlier one of
    each complaint it names. A delivery may go when it is queued, due, not leased by anyone, and
    every earlier one of its complaint goes in the same batch: a parked, waiting or leased event
    holds back its complaint's later events, and only those.
    """
    held: set[str] = set()
    out: list[Delivery] = []
    for d in queue:
        if len(out) >= limit:
            break
        if d.complaint_id in held:
            continue
        leased = d.lease_expires is not None and d.lease_expires > now
        if d.status is DeliveryStatus.QUEUED and d.next_at <= now and not leased:
            out.append(d)
        else:
            held.add(d.complaint_id)
    return out


def entry_row(entry: FeedEntry) -> dict[str, Any]:
    """The columns of a feed row (without ``id``)."""
    return {
        "position": entry.position or None,
        "complaint_id": entry.complaint_id,
        "event_seq": entry.event_seq,
        "at": entry.at,
        "kind": entry.kind,
        "anonymous": entry.anonymous,
        "confidential": entry.confidential,
        "historical": entry.historical,
    }
