"""The SQL of KPI reports: three GROUP BY statements over the read model, never over events.

- complaints by group, state and backlog age (one row per complaint counted);
- milestones by group, step and working days (the histograms of durations, and the counts of
  escalations, referrals, replies and closures by the system);
- clock runs by group, clock and verdict.

Each complaint belongs to the period by the local date of its receipt in its own zone: the
period's bounds (and the bounds of time buckets and backlog ages) are computed per zone in
Python and compared with ``submitted_at``, so the same statement runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.sql.selectable import FromClause

from sp4n.persistence import tables as t
from sp4n.reports.model import AGE_BUCKETS, Dimension

_C = t.complaints.c

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
COUNTED_STEPS = ("escalated", "referred", "replied", "closed")
SYSTEM_ROLE = "system"


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


class Grouping:
    """The group columns of a split, and the joins a per-staff split needs."""

    def __init__(self, by: Sequence[Dimension], time_bounds: Bounds | None) -> None:
        self.columns: list[ColumnElement[Any]] = []
        self.joins: list[tuple[FromClause, ColumnElement[bool]]] = []
        for dim in by:
            if dim in ATTRIBUTES:
                self.columns.append(ATTRIBUTES[dim])
            elif dim in STAFF_STEP:
                step = t.milestones.alias(f"staff_{dim.value}")
                self.joins.append((step, and_(step.c.complaint_id == _C.id, step.c.name == STAFF_STEP[dim])))
                self.columns.append(step.c.actor_id)
            else:
                assert time_bounds is not None
                self.columns.append(bucket(time_bounds))

    def source(self, base: FromClause) -> FromClause:
        """``base`` with the staff joins."""
        for table, on in self.joins:
            base = base.outerjoin(table, on)
        return base


def _grouped(grouping: Grouping, base: FromClause, extra: list[ColumnElement[Any]], scope: Scope) -> Select[Any]:
    keys = [*grouping.columns, *extra]
    labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
    statement = select(*labelled, func.count().label("n")).select_from(grouping.source(base)).where(where(scope))
    # by output names: the CASE expressions carry bound values, which PostgreSQL would not
    # match between SELECT and GROUP BY
    return statement.group_by(*[literal_column(f"k{i}") for i in range(len(keys))])


def complaints_statement(grouping: Grouping, scope: Scope, terminal: Sequence[str], ages: Bounds) -> Select[Any]:
    """Complaints by group, state, "escalated before verification" and backlog age."""
    verified = exists().where(and_(t.milestones.c.complaint_id == _C.id, t.milestones.c.name.in_(VERIFIED_STEPS)))
    unverified_escalation = case((and_(_C.state == ESCALATED, ~verified), 1), else_=0)
    age = case((_C.state.in_(sorted(terminal)), literal(None)), else_=bucket(ages, AGE_BUCKETS[0][1]))
    return _grouped(grouping, t.complaints, [_C.state, unverified_escalation, age], scope)


def milestones_statement(grouping: Grouping, scope: Scope) -> Select[Any]:
    """Milestones by group, step, working days and whether the system reached it."""
    m = t.milestones.c
    by_system = case((m.actor_role == SYSTEM_ROLE, 1), else_=0)
    base = t.complaints.join(t.milestones, m.complaint_id == _C.id)
    statement = _grouped(grouping, base, [m.name, m.working_days, by_system], scope)
    return statement.where(m.name.in_([*DURATION_STEPS, *COUNTED_STEPS]))


def runs_statement(grouping: Grouping, scope: Scope, as_of: datetime) -> Select[Any]:
    """Clock runs by group, clock and verdict as of ``as_of`` (running past due: breached)."""
    r = t.clock_runs.c
    verdict = case(
        (r.outcome.in_(("met", "breached", "stopped")), r.outcome),
        (and_(r.outcome == "running", r.due_at.is_not(None), r.due_at <= as_of), literal("breached")),
        else_=literal("open"),
    )
    base = t.complaints.join(t.clock_runs, r.complaint_id == _C.id)
    return _grouped(grouping, base, [r.clock, verdict], scope)


def zones_statement() -> Select[Any]:
    """The zones complaints count in."""
    return select(_C.zone).distinct()
