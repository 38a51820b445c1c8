"""KPI reports of a period, split as asked, computed by SQL aggregation over the read model.

:func:`kpis` runs the three GROUP BY statements of :mod:`sp4n.reports.sql` through the SQL
store, folds their rows into :class:`~sp4n.reports.model.ReportRow` figures and rolls agency rows
up the agency tree. What it counts follows the asking actor: staff of an agency see their own
tree (confidential reports included), the national admin and the Ombudsman everything, and the
public (or a reporter) only aggregates of the reports that are not confidential, never per staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.zones import require_aware
from sp4n.errors import InvalidData, StoreError
from sp4n.persistence.sql import SqlStore
from sp4n.reports.model import AGE_BUCKETS, ClockFigures, Dimension, Durations, Report, ReportRow, Stage
from sp4n.reports.period import Period, Unit
from sp4n.reports.sql import (
    IN_PROCESS_STATES,
    STAFF_STEP,
    UNVERIFIED_STATES,
    Bounds,
    Grouping,
    Scope,
    complaints_statement,
    milestones_statement,
    runs_statement,
    zones_statement,
)
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import visibility_of
from sp4n.workflow.engine import Engine
from sp4n.workflow.runtime import Runtime

_TIME_UNITS = {
    Dimension.DAY: Unit.DAY,
    Dimension.WEEK: Unit.WEEK,
    Dimension.MONTH: Unit.MONTH,
    Dimension.QUARTER: Unit.QUARTER,
    Dimension.HALF: Unit.HALF,
    Dimension.YEAR: Unit.YEAR,
}
_KNOWN = tuple(d.value for d in Dimension)
_STEPS = {"verified": "to_verification", "distributed": "to_distribution", "followed_up": "to_follow_up"}

Key = tuple[str | None, ...]


def dimensions(by: Iterable[object] | str) -> tuple[Dimension, ...]:
    """``by`` as dimensions: InvalidData naming an unknown, repeated or second time dimension."""
    names = [by] if isinstance(by, str) else list(by)
    out: list[Dimension] = []
    for name in names:
        if not isinstance(name, str) or name not in _KNOWN:
            raise InvalidData("by", name, f"one of {', '.join(_KNOWN)}")
        dim = Dimension(name)
        if dim in out:
            raise InvalidData("by", name, "named twice")
        out.append(dim)
    if sum(d in _TIME_UNITS for d in out) > 1:
        raise InvalidData("by", [d.value for d in out], "at most one of day, week, month, quarter, half, year")
    return tuple(out)


def _midnight(d: date, zone: str) -> datetime:
    return datetime.combine(d, time(0), ZoneInfo(zone)).astimezone(UTC)


def _oldest_with_age(cal: WorkingCalendar, today: date, n: int) -> date:
    """The latest date from which ``today`` is at least ``n`` working days on."""
    d = cal.add_working_days(today, -n)
    while cal.working_days_between(d + timedelta(days=1), today) >= n:
        d += timedelta(days=1)
    while cal.working_days_between(d, today) < n:
        d -= timedelta(days=1)
    return d


def _age_bounds(runtime: Runtime, zones: Sequence[str], as_of: datetime) -> Bounds:
    """Per zone, the receipt instants before which an open complaint is in each older age bucket."""
    out = {}
    for zone in zones:
        cal = runtime.calendars.for_zone(zone, True)
        today = cal.local_date(as_of)
        out[zone] = [
            (_midnight(_oldest_with_age(cal, today, start) + timedelta(days=1), zone), label)
            for start, label in reversed(AGE_BUCKETS[1:])
        ]
    return out


def _scope(runtime: Runtime, actor: Actor | None, by: Sequence[Dimension], periods: dict[str, Any]) -> Scope:
    visibility = visibility_of(actor, runtime.agencies)
    if visibility.everything:
        return Scope(periods, None, True)
    if actor is not None and (visibility.agencies or actor.agency):
        return Scope(periods, visibility.agencies, True)
    staff = [d for d in by if d in STAFF_STEP]
    if staff:
        raise InvalidData("by", staff[0].value, "a per-staff split is for the agency's own staff, not the public")
    return Scope(periods, None, False)


class _Rows:
    """Figures by group key, filled from the statements' rows."""

    def __init__(self) -> None:
        self.states: dict[Key, dict[str, int]] = {}
        self.stages: dict[Key, dict[Stage, int]] = {}
        self.backlog: dict[Key, dict[str, int]] = {}
        self.durations: dict[Key, dict[str, dict[int, int]]] = {}
        self.counts: dict[Key, dict[str, int]] = {}
        self.clocks: dict[Key, dict[str, list[int]]] = {}

    def complaint(
        self, key: Key, state: str, unverified_escalation: int, age: str | None, n: int, terminal: set[str]
    ) -> None:
        states = self.states.setdefault(key, {})
        states[state] = states.get(state, 0) + n
        if state in terminal:
            stage = Stage.COMPLETED
        elif state in UNVERIFIED_STATES or unverified_escalation:
            stage = Stage.UNVERIFIED
        elif state in IN_PROCESS_STATES:
            stage = Stage.IN_PROCESS
        else:
            stage = Stage.NOT_FOLLOWED_UP
        stages = self.stages.setdefault(key, {})
        stages[stage] = stages.get(stage, 0) + n
        if age is not None:
            backlog = self.backlog.setdefault(key, {})
            backlog[age] = backlog.get(age, 0) + n

    def milestone(self, key: Key, name: str, days: int | None, by_system: int, n: int) -> None:
        if name in _STEPS and days is not None:
            histogram = self.durations.setdefault(key, {}).setdefault(_STEPS[name], {})
            histogram[days] = histogram.get(days, 0) + n
        counted = {"escalated": "escalated", "referred": "referred", "replied": "replied"}.get(name)
        if name == "closed" and by_system:
            counted = "closed_without_reply"
        if counted is not None:
            counts = self.counts.setdefault(key, {})
            counts[counted] = counts.get(counted, 0) + n

    def run(self, key: Key, clock: str, verdict: str, n: int) -> None:
        index = {"met": 0, "breached": 1, "open": 2}.get(verdict)
        if index is not None:
            self.clocks.setdefault(key, {}).setdefault(clock, [0, 0, 0])[index] += n

    def row(self, key: Key, by: Sequence[Dimension]) -> ReportRow:
        durations = {k: Durations(tuple(sorted(v.items()))) for k, v in self.durations.get(key, {}).items()}
        counts = self.counts.get(key, {})
        return ReportRow(
            key={d.value: v for d, v in zip(by, key, strict=True)},
            states=dict(self.states.get(key, {})),
            stages=dict(self.stages.get(key, {})),
            to_verification=durations.get("to_verification", Durations()),
            to_distribution=durations.get("to_distribution", Durations()),
            to_follow_up=durations.get("to_follow_up", Durations()),
            clocks={c: ClockFigures(*v) for c, v in self.clocks.get(key, {}).items()},
            backlog=dict(self.backlog.get(key, {})),
            escalated=counts.get("escalated", 0),
            referred=counts.get("referred", 0),
            closed_without_reply=counts.get("closed_without_reply", 0),
            replied=counts.get("replied", 0),
        )

    def groups(self) -> set[Key]:
        return set(self.states) | set(self.durations) | set(self.counts) | set(self.clocks)


