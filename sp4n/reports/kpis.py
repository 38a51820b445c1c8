"""KPI reports of a period, split as asked, computed by SQL aggregation over the read model.

:func:`kpis` runs the two GROUP BY statements of :mod:`sp4n.reports.sql` through the SQL
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
from sp4n.persistence.report_facts import DURATION_STEPS, FLAG_STEPS
from sp4n.persistence.sql import SqlStore
from sp4n.reports.model import AGE_BUCKETS, ClockFigures, Dimension, Durations, Report, ReportRow, Stage
from sp4n.reports.period import Period, Unit
from sp4n.reports.sql import (
    FACTS,
    IN_PROCESS_STATES,
    STAFF_STEP,
    UNVERIFIED_STATES,
    Bounds,
    Scope,
    clocks_statement,
    report_statement,
    verdict,
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
_COUNTED = (*FLAG_STEPS, "closed_without_reply")
"""The names :data:`sp4n.reports.sql.COUNTS` are reported by."""
_VERDICTS = ("met", "breached", "open")

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
    """Figures by group key, filled from the report statement's rows."""

    def __init__(self, clocks: Sequence[str], terminal: set[str]) -> None:
        self.clocks = clocks
        self.terminal = terminal
        self.states: dict[Key, dict[str, int]] = {}
        self.stages: dict[Key, dict[Stage, int]] = {}
        self.backlog: dict[Key, dict[str, int]] = {}
        self.durations: dict[Key, dict[str, dict[int, int]]] = {}
        self.counts: dict[Key, dict[str, int]] = {}
        self.runs: dict[Key, dict[str, list[int]]] = {}

    def add(self, key: Key, facts: Sequence[Any], n: int, sums: Sequence[Any]) -> None:
        """One result row: ``n`` complaints of group ``key`` sharing ``facts`` (see
        :data:`sp4n.reports.sql.FACTS`), and how many of them count each of
        :data:`sp4n.reports.sql.COUNTS`."""
        state, unverified, age, *days = facts
        _bump(self.states.setdefault(key, {}), state, n)
        _bump(self.stages.setdefault(key, {}), self._stage(state, unverified), n)
        if age is not None:
            _bump(self.backlog.setdefault(key, {}), age, n)
        durations = self.durations.setdefault(key, {})
        for step, value in zip(DURATION_STEPS, days, strict=True):
            if value is not None:
                _bump(durations.setdefault(step, {}), int(value), n)
        counts = self.counts.setdefault(key, {})
        for name, value in zip(_COUNTED, sums, strict=True):
            if value:
                _bump(counts, name, int(value))

    def add_runs(self, key: Key, clock: str, outcome: str, late: int, n: int) -> None:
        """One row of the clocks statement: ``n`` runs of ``clock`` in group ``key`` that ended
        with ``outcome`` (or are running or paused), ``late`` if past their due instant."""
        found = verdict(outcome, bool(late))
        if found is None or clock not in self.clocks:
            return
        self.runs.setdefault(key, {}).setdefault(clock, [0, 0, 0])[_VERDICTS.index(found)] += n

    def _stage(self, state: str, unverified: int) -> Stage:
        if state in self.terminal:
            return Stage.COMPLETED
        if state in UNVERIFIED_STATES or unverified:
            return Stage.UNVERIFIED
        if state in IN_PROCESS_STATES:
            return Stage.IN_PROCESS
        return Stage.NOT_FOLLOWED_UP

    def row(self, key: Key, by: Sequence[Dimension]) -> ReportRow:
        durations = {k: Durations(tuple(sorted(v.items()))) for k, v in self.durations.get(key, {}).items()}
        counts = self.counts.get(key, {})
        runs = self.runs.get(key, {})
        clocks = {}
        for clock in self.clocks:
            met, breached, open_ = runs.get(clock, (0, 0, 0))
            if met or breached or open_:
                clocks[clock] = ClockFigures(met, breached, open_)
        return ReportRow(
            key={d.value: v for d, v in zip(by, key, strict=True)},
            states=dict(self.states.get(key, {})),
            stages=dict(self.stages.get(key, {})),
            to_verification=durations.get("verified", Durations()),
            to_distribution=durations.get("distributed", Durations()),
            to_follow_up=durations.get("followed_up", Durations()),
            clocks=clocks,
            backlog=dict(self.backlog.get(key, {})),
            escalated=counts.get("escalated", 0),
            referred=counts.get("referred", 0),
            closed_without_reply=counts.get("closed_without_reply", 0),
            replied=counts.get("replied", 0),
        )

    def groups(self) -> set[Key]:
        return set(self.states)


def _bump(counts: dict[Any, int], key: Any, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _sop_facts(runtime: Runtime, store: SqlStore) -> tuple[set[str], list[str]]:
    """The terminal states and the clock names of every SOP version the engine knows or the
    database holds (complaints stay pinned to versions an engine may not have loaded)."""
    terminal: set[str] = set()
    clocks: set[str] = set()
    for sop_id, version in runtime.registry.versions():
        sop = runtime.registry.get(sop_id, version).sop
        terminal |= {s.id for s in sop.states if s.terminal}
        clocks |= {c.name for c in sop.clocks}
    for key in store.definitions("sop"):
        content = store.load_definition("sop", key) or {}
        terminal |= {str(s["id"]) for s in content.get("states", []) if s.get("terminal")}
        clocks |= {str(c["name"]) for c in content.get("clocks", [])}
    return terminal, sorted(clocks)


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
    terminal, clocks = _sop_facts(runtime, store)
    ages = _age_bounds(runtime, zones, as_of)
    width, facts = len(dims), len(FACTS)
    acc = _Rows(clocks, terminal)
    for row in store.aggregate(report_statement(dims, time_bounds, scope, sorted(terminal), ages)):
        acc.add(tuple(row[:width]), row[width : width + facts], row[width + facts], row[width + facts + 1 :])
    if clocks:
        for row in store.aggregate(clocks_statement(dims, time_bounds, scope, as_of)):
            acc.add_runs(tuple(row[:width]), *row[width:])
    own = {key: acc.row(key, dims) for key in acc.groups()}
    total = ReportRow()
    for figures in own.values():
        total = total + figures
    rolled = _roll_up(own, dims, runtime, scope)
    rows = tuple(rolled[k] for k in sorted(rolled, key=_order))
    return Report(period, dims, as_of.isoformat(), rows, total)
