"""MemoryStore: the store protocol in process memory, for tests, simulations and the demo.

It keeps the same promises as the SQL store: a change is applied whole or not at all, the
complaint version is checked, complaint ids and tracking numbers are unique, stored records are
copies, and due timers are found through a heap rather than a scan. A forked child starts with
a copy of the parent's complaints, which it no longer shares: the memory store is for one process.
"""

from __future__ import annotations

import copy
import heapq
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sp4n.errors import ComplaintNotFound, ConcurrencyConflict, DuplicateComplaint, DuplicateEvent, IdempotencyConflict
from sp4n.persistence.base import (
    ChangeSet,
    IdempotencyRecord,
    Snapshot,
    TimerClose,
    check_change,
    check_count,
    distinct_complaints,
    feed_entries,
    tightened,
)
from sp4n.persistence.feed_memory import MemoryFeed
from sp4n.persistence.query import ComplaintQuery, Rows, as_rows, matches, sort_key
from sp4n.persistence.records import ClockLedger, ClockRun, Complaint, Event, Milestone, Timer, TimerStatus


class MemoryStore:
    """A thread-safe in-memory store."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._complaints: dict[str, Complaint] = {}
        self._tracking: dict[str, str] = {}  # tracking number -> complaint id (a unique key)
        self._next_serial = 1
        self._clocks: dict[str, dict[str, ClockLedger]] = {}
        self._events: dict[str, list[Event]] = {}
        self._timers: dict[str, Timer] = {}
        self._timers_by_complaint: dict[str, list[str]] = {}
        self._heap: list[tuple[datetime, int, str]] = []
        self._idempotency: dict[str, IdempotencyRecord] = {}
        self._definitions: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
        self._active: dict[tuple[str, str], str] = {}
        self.feed = MemoryFeed(self._lock, lambda cid, seq: self._events[cid][seq - 1].copy())
        self._external: dict[str, str] = {}  # external id -> complaint id (a unique key)
        self._facts: dict[str, tuple[datetime | None, bool]] = {}  # next due instant, breached
        self._runs: dict[str, dict[tuple[str, datetime], ClockRun]] = {}
        self._milestones: dict[str, dict[str, Milestone]] = {}

    def __repr__(self) -> str:
        return f"MemoryStore(complaints={len(self._complaints)})"

    def load(self, complaint_id: str) -> Snapshot:
        """The complaint and its clocks, as copies."""
        with self._lock:
            complaint = self._complaints.get(complaint_id)
            if complaint is None:
                raise ComplaintNotFound(complaint_id)
            clocks = {name: c.copy() for name, c in self._clocks.get(complaint_id, {}).items()}
            events = self._events.get(complaint_id)
            head = events[-1] if events else None
            return Snapshot(complaint.copy(), clocks, head.seq if head else 0, head.hash if head else "")

    def load_many(self, complaint_ids: Sequence[str]) -> list[Snapshot]:
        """The snapshots of those complaints that exist."""
        with self._lock:
            return [self.load(cid) for cid in complaint_ids if cid in self._complaints]

    def save(self, change: ChangeSet) -> None:
        """Check the version, then apply every part of the change."""
        self.save_many([change])

    def save_many(self, changes: Sequence[ChangeSet]) -> None:
        """Check every change, then apply them all (under one lock: all or nothing)."""
        distinct_complaints(changes)
        for change in changes:
            check_change(change)
        with self._lock:
            taken: dict[str, str] = {}
            external: dict[str, str] = {}
            for change in changes:
                self._check(change)
                tracking, cid = change.complaint.tracking_number, change.complaint.id
                if taken.setdefault(tracking, cid) != cid:
                    raise DuplicateComplaint("tracking_number", tracking)
                ext = change.complaint.external_id
                if ext is not None and external.setdefault(ext, cid) != cid:
                    raise DuplicateComplaint("external_id", ext)
            for change in changes:
                self._apply(change)

    def _check(self, change: ChangeSet) -> None:
        cid = change.complaint.id
        current = self._complaints.get(cid)
        if current is not None and change.expected_version == 0:
            raise DuplicateComplaint("id", cid)
        actual = current.version if current is not None else 0
        if actual != change.expected_version:
            raise ConcurrencyConflict(cid, change.expected_version, actual if current is not None else None)
        tracking = change.complaint.tracking_number
        if self._tracking.get(tracking, cid) != cid:
            raise DuplicateComplaint("tracking_number", tracking)
        ext = change.complaint.external_id
        if ext is not None and self._external.get(ext, cid) != cid:
            raise DuplicateComplaint("external_id", ext)
        self._check_timer_closes(change.close_timers)
        self._check_events(cid, change.events)
        if change.idempotency is not None and change.idempotency.key in self._idempotency:
            raise IdempotencyConflict(change.idempotency.key)

    def _apply(self, change: ChangeSet) -> None:
        cid = change.complaint.id
        current = self._complaints.get(cid)
        tracking = change.complaint.tracking_number
        if current is not None and current.tracking_number != tracking:
            del self._tracking[current.tracking_number]
        self._tracking[tracking] = cid
        if change.complaint.external_id is not None:
            self._external[change.complaint.external_id] = cid
        self._complaints[cid] = change.complaint.copy()
        self._apply_read_model(change)
        clocks = self._clocks.setdefault(cid, {})
        for ledger in change.clocks:
            clocks[ledger.name] = ledger.copy()
        for close in change.close_timers:
            self._close(close)
        for timer in change.add_timers:
            self._add_timer(timer)
        events = self._events.setdefault(cid, [])
        events.extend(e.copy() for e in change.events)
        for entry in feed_entries(change):
            self.feed.append(entry)
        if tightened(change):
            self.feed.tighten(change.complaint)
        if change.idempotency is not None:
            record = change.idempotency
            self._idempotency[record.key] = IdempotencyRecord(
                record.key, record.fingerprint, record.complaint_id, copy.deepcopy(record.result)
            )

    def _apply_read_model(self, change: ChangeSet) -> None:
        cid = change.complaint.id
        next_due, breached = self._facts.get(cid, (None, False))
        if change.runs:
            next_due = change.next_due_at
        self._facts[cid] = (next_due, breached or change.breached)
        runs = self._runs.setdefault(cid, {})
        for run in change.runs:
            runs[(run.clock, run.started_at)] = run.copy()
        reached = self._milestones.setdefault(cid, {})
        for milestone in change.milestones:
            reached.setdefault(milestone.name, milestone)

    def find(self, query: ComplaintQuery) -> list[tuple[Complaint, datetime | None]]:
        """A page of complaints that pass ``query`` (a scan: the memory store is for tests)."""
        with self._lock:
            found = []
            for cid, complaint in self._complaints.items():
                next_due, breached = self._facts.get(cid, (None, False))
                if not matches(complaint, next_due, breached, query):
                    continue
                key = sort_key(complaint, next_due, query.order)
                if query.after is None or key > query.after:
                    found.append((key, complaint, next_due))
            found.sort(key=lambda f: f[0])
            return [(c.copy(), due) for _, c, due in found[: query.limit]]

    def find_rows(self, query: ComplaintQuery) -> Rows:
        """The page of :meth:`find`, as rows."""
        return as_rows(self.find(query))

    def count(self, query: ComplaintQuery) -> int:
        """How many complaints pass ``query`` (a scan)."""
        with self._lock:
            facts = self._facts
            return sum(matches(c, *facts.get(cid, (None, False)), query) for cid, c in self._complaints.items())

    def taken_external_ids(self, external_ids: Sequence[str]) -> set[str]:
        """Those of ``external_ids`` that stored complaints carry."""
        with self._lock:
            return {e for e in external_ids if e in self._external}

    def clock_runs(self, complaint_id: str) -> list[ClockRun]:
        """Every clock run of a complaint, by clock and start."""
        with self._lock:
            runs = self._runs.get(complaint_id, {})
            return [runs[k].copy() for k in sorted(runs)]

    def milestones(self, complaint_id: str) -> list[Milestone]:
        """The milestones of a complaint, earliest first."""
        with self._lock:
            return sorted(self._milestones.get(complaint_id, {}).values(), key=lambda m: (m.at, m.name))

    def _check_timer_closes(self, closes: list[TimerClose]) -> None:
        for close in closes:
            if not close.must_be_pending:
                continue
            timer = self._timers.get(close.timer_id)
            if timer is None or timer.status is not TimerStatus.PENDING:
                cid = close.timer_id.split("/", 1)[0]
                current = self._complaints.get(cid)
                raise ConcurrencyConflict(cid, -1, current.version if current else None)

    def _check_events(self, cid: str, events: list[Event]) -> None:
        stored = self._events.get(cid)
        last = stored[-1].seq if stored else 0
        for event in events:
            if event.seq <= last:
                raise DuplicateEvent(cid, event.seq)

    def reserve_serials(self, count: int) -> int:
        """Reserve ``count`` consecutive serials; the first."""
        check_count(count)
        with self._lock:
            first = self._next_serial
            self._next_serial += count
            return first

    def _close(self, close: TimerClose) -> None:
        timer = self._timers.get(close.timer_id)
        if timer is None or timer.status is not TimerStatus.PENDING:
            return
        timer.status = close.status
        timer.closed_at = close.closed_at
        timer.lateness_seconds = close.lateness_seconds

    def _add_timer(self, timer: Timer) -> None:
        if timer.id in self._timers:
            return  # the unique key: a timer is armed once
        stored = timer.copy()
        self._timers[timer.id] = stored
        self._timers_by_complaint.setdefault(timer.complaint_id, []).append(timer.id)
        heapq.heappush(self._heap, (timer.due_at, timer.priority, timer.id))

    def close_stale_timer(self, close: TimerClose) -> bool:
        """Close a pending timer alone (its clock moved on)."""
        with self._lock:
            timer = self._timers.get(close.timer_id)
            if timer is None or timer.status is not TimerStatus.PENDING:
                return False
            self._close(close)
            return True

    def last_event(self, complaint_id: str) -> Event | None:
        """The newest event of a complaint."""
        with self._lock:
            events = self._events.get(complaint_id)
            return events[-1].copy() if events else None

    def history(self, complaint_id: str) -> list[Event]:
        """Every event of a complaint, oldest first."""
        with self._lock:
            if complaint_id not in self._complaints:
                raise ComplaintNotFound(complaint_id)
            return [copy.deepcopy(e) for e in self._events.get(complaint_id, [])]

    def timers(self, complaint_id: str) -> list[Timer]:
        """Every timer of a complaint."""
        with self._lock:
            return [self._timers[t].copy() for t in self._timers_by_complaint.get(complaint_id, [])]

    def timer(self, timer_id: str) -> Timer | None:
        """One timer by id."""
        with self._lock:
            timer = self._timers.get(timer_id)
            return timer.copy() if timer else None

    def _drop_closed_heads(self) -> None:
        heap = self._heap
        while heap and self._timers[heap[0][2]].status is not TimerStatus.PENDING:
            heapq.heappop(heap)

    def due_timers(self, now: datetime, limit: int) -> list[Timer]:
        """Pending timers due by ``now``, earliest first (ties: notices before actions, then by id)."""
        with self._lock:
            heap = self._heap
            kept: list[tuple[datetime, int, str]] = []
            out: list[Timer] = []
            while heap and len(out) < limit and heap[0][0] <= now:
                entry = heapq.heappop(heap)
                timer = self._timers[entry[2]]
                if timer.status is TimerStatus.PENDING:
                    kept.append(entry)
                    out.append(timer.copy())
            for entry in kept:
                heapq.heappush(heap, entry)
            return out

    def next_due_at(self) -> datetime | None:
        """The earliest pending due instant."""
        with self._lock:
            self._drop_closed_heads()
            return self._heap[0][0] if self._heap else None

    def idempotency(self, key: str) -> IdempotencyRecord | None:
        """The record of a command with this key."""
        with self._lock:
            record = self._idempotency.get(key)
            if record is None:
                return None
            return IdempotencyRecord(record.key, record.fingerprint, record.complaint_id, copy.deepcopy(record.result))

    def orphans(self) -> list[tuple[str, int, str]]:
        """None: nothing here deletes a complaint or an event, so nothing outlives one."""
        return []

    def complaint_ids(self) -> Iterator[str]:
        """Every complaint id, in submission order."""
        with self._lock:
            return iter(list(self._complaints))

    def complaints(self, ids: Sequence[str] | None = None) -> list[Complaint]:
        """Copies of complaints."""
        with self._lock:
            keys = list(self._complaints) if ids is None else [i for i in ids if i in self._complaints]
            return [self._complaints[k].copy() for k in keys]

    def save_definition(
        self, kind: str, key: tuple[str, ...], name: str, content: dict[str, Any], at: datetime
    ) -> None:
        """Keep an SOP or calendar version (the first one stored stays)."""
        with self._lock:
            self._definitions.setdefault((kind, key), dict(content))

    def load_definition(self, kind: str, key: tuple[str, ...]) -> dict[str, Any] | None:
        """A stored SOP or calendar version."""
        with self._lock:
            content = self._definitions.get((kind, key))
            return dict(content) if content is not None else None

    def activate(self, kind: str, name: str, version: str, at: datetime) -> None:
        """Make ``version`` the active one of ``kind`` and ``name``."""
        with self._lock:
            self._active[(kind, name)] = version

    def active(self, kind: str) -> dict[str, str]:
        """The active versions of ``kind``, by name."""
        with self._lock:
            return {name: version for (k, name), version in self._active.items() if k == kind}

    def claim_due(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Timer]:
        """Lease due pending timers that no live lease holds, earliest first; none of a complaint
        after one of its timers that another lease holds (they fire in order)."""
        with self._lock:
            out: list[Timer] = []
            waiting: set[str] = set()
            for timer in self.due_timers(now, len(self._timers)):
                stored = self._timers[timer.id]
                if stored.complaint_id in waiting:
                    continue
                if stored.lease_expires is not None and stored.lease_expires > now:
                    waiting.add(stored.complaint_id)
                    continue
                stored.lease_owner = owner
                stored.lease_expires = now + lease
                out.append(stored.copy())
                if len(out) >= limit:
                    break
            return out

    def release_timers(self, owner: str, timer_ids: Sequence[str]) -> None:
        """Give back leases."""
        with self._lock:
            for timer_id in timer_ids:
                timer = self._timers.get(timer_id)
                if timer is not None and timer.lease_owner == owner:
                    timer.lease_owner = None
                    timer.lease_expires = None

    def complaints_with_pending_timers(self, due_from: datetime | None = None) -> list[str]:
        """Ids of complaints with a pending timer (due at or after ``due_from``, if given)."""
        with self._lock:
            return sorted(
                {
                    t.complaint_id
                    for t in self._timers.values()
                    if t.status is TimerStatus.PENDING and (due_from is None or t.due_at >= due_from)
                }
            )
