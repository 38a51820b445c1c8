"""The records a store keeps: complaints, clock ledgers, timers, events and outbox items.

They are plain dataclasses so every store (memory, SQL) can hold them without knowing the
engine. Stores hand out copies: a caller changing a record changes nothing until it saves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sp4n.calendars.duration import Duration

_T = TypeVar("_T")


def _shallow(obj: _T) -> _T:
    """A field-by-field copy; several times faster than copy.copy on a dataclass."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


class ClockStatus(StrEnum):
    """Where a clock stands."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class TimerStatus(StrEnum):
    """The life of a timer: pending until it fires, turns stale, or is recorded as missed."""

    PENDING = "pending"
    FIRED = "fired"
    STALE = "stale"
    MISSED = "missed"


@dataclass
class Complaint:
    """One complaint: who reported what, where it is assigned, and which state it is in."""

    id: str
    tracking_number: str
    sop_id: str
    sop_version: str
    state: str
    zone: str
    submitted_at: datetime
    updated_at: datetime
    title: str
    description: str = ""
    channel: str = "web"
    classification: str | None = None
    category: str | None = None
    reporter_id: str | None = None
    reporter_name: str | None = None
    anonymous: bool = False
    confidential: bool = False
    agency: str | None = None
    unit: str | None = None
    official: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    version: int = 0
    """Optimistic-locking version: 1 after submission, +1 per saved change."""
    external_id: str | None = None
    """The report's id in the system it came from (the national LAPOR!, a recap book): unique."""

    def copy(self) -> Complaint:
        """An independent copy."""
        new = _shallow(self)
        new.attributes = dict(self.attributes)
        return new


@dataclass
class ClockLedger:
    """The run-time account of one clock of one complaint; its due instant is derived from it.

    ``consumed`` counts whole units of the budget already used (working or calendar days for
    day-based budgets, seconds for hour-based ones); ``running_since`` is when the current run
    began; ``generation`` changes whenever the due instant may have changed, so timers of an
    older generation are stale.
    """

    complaint_id: str
    name: str
    budget: Duration
    status: ClockStatus
    generation: int = 0
    consumed: int = 0
    running_since: datetime | None = None
    extended_by: int = 0
    started_at: datetime | None = None
    due_at: datetime | None = None
    """The due instant while the clock runs, as last computed (read model: lists sort on it)."""

    def copy(self) -> ClockLedger:
        """An independent copy."""
        return _shallow(self)


class RunOutcome(StrEnum):
    """How a clock run stands or ended: open (running, paused), or closed with a verdict
    (met: stopped within its budget; breached: after it; stopped: ended without one, by a reset
    or an SOP migration)."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


@dataclass
class ClockRun:
    """Read model: one run of one clock (from its start, or reset, to its stop), as lists and
    reports need it. Keyed by (complaint, clock, started_at); rewritten at each change of the run."""

    complaint_id: str
    clock: str
    started_at: datetime
    outcome: RunOutcome
    due_at: datetime | None
    """The due instant (the last one computed, for a paused or closed run)."""
    changed_at: datetime
    stopped_at: datetime | None = None
    calendar_version: str = ""

    def copy(self) -> ClockRun:
        """An independent copy."""
        return _shallow(self)


@dataclass(frozen=True)
class Milestone:
    """Read model: the first time a complaint reached a step ("received", a state's id such as
    "verified", "distributed", "followed_up", "closed" for any terminal state, and "replied" when
    the reporter first sent a follow-up back), who reached it and after how many working days."""

    complaint_id: str
    name: str
    at: datetime
    calendar_version: str = ""
    working_days: int | None = None
    """Working days from receipt to ``at`` (local dates of the complaint's own calendar and zone,
    the day of receipt not counted, pauses not taken out); None where the calendar has no data."""
    actor_id: str | None = None
    """Who reached the step (the staff member of a per-staff report)."""
    actor_role: str | None = None


@dataclass
class Timer:
    """One rung of one clock generation, due at an instant. Its id is unique per
    (complaint, clock, generation, rung), which is what makes firing exactly-once."""

    id: str
    complaint_id: str
    clock: str
    generation: int
    rung: str
    due_at: datetime
    priority: int = 1
    """Order among timers due at the same instant: notices (0) before actions (1)."""
    status: TimerStatus = TimerStatus.PENDING
    closed_at: datetime | None = None
    lateness_seconds: float | None = None
    lease_owner: str | None = None
    lease_expires: datetime | None = None

    @staticmethod
    def key(complaint_id: str, clock: str, generation: int, rung: str) -> str:
        """The unique id of a timer."""
        return f"{complaint_id}/{clock}/{generation}/{rung}"

    def copy(self) -> Timer:
        """An independent copy."""
        return _shallow(self)


@dataclass
class Event:
    """One append-only audit record: a submission, a transition, a deadline, a re-projection.

    Events of a complaint form a hash chain: ``hash`` covers every field and ``prev_hash``, so
    editing any stored event breaks the chain from there on.
    """

    complaint_id: str
    seq: int
    at: datetime
    kind: str
    actor_id: str
    actor_role: str
    trigger: str | None = None
    source: str | None = None
    dest: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    clock_changes: list[dict[str, Any]] = field(default_factory=list)
    calendar_version: str = ""
    sop_version: str = ""
    prev_hash: str = ""
    hash: str = ""

    def copy(self) -> Event:
        """An independent copy (the payload and clock changes copied one level deep)."""
        new = _shallow(self)
        new.payload = dict(self.payload)
        new.clock_changes = [dict(c) for c in self.clock_changes]
        return new

    def content(self) -> dict[str, Any]:
        """Every field but ``hash``, as JSON-ready data (the input of the hash)."""
        return {
            "complaint_id": self.complaint_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "trigger": self.trigger,
            "source": self.source,
            "dest": self.dest,
            "payload": self.payload,
            "clock_changes": self.clock_changes,
            "calendar_version": self.calendar_version,
            "sop_version": self.sop_version,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self, key: bytes | None = None) -> str:
        """The hash this event should carry (an HMAC under ``key`` on a keyed chain)."""
        return hash_content(self.content(), key)

    def seal(self, prev_hash: str, key: bytes | None = None) -> dict[str, Any]:
        """Link to the previous event's hash, set this one's, and return the hashed content."""
        self.prev_hash = prev_hash
        content = self.content()
        self.hash = hash_content(content, key)
        return content


@dataclass
class OutboxItem:
    """An event waiting to be delivered to another system, at least once."""

    id: str
    complaint_id: str
    event_seq: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None = None
    attempts: int = 0

    @classmethod
    def for_event(cls, event: Event) -> OutboxItem:
        """The outbox entry of an event: its content and hash, under topic ``complaint.<kind>``."""
        payload = event.content()
        payload["hash"] = event.hash
        return cls(
            id=f"{event.complaint_id}/{event.seq}",
            complaint_id=event.complaint_id,
            event_seq=event.seq,
            topic=f"complaint.{event.kind}",
            payload=payload,
            created_at=event.at,
        )

    def copy(self) -> OutboxItem:
        """An independent copy (the payload copied one level deep)."""
        new = _shallow(self)
        new.payload = dict(self.payload)
        return new


def hash_content(content: dict[str, Any], key: bytes | None = None) -> str:
    """SHA-256 of an event's content in a canonical JSON form; HMAC-SHA-256 under ``key`` (a keyed
    chain: without the key, nobody can rewrite a history and fix its hashes up)."""
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    if key:
        return hmac.new(key, blob, hashlib.sha256).hexdigest()
    return hashlib.sha256(blob).hexdigest()
