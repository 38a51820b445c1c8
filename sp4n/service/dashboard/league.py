"""The league table of agencies and the weekly trends of the monitoring room, read from the KPI
reports of :mod:`sp4n.reports` (one query path per KPI: nothing here counts on its own).

The league table is ``kpis(by=["agency"])`` for a period (the current quarter unless one is
named): per agency, rolled up its tree, the complaints received, the completion rate, the mean
working days from receipt to the first follow-up, and the breached share (clock runs breached
over those decided, met or breached, summed over the SOP's clocks). It shows the children of one
agency at a time: the roots (and complaints not yet assigned) for national staff and the public,
the viewer's own agency for agency staff, and any agency of their tree on drill-down.

The trends are ``kpis(by=["week"])`` over the quarter before and the current one: per ISO week of
receipt, the complaints received and completed (each counted as it stands now).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sp4n.agencies.model import Agency
from sp4n.reports import Period, ReportRow, Stage, Unit, kpis
from sp4n.service.dashboard.board import Scope
from sp4n.workflow.engine import Engine

TREND_WEEKS = 12
"""How many weeks the trend chart shows, the current one last."""


def breached_share(row: ReportRow) -> float | None:
    """Breached clock runs over decided ones (met or breached), every clock of the row summed."""
    breached = sum(c.breached for c in row.clocks.values())
    decided = breached + sum(c.met for c in row.clocks.values())
    return breached / decided if decided else None


def _today(engine: Engine) -> date:
    return engine.now().astimezone(engine.calendar_for(engine.default_zone).tzinfo).date()


def _root(agency: Agency | None) -> bool:
    return agency is None or agency.parent is None


def _figures(row: ReportRow) -> dict[str, Any]:
    return {
        "received": row.received,
        "completed": row.stage(Stage.COMPLETED),
        "completion_rate": row.completion_rate,
        "follow_up_mean_days": row.to_follow_up.mean,
        "breached_share": breached_share(row),
    }


def league(engine: Engine, scope: Scope, period: str | None = None) -> dict[str, Any]:
    """The league table of ``scope``'s agency (its children, each rolled up its own tree)."""
    chosen = Period.parse(period) if period is not None else Period.containing(_today(engine), Unit.QUARTER)
    report = kpis(engine, scope.actor, period=chosen, by=["agency"])
    registry = engine.agencies
    rows = {r.key.get("agency"): r for r in report.rows}
    parent = scope.agency
    if parent is None:
        shown = [a for a in rows if a is None or _root(registry.get(a))]
        head = report.total
    else:
        shown = [a for a in registry.children(parent) if a in rows]
        head = rows.get(parent, ReportRow())
    out = []
    for agency in shown:
        found = registry.get(agency) if agency is not None else None
        out.append(
            {
                "agency": agency,
                "name_id": found.name_id if found else agency,
                "name_en": (found.name_en or found.name_id) if found else agency,
                "has_children": agency is not None and any(c in rows for c in registry.children(agency)),
                **_figures(rows[agency]),
            }
        )
    out.sort(key=lambda r: (r["agency"] is None, -(r["completion_rate"] or 0.0), r["agency"] or ""))
    above = registry.get(parent) if parent is not None else None
    return {
        "period": chosen.label,
        "as_of": report.as_of,
        "agency": parent,
        "parent": above.parent if above is not None else None,
        "total": _figures(head),
        "rows": out,
    }


def trends(engine: Engine, scope: Scope) -> dict[str, Any]:
    """Per ISO week of receipt, the last TREND_WEEKS weeks: received and completed (in the
    scope's agency tree when it names one)."""
    today = _today(engine)
    current = Period.containing(today, Unit.QUARTER)
    before = Period.containing(current.start - timedelta(days=1), Unit.QUARTER)
    by = ["agency", "week"] if scope.agency is not None else ["week"]
    weeks: dict[str, ReportRow] = {}
    for period in (before, current):
        for row in kpis(engine, scope.actor, period=period, by=by).rows:
            label = row.key.get("week")
            if label is None or (scope.agency is not None and row.key.get("agency") != scope.agency):
                continue
            weeks[label] = weeks[label] + row if label in weeks else row
    this_week = Period.containing(today, Unit.WEEK).start
    shown = [Period.containing(this_week - timedelta(weeks=k), Unit.WEEK) for k in range(TREND_WEEKS - 1, -1, -1)]
    return {
        "agency": scope.agency,
        "weeks": [
            {"week": w.label, "start": w.start.isoformat(), **_figures(weeks.get(w.label, ReportRow()))} for w in shown
        ],
    }