def _terminal_states(runtime: Runtime) -> set[str]:
    out = set()
    for sop_id, version in runtime.registry.versions():
        out |= {s.id for s in runtime.registry.get(sop_id, version).sop.states if s.terminal}
    return out


def _roll_up(
    rows: dict[Key, ReportRow], by: Sequence[Dimension], runtime: Runtime, scope: Scope
) -> dict[Key, ReportRow]:
    """Each agency's row plus those of every agency below it (ancestors inside the scope only)."""
    if Dimension.AGENCY not in by:
        return rows
    at = by.index(Dimension.AGENCY)
    out = dict(rows)
    for key, row in rows.items():
        agency = key[at]
        if agency is None:
            continue
        for above in runtime.agencies.ancestors(agency):
            if scope.agencies is not None and above not in scope.agencies:
                continue
            up = (*key[:at], above, *key[at + 1 :])
            base = out.get(up) or ReportRow(key={d.value: v for d, v in zip(by, up, strict=True)})
            out[up] = base + row
    return out


def _order(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in key)


def kpis(
    engine: Engine,
    actor: Actor | None,
    *,
    period: Period | str,
    by: Iterable[Dimension | str] | str = (),
    as_of: datetime | None = None,
) -> Report:
    """The KPIs of the complaints received in ``period`` that ``actor`` may count (None: the
    public), split ``by`` dimensions; open clock runs and backlog ages measured at ``as_of``
    (default: the engine's now). docs/reports.md defines every figure."""
    runtime = engine.runtime
    store = runtime.store
    if not isinstance(store, SqlStore):
        raise StoreError("KPI reports are computed in SQL: open the engine on SQLite or PostgreSQL")
    period = period if isinstance(period, Period) else Period.parse(period)
    dims = dimensions(by)
    as_of = require_aware(as_of, "as_of").astimezone(UTC) if as_of is not None else runtime.now()
    zones = sorted(str(r[0]) for r in store.aggregate(zones_statement()))
    periods = {z: (_midnight(period.start, z), _midnight(period.end, z)) for z in zones}
    scope = _scope(runtime, actor, dims, periods)
    time_bounds: Bounds | None = None
    for dim in dims:
        if dim in _TIME_UNITS:
            buckets = period.split(_TIME_UNITS[dim])
            time_bounds = {z: [(_midnight(b.end, z), b.label) for b in buckets] for z in zones}
    grouping = Grouping(dims, time_bounds)
    terminal = _terminal_states(runtime)
    width = len(dims)
    acc = _Rows()
    for row in store.aggregate(
        complaints_statement(grouping, scope, sorted(terminal), _age_bounds(runtime, zones, as_of))
    ):
        acc.complaint(tuple(row[:width]), row[width], row[width + 1], row[width + 2], row[-1], terminal)
    for row in store.aggregate(milestones_statement(grouping, scope)):
        acc.milestone(tuple(row[:width]), row[width], row[width + 1], row[width + 2], row[-1])
    for row in store.aggregate(runs_statement(grouping, scope, as_of)):
        acc.run(tuple(row[:width]), row[width], row[width + 1], row[-1])
    own = {key: acc.row(key, dims) for key in acc.groups()}
    total = ReportRow()
    for figures in own.values():
        total = total + figures
    rolled = _roll_up(own, dims, runtime, scope)
    rows = tuple(rolled[k] for k in sorted(rolled, key=_order))
    return Report(period, dims, as_of.isoformat(), rows, total)
