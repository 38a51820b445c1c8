"""Clock planning: what a state change does to each clock of a complaint, and its timers.

A clock is a ledger (budget, consumed, running since, generation); its due instant is always
derived from the ledger with the calendar, never stored as a flag. Whenever the due instant may
change (start, pause, resume, stop, reset, extension, zone change) the generation goes up: the
pending timers of the old generation are closed as stale and, if the clock runs, the rungs of
the new generation are armed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.days import DEFAULT_OFFICE_HOURS
from sp4n.calendars.due import Due, compute_due
from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.policy import CountingPolicy, ReceiptDay
from sp4n.errors import InvalidData
from sp4n.persistence.base import TimerClose
from sp4n.persistence.records import ClockLedger, ClockRun, ClockStatus, Complaint, RunOutcome, Timer, TimerStatus
from sp4n.states.model import Assignable, ClockDef, RungAction, RungDef, RungTiming, Sop

_FIELDS = frozenset(a.value for a in Assignable)
"""Names ``budget_by`` reads from the complaint itself; any other is one of its attributes."""


@dataclass
class ClockPlan:
    """The clock side of one change: ledgers to save, timers to arm and to close, and a log."""

    ledgers: list[ClockLedger] = field(default_factory=list)
    add_timers: list[Timer] = field(default_factory=list)
    close_timers: list[TimerClose] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    runs: list[ClockRun] = field(default_factory=list)
    """Read model: the runs this change starts, moves or ends."""
    next_due_at: datetime | None = None
    """Read model: the earliest due instant of the running clocks after the change."""


def choose_budget(clock: ClockDef, complaint: Complaint) -> Duration:
    """The clock's budget for this complaint: by ``budget_by`` when it picks one, else fixed."""
    value = _chooser(clock, complaint)
    if clock.budget_by is not None:
        chosen = clock.budgets.get(str(value)) if value is not None else None
        if chosen is not None:
            return chosen
    if clock.budget is None:
        raise InvalidData(
            clock.budget_by or "budget",
            value,
            f"clock {clock.name!r} has no budget for it; set one of {', '.join(clock.budgets)}",
        )
    return clock.budget


def _chooser(clock: ClockDef, complaint: Complaint) -> Any:
    """The value ``budget_by`` names: a field of the complaint, else one of its attributes."""
    if clock.budget_by is None:
        return None
    if clock.budget_by in _FIELDS:
        return getattr(complaint, clock.budget_by, None)
    value = complaint.attributes.get(clock.budget_by)
    return str(value).lower() if isinstance(value, bool) else value


