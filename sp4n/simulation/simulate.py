"""What-if: a variant SOP run against the complaints a database recorded over a period.

The period's complaints filed under the SOP the variant replaces are replayed twice, each on an
engine of its own over a database in memory (see :mod:`.rerun`): once under the SOP versions
they are pinned to, which gives what happened, counted the same way as the variant; once under
the variant. Both databases have the source's read model, so the same KPI report
(:func:`sp4n.reports.kpis`) runs on each, and the two are set side by side, with every
complaint whose path would have differed and why. Replaying under their own SOP also checks the
record: a complaint whose replay does not take its recorded path (migrated, counted on a
calendar since replaced) is named as not replayable as recorded, so a difference it shows is not
taken for the variant's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sp4n.calendars.zones import require_aware
from sp4n.errors import InvalidArgumentError
from sp4n.persistence.base import Store
from sp4n.reports.kpis import kpis
from sp4n.reports.model import Report
from sp4n.reports.period import FIRST_YEAR, LAST_YEAR, Period
from sp4n.simulation.paths import Step, Teller, explain, same_path, steps_of
from sp4n.simulation.rerun import Refusal, Rerun, rerun
from sp4n.simulation.source import Recorded, Source, open_source
from sp4n.states.loader import resolve_sop
from sp4n.states.model import Sop
from sp4n.workflow.actor import SYSTEM
from sp4n.workflow.engine import Engine


@dataclass(frozen=True)
class PathChange:
    """A complaint whose path the variant would have changed, with where and how, in one line."""

    complaint_id: str
    tracking_number: str
    explanation: str
    recorded: tuple[Step, ...]
    variant: tuple[Step, ...]


@dataclass(frozen=True)
class Simulation:
    """A variant against a period's history: the KPIs of both, and the complaints that differ."""

    period: Period
    variant: str
    """The variant, as ``id@version``."""
    replaces: str
    """The id of the SOP whose complaints were replayed under the variant."""
    until: datetime
    """Deadlines fired up to this instant (the last one the record holds, unless given), UTC."""
    zone: str
    """The zone of the source's calendar (instants are shown in it)."""
    recorded: Report
    """The KPIs of the replay under the complaints' own SOP versions: what happened."""
    simulated: Report
    """The KPIs of the replay under the variant."""
    changes: tuple[PathChange, ...]
    refusals: tuple[Refusal, ...]
    """Recorded actions the variant did not allow where the complaint stood."""
    refused_as_recorded: tuple[Refusal, ...]
    """Recorded actions the complaints' own SOP refused when replayed (a record it cannot replay)."""
    not_replayable: tuple[str, ...]
    """Tracking numbers of complaints whose replay under their own SOP left their recorded path."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ids, tracking numbers, states, instants and figures (no reporter, no text)."""
        return {
            "period": self.period.label,
            "variant": self.variant,
            "replaces": self.replaces,
            "until": self.until.isoformat(),
            "zone": self.zone,
            "recorded": self.recorded.total.to_dict(),
            "simulated": self.simulated.total.to_dict(),
            "changes": [
                {"complaint_id": c.complaint_id, "tracking_number": c.tracking_number, "explanation": c.explanation}
                for c in self.changes
            ],
            "refusals": [_refusal(r) for r in self.refusals],
            "refused_as_recorded": [_refusal(r) for r in self.refused_as_recorded],
            "not_replayable": list(self.not_replayable),
        }


def simulate(
    source: Engine | Store | str,
    variant: Sop | str | Path,
    period: Period | str,
    *,
    replaces: str | None = None,
    until: datetime | None = None,
) -> Simulation:
    """Replay the complaints of ``period`` filed under ``replaces`` (by default the SOP the
    variant ``extends``, else its own id) under ``variant`` (an Sop or an SOP file), on engines
    over databases in memory; ``source`` (an engine, a store or a database URL) is only read.
    Deadlines fire up to ``until`` (by default the last instant the record holds)."""
    sop = resolve_sop(variant) if isinstance(variant, str | Path) else variant
    if not isinstance(sop, Sop):
        raise InvalidArgumentError("variant", variant, "an Sop or the path of an SOP file")
    chosen = period if isinstance(period, Period) else Period.parse(period)
    target = replaces or sop.extends or sop.id
    if until is not None:
        until = require_aware(until, "until")
        if not FIRST_YEAR <= until.year <= LAST_YEAR:
            raise InvalidArgumentError(
                "until", until.isoformat(), f"an instant of a year from {FIRST_YEAR} to {LAST_YEAR}"
            )
        until = until.astimezone(UTC)
    with open_source(source) as src:
        recorded = src.complaints(target, chosen)
        last = max((e.at for r in recorded for e in r.history), default=datetime.combine(chosen.end, time(), UTC))
        end = until or last
        own = rerun(src, recorded, lambda c: src.sop(c.sop_id, c.sop_version), end)
        try:
            other = rerun(src, recorded, lambda _: sop, end)
            try:
                return _compare(src, recorded, own, other, sop, chosen, target, end)
            finally:
                other.close()
        finally:
            own.close()


def _compare(
    src: Source,
    recorded: list[Recorded],
    own: Rerun,
    other: Rerun,
    sop: Sop,
    period: Period,
    target: str,
    until: datetime,
) -> Simulation:
    before, after = _paths(own), _paths(other)
    changes: list[PathChange] = []
    not_replayable: list[str] = []
    refused: dict[str, list[str]] = {}
    for refusal in other.refusals:
        refused.setdefault(refusal.complaint_id, []).append(refusal.trigger)
    for r in recorded:
        c = r.complaint
        if not same_path(before.get(c.id, ()), steps_of(r.history, until)):
            not_replayable.append(c.tracking_number)
        if same_path(before.get(c.id, ()), after.get(c.id, ())):
            continue
        base = src.sop(c.sop_id, c.sop_version)
        calendar = own.engine.calendar_for(c.zone, base.calendar.joint_leave)
        text = explain(before.get(c.id, ()), after.get(c.id, ()), Teller(calendar, c.submitted_at, _labels(sop, base)))
        if c.id in refused:
            text += f"; recorded {', '.join(refused[c.id])} refused"
        changes.append(PathChange(c.id, c.tracking_number, text, before.get(c.id, ()), after.get(c.id, ())))
    return Simulation(
        period=period,
        variant=f"{sop.id}@{sop.version}",
        replaces=target,
        until=until,
        zone=src.calendar.zone,
        recorded=kpis(own.engine, SYSTEM, period=period, as_of=until),
        simulated=kpis(other.engine, SYSTEM, period=period, as_of=until),
        changes=tuple(changes),
        refusals=tuple(other.refusals),
        refused_as_recorded=tuple(own.refusals),
        not_replayable=tuple(not_replayable),
    )


def _paths(run: Rerun) -> Mapping[str, tuple[Step, ...]]:
    return {cid: steps_of(events) for cid, events in run.events.items()}


def _labels(*sops: Sop) -> Any:
    names: dict[str, str] = {}
    for sop in reversed(sops):
        names.update({s.id: s.label_en for s in sop.states})
    return lambda state: names.get(state, state)


def _refusal(r: Refusal) -> dict[str, Any]:
    return {
        "complaint_id": r.complaint_id,
        "tracking_number": r.tracking_number,
        "trigger": r.trigger,
        "at": r.at.isoformat(),
        "state": r.state,
        "reason": r.reason,
    }
