"""The sp4n pytest plugin, registered through the ``pytest11`` entry point.

Fixtures: ``sp4n_clock`` (a ManualClock at Monday 2 March 2026, 09:00 WIB), ``sp4n_calendar``
(the Indonesian calendar in WIB; override it in a conftest.py for a region in WITA or WIT),
``sp4n_engine`` (an Engine with every built-in SOP on that clock and calendar, a memory store,
and complaints counting in the calendar's zone), and ``sp4n_scenario`` (a factory of
:class:`sp4n.testing.Scenario`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.persistence.memory import MemoryStore
from sp4n.testing.clock import ManualClock
from sp4n.testing.scenario import DEFAULT_START, Scenario
from sp4n.workflow.engine import Engine


@pytest.fixture
def sp4n_clock() -> ManualClock:
    """A ManualClock at Monday 2 March 2026, 09:00 WIB."""
    return ManualClock(DEFAULT_START)


@pytest.fixture
def sp4n_calendar() -> WorkingCalendar:
    """The Indonesian working calendar in WIB (override for another zone)."""
    return WorkingCalendar.indonesia("WIB")


@pytest.fixture
def sp4n_engine(sp4n_clock: ManualClock, sp4n_calendar: WorkingCalendar) -> Engine:
    """An in-memory Engine with every built-in SOP, on ``sp4n_clock`` and ``sp4n_calendar``."""
    from sp4n.states.loader import builtin_sop_ids

    return Engine(sops=builtin_sop_ids(), clock=sp4n_clock, calendar=sp4n_calendar, store=MemoryStore())


@pytest.fixture
def sp4n_scenario(sp4n_calendar: WorkingCalendar) -> Callable[..., Scenario]:
    """Build a Scenario: ``sp4n_scenario(sops=[...], start="2026-03-16T10:00+07:00")``, on
    ``sp4n_calendar`` unless ``calendar=`` is given."""

    def make(**options: Any) -> Scenario:
        options.setdefault("calendar", sp4n_calendar)
        return Scenario(**options)

    return make
