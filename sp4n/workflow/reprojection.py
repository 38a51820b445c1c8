"""Re-projecting running clocks when the calendar changes (a decree adds a joint-leave day).

A due date is derived from a clock's ledger and the calendar, so a new calendar can move it.
For every complaint with running clocks, the clocks whose due instant or rung instants differ
under the new calendar get a new generation: the pending timers are closed as stale, new ones
are armed, and a ``calendar_reprojected`` event records the old and the new due instants.
Nothing that already fired is touched, and a calendar applied twice changes nothing the second
time (no instant moves).

Set-based: complaints are loaded and saved a batch at a time (one read and one transaction per
batch); a batch that meets a concurrent change is done again one complaint at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sp4n.calendars import WorkingCalendar
from sp4n.errors import ConcurrencyConflict
from sp4n.persistence.base import ChangeSet, Snapshot
from sp4n.persistence.records import ClockStatus
from sp4n.workflow.actor import SYSTEM
from sp4n.workflow.clocks import ClockPlanner, ledger_due, rung_instant
from sp4n.workflow.commands import make_event
from sp4n.workflow.retry import retry_on_conflict
from sp4n.workflow.runtime import Loaded, Runtime

Before = Callable[[str, bool], WorkingCalendar]
"""The calendar a clock was counted on before the change, by zone and joint-leave policy."""

BATCH = 500
"""Complaints loaded and saved together."""


def reproject(rt: Runtime, before: Before, *, batch: int = BATCH) -> list[str]:
    """Re-arm the clocks whose instants moved between the calendars ``before`` gives and the
    runtime's active ones; returns the ids of the complaints that changed."""
    ids = rt.store.complaints_with_pending_timers()
    changed: list[str] = []
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        if batch == 1:
            changed.extend(_one_by_one(rt, before, chunk))
            continue
        now = rt.now()
        changes = [c for c in (decide(rt, _loaded(rt, s), before, now) for s in rt.store.load_many(chunk)) if c]
        try:
            rt.commit_many(changes)
        except ConcurrencyConflict:
            changed.extend(_one_by_one(rt, before, [c.complaint.id for c in changes]))
            continue
        changed.extend(c.complaint.id for c in changes)
    return changed


def _one_by_one(rt: Runtime, before: Before, ids: Sequence[str]) -> list[str]:
    """The per-complaint path: load, decide, commit each, retried on a concurrent change."""
    changed = []
    for complaint_id in ids:

        def once(complaint_id: str = complaint_id) -> bool:
            change = decide(rt, rt.load(complaint_id), before, rt.now())
            if change is None:
                return False
            rt.commit(change)
            return True

        if retry_on_conflict(once):
            changed.append(complaint_id)
    return changed


def _loaded(rt: Runtime, snapshot: Snapshot) -> Loaded:
    complaint = snapshot.complaint
    return Loaded(snapshot, rt.registry.get(complaint.sop_id, complaint.sop_version))


def decide(rt: Runtime, loaded: Loaded, before: Before, now: datetime) -> ChangeSet | None:
    """The re-projection of one complaint (None when none of its instants moved)."""
    snapshot, compiled = loaded.snapshot, loaded.compiled
    complaint = snapshot.complaint
    joint_leave = compiled.sop.calendar.joint_leave
    before_cal = before(complaint.zone, joint_leave)
    after_cal = rt.calendars.for_zone(complaint.zone, joint_leave)
    if before_cal.version == after_cal.version:
        return None
    policy = compiled.sop.counting
    moved: list[dict[str, Any]] = []
    for clock in compiled.sop.clocks:
        ledger = snapshot.clocks.get(clock.name)
        if ledger is None or ledger.status is not ClockStatus.RUNNING:
            continue
        was, will = ledger_due(before_cal, policy, ledger), ledger_due(after_cal, policy, ledger)
        if was is None or will is None:
            continue
        old_rungs = [rung_instant(was, r, before_cal) for r in clock.rungs]
        new_rungs = [rung_instant(will, r, after_cal) for r in clock.rungs]
        if was.at != will.at or old_rungs != new_rungs:
            moved.append(
                {
                    "clock": clock.name,
                    "old_due_at": was.at.isoformat(),
                    "new_due_at": will.at.isoformat(),
                    "old_calendar_version": before_cal.version,
                    "new_calendar_version": after_cal.version,
                }
            )
    if not moved:
        return None
    updated = complaint.copy()
    expected = updated.version
    updated.version += 1
    plan = ClockPlanner(compiled.sop, after_cal, policy).plan(
        updated, dict(snapshot.clocks), complaint.state, now, rearm=tuple(m["clock"] for m in moved)
    )
    event = make_event(
        rt.context(compiled, now),
        updated,
        loaded.prev,
        kind="calendar_reprojected",
        actor=SYSTEM,
        source=complaint.state,
        dest=complaint.state,
        payload={"clocks": moved},
        plan=plan,
    )
    return ChangeSet(
        complaint=updated,
        expected_version=expected,
        clocks=plan.ledgers,
        add_timers=plan.add_timers,
        close_timers=plan.close_timers,
        events=[event],
        fields=(),  # only the version and the chain head move
        runs=plan.runs,
        next_due_at=plan.next_due_at,
    )
