"""The national working calendar of Indonesia, built from the ``holidays`` package.

National holidays come from category ``public``, joint leave (cuti bersama) from category
``government``, both with their Indonesian names. ``holidays`` marks dates it computed rather than
took from a decree with "(perkiraan)"; those become ``estimated=True``. Joint leave is hard-coded
per year in ``holidays``; a year without any is covered but not confirmed, and every deadline that
crosses it says so.

This module gives the data and the constructor arguments; :meth:`WorkingCalendar.indonesia`
(and :func:`~sp4n.calendars.indonesia_calendar`) build the calendar from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.metadata import version as _dist_version
from typing import Any

import holidays

from sp4n.calendars.core import CalendarCore
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.calendars.zones import ZONE_ABBREVIATIONS, zone_name

FIRST_YEAR = 2019
"""First year of the default range: the year the current SP4N rules (Permen PANRB 62/2018) began."""

_ESTIMATED_MARK = "(perkiraan)"
_JOINT_LEAVE_PREFIX = "Cuti Bersama"


def holidays_version() -> str:
    """The installed version of the ``holidays`` package (part of every derived day's source)."""
    return _dist_version("holidays")


@lru_cache(maxsize=8)
def joint_leave_years(first: int = 2000, last: int = 2100) -> tuple[int, ...]:
    """Years for which ``holidays`` has joint-leave (cuti bersama) data."""
    return tuple(
        y for y in range(first, last + 1) if holidays.country_holidays("ID", years=y, categories=("government",))
    )


def last_confirmed_year() -> int:
    """The last year with joint-leave data: decrees for later years are not out yet."""
    return max(joint_leave_years())


LAST_YEAR = 2100
"""Last year of the default range. Years after the last confirmed one count on the dates
``holidays`` computes (estimated, flagged) and the weekmask, so a deadline years ahead is still
computed, marked unconfirmed, and never refused."""


def default_years() -> tuple[int, int]:
    """2019 to 2100: past the last confirmed year, covered but flagged as unconfirmed."""
    return (FIRST_YEAR, max(LAST_YEAR, last_confirmed_year() + 1))


@lru_cache(maxsize=32)
def _national_days(first: int, last: int, joint_leave: bool) -> tuple[NonWorkingDay, ...]:
    categories = ("public", "government") if joint_leave else ("public",)
    years = range(first, last + 1)
    government = holidays.country_holidays("ID", years=years, categories=("government",), language="id")
    merged = holidays.country_holidays("ID", years=years, categories=categories, language="id")
    lib = f"holidays {holidays_version()}"
    out: list[NonWorkingDay] = []
    for day, names in sorted(merged.items()):
        parts = [p.strip() for p in names.split(";")]
        is_leave = day in government and all(p.startswith(_JOINT_LEAVE_PREFIX) for p in parts)
        kind = DayKind.JOINT_LEAVE if is_leave else DayKind.NATIONAL_HOLIDAY
        decree = "SKB 3 Menteri cuti bersama" if is_leave else "Keppres/SKB 3 Menteri hari libur nasional"
        out.append(
            NonWorkingDay(
                date=day,
                name="; ".join(parts),
                kind=kind,
                source=f"{decree} {day.year} (data: {lib})",
                estimated=any(_ESTIMATED_MARK in p for p in parts),
            )
        )
    return tuple(out)


WITHOUT_JOINT_LEAVE = {"en": ", without joint leave", "id": ", tanpa cuti bersama"}
"""What the name of a national calendar that counts joint leave as working days ends with."""


def indonesia_arguments(
    zone: str = "Asia/Jakarta",
    *,
    joint_leave: bool = True,
    years: tuple[int, int] | None = None,
    office_hours: Mapping[Any, Any] | None = None,
    weekmask: str | Sequence[bool] | Sequence[int] = "1111100",
    allow_uncovered: bool = False,
) -> dict[str, Any]:
    """The constructor arguments of Indonesia's national calendar in one zone, as
    :meth:`WorkingCalendar.indonesia <sp4n.calendars.WorkingCalendar.indonesia>` documents them."""
    name = zone_name(zone)
    first, last = years if years is not None else default_years()
    cal_years = CalendarCore._check_years((first, last))
    confirmed = [y for y in range(cal_years[0], cal_years[1] + 1) if y in set(joint_leave_years())]
    label = ZONE_ABBREVIATIONS.get(name, name)
    return {
        "years": cal_years,
        "zone": name,
        "weekmask": weekmask,
        "days": _national_days(cal_years[0], cal_years[1], joint_leave),
        "office_hours": office_hours,
        "confirmed_years": confirmed,
        "allow_uncovered": allow_uncovered,
        "name": f"Indonesia ({label}){'' if joint_leave else WITHOUT_JOINT_LEAVE['en']}",
    }


__all__ = [
    "WITHOUT_JOINT_LEAVE",
    "default_years",
    "holidays_version",
    "indonesia_arguments",
    "joint_leave_years",
    "last_confirmed_year",
]
