"""The store protocol: everything the engine needs from storage, and nothing more.

A command becomes one :class:`ChangeSet` saved in ONE transaction: the complaint (checked
against the version it was loaded at), its clock ledgers, the timers to add and to close, and the
events; every event also enters the feed in that transaction (its feed row, numbered once
committed). Either all of it is stored or none of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sp4n.errors import InvalidArgumentError
from sp4n.persistence.feed_base import FeedStore
from sp4n.persistence.feed_records import FeedEntry
from sp4n.persistence.limits import check_limits
from sp4n.persistence.query import ComplaintQuery, Rows
from sp4n.persistence.records import (
    ClockLedger,
    ClockRun,
    Complaint,
    Event,
    Milestone,
    RunOutcome,
    Timer,
    TimerStatus,
)


@dataclass
class Snapshot:
    """A complaint as loaded, with its clocks and the head of its event chain, at a version."""

    complaint: Complaint
    clocks: dict[str, ClockLedger]
    last_seq: int = 0
    last_hash: str = ""


@dataclass
class TimerClose:
    """A pending timer that a change closes (fired, stale or missed).

    With ``must_be_pending`` the whole change fails (ConcurrencyConflict) unless the timer is
    still pending: that is how a timer fires exactly once. Without it, closing a timer that is
    absent or already closed is a no-op (stale timers of an older clock generation).
    """

    timer_id: str
    status: TimerStatus
    closed_at: datetime
    lateness_seconds: float | None = None
    must_be_pending: bool = False


@dataclass
class IdempotencyRecord:
    """What a command with an idempotency key did, so a retry can be answered without redoing it."""

    key: str
    fingerprint: str
    complaint_id: str
    result: dict[str, object]


@dataclass
class ChangeSet:
    """Everything one command or one timer firing changes, saved atomically.

    ``expected_version`` is the complaint version the change was computed from (0 for a new
    complaint); a store raises ConcurrencyConflict when the stored version differs.
    """

    complaint: Complaint
    expected_version: int
    clocks: list[ClockLedger] = field(default_factory=list)
    add_timers: list[Timer] = field(default_factory=list)
    close_timers: list[TimerClose] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    idempotency: IdempotencyRecord | None = None
    fields: tuple[str, ...] | None = None
    """The complaint fields this change may have changed (None: any). SQL stores write only
    these, so indexes on untouched columns are not rewritten; ``version`` is always written."""
    historical: bool = False
    """The change brings in the past (a bulk import, a migration): its events enter the feed
    marked historical, and only consumers that ask for history receive them."""
    runs: list[ClockRun] = field(default_factory=list)
    """Read model: the clock runs this change starts, moves or ends (written over the stored ones)."""
    milestones: list[Milestone] = field(default_factory=list)
    """Read model: steps reached (a milestone already stored keeps its first instant)."""
    next_due_at: datetime | None = None
    """Read model: the earliest due instant of the complaint's running clocks after the change;
    stored only when the change has ``runs`` (any change of a clock has one)."""

    @property
    def breached(self) -> bool:
        """Whether a run of this change ended late (the complaint is marked breached for good)."""
        return any(r.outcome is RunOutcome.BREACHED for r in self.runs)


@runtime_checkable
class Store(Protocol):
    """Where complaints live. Implemented by MemoryStore and SqlStore."""

    @property
    def feed(self) -> FeedStore:
        """The feed: every saved event numbered, and the consumers' queues."""
        ...

    def load(self, complaint_id: str) -> Snapshot:
        """The complaint and its clocks; ComplaintNotFound if there is none."""
        ...

    def save(self, change: ChangeSet) -> None:
        """Apply a change atomically; ConcurrencyConflict if the complaint moved meanwhile.

        Every other refusal has an error of its own, never retried: DuplicateComplaint (a new
        complaint's id or tracking number is taken), DuplicateEvent, IdempotencyConflict.
        """
        ...

    def reserve_serials(self, count: int) -> int:
        """Reserve ``count`` consecutive serial numbers (of tracking numbers) for the caller alone,
        atomically, across every process on the store; the first of them. Serials start at 1
        and are never handed out twice, though some may never be used."""
        ...

    def load_many(self, complaint_ids: Sequence[str]) -> list[Snapshot]:
        """The snapshots of the complaints that exist among ``complaint_ids`` (in one read)."""
        ...

    def save_many(self, changes: Sequence[ChangeSet]) -> None:
        """Apply changes of distinct complaints in ONE transaction, all or none of them;
        ConcurrencyConflict if any complaint moved meanwhile (the caller may then save them one
        by one)."""
        ...

    def last_event(self, complaint_id: str) -> Event | None:
        """The newest event of a complaint (for the hash chain)."""
        ...

    def find(self, query: ComplaintQuery) -> list[tuple[Complaint, datetime | None]]:
        """Complaints that pass ``query``, in its order, after its keyset position, at most
        ``query.limit`` of them, each with its earliest running due instant (read model)."""
        ...

    def find_rows(self, query: ComplaintQuery) -> Rows:
        """The page :meth:`find` returns, each complaint as a row of its field values and its due
        instant (:class:`~sp4n.persistence.query.Rows`): what a list's views are made from, with
        no record built in between."""
        ...

    def count(self, query: ComplaintQuery) -> int:
        """How many complaints pass ``query`` (its limit and keyset position aside)."""
        ...

    def taken_external_ids(self, external_ids: Sequence[str]) -> set[str]:
        """Those of ``external_ids`` that stored complaints carry (one read)."""
        ...

    def clock_runs(self, complaint_id: str) -> list[ClockRun]:
        """Every clock run of a complaint, by clock and start."""
        ...

    def milestones(self, complaint_id: str) -> list[Milestone]:
        """The milestones of a complaint, earliest first."""
        ...

    def history(self, complaint_id: str) -> list[Event]:
        """Every event of a complaint, oldest first."""
        ...

    def timers(self, complaint_id: str) -> list[Timer]:
        """Every timer of a complaint, whatever its status."""
        ...

    def timer(self, timer_id: str) -> Timer | None:
        """One timer by id."""
        ...

    def due_timers(self, now: datetime, limit: int) -> list[Timer]:
        """Pending timers due at or before ``now``, earliest first (ties by id)."""
        ...

    def next_due_at(self) -> datetime | None:
        """The due instant of the earliest pending timer."""
        ...

    def claim_due(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Timer]:
        """Lease up to ``limit`` pending timers due by ``now`` that no live lease holds, earliest first."""
        ...

    def release_timers(self, owner: str, timer_ids: Sequence[str]) -> None:
        """Give back leases ``owner`` holds on timers it did not close."""
        ...

    def complaints_with_pending_timers(self, due_from: datetime | None = None) -> list[str]:
        """Ids of complaints that have at least one pending timer (their clocks run), due at or
        after ``due_from`` when it is given."""
        ...

    def close_stale_timer(self, close: TimerClose) -> bool:
        """Close one pending timer without touching its complaint; False if it was not pending."""
        ...

    def idempotency(self, key: str) -> IdempotencyRecord | None:
        """The record of an earlier command with this key."""
        ...

    def complaint_ids(self) -> Iterator[str]:
        """Every complaint id."""
        ...

    def orphans(self) -> list[tuple[str, int, str]]:
        """Rows left by a deleted complaint or event: (complaint id, seq or 0, what), for the audit."""
        ...

    def complaints(self, ids: Sequence[str] | None = None) -> list[Complaint]:
        """Complaints (all, or those with the given ids)."""
        ...

    def save_definition(
        self, kind: str, key: tuple[str, ...], name: str, content: dict[str, Any], at: datetime
    ) -> None:
        """Keep an SOP version (kind "sop", key (id, version)) or a calendar version ("calendar", (version,))."""
        ...

    def load_definition(self, kind: str, key: tuple[str, ...]) -> dict[str, Any] | None:
        """A stored SOP or calendar version."""
        ...

    def activate(self, kind: str, name: str, version: str, at: datetime) -> None:
        """Make ``version`` the active one of ``kind`` ("calendar", "sop") and ``name`` for every
        process sharing the store."""
        ...

    def active(self, kind: str) -> dict[str, str]:
        """The active versions of ``kind``, by name."""
        ...


