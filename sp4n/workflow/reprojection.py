"""Re-projecting running clocks when the calendar changes (a decree adds a joint-leave day).

A due date is derived from a clock's ledger and the calendar, so a new calendar can move it.
For every complaint with running clocks, the clocks whose due instant or rung instants differ
under the new calendar get a new generation: the pending timers are closed as stale, new ones
are armed, and a ``calendar_reprojected`` event records the old and the new due instants.
Nothing that already fired is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.records import ClockStatus
from sp4n.workflow.actor import SYSTEM
from sp4n.workflow.clocks import ClockPlanner, ledger_due, rung_instant
from sp4n.workflow.commands import make_event
from sp4n.workflow.runtime import Runtime


def reproject(rt: Runtime, before: Callable[[str, bool], WorkingCalendar]) -> list[str]:
    """Re-arm the clocks whose instants moved between the calendars ``before`` gives (by zone and
    joint-leave policy) and the engine's new ones; returns the ids of the complaints that changed."""
    changed: list[str] = []
    for complaint_id in rt.store.complaints_with_pending_timers():
        loaded = rt.load(complaint_id)
        snapshot, compiled = loaded.snapshot, loaded.compiled
        complaint = snapshot.complaint
        joint_leave = compiled.sop.calendar.joint_leave
        before_cal = before(complaint.zone, joint_leave)
        after_cal = rt.calendars.for_zone(complaint.zone, joint_leave)
        if before_cal.version == after_cal.version:
            continue
        policy = compiled.sop.counting
        moved: list[dict[str, Any]] = []
        for clock in compiled.sop.clocks:
            ledger = snapshot.clocks.get(clock.name)
            if ledger is None or ledger.status is not ClockStatus.RUNNING:
                continue
            was, now_due = ledger_due(before_cal, policy, ledger), ledger_due(after_cal, policy, ledger)
            if was is None or now_due is None:
                continue
            old_rungs = [rung_instant(was, r, before_cal) for r in clock.rungs]
            new_rungs = [rung_instant(now_due, r, after_cal) for r in clock.rungs]
            if was.at != now_due.at or old_rungs != new_rungs:
                moved.append(
                    {
                        "clock": clock.name,
                        "old_due_at": was.at.isoformat(),
                        "new_due_at": now_due.at.isoformat(),
                        "old_calendar_version": before_cal.version,
                        "new_calendar_version": after_cal.version,
                    }
                )
        if not moved:
            continue
        now = rt.now()
        updated = complaint.copy()
        expected = updated.version
        updated.version += 1
        planner = ClockPlanner(compiled.sop, after_cal, policy)
        plan = planner.plan(
            updated,
            dict(snapshot.clocks),
            complaint.state,
            now,
            rearm=tuple(m["clock"] for m in moved),
        )
        ctx = rt.context(compiled, now)
        event = make_event(
            ctx,
            updated,
            loaded.prev,
            kind="calendar_reprojected",
            actor=SYSTEM,
            source=complaint.state,
            dest=complaint.state,
            payload={"clocks": moved},
            plan=plan,
        )
        change = ChangeSet(
            complaint=updated,
            expected_version=expected,
            clocks=plan.ledgers,
            add_timers=plan.add_timers,
            close_timers=plan.close_timers,
            events=[event],
            fields=(),  # only the version and the chain head move
        )
        rt.commit(change)
        changed.append(complaint_id)
    return changed
