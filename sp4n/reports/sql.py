"""The SQL of KPI reports: two GROUP BYs over the read model, never over events.

The complaints counted are read from their one row of report facts each
(:mod:`sp4n.persistence.report_facts`: their split keys, state and receipt instant beside their
milestones folded when they were written) and grouped by the split's keys and by the
per-complaint facts (state, backlog age, working days to each step), summing the steps reached,
so one row of the result stands for many complaints. Their clock runs are grouped apart, by the
split's keys, the clock, the outcome and lateness.

Each complaint belongs to the period by the local date of its receipt in its own zone: the
period's bounds (and the bounds of time buckets and backlog ages) are computed per zone in
Python and compared with ``submitted_at``, so the same statement runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, literal_column, or_, select, true

from sp4n.persistence import tables as t
from sp4n.persistence.report_facts import DURATION_STEPS, FLAG_STEPS, days_column
from sp4n.reports.model import AGE_BUCKETS, Dimension

_C = t.complaints.c
_F = t.report_facts.c
_R = t.clock_runs.c

ATTRIBUTES: Mapping[Dimension, Any] = {
    Dimension.AGENCY: _F.agency,
    Dimension.CATEGORY: _F.category,
    Dimension.CHANNEL: _F.channel,
    Dimension.CLASSIFICATION: _F.classification,
    Dimension.SOP: _F.sop_id,
    Dimension.ZONE: _F.zone,
}
STAFF_STEP: Mapping[Dimension, str] = {Dimension.ADMIN: "verified_by", Dimension.LIAISON_OFFICER: "followed_up_by"}
"""The report-facts column a per-staff split follows (see :data:`sp4n.persistence.report_facts.STAFF_STEPS`)."""

UNVERIFIED_STATES = ("received", "on_hold")
IN_PROCESS_STATES = ("followed_up",)
ESCALATED = "escalated"

FACTS = ("state", "unverified", "age", *DURATION_STEPS)
"""The per-complaint facts a result row is grouped by, after the split's keys."""
COUNTS = (*FLAG_STEPS, "closed_by_system")
"""The report facts a result row sums (0 or 1 per complaint), after the number of complaints."""

Bounds = Mapping[str, Sequence[tuple[datetime, str]]]
"""Per zone, (instant, label) in order: a complaint received before the first instant gets its
label, before the next one the next label, and so on."""


@dataclass(frozen=True)
class Scope:
    """Which complaints a report counts: received in [start, end) of each zone, within
    ``agencies`` (None: any), confidential ones only if ``confidential``."""

    period: Mapping[str, tuple[datetime, datetime]]
    agencies: frozenset[str] | None
    confidential: bool


def bucket(bounds: Bounds, default: str | None = None) -> ColumnElement[Any]:
    """A CASE giving each complaint the label of its receipt instant, zone by zone."""
    whens = []
    for zone, steps in bounds.items():
        inner = case(*[(_F.submitted_at < at, literal(label)) for at, label in steps], else_=literal(default))
        whens.append((_F.zone == zone, inner))
    return case(*whens, else_=literal(default)) if whens else literal(default)


def where(scope: Scope) -> ColumnElement[bool]:
    """The complaints ``scope`` counts."""
    received = [
        and_(_F.zone == zone, _F.submitted_at >= start, _F.submitted_at < end)
        for zone, (start, end) in scope.period.items()
    ]
    parts: list[ColumnElement[bool]] = [or_(*received) if received else false()]
    if scope.agencies is not None:
        parts.append(_F.agency.in_(sorted(scope.agencies)) if scope.agencies else false())
    if not scope.confidential:
        parts.append(_F.confidential.is_(False))
    return and_(true(), *parts)


def _keys(by: Sequence[Dimension], time_bounds: Bounds | None) -> list[Any]:
    keys: list[Any] = []
    for dim in by:
        if dim in ATTRIBUTES:
            keys.append(ATTRIBUTES[dim])
        elif dim in STAFF_STEP:
            keys.append(_F[STAFF_STEP[dim]])
        else:
            assert time_bounds is not None
            keys.append(bucket(time_bounds))
    return keys


def _grouped(columns: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """The columns labelled k0, k1, ... and the GROUP BY on those labels (the CASE expressions
    carry bound values, which PostgreSQL would not match between SELECT and GROUP BY)."""
    labelled = [g.label(f"k{i}") for i, g in enumerate(columns)]
    return labelled, [literal_column(f"k{i}") for i in range(len(columns))]


def report_statement(
    by: Sequence[Dimension],
    time_bounds: Bounds | None,
    scope: Scope,
    terminal: Sequence[str],
    ages: Bounds,
) -> Select[Any]:
    """The report's GROUP BY: the split's keys, then :data:`FACTS`, then the number of
    complaints and the sums of :data:`COUNTS`; over the report facts of the complaints of the scope."""
    unverified = case((and_(_F.state == ESCALATED, _F.verified_any == 0), 1), else_=0)
    age = case((_F.state.in_(sorted(terminal)), literal(None)), else_=bucket(ages, AGE_BUCKETS[0][1]))
    labelled, group = _grouped(
        [
            *_keys(by, time_bounds),
            _F.state,
            unverified,
            age,
            *[_F[days_column(s)] for s in DURATION_STEPS],
        ]
    )
    sums = [func.sum(_F[name]) for name in COUNTS]
    return select(*labelled, func.count(), *sums).where(where(scope)).group_by(*group)


def clocks_statement(by: Sequence[Dimension], time_bounds: Bounds | None, scope: Scope, as_of: datetime) -> Select[Any]:
    """The clock runs of the report: the split's keys, the clock, the outcome and whether a
    run is past its due instant at ``as_of``, then the number of runs; over the runs of the
    complaints of the scope (the caller takes their verdicts: :func:`verdict`)."""
    late = and_(_R.due_at.is_not(None), _R.due_at <= as_of)
    labelled, group = _grouped([*_keys(by, time_bounds), _R.clock, _R.outcome, case((late, 1), else_=0)])
    source = t.report_facts.join(t.clock_runs, _R.complaint_id == _F.complaint_id)
    return select(*labelled, func.count()).select_from(source).where(where(scope)).group_by(*group)


def verdict(outcome: str, late: bool) -> str | None:
    """A clock run's verdict: met or breached as it ended; a run still running past its due
    instant is breached, one running in time or paused is open; ended without a verdict, None
    (not counted)."""
    if outcome in ("met", "breached"):
        return outcome
    if outcome == "running" and late:
        return "breached"
    return "open" if outcome in ("running", "paused") else None


def zones_statement() -> Select[Any]:
    """The zones complaints count in: a skip along the ``(zone)`` index, one probe per zone
    (a recursive query), so it costs the few zones rather than every complaint."""
    zones = select(func.min(_C.zone).label("zone")).cte("zones", recursive=True)
    following = select(func.min(_C.zone)).where(_C.zone > zones.c.zone).scalar_subquery()
    zones = zones.union_all(select(following.label("zone")).where(zones.c.zone.is_not(None)))
    return select(zones.c.zone).where(zones.c.zone.is_not(None))
