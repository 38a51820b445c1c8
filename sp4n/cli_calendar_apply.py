"""``sp4n calendar apply`` and ``sp4n calendar active``: the calendar every process counts on.

The active calendar lives in the database. ``apply`` makes the Indonesian calendar with the
given override files (a decree, a regional closure) the active one and re-projects the running
clocks it moves; every other process (hosts, ``sp4n worker``) takes it up at its next refresh,
without a restart. Applying the same files again changes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_apply_commands(commands: Any) -> None:
    """Add ``apply`` and ``active`` to the ``calendar`` group's subcommands."""
    apply = commands.add_parser("apply", help="make a calendar (with override files) active in a database")
    apply.add_argument("--url", required=True, help="sqlite:///file.db or postgresql+psycopg://user@host/db")
    apply.add_argument("files", nargs="*", type=Path, metavar="FILE", help="YAML or TOML override files, in order")
    apply.set_defaults(handler=calendar_apply)

    active = commands.add_parser("active", help="the calendar active in a database")
    active.add_argument("--url", required=True, help="sqlite:///file.db or postgresql+psycopg://user@host/db")
    active.set_defaults(handler=calendar_active)


def calendar_apply(args: argparse.Namespace) -> int:
    """Apply the calendar and say what it changed."""
    from sp4n.calendars import WorkingCalendar
    from sp4n.persistence.sql import safe_url
    from sp4n.workflow.engine import Engine

    calendar = WorkingCalendar.indonesia()
    for path in args.files:
        calendar = calendar.with_overrides(path)
    engine = Engine(sops=(), database_url=args.url)
    try:
        was = engine.calendar.version
        moved = engine.apply_calendar(calendar)
    finally:
        engine.close()
    where = safe_url(args.url)
    if was == calendar.version:
        print(f"{where}: calendar {calendar.version} is already active; nothing changed")
    else:
        print(f"{where}: calendar {calendar.version} is active (was {was}); {len(moved)} complaints re-projected")
    return 0


def calendar_active(args: argparse.Namespace) -> int:
    """Print the active calendar's version and its non-working days by kind."""
    from collections import Counter

    from sp4n.persistence.sql import safe_url
    from sp4n.workflow.engine import Engine

    engine = Engine(sops=(), database_url=args.url)
    try:
        calendar = engine.calendar
    finally:
        engine.close()
    kinds = Counter(d.kind.value for d in calendar.days)
    first, last = calendar.days[0].date, calendar.days[-1].date
    print(f"{safe_url(args.url)}: calendar {calendar.version} ({calendar.name})")
    print(f"  non-working days {first} .. {last}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    return 0