def ledger_due(cal: WorkingCalendar, policy: CountingPolicy, ledger: ClockLedger) -> Due | None:
    """The due instant of a running clock, derived from its ledger (None unless running)."""
    if ledger.status is not ClockStatus.RUNNING or ledger.running_since is None:
        return None
    unit = ledger.budget.unit
    if unit in (DurationUnit.HOURS, DurationUnit.WORKING_HOURS):
        total = (ledger.budget.value + ledger.extended_by) * 3600
        left = max(0, total - ledger.consumed)
        return compute_due(cal, ledger.running_since, _duration(-(-left // 3600), unit), policy, seconds=left)
    left = max(0, ledger.budget.value + ledger.extended_by - ledger.consumed)
    return compute_due(cal, ledger.running_since, _duration(left, unit), policy)


@lru_cache(maxsize=1024)
def _duration(value: int, unit: DurationUnit) -> Duration:
    """The remaining part of a budget; cached, since Durations are immutable values."""
    return Duration(value=value, unit=unit)


def consumed_between(
    cal: WorkingCalendar, policy: CountingPolicy, unit: DurationUnit, since: datetime, until: datetime
) -> int:
    """How much of a budget a run from ``since`` to ``until`` used, in the ledger's units.

    Day-based budgets count the days ``due`` would count: the days after the local start date
    up to the local pause date (from the start date itself when the day of receipt counts).
    """
    if unit is DurationUnit.HOURS:
        return max(0, int((until - since).total_seconds()))
    if unit is DurationUnit.WORKING_HOURS:
        return max(0, _office_seconds(cal, until) - _office_seconds(cal, since))
    d0, d1 = cal.local_date(since), cal.local_date(until)
    included = policy.receipt_day is ReceiptDay.INCLUDED
    if unit is DurationUnit.CALENDAR_DAYS:
        return max(0, (d1 - d0).days + (1 if included else 0))
    first_day = 1 if included and cal.is_working_day(d0) else 0
    return max(0, cal.working_days_between(d0, d1) + first_day)


def _office_seconds(cal: WorkingCalendar, instant: datetime) -> int:
    """Office seconds on working days from the start of the calendar's span to ``instant``."""
    cum = cal.office_seconds_cumulative()
    local = instant.astimezone(cal.tzinfo)
    d = local.date()
    i = d.toordinal() - cal.origin_ordinal
    day_total = cum[i + 1] - cum[i]
    if not day_total:
        return cum[i]
    opens = cal.office_hours[d.weekday()].opens
    since_open = (local - datetime.combine(d, opens, cal.tzinfo)).total_seconds()
    return cum[i] + int(min(max(since_open, 0), day_total))


DEFAULT_OPENING = DEFAULT_OFFICE_HOURS[0].opens
"""When offices open (07:30 local, DOMAIN.md), for a working day the calendar gives no hours."""


def rung_instant(due: Due, rung: RungDef, cal: WorkingCalendar) -> datetime:
    """When a rung comes: at the due instant, or ``before`` / ``after`` it (on ``cal``, the
    calendar the due instant was counted on, in the complaint's zone).

    A rung timed at the opening (by default an emit rung ``before`` in working days) comes when
    the office opens on the N-th working day before (or after) the local due date, so a warning
    "1 working day before" a deadline that ends with Thursday comes on Wednesday morning.
    """
    offset = rung.before if rung.before is not None else rung.after
    if offset is None:
        return due.at
    if rung.timing is RungTiming.OPENING:
        # the due date of a day-based deadline is the last day it covers; of an hour-based one,
        # the day its instant falls on
        day = cal.add_working_days(due.local_date, -offset.value if rung.before is not None else offset.value)
        return office_opening(cal, day)
    return due.before(offset) if rung.before is not None else due.after(offset)


def office_opening(cal: WorkingCalendar, day: date) -> datetime:
    """When the office opens on ``day`` (UTC): the calendar's hours for that weekday, else 07:30."""
    hours = cal.office_hours.get(day.weekday())
    return datetime.combine(day, hours.opens if hours else DEFAULT_OPENING, cal.tzinfo).astimezone(UTC)


_CHANGES: dict[tuple[ClockStatus, ClockStatus], str] = {
    (ClockStatus.STOPPED, ClockStatus.RUNNING): "started",
    (ClockStatus.RUNNING, ClockStatus.PAUSED): "paused",
    (ClockStatus.PAUSED, ClockStatus.RUNNING): "resumed",
    (ClockStatus.RUNNING, ClockStatus.STOPPED): "stopped",
    (ClockStatus.PAUSED, ClockStatus.STOPPED): "stopped",
}
"""What moving a clock from one status to another is called (other moves change nothing)."""


def _status_in(clock: ClockDef, state: str | None) -> ClockStatus:
    if state is None:
        return ClockStatus.STOPPED
    if state in clock.runs_in:
        return ClockStatus.RUNNING
    if state in clock.pauses_in:
        return ClockStatus.PAUSED
    return ClockStatus.STOPPED


class ClockPlanner:
    """Plans the clocks of one complaint for one change of state."""

    def __init__(self, sop: Sop, cal: WorkingCalendar, policy: CountingPolicy) -> None:
        self.sop = sop
        self.cal = cal
        self.policy = policy

    def plan(
        self,
        complaint: Complaint,
        ledgers: dict[str, ClockLedger],
        after: str,
        now: datetime,
        *,
        resets: tuple[str, ...] = (),
        extend: tuple[str, int] | None = None,
        rearm_all: bool = False,
        rearm: tuple[str, ...] = (),
        dues: Mapping[str, Due] | None = None,
    ) -> ClockPlan:
        """The ledgers, timers and log of ``complaint`` arriving in state ``after`` at ``now``.

        Each clock's new status follows from ``after``; its old one is its ledger's (a clock
        that never started is stopped). ``dues`` may give the due instants of re-armed clocks
        already computed on this planner's calendar (re-arming leaves the ledger's counts alone).
        """
        plan = ClockPlan()
        for clock in self.sop.clocks:
            ledger = ledgers.get(clock.name)
            old = ledger.status if ledger else ClockStatus.STOPPED  # a clock never started is stopped
            new = _status_in(clock, after)
            change = self._change(clock, ledger, old, new, resets, extend, rearm_all or clock.name in rearm)
            if change is None:
                continue
            before = ledger
            ledger = self._apply(clock, complaint, ledger, change, now, extend)
            ledgers[clock.name] = ledger
            plan.ledgers.append(ledger)
            known = dues.get(clock.name) if dues is not None and change == "rearmed" else None
            self._rearm(clock, complaint, ledger, now, plan, change, known)
            plan.runs.extend(self._runs(before, ledger, change, now))
        running = [c.due_at for c in ledgers.values() if c.status is ClockStatus.RUNNING and c.due_at is not None]
        plan.next_due_at = min(running, default=None)
        return plan

    def _runs(self, old: ClockLedger | None, new: ClockLedger, change: str, now: datetime) -> list[ClockRun]:
        """The read-model rows of one clock's change: the run it moves (and the run a reset ends)."""
        version = self.cal.version
        out = []
        if change == "reset" and old is not None and old.status is not ClockStatus.STOPPED:
            out.append(_run(old, RunOutcome.STOPPED, old.due_at, now, version, stopped=True))
        if change == "stopped":
            assert old is not None  # a clock never started does not stop
            due = old.due_at
            if old.status is ClockStatus.RUNNING:
                due = due or _due_at(self.cal, self.policy, old)
                late = due is not None and now >= due  # the budget is used up at the due instant
            else:  # paused: late if the budget was used up by the pause (seconds: at its instant;
                # days: a pause on the due date itself is in time)
                total = new.budget.value + new.extended_by
                late = new.consumed >= total * 3600 if _hourly(new) else new.consumed > total
            outcome = RunOutcome.BREACHED if late else RunOutcome.MET
            out.append(_run(new, outcome, due, now, version, stopped=True))
        elif new.status is ClockStatus.PAUSED:
            out.append(_run(new, RunOutcome.PAUSED, old.due_at if old else None, now, version))
        else:
            out.append(_run(new, RunOutcome.RUNNING, new.due_at, now, version))
        return out

    @staticmethod
    def _change(
        clock: ClockDef,
        ledger: ClockLedger | None,
        old: ClockStatus,
        new: ClockStatus,
        resets: tuple[str, ...],
        extend: tuple[str, int] | None,
        rearm_all: bool,
    ) -> str | None:
        running = ClockStatus.RUNNING
        if ledger is None and new is not running:
            return None
        if clock.name in resets and new is running:
            return "reset"
        change = _CHANGES.get((old, new))
        if change is None and old is running and new is running:
            if extend is not None and extend[0] == clock.name:
                return "extended"
            if rearm_all:
                return "rearmed"
        return change

    def _apply(
        self,
        clock: ClockDef,
        complaint: Complaint,
        ledger: ClockLedger | None,
        change: str,
        now: datetime,
        extend: tuple[str, int] | None,
    ) -> ClockLedger:
        if change in ("started", "reset"):
            generation = ledger.generation + 1 if ledger else 1
            return ClockLedger(
                complaint_id=complaint.id,
                name=clock.name,
                budget=choose_budget(clock, complaint),
                status=ClockStatus.RUNNING,
                generation=generation,
                consumed=0,
                running_since=now,
                extended_by=0,
                started_at=now,
            )
        assert ledger is not None  # only "started" has no ledger
        ledger = ledger.copy()
        ledger.generation += 1
        if change == "paused" or (change == "stopped" and ledger.status is ClockStatus.RUNNING):
            if ledger.running_since is not None:
                ledger.consumed += consumed_between(
                    self.cal, self.policy, ledger.budget.unit, ledger.running_since, now
                )
            ledger.running_since = None
        if change == "paused":
            ledger.status = ClockStatus.PAUSED
        elif change == "stopped":
            ledger.status = ClockStatus.STOPPED
        elif change == "resumed":
            ledger.status = ClockStatus.RUNNING
            ledger.running_since = now
        elif change == "extended" and extend is not None:
            ledger.extended_by += extend[1]
        return ledger

    def _rearm(
        self,
        clock: ClockDef,
        complaint: Complaint,
        ledger: ClockLedger,
        now: datetime,
        plan: ClockPlan,
        change: str,
        due: Due | None = None,
    ) -> None:
        if change not in ("started", "resumed"):
            # only a generation that was running has pending timers to close
            previous = ledger.generation - 1
            for rung in clock.rungs:
                plan.close_timers.append(
                    TimerClose(Timer.key(complaint.id, clock.name, previous, rung.name), TimerStatus.STALE, now)
                )
        if due is None:
            due = ledger_due(self.cal, self.policy, ledger)
        ledger.due_at = due.at if due is not None else None
        entry: dict[str, Any] = {"clock": clock.name, "change": change, "generation": ledger.generation}
        if due is not None:
            entry["due_at"] = due.at.isoformat()
            entry["budget"] = str(ledger.budget)
            for rung in clock.rungs:
                at = rung_instant(due, rung, self.cal)
                if rung.before is not None and at <= now:
                    continue  # a warning that would come before (or as) the run begins says nothing
                plan.add_timers.append(
                    Timer(
                        id=Timer.key(complaint.id, clock.name, ledger.generation, rung.name),
                        complaint_id=complaint.id,
                        clock=clock.name,
                        generation=ledger.generation,
                        rung=rung.name,
                        due_at=at,
                        priority=0 if rung.action is RungAction.EMIT else 1,
                    )
                )
        plan.changes.append(entry)


def _hourly(ledger: ClockLedger) -> bool:
    return ledger.budget.unit in (DurationUnit.HOURS, DurationUnit.WORKING_HOURS)


def _due_at(cal: WorkingCalendar, policy: CountingPolicy, ledger: ClockLedger) -> datetime | None:
    due = ledger_due(cal, policy, ledger)
    return due.at if due is not None else None


def _run(
    ledger: ClockLedger,
    outcome: RunOutcome,
    due_at: datetime | None,
    now: datetime,
    calendar_version: str,
    *,
    stopped: bool = False,
) -> ClockRun:
    return ClockRun(
        complaint_id=ledger.complaint_id,
        clock=ledger.name,
        started_at=ledger.started_at or now,
        outcome=outcome,
        due_at=due_at,
        changed_at=now,
        stopped_at=now if stopped else None,
        calendar_version=calendar_version,
    )
