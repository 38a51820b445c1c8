"""The SQL of KPI reports: ONE GROUP BY over the read model, never over events.

Each complaint's milestones and clock runs are first folded into one row per complaint (two
sub-selects grouped by complaint id, which both databases read in primary-key order without
sorting); the complaints counted are then joined with them and grouped by the split's keys and
by the per-complaint facts (state, backlog age, working days to each step, escalated, ...), so
one row of the result stands for many complaints and the clock verdicts are summed per group.

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
from sp4n.reports.model import AGE_BUCKETS, Dimension

_C = t.complaints.c
_M = t.milestones.c
_R = t.clock_runs.c

ATTRIBUTES: Mapping[Dimension, Any] = {
    Dimension.AGENCY: _C.agency,
    Dimension.CATEGORY: _C.category,
    Dimension.CHANNEL: _C.channel,
    Dimension.CLASSIFICATION: _C.classification,
    Dimension.SOP: _C.sop_id,
    Dimension.ZONE: _C.zone,
}
STAFF_STEP: Mapping[Dimension, str] = {Dimension.ADMIN: "verified", Dimension.LIAISON_OFFICER: "followed_up"}
"""The step whose actor a per-staff split follows: the admin who verified, the liaison officer
who first followed up."""

UNVERIFIED_STATES = ("received", "on_hold")
IN_PROCESS_STATES = ("followed_up",)
ESCALATED = "escalated"
VERIFIED_STEPS = ("verified", "distributed")
"""An escalated complaint that reached none of these steps is still unverified."""
DURATION_STEPS = ("verified", "distributed", "followed_up")
"""The steps whose working days from receipt are counted, in the order of the facts."""
FLAG_STEPS = ("escalated", "referred", "replied")
"""The steps counted as reached or not, in the order of the facts (then closed by the system)."""
SYSTEM_ROLE = "system"
VERDICTS = ("met", "breached", "open")

FACTS = ("state", "unverified", "age", *DURATION_STEPS, *FLAG_STEPS, "closed_by_system")
"""The per-complaint facts a result row is grouped by, after the split's keys."""

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
        inner = case(*[(_C.submitted_at < at, literal(label)) for at, label in steps], else_=literal(default))
        whens.append((_C.zone == zone, inner))
    return case(*whens, else_=literal(default)) if whens else literal(default)


def where(scope: Scope) -> ColumnElement[bool]:
    """The complaints ``scope`` counts."""
    received = [
        and_(_C.zone == zone, _C.submitted_at >= start, _C.submitted_at < end)
        for zone, (start, end) in scope.period.items()
    ]
    parts: list[ColumnElement[bool]] = [or_(*received) if received else false()]
    if scope.agencies is not None:
        parts.append(_C.agency.in_(sorted(scope.agencies)) if scope.agencies else false())
    if not scope.confidential:
        parts.append(_C.confidential.is_(False))
    return and_(true(), *parts)


def _flag(condition: ColumnElement[bool]) -> Any:
    return func.max(case((condition, 1), else_=0))


def milestone_facts() -> Any:
    """One row per complaint: working days to each step, steps reached, who verified and who
    first followed up."""
    columns: list[Any] = [_M.complaint_id.label("cid")]
    columns += [func.max(case((_M.name == s, _M.working_days))).label(s) for s in DURATION_STEPS]
    columns += [_flag(_M.name == s).label(s) for s in FLAG_STEPS]
    columns.append(_flag(and_(_M.name == "closed", _M.actor_role == SYSTEM_ROLE)).label("closed_by_system"))
    columns.append(_flag(_M.name.in_(VERIFIED_STEPS)).label("verified_any"))
    for dim, step in STAFF_STEP.items():
        columns.append(func.max(case((_M.name == step, _M.actor_id))).label(dim.value))
    return select(*columns).group_by(_M.complaint_id).subquery("facts")


def run_facts(clocks: Sequence[str], as_of: datetime) -> Any:
    """One row per complaint: its runs of each clock by verdict, as of ``as_of`` (a run still
    running past its due instant is breached; running in time or paused, open; ended without a
    verdict, not counted)."""
    verdict = case(
        (_R.outcome.in_(("met", "breached")), _R.outcome),
        (and_(_R.outcome == "running", _R.due_at.is_not(None), _R.due_at <= as_of), literal("breached")),
        (_R.outcome.in_(("running", "paused")), literal("open")),
        else_=literal(None),
    )
    columns: list[Any] = [_R.complaint_id.label("cid")]
    for i, clock in enumerate(clocks):
        for v in VERDICTS:
            columns.append(func.sum(case((and_(_R.clock == clock, verdict == v), 1), else_=0)).label(f"r{i}_{v}"))
    return select(*columns).group_by(_R.complaint_id).subquery("runs")


def report_statement(
    by: Sequence[Dimension],
    time_bounds: Bounds | None,
    scope: Scope,
    terminal: Sequence[str],
    ages: Bounds,
    clocks: Sequence[str],
    as_of: datetime,
) -> Select[Any]:
    """The report's one SELECT: the split's keys, then :data:`FACTS`, then the number of
    complaints, then per clock (in ``clocks`` order) the runs met, breached and open."""
    facts = milestone_facts()
    keys: list[Any] = []
    for dim in by:
        if dim in ATTRIBUTES:
            keys.append(ATTRIBUTES[dim])
        elif dim in STAFF_STEP:
            keys.append(facts.c[dim.value])
        else:
            assert time_bounds is not None
            keys.append(bucket(time_bounds))
    unverified = case((and_(_C.state == ESCALATED, func.coalesce(facts.c.verified_any, 0) == 0), 1), else_=0)
    age = case((_C.state.in_(sorted(terminal)), literal(None)), else_=bucket(ages, AGE_BUCKETS[0][1]))
    grouped = [
        *keys,
        _C.state,
        unverified,
        age,
        *[facts.c[s] for s in DURATION_STEPS],
        *[func.coalesce(facts.c[s], 0) for s in FLAG_STEPS],
        func.coalesce(facts.c.closed_by_system, 0),
    ]
    labelled = [g.label(f"k{i}") for i, g in enumerate(grouped)]
    source = t.complaints.outerjoin(facts, facts.c.cid == _C.id)
    sums: list[Any] = []
    if clocks:
        runs = run_facts(clocks, as_of)
        source = source.outerjoin(runs, runs.c.cid == _C.id)
        sums = [func.coalesce(func.sum(runs.c[f"r{i}_{v}"]), 0) for i in range(len(clocks)) for v in VERDICTS]
    statement = select(*labelled, func.count(), *sums).select_from(source).where(where(scope))
    # by output names: the CASE expressions carry bound values, which PostgreSQL would not
    # match between SELECT and GROUP BY
    return statement.group_by(*[literal_column(f"k{i}") for i in range(len(grouped))])


def zones_statement() -> Select[Any]:
    """The zones complaints count in: a skip along the ``(zone)`` index, one probe per zone
    (a recursive query), so it costs the few zones rather than every complaint."""
    zones = select(func.min(_C.zone).label("zone")).cte("zones", recursive=True)
    following = select(func.min(_C.zone)).where(_C.zone > zones.c.zone).scalar_subquery()
    zones = zones.union_all(select(following.label("zone")).where(zones.c.zone.is_not(None)))
    return select(zones.c.zone).where(zones.c.zone.is_not(None))
