"""The calendars an engine counts on: the active calendar and its variants by zone.

The active calendar lives in the database, not in one process: ``apply_calendar`` in one
process (or ``sp4n calendar apply``) makes a calendar active there, and every other process
takes it up at its next refresh (each worker sweep, and a command at most every few seconds),
without a restart. A complaint counts in its own zone, on the active calendar with or without
joint-leave days (as its SOP says). Each variant is stored as a definition once, so an event
can name the calendar version it was counted on and that version can be read back later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind
from sp4n.calendars.serialize import calendar_from_dict, calendar_to_dict
from sp4n.errors import Sp4nError
from sp4n.persistence.base import Store

log = logging.getLogger("sp4n.engine")

ACTIVE = ("calendar", "default")
"""Where the active calendar's version is kept among the store's active definitions."""


def calendar_variant(base: WorkingCalendar, zone: str, joint_leave: bool) -> WorkingCalendar:
    """``base`` in ``zone``, with or without its joint-leave days (as an SOP's calendar policy asks)."""
    cal = base if zone == base.zone else base.replace(zone=zone)
    if not joint_leave:
        cal = cal.replace(days=[d for d in cal.days if d.kind is not DayKind.JOINT_LEAVE])
    return cal


class CalendarBook:
    """The active calendar and the variants built from it, each stored once."""

    def __init__(self, store: Store, given: WorkingCalendar | None, now: Callable[[], datetime]) -> None:
        """Count on the calendar active in the store; when none is active yet, on ``given`` (or
        the Indonesian calendar), which becomes the active one of every process.

        A ``given`` calendar whose days differ from the active one's does not replace it: only
        ``apply_calendar`` does, since it also re-projects the running clocks. The difference
        is logged.
        """
        self._store = store
        self._now = now
        self._variants: dict[tuple[str, bool], WorkingCalendar] = {}
        version = self._active_version()
        stored = self._load(version) if version is not None else None
        if stored is None:
            self.active = given or WorkingCalendar.indonesia()
            self.activate(self.active)
            return
        self.active = stored
        if given is not None and calendar_variant(stored, given.zone, True).version != given.version:
            log.warning(
                "calendar %s given, but %s is active in the database and is used; apply_calendar "
                "(or sp4n calendar apply) makes another one active",
                given.version,
                stored.version,
            )

    def for_zone(self, zone: str, joint_leave: bool = True) -> WorkingCalendar:
        """The active calendar in ``zone``, without joint-leave days if ``joint_leave`` is false."""
        key = (zone, joint_leave)
        cal = self._variants.get(key)
        if cal is None:
            cal = calendar_variant(self.active, zone, joint_leave)
            self._keep(cal)
            self._variants[key] = cal
        return cal

    def stored(self, version: str) -> WorkingCalendar | None:
        """A calendar version an event refers to, as stored (to explain an old due date)."""
        for cal in (self.active, *self._variants.values()):
            if cal.version == version:
                return cal
        return self._load(version)

    def activate(self, calendar: WorkingCalendar) -> None:
        """Store ``calendar`` and make it the active one of every process sharing the store."""
        self._keep(calendar)
        self._store.activate(*ACTIVE, calendar.version, self._now())

    def switch(self, calendar: WorkingCalendar) -> None:
        """Count on ``calendar`` from now on (in this process)."""
        self.active = calendar
        self._variants = {}

    def refresh(self) -> bool:
        """Take up the calendar another process made active; returns whether it changed."""
        version = self._active_version()
        if version is None or version == self.active.version:
            return False
        calendar = self._load(version)
        if calendar is None:
            log.warning("the active calendar %s is not stored; still counting on %s", version, self.active.version)
            return False
        log.info("calendar %s is active now (was %s)", version, self.active.version)
        self.switch(calendar)
        return True

    def _active_version(self) -> str | None:
        return active_calendar_version(self._store)

    def _load(self, version: str) -> WorkingCalendar | None:
        return stored_calendar(self._store, version)

    def _keep(self, calendar: WorkingCalendar) -> None:
        content = calendar_to_dict(calendar)
        self._store.save_definition("calendar", (calendar.version,), calendar.name, content, self._now())


def active_calendar_version(store: Store) -> str | None:
    """The version of the calendar active in ``store`` (None before any was made active)."""
    return store.active(ACTIVE[0]).get(ACTIVE[1])


def stored_calendar(store: Store, version: str) -> WorkingCalendar | None:
    """The calendar ``version`` as ``store`` keeps it (None, logged, when absent or unusable);
    reads only."""
    content = store.load_definition("calendar", (version,))
    if content is None:
        return None
    try:
        return calendar_from_dict(content)  # refuses content that does not hash to its version
    except (Sp4nError, KeyError, TypeError, ValueError) as exc:
        log.error("the stored calendar %s cannot be used (%s); still counting on the one before", version, exc)
        return None
