"""The calendars an engine counts on: the active calendar and its variants by zone.

A complaint counts in its own zone, on the active calendar with or without joint-leave days (as
its SOP says). Each variant is built once and stored as a definition, so an event can name the
calendar version it was counted on and that version can be read back to explain an old due
date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.days import DayKind
from sp4n.calendars.serialize import calendar_from_dict, calendar_to_dict
from sp4n.persistence.base import Store


def calendar_variant(base: WorkingCalendar, zone: str, joint_leave: bool) -> WorkingCalendar:
    """``base`` in ``zone``, with or without its joint-leave days (as an SOP's calendar policy asks)."""
    cal = base if zone == base.zone else base.replace(zone=zone)
    if not joint_leave:
        cal = cal.replace(days=[d for d in cal.days if d.kind is not DayKind.JOINT_LEAVE])
    return cal


class CalendarBook:
    """The active calendar and the variants built from it, each stored once."""

    def __init__(self, store: Store, active: WorkingCalendar, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self.active = active
        self._variants: dict[tuple[str, bool], WorkingCalendar] = {}

    def for_zone(self, zone: str, joint_leave: bool = True) -> WorkingCalendar:
        """The active calendar in ``zone``, without joint-leave days if ``joint_leave`` is false."""
        key = (zone, joint_leave)
        cal = self._variants.get(key)
        if cal is None:
            cal = calendar_variant(self.active, zone, joint_leave)
            self._store.save_definition("calendar", (cal.version,), cal.name, calendar_to_dict(cal), self._now())
            self._variants[key] = cal
        return cal

    def stored(self, version: str) -> WorkingCalendar | None:
        """A calendar version an event refers to, as stored (to explain an old due date)."""
        for cal in self._variants.values():
            if cal.version == version:
                return cal
        content = self._store.load_definition("calendar", (version,))
        return calendar_from_dict(content) if content is not None else None

    def switch(self, calendar: WorkingCalendar) -> Callable[[str, bool], WorkingCalendar]:
        """Make ``calendar`` the active one; returns how to find the variants of the one before."""
        old, old_variants = self.active, dict(self._variants)
        self.active = calendar
        self._variants = {}

        def before(zone: str, joint_leave: bool) -> WorkingCalendar:
            return old_variants.get((zone, joint_leave)) or calendar_variant(old, zone, joint_leave)

        return before

    def refresh(self) -> bool:
        """Take up a calendar another process made active; returns whether it changed."""
        return False
