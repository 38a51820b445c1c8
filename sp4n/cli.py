"""The ``sp4n`` command: one top-level parser and one group of subcommands per room of sp4n.

Each group (``calendar`` now; ``sop``, ``db``, ``worker`` later) has one ``add_<group>_commands``
function that adds its subparsers and points each at a small handler. A handler takes the parsed
arguments, prints to stdout and returns the exit code. Every :class:`~sp4n.errors.Sp4nError` is
reported as ``sp4n: error: <message>`` on stderr with exit code 2, the same code argparse uses
for bad arguments. Nothing here reads the wall clock: every instant comes from the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sp4n import __version__
from sp4n.calendars import (
    AfterHours,
    CountingPolicy,
    DayKind,
    NonWorkingDay,
    ReceiptDay,
    WorkingCalendar,
    default_years,
    indonesia_calendar,
)
from sp4n.calendars.days import WEEKDAY_LABELS_EN, WEEKDAY_LABELS_ID
from sp4n.calendars.indonesia import WITHOUT_JOINT_LEAVE
from sp4n.calendars.language import Lang, amount_text, kind_label, pick, weekday_short
from sp4n.calendars.zones import ZONE_ABBREVIATIONS
from sp4n.cli_agencies import add_agencies_commands
from sp4n.cli_calendar_apply import add_apply_commands
from sp4n.cli_db import add_db_commands
from sp4n.cli_feed import add_feed_commands
from sp4n.cli_import import add_import_command
from sp4n.cli_national import add_national_commands
from sp4n.cli_report import add_report_command
from sp4n.cli_serve import add_serve_commands
from sp4n.cli_simulate import add_simulate_command
from sp4n.cli_sop import add_sop_commands
from sp4n.cli_worker import add_worker_command
from sp4n.errors import InvalidArgumentError, Sp4nError

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace], int]

EXIT_ERROR = 2
"""Exit code of a command that failed on its input (as argparse exits on bad arguments)."""

YEAR_RANGE = (1900, 2200)
"""Years a calendar can be built for."""


def build_parser() -> argparse.ArgumentParser:
    """The whole ``sp4n`` command line."""
    parser = argparse.ArgumentParser(
        prog="sp4n",
        description="Public-service complaints through Indonesia's SP4N-LAPOR! procedures.",
    )
    parser.add_argument("--version", action="version", version=f"sp4n {__version__}")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    add_calendar_commands(groups)
    add_sop_commands(groups)
    add_agencies_commands(groups)
    add_db_commands(groups)
    add_worker_command(groups)
    add_feed_commands(groups)
    add_national_commands(groups)
    add_serve_commands(groups)
    add_import_command(groups)
    add_report_command(groups)
    add_simulate_command(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``sp4n`` command; the exit code is 0 on success and 2 on an error."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except Sp4nError as exc:
        return fail(str(exc))


def fail(message: str) -> int:
    """Report an error the way argparse does, and return the exit code."""
    for line in message.splitlines() or [""]:  # several mistakes: each on its own line
        print(f"sp4n: error: {line}", file=sys.stderr)
    return EXIT_ERROR


# ---------------------------------------------------------------------------------- calendar


def add_calendar_commands(groups: Subparsers) -> None:
    """``sp4n calendar show | due | export-ics``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--zone", default="WIB", help="WIB, WITA, WIT or an IANA zone name (default: WIB)")
    common.add_argument(
        "--no-joint-leave",
        action="store_true",
        help="count joint leave (cuti bersama) as working days, as front-line units that stay open do",
    )
    common.add_argument(
        "--overrides",
        action="extend",
        nargs="+",
        default=[],
        type=Path,
        metavar="FILE",
        help="YAML or TOML override files, applied in order",
    )

    calendar = groups.add_parser("calendar", help="working days, holidays and due dates")
    commands = calendar.add_subparsers(dest="command", metavar="COMMAND", required=True)

    show = commands.add_parser("show", parents=[common], help="the non-working days of a year")
    show.add_argument("year", type=int, help="e.g. 2026")
    show.add_argument("--weekdays-only", action="store_true", help="only days that fall on working weekdays")
    show.add_argument("--lang", choices=("id", "en"), default="en", help="language of the output (default: en)")
    show.set_defaults(handler=calendar_show)

    due = commands.add_parser("due", parents=[common], help="when a duration counted from an instant ends")
    due.add_argument("start", help="an ISO 8601 instant with a UTC offset, e.g. 2026-03-16T10:00+07:00")
    due.add_argument("duration", help="e.g. '3 working days', '8 working hours', '24 hours', '3 hari kerja'")
    due.add_argument("--explain", action="store_true", help="say why this is the due date")
    due.add_argument("--lang", choices=("id", "en"), default="en", help="language of the output (default: en)")
    due.add_argument(
        "--receipt-day",
        choices=[p.value for p in ReceiptDay],
        default=ReceiptDay.EXCLUDED.value,
        help="whether the day of receipt is day 1 (default: excluded)",
    )
    due.add_argument(
        "--after-hours",
        choices=[p.value for p in AfterHours],
        default=AfterHours.SAME_DAY.value,
        help="what a receipt after office hours counts as (default: same_day)",
    )
    due.set_defaults(handler=calendar_due)

    export = commands.add_parser("export-ics", parents=[common], help="a year's non-working days as iCalendar")
    export.add_argument("year", type=int, help="e.g. 2026")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler=calendar_export_ics)

    add_apply_commands(commands)


