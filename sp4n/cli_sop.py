"""``sp4n sop validate | show | diagram``: check, read and draw SOP files and built-in SOPs.

A handler takes the parsed arguments, prints to stdout and returns the exit code: 0, or 2 after
printing ``sp4n: error: <message>`` to stderr (as the rest of the ``sp4n`` command does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sp4n.errors import SopError
from sp4n.states.loader import SUFFIXES, builtin_sop, builtin_sop_ids, load_sop
from sp4n.states.model import ClockDef, RungDef, Sop, TransitionDef

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_ERROR = 2


def _error(message: str) -> int:
    print(f"sp4n: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def add_sop_commands(subparsers: Subparsers) -> None:
    """Add the ``sop`` group (``validate``, ``show``, ``diagram``) to the ``sp4n`` command."""
    sop = subparsers.add_parser("sop", help="check, show and draw SOPs (standar operasional prosedur)")
    commands = sop.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ref_help = f"an SOP file ({', '.join(SUFFIXES)}) or a built-in SOP id ({', '.join(builtin_sop_ids())})"

    validate = commands.add_parser("validate", help="load and check SOP files; print each one's id and version")
    validate.add_argument("files", nargs="+", metavar="FILE", help=ref_help)
    validate.set_defaults(handler=sop_validate)

    show = commands.add_parser("show", help="states, transitions, clocks and counting policy of an SOP")
    show.add_argument("sop", metavar="FILE|ID", help=ref_help)
    show.set_defaults(handler=sop_show)

    diagram = commands.add_parser("diagram", help="an SOP as a mermaid state diagram")
    diagram.add_argument("sop", metavar="FILE|ID", help=ref_help)
    diagram.add_argument("--output", "-o", type=Path, metavar="F", help="write to this file instead of stdout")
    diagram.set_defaults(handler=sop_diagram)


def open_sop(ref: str) -> Sop:
    """A file when ``ref`` names one (or ends like one), else a built-in SOP id."""
    if ref.lower().endswith(SUFFIXES) or Path(ref).is_file():
        return load_sop(ref)
    return builtin_sop(ref)


def sop_validate(args: argparse.Namespace) -> int:
    """Print ``OK <id> <version>`` for each good SOP and the error for each bad one."""
    failed = False
    for ref in args.files:
        try:
            sop = open_sop(ref)
        except SopError as exc:
            failed = True
            _error(str(exc))
        else:
            print(f"OK {sop.id} {sop.version}")
    return EXIT_ERROR if failed else 0


def _transition_line(t: TransitionDef) -> str:
    parts = [f"  {t.trigger}: {', '.join(t.source)} -> {t.dest}  [{', '.join(t.roles)}]"]
    if t.requires:
        parts.append(f"requires {', '.join(t.requires)}")
    if t.assigns:
        parts.append(f"assigns {', '.join(t.assigns)}")
    if t.resets:
        parts.append(f"resets {', '.join(t.resets)}")
    if t.extends:
        parts.append(f"extends {t.extends}")
    return "; ".join(parts)


def _rung_line(rung: RungDef) -> str:
    if rung.before is not None:
        when = f"{rung.before} before due"
    elif rung.after is not None:
        when = f"{rung.after} after due"
    else:
        when = "at due"
    action = f"fire {rung.trigger}" if rung.trigger else "emit" + (f" {rung.event}" if rung.event else "")
    return f"    {rung.name}: {when}: {action} (if late: {rung.late.value})"


def _clock_lines(clock: ClockDef) -> list[str]:
    if clock.budget_by is None:
        budget = str(clock.budget)
    else:
        chosen = ", ".join(f"{key} {value}" for key, value in clock.budgets.items())
        budget = f"by {clock.budget_by.value}: {chosen}" + (f"; otherwise {clock.budget}" if clock.budget else "")
    lines = [f"  {clock.name} ({clock.label_en}): {budget}", f"    runs in: {', '.join(clock.runs_in)}"]
    if clock.pauses_in:
        lines.append(f"    pauses in: {', '.join(clock.pauses_in)}")
    if clock.extension_max is not None:
        lines.append(f"    extension up to: {clock.extension_max}")
    if clock.source or clock.certainty:
        lines.append(f"    source: {clock.source or 'none given'} (certainty: {clock.certainty or 'not given'})")
    lines.extend(_rung_line(rung) for rung in clock.rungs)
    return lines


def describe_sop(sop: Sop) -> str:
    """The SOP as plain text, for reading in a terminal."""
    lines = [f"SOP {sop.id}: {sop.title}", f"version: {sop.version}"]
    if sop.extends:
        lines.append(f"extends: {sop.extends}")
    lines.extend(f"legal source: {source}" for source in sop.legal_sources)
    if sop.classifications:
        lines.append(f"classifications: {', '.join(sop.classifications)}")
    if sop.categories:
        lines.append(f"categories: {', '.join(sop.categories)}")
    lines.append("states:")
    for state in sop.states:
        marks = [mark for mark, on in (("initial", state.initial), ("terminal", state.terminal)) if on]
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        lines.append(f"  {state.id}: {state.label_id} / {state.label_en}{suffix}")
    lines.append("transitions:")
    lines.extend(_transition_line(t) for t in sop.transitions)
    lines.append("clocks:" if sop.clocks else "clocks: none")
    for clock in sop.clocks:
        lines.extend(_clock_lines(clock))
    if sop.routing:
        lines.append("routing:")
    for rule in sop.routing:
        match = ", ".join([*(f"category {c}" for c in rule.categories), *(repr(k) for k in rule.keywords)])
        official = f" (official {rule.official})" if rule.official else ""
        then = f", then {rule.trigger}" if rule.trigger else ""
        lines.append(f"  {rule.name}: {match} -> {rule.agency}{official}{then}")
    counting = sop.counting
    lines.append(f"counting: receipt day {counting.receipt_day.value}, after hours {counting.after_hours.value}")
    joint_leave = "non-working" if sop.calendar.joint_leave else "working"
    lines.append(f"calendar: joint leave (cuti bersama) days are {joint_leave}")
    return "\n".join(lines)


def sop_show(args: argparse.Namespace) -> int:
    """Print an SOP's states, transitions, clocks, routing, counting policy and version."""
    try:
        sop = open_sop(args.sop)
    except SopError as exc:
        return _error(str(exc))
    print(describe_sop(sop))
    return 0


def sop_diagram(args: argparse.Namespace) -> int:
    """Print (or write to ``--output``) an SOP as mermaid text."""
    try:
        text = open_sop(args.sop).to_mermaid()
    except SopError as exc:
        return _error(str(exc))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"Wrote the diagram of {args.sop} to {args.output}")
    return 0
