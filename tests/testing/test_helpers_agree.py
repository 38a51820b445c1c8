"""The testing helpers take the same arguments and agree with each other."""

from __future__ import annotations

import re

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.errors import InvalidArgumentError
from sp4n.testing import DEFAULT_START, ManualClock, Scenario

WITA = WorkingCalendar.indonesia("WITA")


@pytest.mark.parametrize("calendar", [None, WITA])
@pytest.mark.parametrize("n", [0, 1, 4, 12])
def test_manual_clock_and_scenario_advance_working_days_alike(n: int, calendar: WorkingCalendar | None) -> None:
    clock = ManualClock("2026-03-13T16:00:00+07:00")  # a Friday, before Nyepi and Idul Fitri
    s = Scenario(sops=["national"], start="2026-03-13T16:00:00+07:00")
    s.advance_working_days(n, calendar)
    assert clock.advance_working_days(n, calendar) == s.clock.now()


def test_the_old_argument_order_is_refused_with_the_new_one() -> None:
    message = "n=WorkingCalendar(name='Indonesia (WITA)'"
    with pytest.raises(InvalidArgumentError, match=re.escape(message)) as caught:
        ManualClock(DEFAULT_START).advance_working_days(WITA, 1)  # type: ignore[arg-type]
    assert str(caught.value).endswith("expected a number of working days >= 0, then the calendar: (n, calendar)")


def test_run_until_and_advance_to_take_iso_instants() -> None:
    s = Scenario(sops=["national"])
    s.advance_to("2026-03-02T10:00:00+07:00")
    with pytest.raises(InvalidArgumentError, match=re.escape("instant='kemarin' is invalid: expected an ISO 8601")):
        s.advance_to("kemarin")
