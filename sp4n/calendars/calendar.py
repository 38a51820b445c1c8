"""WorkingCalendar: which days count, when a deadline ends, and where the days come from.

The arithmetic lives in :class:`~sp4n.calendars.core.CalendarCore`; this module adds the entry
points that reach into the modules built on it (national data, due dates, override files,
iCalendar). It sits on top: it imports them, none of them imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sp4n.calendars.core import CalendarCore
from sp4n.calendars.days import DayKind
from sp4n.calendars.due import Due, compute_due
from sp4n.calendars.duration import Duration
from sp4n.calendars.indonesia import indonesia_arguments
from sp4n.calendars.overrides import OverrideSet, apply_overrides
from sp4n.calendars.policy import DEFAULT_POLICY, CountingPolicy


class WorkingCalendar(CalendarCore):
    """Working days and office hours in one zone, over a range of years. Immutable.

    Build one with its constructor (a weekmask, dated non-working days, a zone, office hours and
    years) or with :meth:`indonesia`; ask it what :class:`CalendarCore` answers, and when a
    duration ends with :meth:`due`.
    """

    __slots__ = ()

    @classmethod
    def indonesia(
        cls,
        zone: str = "Asia/Jakarta",
        *,
        joint_leave: bool = True,
        years: tuple[int, int] | None = None,
        office_hours: Mapping[Any, Any] | None = None,
        weekmask: str | Sequence[bool] | Sequence[int] = "1111100",
        allow_uncovered: bool = False,
    ) -> WorkingCalendar:
        """Indonesia's national calendar in one zone (WIB, WITA, WIT or an IANA name), from ``holidays``.

        ``joint_leave=False`` counts cuti bersama as working days, for front-line units that stay
        open. ``years`` defaults to :func:`~sp4n.calendars.default_years`. Years without
        joint-leave data are covered but not confirmed.
        """
        return cls(
            **indonesia_arguments(
                zone,
                joint_leave=joint_leave,
                years=years,
                office_hours=office_hours,
                weekmask=weekmask,
                allow_uncovered=allow_uncovered,
            )
        )

    def due(self, start: datetime, duration: Duration | str, policy: CountingPolicy = DEFAULT_POLICY) -> Due:
        """When ``duration`` counted from ``start`` ends, with the reasons (see :class:`Due`)."""
        return compute_due(self, start, duration, policy)

    def with_overrides(self, source: str | Path | Mapping[str, Any] | OverrideSet) -> WorkingCalendar:
        """A new calendar with the overrides of a YAML/TOML file or mapping applied."""
        return apply_overrides(self, source)

    def to_ics(self) -> bytes:
        """The dated non-working days as an iCalendar file (all-day events)."""
        # imported here so that a calendar without iCalendar support still counts deadlines;
        # ics imports only core, so this adds no cycle
        from sp4n.calendars.ics import calendar_to_ics

        return calendar_to_ics(self)

    def with_ics(self, source: str | bytes | Path, *, kind: DayKind = DayKind.OVERRIDE) -> WorkingCalendar:
        """A new calendar with the all-day events of an iCalendar file added as non-working days."""
        from sp4n.calendars.ics import apply_ics

        return apply_ics(self, source, kind=kind)


indonesia_calendar = WorkingCalendar.indonesia
"""Indonesia's national calendar in one zone: :meth:`WorkingCalendar.indonesia` as a function."""
