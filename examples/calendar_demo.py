"""The working calendar at work on one report (run: ``python examples/calendar_demo.py``).

A report reaches an agency on Monday 16 March 2026 at 10:00 WIB, the week of Nyepi and Idul Fitri.
The demo shows when its deadlines end, why, and how the same instant counts in another zone.
Each step is a small function so later demos (a whole complaint's life) can reuse them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sp4n.calendars import Due, WorkingCalendar, indonesia_calendar
from sp4n.calendars.days import WEEKDAY_LABELS_EN

RECEIVED = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
"""Monday 16 March 2026, 10:00 WIB."""

VERIFICATION = "3 working days"
"""The admin's budget to verify and forward a report (see DOMAIN: high confidence)."""

BUDGETS: tuple[tuple[str, str], ...] = (
    ("3 working days", "verify and forward"),
    ("5 working days", "agency's first follow-up"),
    ("14 working days", "complete: no examination needed"),
    ("60 working days", "complete: examination needed"),
    ("24 hours", "first response (Batam)"),
    ("8 working hours", "one office day (illustrative)"),
)
"""SOP-like budgets and what they are for."""


def section(title: str) -> None:
    """A heading."""
    print()
    print(title)
    print("=" * len(title))


def build_calendar(zone: str = "WIB") -> WorkingCalendar:
    """Indonesia's national calendar in one zone: holidays and joint leave from ``holidays``."""
    return indonesia_calendar(zone)


def describe_calendar(cal: WorkingCalendar) -> None:
    """Name, version, coverage and the non-working days of the report's week."""
    first, last = cal.years
    confirmed = sorted(cal.confirmed_years)
    print(f"{cal.name}: {first}-{last}, version {cal.version}")
    print(f"joint leave confirmed for {confirmed[0]}-{confirmed[-1]}; later years are covered but flagged")
    print("non-working days around the report:")
    for day in cal.non_working_days_between(RECEIVED.date(), date(2026, 3, 24)):
        print(f"  {day}")


def explain(cal: WorkingCalendar, start: datetime, duration: str) -> Due:
    """The due date of ``duration`` from ``start``, explained in English and Indonesian."""
    due = cal.due(start, duration)
    print(due.explain("en"))
    print()
    print(due.explain("id"))
    return due


def compare_zones(start: datetime, duration: str, zones: tuple[str, ...] = ("WIB", "WIT")) -> None:
    """The same instant counted in several zones: same local due date, different UTC instants."""
    for zone in zones:
        due = build_calendar(zone).due(start, duration)
        received = start.astimezone(due.local_at.tzinfo)
        print(
            f"{zone:<4} received {received:%Y-%m-%d %H:%M}, due end of {due.local_date} "
            f"= {due.local_at:%Y-%m-%d %H:%M} local = {due.at:%Y-%m-%d %H:%M} UTC"
        )


def budget_rows(cal: WorkingCalendar, start: datetime, budgets: tuple[tuple[str, str], ...]) -> list[str]:
    """One line per budget: when it ends, local and UTC, and whether it rests on confirmed dates."""
    cells = [("budget", "for", "due date", "passes at (local)", "passes at (UTC)", "data")]
    for duration, purpose in budgets:
        due = cal.due(start, duration)
        data = "confirmed" if due.confirmed else "estimated/unconfirmed"
        cells.append(
            (
                duration,
                purpose,
                f"{WEEKDAY_LABELS_EN[due.local_date.weekday()][:3]} {due.local_date}",
                f"{due.local_at:%Y-%m-%d %H:%M}",
                f"{due.at:%Y-%m-%d %H:%M}",
                data,
            )
        )
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def main() -> int:
    """Run the demo; returns the exit code."""
    cal = build_calendar("WIB")
    section("The calendar")
    describe_calendar(cal)

    section(f"{VERIFICATION} from Monday {RECEIVED:%Y-%m-%d %H:%M} WIB, explained")
    explain(cal, RECEIVED, VERIFICATION)

    section("The same instant in another zone")
    compare_zones(RECEIVED, VERIFICATION)

    section("SOP-like budgets from the same instant (WIB)")
    for line in budget_rows(cal, RECEIVED, BUDGETS):
        print(line)
    print("(a budget in days passes at the end of its local due date, i.e. 00:00 of the next day)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