def build_calendar(args: argparse.Namespace, years: Sequence[int]) -> WorkingCalendar:
    """The Indonesian calendar of ``--zone``, covering the default years and ``years``, with overrides."""
    first, last = default_years()
    cal = indonesia_calendar(
        args.zone,
        joint_leave=not args.no_joint_leave,
        years=(min(first, *years), max(last, *years)),
    )
    for path in args.overrides:
        cal = cal.with_overrides(path)
    return cal


def check_year(value: int) -> int:
    """``value`` if a calendar can cover it."""
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise InvalidArgumentError("year", value, f"a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}")
    return value


def parse_instant(text: str) -> datetime:
    """An aware datetime from ISO 8601 text; the offset is required, never guessed."""
    expected = "an ISO 8601 date and time with a UTC offset, such as '2026-03-16T10:00+07:00'"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidArgumentError("start", text, expected) from None
    if value.tzinfo is None:
        raise InvalidArgumentError("start", text, expected)
    return value


def zone_text(cal: WorkingCalendar) -> str:
    """'Asia/Jakarta (WIB)', or the IANA name alone outside Indonesia's zones."""
    short = ZONE_ABBREVIATIONS.get(cal.zone)
    return f"{cal.zone} ({short})" if short else cal.zone


def header(cal: WorkingCalendar, lang: Lang = "en") -> str:
    """The line that names the calendar an answer comes from."""
    if lang == "id":
        name = cal.name.replace(WITHOUT_JOINT_LEAVE["en"], WITHOUT_JOINT_LEAVE["id"])
        return f"{name}, zona {zone_text(cal)}, versi kalender {cal.version}"
    return f"{cal.name}, zone {zone_text(cal)}, calendar version {cal.version}"


