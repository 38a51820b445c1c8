"""Snapshots of Indonesia's non-working weekdays, one file per year.

``tests/golden/calendar/indonesia-<year>.txt`` lists, for each year from 2024 to the year after the
last confirmed one (later years count on the same computed estimates), every Monday-to-Friday date
that is not a working day in the default calendar (WIB, joint leave counted as days off), one line
each::

    2026-03-18 Wed joint_leave Cuti Bersama Hari Suci Nyepi
    2027-03-10 Wed national_holiday Hari Raya Idul Fitri (perkiraan) [estimated]

that is: date, weekday, kind, Indonesian name, and ``[estimated]`` when the date is estimated.
Holidays on Saturday or Sunday are left out (they change no deadline). The tests rebuild the lines
from the code and compare them with the files, so any change in the ``holidays`` data or in how
sp4n reads it shows up as a diff to review.

To accept a change (after checking it against the decrees and DOMAIN.md), rewrite the files::

    SP4N_UPDATE_GOLDEN=1 .venv/bin/pytest tests/calendars/test_golden.py

A year added to the calendar (a new ``holidays`` release with more joint-leave data) needs a new
file: the same command writes it.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from sp4n.calendars import DayKind, WorkingCalendar
from sp4n.calendars.indonesia import last_confirmed_year

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden" / "calendar"
UPDATE = os.environ.get("SP4N_UPDATE_GOLDEN") == "1"
FIRST_GOLDEN_YEAR = 2024
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

CALENDAR = WorkingCalendar.indonesia()
YEARS = list(range(FIRST_GOLDEN_YEAR, last_confirmed_year() + 2))


def golden_path(year: int) -> Path:
    return GOLDEN_DIR / f"indonesia-{year}.txt"


def snapshot(cal: WorkingCalendar, year: int) -> str:
    header = [
        f"# {cal.name}: non-working weekdays (Mon-Fri) of {year}",
        "# date weekday kind name [estimated]; regenerate with SP4N_UPDATE_GOLDEN=1",
    ]
    lines = []
    for day in cal.days:
        if day.date.year != year or day.date.weekday() >= 5:
            continue
        flag = " [estimated]" if day.estimated else ""
        lines.append(f"{day.date.isoformat()} {WEEKDAYS[day.date.weekday()]} {day.kind.value} {day.name}{flag}")
    return "\n".join([*header, *lines]) + "\n"


def parse(text: str) -> dict[date, tuple[str, str, bool]]:
    """date -> (kind, name, estimated) from a golden file."""
    out: dict[date, tuple[str, str, bool]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        iso, weekday, kind, name = line.split(" ", 3)
        d = date.fromisoformat(iso)
        assert WEEKDAYS[d.weekday()] == weekday, line
        estimated = name.endswith(" [estimated]")
        out[d] = (kind, name.removesuffix(" [estimated]"), estimated)
    return out


@pytest.mark.parametrize("year", YEARS)
def test_snapshot_matches_golden_file(year: int) -> None:
    path = golden_path(year)
    actual = snapshot(CALENDAR, year)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run with SP4N_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    assert actual.splitlines() == expected.splitlines(), (
        f"{path.name} differs from the calendar; if the change is right, rerun with SP4N_UPDATE_GOLDEN=1"
    )


def test_no_stray_golden_files() -> None:
    names = {p.name for p in GOLDEN_DIR.glob("indonesia-*.txt")}
    assert names == {golden_path(y).name for y in YEARS}


@pytest.mark.parametrize("year", YEARS)
def test_golden_file_is_exactly_the_weekdays_that_are_not_working_days(year: int) -> None:
    """The file, read back, agrees with is_working_day on every weekday of the year."""
    golden = parse(golden_path(year).read_text(encoding="utf-8"))
    d = date(year, 1, 1)
    off = set()
    while d.year == year:
        if d.weekday() < 5 and not CALENDAR.is_working_day(d):
            off.add(d)
        d += timedelta(days=1)
    assert set(golden) == off
    for day, (kind, name, estimated) in golden.items():
        found = CALENDAR.non_working_day(day)
        assert found is not None
        assert (found.kind.value, found.name, found.estimated) == (kind, name, estimated)
        assert found.kind in (DayKind.NATIONAL_HOLIDAY, DayKind.JOINT_LEAVE)
        assert estimated == ("(perkiraan)" in name)


# Spot checks against DOMAIN.md and the decrees, so a wholesale regeneration cannot hide a regression.
KNOWN = [
    ("2024-04-10", "national_holiday", "Hari Raya Idul Fitri", False),
    ("2025-03-31", "national_holiday", "Hari Raya Idul Fitri", False),
    ("2026-02-16", "joint_leave", "Cuti Bersama Tahun Baru Imlek", False),
    ("2026-03-18", "joint_leave", "Cuti Bersama Hari Suci Nyepi", False),
    ("2026-03-19", "national_holiday", "Hari Suci Nyepi", False),
    ("2026-03-20", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri", False),
    ("2026-03-23", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri", False),
    ("2026-03-24", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri", False),
    ("2026-05-27", "national_holiday", "Hari Raya Idul Adha", False),
    ("2026-05-28", "joint_leave", "Cuti Bersama Hari Raya Idul Adha", False),
    ("2026-08-17", "national_holiday", "Hari Kemerdekaan Republik Indonesia", False),
    ("2026-12-24", "joint_leave", "Cuti Bersama Hari Raya Natal", False),
    ("2026-12-25", "national_holiday", "Hari Raya Natal", False),
    ("2027-03-10", "national_holiday", "Hari Raya Idul Fitri (perkiraan)", True),
    ("2027-03-11", "national_holiday", "Hari kedua dari Hari Raya Idul Fitri (perkiraan)", True),
]


@pytest.mark.parametrize(("iso", "kind", "name", "estimated"), KNOWN)
def test_golden_files_hold_known_days(iso: str, kind: str, name: str, estimated: bool) -> None:
    d = date.fromisoformat(iso)
    golden = parse(golden_path(d.year).read_text(encoding="utf-8"))
    assert golden[d] == (kind, name, estimated)


def test_2026_idul_fitri_cluster_is_a_full_week_off() -> None:
    """Nyepi (19 Mar) with its joint leave (18 Mar) runs into Idul Fitri (20-24 Mar): Wed to Tue."""
    off = [date(2026, 3, day) for day in range(18, 25)]
    assert not any(CALENDAR.is_working_day(d) for d in off)
    assert CALENDAR.is_working_day(date(2026, 3, 17))
    assert CALENDAR.is_working_day(date(2026, 3, 25))


def test_unconfirmed_year_has_no_joint_leave() -> None:
    last = YEARS[-1]
    assert last not in CALENDAR.confirmed_years
    kinds = {kind for kind, _, _ in parse(golden_path(last).read_text(encoding="utf-8")).values()}
    assert kinds == {"national_holiday"}
