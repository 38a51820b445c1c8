"""Re-projecting running clocks when the calendar changes (a decree adds a joint-leave day).

A due date is derived from a clock's ledger and the calendar, so a new calendar can move it.
For every complaint with running clocks, the clocks whose due instant or rung instants differ
under the new calendar get a new generation: the pending timers are closed as stale, new ones
are armed, and a ``calendar_reprojected`` event records the old and the new due instants.
Nothing that already fired is touched, and a calendar applied twice changes nothing the second
time (no instant moves).

Set-based: only complaints that can be moved are read. When the two calendars differ only in
dated days (a decree adds or revokes days, all after today), a clock can move only if one of its
instants (its due instant, or a rung after it) falls on or after the first of those days, and
every such instant of a running clock is a pending timer; so the store is asked for the
complaints with a pending timer from that day on (an indexed read), not for all of them. The
complaints are then loaded and saved a batch at a time (one read and one transaction per
batch); a batch that meets a concurrent change is done again one complaint at a time. Within
one application, the old and new due instants (and rung instants) of a clock are computed once
for every ledger alike (same SOP, clock, zone, calendars, budget, use and start): complaints
filed together share them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sp4n.calendars import Due, WorkingCalendar
from sp4n.errors import ConcurrencyConflict
from sp4n.persistence.base import ChangeSet, Snapshot
from sp4n.persistence.records import ClockLedger, ClockStatus
from sp4n.states.model import RungDef
from sp4n.workflow.actor import SYSTEM
from sp4n.workflow.calendars import calendar_variant
from sp4n.workflow.clocks import ClockPlanner, ledger_due, rung_instant
from sp4n.workflow.commands import make_event
from sp4n.workflow.retry import retry_on_conflict
from sp4n.workflow.runtime import Loaded, Runtime

Before = Callable[[str, bool], WorkingCalendar]
"""The calendar a clock was counted on before the change, by zone and joint-leave policy."""

Moves = dict[tuple[Any, ...], tuple[Due, Due, bool]]
"""Memo of one application: a running ledger's key -> (old Due, new Due, whether an instant moved)."""

BATCH = 500
"""Complaints loaded and saved together."""

EARLIEST_ZONE = ZoneInfo("Asia/Jayapura")
"""WIT (UTC+9): where a local day of Indonesia begins first."""


def reproject(rt: Runtime, old: WorkingCalendar, *, batch: int = BATCH) -> list[str]:
    """Re-arm the clocks whose instants moved between the calendar ``old`` and the runtime's
    active one, a batch of complaints at a time; returns the ids of the complaints that changed."""
    before = _variants_of(old)
    ids = rt.store.complaints_with_pending_timers(due_from=first_instant_moved(old, rt.calendars.active, rt.now()))
    changed: list[str] = []
    moves: Moves = {}
    for start in range(0, len(ids), batch):
        now = rt.now()
        snapshots = rt.store.load_many(ids[start : start + batch])
        changes = [c for c in (decide(rt, _loaded(rt, s), before, now, moves) for s in snapshots) if c]
        try:
            rt.commit_many(changes)
        except ConcurrencyConflict:  # a complaint moved meanwhile: each on its own, reloaded
            changed.extend(reproject_each(rt, old, [c.complaint.id for c in changes]))
            continue
        changed.extend(c.complaint.id for c in changes)
    return changed


def reproject_each(rt: Runtime, old: WorkingCalendar, ids: Sequence[str]) -> list[str]:
    """The per-complaint path: load, decide and commit each of ``ids`` in its own transaction,
    retried on a concurrent change; returns the ids of the complaints that changed."""
    before = _variants_of(old)
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


def _variants_of(old: WorkingCalendar) -> Before:
    """The variants of ``old`` by zone and joint-leave policy, each built once."""
    built: dict[tuple[str, bool], WorkingCalendar] = {}

    def before(zone: str, joint_leave: bool) -> WorkingCalendar:
        key = (zone, joint_leave)
        if key not in built:
            built[key] = calendar_variant(old, zone, joint_leave)
        return built[key]

    return before


def first_instant_moved(old: WorkingCalendar, new: WorkingCalendar, now: datetime) -> datetime | None:
    """The earliest instant a deadline can move to or from between ``old`` and ``new`` (None:
    any, when they differ in more than dated days, or in a day that is not after today)."""
    if old.weekmask != new.weekmask or old.office_hours != new.office_hours:
        return None
    changed = {(d.date, d.kind) for d in old.days} ^ {(d.date, d.kind) for d in new.days}
    if not changed:
        return None
    first = min(day for day, _ in changed)
    # a local day starts earliest in the easternmost zone; a day more, for safety
    instant = datetime.combine(first - timedelta(days=1), time(0), EARLIEST_ZONE).astimezone(UTC)
    return instant if instant > now else None


def _key(
    sop: tuple[str, str], clock: str, zone: str, cals: tuple[WorkingCalendar, WorkingCalendar], ledger: ClockLedger
) -> tuple[Any, ...]:
    """Everything a running ledger's old and new instants depend on."""
    budget, used, extra, since = ledger.budget, ledger.consumed, ledger.extended_by, ledger.running_since
    return (sop, clock, zone, cals[0].version, cals[1].version, budget, used, extra, since)


def _moved(
    rungs: Sequence[RungDef], before_cal: WorkingCalendar, after_cal: WorkingCalendar, policy: Any, ledger: ClockLedger
) -> tuple[Due, Due, bool] | None:
    """A running ledger's Due on the old and the new calendar, and whether it or a rung moved."""
    was, will = ledger_due(before_cal, policy, ledger), ledger_due(after_cal, policy, ledger)
    if was is None or will is None:
        return None
    old_rungs = [rung_instant(was, r, before_cal) for r in rungs]
    new_rungs = [rung_instant(will, r, after_cal) for r in rungs]
    return was, will, was.at != will.at or old_rungs != new_rungs


def _loaded(rt: Runtime, snapshot: Snapshot) -> Loaded:
    complaint = snapshot.complaint
    return Loaded(snapshot, rt.registry.get(complaint.sop_id, complaint.sop_version))


def decide(rt: Runtime, loaded: Loaded, before: Before, now: datetime, moves: Moves | None = None) -> ChangeSet | None:
    """The re-projection of one complaint (None when none of its instants moved); ``moves``
    keeps the instants computed for a ledger for the next complaint with the same one."""
    snapshot, compiled = loaded.snapshot, loaded.compiled
    complaint = snapshot.complaint
    joint_leave = compiled.sop.calendar.joint_leave
    before_cal = before(complaint.zone, joint_leave)
    after_cal = rt.calendars.for_zone(complaint.zone, joint_leave)
    if before_cal.version == after_cal.version:
        return None
    policy = compiled.sop.counting
    moved: list[dict[str, Any]] = []
    dues: dict[str, Due] = {}
    for clock in compiled.sop.clocks:
        ledger = snapshot.clocks.get(clock.name)
        if ledger is None or ledger.status is not ClockStatus.RUNNING:
            continue
        key = _key(compiled.sop.key, clock.name, complaint.zone, (before_cal, after_cal), ledger)
        known = moves.get(key) if moves is not None else None
        if known is None:
            known = _moved(clock.rungs, before_cal, after_cal, policy, ledger)
            if known is None:
                continue
            if moves is not None:
                moves[key] = known
        was, will, moved_now = known
        if moved_now:
            dues[clock.name] = will
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
        updated, dict(snapshot.clocks), complaint.state, now, rearm=tuple(dues), dues=dues
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