_PARTS = ("clocks", "add_timers", "events", "runs", "milestones")


def check_change(change: ChangeSet) -> None:
    """InvalidArgumentError unless every record of the change belongs to its complaint: a
    change saves one complaint, and a row of another would be refused by a foreign key on
    one store and stored on another. Then every field within the limits all stores share."""
    cid = change.complaint.id
    parts: tuple[list[Any], ...] = (change.clocks, change.add_timers, change.events, change.runs, change.milestones)
    for name, records in zip(_PARTS, parts, strict=True):
        for record in records:
            if record.complaint_id != cid:
                i = next(i for i, r in enumerate(records) if r.complaint_id != cid)
                raise InvalidArgumentError(f"change.{name}[{i}].complaint_id", record.complaint_id, f"{cid!r}")
    if change.idempotency is not None and change.idempotency.complaint_id != cid:
        raise InvalidArgumentError("change.idempotency.complaint_id", change.idempotency.complaint_id, f"{cid!r}")
    check_limits(change)


def check_count(count: int) -> int:
    """``count`` if it is a whole number of serials to reserve (at least 1), else InvalidArgumentError."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidArgumentError("count", count, "a whole number of serials, at least 1")
    return count


def distinct_complaints(changes: Sequence[ChangeSet]) -> None:
    """InvalidArgumentError when two changes of one batch are of the same complaint (the second
    would be checked against the version before the first)."""
    if len(changes) < 2:
        return
    seen: set[str] = set()
    for i, change in enumerate(changes):
        cid = change.complaint.id
        if cid in seen:
            raise InvalidArgumentError(
                f"changes[{i}].complaint.id", cid, "a complaint not changed earlier in the batch"
            )
        seen.add(cid)


PRIVACY_FLAGS = ("anonymous", "confidential")


def tightened(change: ChangeSet) -> bool:
    """Whether ``change`` sets a privacy flag (anonim, rahasia) that its complaint's earlier feed
    rows may lack: those rows then take the flags too, in the same transaction, so an event
    still waiting for a consumer is sent as the report is now (never as it was before)."""
    c = change.complaint
    if not (c.anonymous or c.confidential) or not change.events or change.events[0].seq == 1:
        return False  # a new complaint's rows are all in this change, written with its flags
    return any(e.payload.get(flag) is True for e in change.events for flag in PRIVACY_FLAGS)


def feed_entries(change: ChangeSet) -> list[FeedEntry]:
    """The feed entries of a change's events: the complaint's anonim and rahasia flags as the
    change leaves them, and whether the change is historical (positions come later)."""
    c = change.complaint
    return [
        FeedEntry(0, e.complaint_id, e.seq, e.at, e.kind, c.anonymous, c.confidential, change.historical)
        for e in change.events
    ]
