"""``sp4n sop validate | show | diff | diagram``: check, read, compare and draw SOP files and built-in SOPs.

A handler takes the parsed arguments, prints to stdout and returns the exit code: 0, or 2 after
printing ``sp4n: error: <message>`` to stderr (as the rest of the ``sp4n`` command does).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sp4n.calendars.duration import Duration
from sp4n.calendars.language import Lang, amount_text, pick
from sp4n.errors import InvalidArgumentError, SopError, Sp4nError
from sp4n.states.diagram import sop_to_dot, sop_to_mermaid
from sp4n.states.diff import sop_diff
from sp4n.states.loader import SUFFIXES, builtin_sop, builtin_sop_ids, load_sop
from sp4n.states.model import ClockDef, RungDef, Sop, TransitionDef

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_ERROR = 2


def _error(message: str) -> int:
    for line in message.splitlines():  # an SOP with several mistakes: each on its own line
        print(f"sp4n: error: {line}", file=sys.stderr)
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
    show.add_argument("--lang", choices=("id", "en"), default="en", help="language of the output (default: en)")
    show.set_defaults(handler=sop_show)

    diff = commands.add_parser(
        "diff", help="what SOP B changes against SOP A, in words (budgets, states, rungs, roles)"
    )
    diff.add_argument("base", metavar="A", help=ref_help)
    diff.add_argument("variant", metavar="B", help=ref_help)
    diff.add_argument("--lang", choices=("id", "en"), default="en", help="language of the output (default: en)")
    diff.set_defaults(handler=sop_diff_command)

    diagram = commands.add_parser(
        "diagram", help="an SOP as a Mermaid or Graphviz DOT diagram, or SVG / PNG when Graphviz is installed"
    )
    diagram.add_argument("sop", metavar="FILE|ID", help=ref_help)
    diagram.add_argument("--output", "-o", type=Path, metavar="F", help="write to this file instead of stdout")
    diagram.add_argument(
        "--format",
        choices=FORMATS,
        help="mermaid (default), dot, or svg / png drawn by Graphviz's dot; by default from the --output suffix",
    )
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


_WORDS: dict[str, tuple[str, str]] = {
    "requires": ("wajib", "requires"),
    "assigns": ("mengisi", "assigns"),
    "resets": ("mengulang", "resets"),
    "extends": ("memperpanjang", "extends"),
    "before": ("sebelum batas waktu", "before due"),
    "after": ("setelah batas waktu", "after due"),
    "at due": ("pada batas waktu", "at due"),
    "fire": ("jalankan", "fire"),
    "emit": ("catat peristiwa", "emit"),
    "if late": ("jika terlambat", "if late"),
    "late fire": ("tetap dijalankan", "fire"),
    "late miss": ("dicatat terlewat", "miss"),
    "by": ("menurut", "by"),
    "otherwise": ("selain itu", "otherwise"),
    "runs in": ("berjalan di", "runs in"),
    "pauses in": ("dijeda di", "pauses in"),
    "extension up to": ("perpanjangan hingga", "extension up to"),
    "source": ("sumber", "source"),
    "none given": ("tidak disebut", "none given"),
    "certainty": ("kepastian", "certainty"),
    "not given": ("tidak disebut", "not given"),
    "version": ("versi", "version"),
    "extends sop": ("turunan dari", "extends"),
    "legal source": ("dasar hukum", "legal source"),
    "classifications": ("klasifikasi", "classifications"),
    "categories": ("kategori", "categories"),
    "states": ("status", "states"),
    "initial": ("awal", "initial"),
    "terminal": ("akhir", "terminal"),
    "transitions": ("transisi", "transitions"),
    "clocks": ("jam hitung", "clocks"),
    "none": ("tidak ada", "none"),
    "routing": ("penerusan otomatis", "routing"),
    "category": ("kategori", "category"),
    "official": ("pejabat", "official"),
    "then": ("lalu", "then"),
    "counting": ("penghitungan", "counting"),
    "receipt day excluded": ("hari penerimaan tidak dihitung", "receipt day excluded"),
    "receipt day included": ("hari penerimaan dihitung", "receipt day included"),
    "after hours same_day": ("di luar jam kerja: hari yang sama", "after hours same_day"),
    "after hours next_working_day": ("di luar jam kerja: hari kerja berikutnya", "after hours next_working_day"),
    "joint leave": (
        "kalender: cuti bersama adalah hari libur",
        "calendar: joint leave (cuti bersama) days are non-working",
    ),
    "no joint leave": (
        "kalender: cuti bersama dihitung sebagai hari kerja",
        "calendar: joint leave (cuti bersama) days are working",
    ),
}
"""What ``sop show`` says in its own words, in Indonesian and English; the SOP's names (states,
triggers, clocks, roles, fields) are identifiers and are shown as they are."""


def _say(key: str, lang: Lang) -> str:
    return pick(lang, *_WORDS[key])


def _transition_line(t: TransitionDef, lang: Lang = "en") -> str:
    label = pick(lang, t.label_id, t.label_en)
    name = f"{t.trigger} ({label})" if lang == "id" and label else t.trigger
    parts = [f"  {name}: {', '.join(t.source)} -> {t.dest}  [{', '.join(t.roles)}]"]
    for key, names in (("requires", t.requires), ("assigns", t.assigns), ("resets", t.resets)):
        if names:
            parts.append(f"{_say(key, lang)} {', '.join(names)}")
    if t.extends:
        parts.append(f"{_say('extends', lang)} {t.extends}")
    return "; ".join(parts)


def _rung_line(rung: RungDef, lang: Lang = "en") -> str:
    if rung.before is not None:
        when = f"{amount_text(rung.before.value, rung.before.unit, lang)} {_say('before', lang)}"
    elif rung.after is not None:
        when = f"{amount_text(rung.after.value, rung.after.unit, lang)} {_say('after', lang)}"
    else:
        when = _say("at due", lang)
    if rung.trigger:
        action = f"{_say('fire', lang)} {rung.trigger}"
    else:
        action = _say("emit", lang) + (f" {rung.event}" if rung.event else "")
    return f"    {rung.name}: {when}: {action} ({_say('if late', lang)}: {_say(f'late {rung.late.value}', lang)})"


def _clock_lines(clock: ClockDef, lang: Lang = "en") -> list[str]:
    def text(d: Duration) -> str:
        return amount_text(d.value, d.unit, lang)

    if clock.budget_by is None:
        budget = text(clock.budget) if clock.budget else ""
    else:
        chosen = ", ".join(f"{key} {text(value)}" for key, value in clock.budgets.items())
        budget = f"{_say('by', lang)} {clock.budget_by}: {chosen}"
        budget += f"; {_say('otherwise', lang)} {text(clock.budget)}" if clock.budget else ""
    label = pick(lang, clock.label_id, clock.label_en)
    lines = [f"  {clock.name} ({label}): {budget}", f"    {_say('runs in', lang)}: {', '.join(clock.runs_in)}"]
    if clock.pauses_in:
        lines.append(f"    {_say('pauses in', lang)}: {', '.join(clock.pauses_in)}")
    if clock.extension_max is not None:
        lines.append(f"    {_say('extension up to', lang)}: {text(clock.extension_max)}")
    if clock.source or clock.certainty:
        source = clock.source or _say("none given", lang)
        certainty = clock.certainty or _say("not given", lang)
        lines.append(f"    {_say('source', lang)}: {source} ({_say('certainty', lang)}: {certainty})")
    lines.extend(_rung_line(rung, lang) for rung in clock.rungs)
    return lines


def describe_sop(sop: Sop, lang: Lang = "en") -> str:
    """The SOP as plain text, for reading in a terminal, in English or Indonesian.

    sp4n's own words follow ``lang``; the SOP's labels are its ``label_id`` or ``label_en``; its
    names (states, triggers, clocks, roles, fields) and the texts it gives in one language only
    (title, legal sources, a clock's source and certainty) are shown as written.
    """
    lines = [f"SOP {sop.id}: {sop.title}", f"{_say('version', lang)}: {sop.version}"]
    if sop.extends:
        lines.append(f"{_say('extends sop', lang)}: {sop.extends}")
    lines.extend(f"{_say('legal source', lang)}: {source}" for source in sop.legal_sources)
    if sop.classifications:
        lines.append(f"{_say('classifications', lang)}: {', '.join(sop.classifications)}")
    if sop.categories:
        lines.append(f"{_say('categories', lang)}: {', '.join(sop.categories)}")
    lines.append(f"{_say('states', lang)}:")
    for state in sop.states:
        marks = [_say(mark, lang) for mark, on in (("initial", state.initial), ("terminal", state.terminal)) if on]
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        labels = state.label_id if lang == "id" else f"{state.label_id} / {state.label_en}"
        lines.append(f"  {state.id}: {labels}{suffix}")
    lines.append(f"{_say('transitions', lang)}:")
    lines.extend(_transition_line(t, lang) for t in sop.transitions)
    lines.append(f"{_say('clocks', lang)}:" if sop.clocks else f"{_say('clocks', lang)}: {_say('none', lang)}")
    for clock in sop.clocks:
        lines.extend(_clock_lines(clock, lang))
    if sop.routing:
        lines.append(f"{_say('routing', lang)}:")
    for rule in sop.routing:
        match = ", ".join(
            [*(f"{_say('category', lang)} {c}" for c in rule.categories), *(repr(k) for k in rule.keywords)]
        )
        official = f" ({_say('official', lang)} {rule.official})" if rule.official else ""
        then = f", {_say('then', lang)} {rule.trigger}" if rule.trigger else ""
        lines.append(f"  {rule.name}: {match} -> {rule.agency}{official}{then}")
    counting = sop.counting
    receipt = _say(f"receipt day {counting.receipt_day.value}", lang)
    after = _say(f"after hours {counting.after_hours.value}", lang)
    lines.append(f"{_say('counting', lang)}: {receipt}, {after}")
    lines.append(_say("joint leave" if sop.calendar.joint_leave else "no joint leave", lang))
    return "\n".join(lines)


def sop_show(args: argparse.Namespace) -> int:
    """Print an SOP's states, transitions, clocks, routing, counting policy and version."""
    try:
        sop = open_sop(args.sop)
    except SopError as exc:
        return _error(str(exc))
    print(describe_sop(sop, args.lang))
    return 0


FORMATS = ("mermaid", "dot", "svg", "png")
"""What ``sop diagram`` writes: text for Mermaid or Graphviz, or a picture drawn by Graphviz."""

_BY_SUFFIX = {".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid", ".dot": "dot", ".gv": "dot"}
_PICTURES = ("svg", "png")


def diagram_format(requested: str | None, output: Path | None) -> str:
    """The format to write: the one asked for, else the output file's suffix, else mermaid.
    Text is never written into a file named as a picture (.svg, .png)."""
    suffix = output.suffix.lower() if output is not None else ""
    if requested is None:
        return suffix[1:] if suffix[1:] in _PICTURES else _BY_SUFFIX.get(suffix, "mermaid")
    if requested not in _PICTURES and suffix[1:] in _PICTURES:
        raise InvalidArgumentError(
            "--output",
            str(output),
            f"a file for {requested} text (.mmd or .dot); {suffix} holds a picture: --format {suffix[1:]}",
        )
    return requested


def _draw(dot_text: str, picture: str) -> bytes:
    """A picture drawn by Graphviz's ``dot`` program from DOT text."""
    program = shutil.which("dot")
    if program is None:
        raise InvalidArgumentError(
            "--format", picture, "Graphviz's dot program, which is not installed; write --format dot or mermaid"
        )
    try:
        done = subprocess.run(
            [program, f"-T{picture}"], input=dot_text.encode(), capture_output=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        raise InvalidArgumentError("--format", picture, "a drawing dot makes within 60 seconds") from None
    if done.returncode != 0:
        raise InvalidArgumentError("--format", picture, f"a drawing dot could make: {done.stderr.decode().strip()}")
    return done.stdout


def sop_diff_command(args: argparse.Namespace) -> int:
    """Print what B changes against A, one change a line (or that they agree)."""
    try:
        base, variant = open_sop(args.base), open_sop(args.variant)
    except SopError as exc:
        return _error(str(exc))
    lines = sop_diff(base, variant, args.lang)
    print(pick(args.lang, f"{variant.id} dibandingkan dengan {base.id}:", f"{variant.id} against {base.id}:"))
    for line in lines or [pick(args.lang, "tidak ada perubahan aturan", "no change of rules")]:
        print(f"  {line}")
    return 0


def sop_diagram(args: argparse.Namespace) -> int:
    """Print (or write to ``--output``) an SOP as Mermaid or DOT text, or as an SVG or PNG picture."""
    try:
        chosen = diagram_format(args.format, args.output)
        if args.output is None and chosen in _PICTURES:
            return _error(f"a {chosen} picture goes to a file: give --output")
        sop = open_sop(args.sop)
        text = sop_to_mermaid(sop) if chosen == "mermaid" else sop_to_dot(sop)
        data = _draw(text, chosen) if chosen in _PICTURES else text.encode()
    except Sp4nError as exc:
        return _error(str(exc))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        return _error(f"cannot write {args.output}: {exc.strerror or exc}")
    print(f"Wrote the {chosen} diagram of {args.sop} to {args.output}")
    return 0
