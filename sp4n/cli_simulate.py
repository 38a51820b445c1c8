"""``sp4n simulate``: what an SOP variant would have done to a period's recorded complaints.

The database is only read (see :mod:`sp4n.simulation`). The table shows the counts of what
happened beside the variant's, then each complaint whose path would have differed, each in one
line, then the recorded actions the variant would have refused. ``--format json`` gives the same
as :meth:`Simulation.to_dict`, for the service and for scripts.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sp4n.calendars.zones import ZONE_ABBREVIATIONS, zoneinfo
from sp4n.errors import InvalidArgumentError
from sp4n.reports.model import ReportRow, Stage

if TYPE_CHECKING:
    from sp4n.simulation import Simulation

PERIODS = "2026-11-29 (day), 2026-W14, 2026-03, 2026-Q1, 2026-H1 or 2026"

MAX_SHOWN = 200
"""Path changes and refusals listed in the table (all of them in JSON)."""


def add_simulate_command(groups: Any) -> None:
    """``sp4n simulate --url URL --sop variant.yaml --period 2026-H1 [--format table|json]``."""
    command = groups.add_parser("simulate", help="what-if: replay a period's complaints under an SOP variant")
    command.add_argument(
        "--url", required=True, help="the database to read (sqlite:///file.db or postgresql+psycopg://...)"
    )
    command.add_argument("--sop", required=True, metavar="FILE", help="the variant SOP file (.yaml, .json or .toml)")
    command.add_argument("--period", required=True, help=f"the period of receipt: {PERIODS}")
    command.add_argument(
        "--replaces", help="the SOP id whose complaints are replayed (default: the one the variant extends)"
    )
    command.add_argument(
        "--until", help="fire deadlines up to this ISO 8601 instant with an offset (default: the last recorded)"
    )
    command.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    command.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    """Run the simulation and print it."""
    from sp4n.simulation import simulate
    from sp4n.states.loader import load_sop

    until = _instant(args.until, "until") if args.until else None
    result = simulate(args.url, load_sop(args.sop), args.period, replaces=args.replaces, until=until)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return 0
    for line in table(result):
        print(line)
    return 0


def table(result: Simulation) -> list[str]:
    """The lines of the table of a simulation: the KPIs side by side, then the changed paths."""
    zone, period = result.zone, result.period
    until = result.until.astimezone(zoneinfo(zone))
    lines = [
        f"What-if: {result.variant} in place of {result.replaces}, "
        f"reports received in {period.label} ({period.start} to {period.end - timedelta(days=1)})",
        f"deadlines fired up to {until:%Y-%m-%d %H:%M} {ZONE_ABBREVIATIONS.get(zone, zone)}",
        "",
    ]
    before, after = figures(result.recorded.total), figures(result.simulated.total)
    before["refused actions"] = (len(result.refused_as_recorded), "count")
    after["refused actions"] = (len(result.refusals), "count")
    names = list(dict.fromkeys([*before, *after]))
    width = max(len(n) for n in names)
    lines.append(f"{'':<{width}}  {'recorded':>8}  {'variant':>8}  {'change':>8}")
    for name in names:
        (a, kind), (b, _) = before.get(name, (None, "count")), after.get(name, (None, "count"))
        change = _shown(b - a, kind, signed=True) if a is not None and b is not None else ""
        lines.append(f"{name:<{width}}  {_shown(a, kind):>8}  {_shown(b, kind):>8}  {change:>8}")
    changes, refusals = result.changes, result.refusals
    lines += ["", f"{len(changes)} complaint(s) would have taken another path:"]
    lines += [f"  {c.tracking_number}  {c.explanation}" for c in changes[:MAX_SHOWN]]
    if refusals:
        lines += ["", f"{len(refusals)} recorded action(s) the variant would have refused:"]
        lines += [
            f"  {r.tracking_number}  {r.trigger} at {r.at.isoformat()} in state {r.state}: {r.reason}"
            for r in refusals[:MAX_SHOWN]
        ]
    if len(changes) > MAX_SHOWN or len(refusals) > MAX_SHOWN:
        lines.append(f"(the first {MAX_SHOWN} of each shown; --format json lists every one)")
    if result.not_replayable:
        lines += [
            "",
            f"{len(result.not_replayable)} complaint(s) not replayable as recorded under their own SOP "
            f"(a difference of theirs may not be the variant's): {', '.join(result.not_replayable[:MAX_SHOWN])}",
        ]
    return lines


Figures = dict[str, tuple[float | None, str]]


def figures(row: ReportRow) -> Figures:
    """The KPIs of a report row by name, each with its kind (count, rate or working days)."""
    out: Figures = {"received": (row.received, "count")}
    out.update({stage.value: (row.stage(stage), "count") for stage in Stage})
    out["completion rate"] = (row.completion_rate, "rate")
    for name, durations in (
        ("to verification", row.to_verification),
        ("to distribution", row.to_distribution),
        ("to follow-up", row.to_follow_up),
    ):
        out[f"working days {name}, mean"] = (durations.mean, "days")
        out[f"working days {name}, median"] = (durations.median, "days")
        out[f"working days {name}, p90"] = (durations.p90, "days")
    for clock, counted in sorted(row.clocks.items()):
        out[f"{clock} met"] = (counted.met, "count")
        out[f"{clock} breached"] = (counted.breached, "count")
    out["escalated"] = (row.escalated, "count")
    out["referred to the Ombudsman"] = (row.referred, "count")
    out["closed without reply"] = (row.closed_without_reply, "count")
    out["replied (not satisfied)"] = (row.replied, "count")
    return out


def _shown(value: float | None, kind: str, signed: bool = False) -> str:
    if value is None:
        return "-"
    sign = "+" if signed else ""
    if kind == "rate":
        return f"{value * 100:{sign}.1f}%"
    if kind == "days":
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.0f}"


def _instant(text: str, argument: str) -> datetime:
    expected = "an ISO 8601 date and time with a UTC offset, such as '2026-06-30T17:00+07:00'"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidArgumentError(argument, text, expected) from None
    if value.tzinfo is None:
        raise InvalidArgumentError(argument, text, expected)
    return value