def day_rows(days: Sequence[NonWorkingDay], lang: Lang = "en") -> list[str]:
    """One aligned line per day: date, weekday, kind, name, source, estimated flag."""
    cells = [
        (
            d.date.isoformat(),
            weekday_short(d.date, lang),
            pick(lang, kind_label(d.kind, lang), d.kind.value),
            d.name,
            d.source or "-",
            pick(lang, "perkiraan", "estimated") if d.estimated else "",
        )
        for d in days
    ]
    widths = [max((len(row[i]) for row in cells), default=0) for i in range(6)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def calendar_show(args: argparse.Namespace) -> int:
    """``sp4n calendar show YEAR``: the year's dated non-working days, with counts and status."""
    year = check_year(args.year)
    lang: Lang = args.lang
    cal = build_calendar(args, [year])
    days = cal.non_working_days(year, weekdays_only=args.weekdays_only)
    print(header(cal, lang))
    if args.weekdays_only:
        scope = pick(lang, "yang jatuh pada hari kerja", "on working weekdays")
    else:
        scope = pick(lang, "bertanggal", "dated")
    print(pick(lang, f"Hari libur tahun {year} ({scope}):", f"Non-working days of {year} ({scope}):"))
    for line in day_rows(days, lang):
        print(line)
    counts = Counter(d.kind for d in days)
    per_kind = ", ".join(f"{counts[k]} {pick(lang, kind_label(k, lang), k.value)}" for k in DayKind if counts[k])
    estimated = sum(d.estimated for d in days)
    total = pick(lang, f"{len(days)} hari", f"{len(days)} days")
    print(total + (f": {per_kind}" if per_kind else "") + f"; {estimated} {pick(lang, 'perkiraan', 'estimated')}")
    if year in cal.confirmed_years:
        status = pick(lang, "sudah ditetapkan", "confirmed")
    else:
        status = pick(
            lang,
            "belum ditetapkan (belum ada data keputusan cuti bersama)",
            "not confirmed (no joint-leave decree data yet)",
        )
    note = pick(lang, "; dihitung sebagai hari kerja", "; counted as working days") if args.no_joint_leave else ""
    note += " (--no-joint-leave)" if note else ""
    print(pick(lang, f"Cuti bersama {year}: {status}{note}", f"Joint leave {year}: {status}{note}"))
    return 0


_DUE_LABELS = {
    "en": ("start", "duration", "due (local)", "due (UTC)", "due date", "data"),
    "id": ("mulai", "durasi", "batas (lokal)", "batas (UTC)", "tanggal batas", "data"),
}
"""The labels of the lines of ``calendar due``, in each language."""


def calendar_due(args: argparse.Namespace) -> int:
    """``sp4n calendar due START DURATION``: the due instant, local and UTC, and the local due date."""
    start = parse_instant(args.start)
    lang: Lang = args.lang
    policy = CountingPolicy(receipt_day=ReceiptDay(args.receipt_day), after_hours=AfterHours(args.after_hours))
    # The year around the start (its offset's date; the zone moves it by a day at most).
    cal = build_calendar(args, [max(YEAR_RANGE[0], start.year - 1), min(YEAR_RANGE[1], start.year + 1)])
    due = cal.due(start, args.duration, policy)
    labels = _DUE_LABELS[lang]
    width = max(len(label) for label in labels) + 2
    weekday = (WEEKDAY_LABELS_ID if lang == "id" else WEEKDAY_LABELS_EN)[due.local_date.weekday()]
    values = (
        due.start.astimezone(cal.tzinfo).isoformat(timespec="minutes"),
        f"{amount_text(due.duration.value, due.duration.unit, lang)} ({policy_text(policy, lang)})",
        due.local_at.isoformat(timespec="minutes"),
        due.at.isoformat(timespec="minutes"),
        f"{due.local_date.isoformat()} ({weekday})",
        data_status(due.confirmed, due.estimated_days, due.unconfirmed_years, lang),
    )
    print(header(cal, lang))
    for label, value in zip(labels, values, strict=True):
        print(f"{label.ljust(width)}{value}")
    if args.explain:
        print()
        print(due.explain(lang))
    return 0


def policy_text(policy: CountingPolicy, lang: Lang = "en") -> str:
    """The counting conventions of a due date, as ``calendar due`` prints them."""
    if lang == "id":
        receipt = "dihitung" if policy.receipt_day is ReceiptDay.INCLUDED else "tidak dihitung"
        after = "hari yang sama" if policy.after_hours is AfterHours.SAME_DAY else "hari kerja berikutnya"
        return f"hari penerimaan {receipt}; di luar jam kerja: {after}"
    return f"receipt day {policy.receipt_day.value}; after hours: {policy.after_hours.value}"


def data_status(
    confirmed: bool, estimated: Sequence[NonWorkingDay], unconfirmed_years: Sequence[int], lang: Lang = "en"
) -> str:
    """Whether a due date rests only on decreed dates, and if not, on what."""
    if confirmed:
        return pick(lang, "sudah ditetapkan", "confirmed")
    parts = []
    if estimated:
        dates = ", ".join(d.date.isoformat() for d in estimated)
        parts.append(pick(lang, f"tanggal perkiraan {dates}", f"estimated dates {dates}"))
    if unconfirmed_years:
        years = ", ".join(str(y) for y in unconfirmed_years)
        parts.append(
            pick(lang, f"belum ada cuti bersama yang ditetapkan untuk {years}", f"no confirmed joint leave for {years}")
        )
    return pick(lang, "belum pasti: ", "not confirmed: ") + "; ".join(parts)


def calendar_export_ics(args: argparse.Namespace) -> int:
    """``sp4n calendar export-ics YEAR``: the year's dated non-working days as an iCalendar file."""
    year = check_year(args.year)
    cal = build_calendar(args, [year])
    one_year = cal.replace(years=(year, year), days=cal.non_working_days(year))
    try:
        data = one_year.to_ics()
    except ImportError as exc:
        return fail(f"iCalendar export is not available in this installation ({exc})")
    output: Path | None = args.output
    if output is None or str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        output.write_bytes(data)
    except OSError as exc:
        return fail(f"cannot write {output}: {exc.strerror or exc}")
    print(f"Wrote {len(one_year.days)} non-working days of {year} ({cal.name}) to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
