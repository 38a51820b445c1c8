"""Notice rungs "N working days before" come when the office opens, in the complaint's zone.

A deadline due on Thursday ends at 00:00 Friday local time; its warning "1 working day before"
comes on Wednesday at the opening of office hours, not at 00:00 Thursday when nobody reads it.
Checked on the real Indonesian calendar in WIB, WITA and WIT, across a weekend and a holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.due import Due
from sp4n.states import RungDef, builtin_sop
from sp4n.states.model import RungTiming
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM
from sp4n.workflow.clocks import office_opening, rung_instant

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
"""WIB, WITA, WIT."""

CALENDARS = {zone: WorkingCalendar.indonesia(zone) for zone in ZONES}
POLICY = builtin_sop("national").counting


def warning(before: str, **fields: object) -> RungDef:
    return RungDef.model_validate({"name": "warning", "before": before, "action": "emit", **fields})


def due_of(cal: WorkingCalendar, start: str, budget: str = "3 working days") -> Due:
    """The due of ``budget`` from a local wall-clock time in the calendar's zone."""
    local = datetime.fromisoformat(start).replace(tzinfo=cal.tzinfo)
    return cal.due(local, budget, POLICY)


def local(instant: datetime, cal: WorkingCalendar) -> datetime:
    return instant.astimezone(cal.tzinfo).replace(tzinfo=None)


@pytest.mark.parametrize("zone", ZONES)
def test_one_working_day_before_a_thursday_deadline_is_wednesday_at_opening(zone: str) -> None:
    cal = CALENDARS[zone]
    due = due_of(cal, "2026-03-09T10:00")  # Monday; 3 working days: due Thursday 12 March
    assert due.local_date == date(2026, 3, 12)
    assert local(due.at, cal) == datetime(2026, 3, 13, 0, 0)  # the end of Thursday
    at = rung_instant(due, warning("1 working day"), cal)
    assert local(at, cal) == datetime(2026, 3, 11, 7, 30)  # Wednesday, when the office opens
    assert at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("zone", ZONES)
def test_the_same_deadline_warns_at_each_zones_own_opening(zone: str) -> None:
    cal = CALENDARS[zone]
    at = rung_instant(due_of(cal, "2026-03-09T10:00"), warning("1 working day"), cal)
    hours = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}[zone]
    assert at == datetime(2026, 3, 11, 7, 30, tzinfo=cal.tzinfo)
    assert at.replace(tzinfo=None) == datetime(2026, 3, 11, 7, 30) - timedelta(hours=hours)


@pytest.mark.parametrize("zone", ZONES)
def test_across_a_weekend_the_warning_comes_on_friday(zone: str) -> None:
    cal = CALENDARS[zone]
    due = due_of(cal, "2026-03-04T10:00")  # Wednesday; due Monday 9 March
    assert due.local_date == date(2026, 3, 9)
    assert local(rung_instant(due, warning("1 working day"), cal), cal) == datetime(2026, 3, 6, 7, 30)
    assert local(rung_instant(due, warning("2 working days"), cal), cal) == datetime(2026, 3, 5, 7, 30)


@pytest.mark.parametrize("zone", ZONES)
def test_across_a_holiday_the_warning_skips_it(zone: str) -> None:
    cal = CALENDARS[zone]
    # Ascension (Thursday 14 May 2026) and its joint leave (Friday 15 May) are not working days
    due = due_of(cal, "2026-05-11T10:00")  # Monday; 3 working days: 12, 13 and Monday 18 May
    assert due.local_date == date(2026, 5, 18)
    assert local(rung_instant(due, warning("1 working day"), cal), cal) == datetime(2026, 5, 13, 7, 30)
    assert local(rung_instant(due, warning("2 working days"), cal), cal) == datetime(2026, 5, 12, 7, 30)


def test_the_calendars_own_office_hours_decide_the_opening() -> None:
    cal = WorkingCalendar.indonesia("Asia/Makassar", office_hours=dict.fromkeys(range(5), ("08:00", "15:00")))
    due = due_of(cal, "2026-03-09T10:00")
    assert local(rung_instant(due, warning("1 working day"), cal), cal) == datetime(2026, 3, 11, 8, 0)


def test_a_working_day_without_office_hours_opens_at_0730() -> None:
    # Saturday is a working day here, but the office hours name only Monday to Friday
    hours = dict.fromkeys(range(5), ("08:00", "15:00"))
    cal = WorkingCalendar.indonesia("Asia/Jayapura", weekmask="1111110", office_hours=hours)
    due = due_of(cal, "2026-03-09T10:00", "6 working days")  # Tue..Sat, Mon 16 March
    assert due.local_date == date(2026, 3, 16)
    assert local(rung_instant(due, warning("1 working day"), cal), cal) == datetime(2026, 3, 14, 7, 30)
    assert office_opening(cal, date(2026, 3, 13)) == datetime(2026, 3, 13, 8, 0, tzinfo=cal.tzinfo)


@pytest.mark.parametrize("zone", ZONES)
def test_an_sop_may_keep_the_exact_instant(zone: str) -> None:
    cal = CALENDARS[zone]
    due = due_of(cal, "2026-03-09T10:00")
    rung = warning("1 working day", at="instant")
    assert rung.timing is RungTiming.INSTANT
    assert local(rung_instant(due, rung, cal), cal) == datetime(2026, 3, 12, 0, 0)  # the end of Wednesday


@pytest.mark.parametrize("zone", ZONES)
def test_hour_based_and_action_rungs_stay_at_their_instant(zone: str) -> None:
    cal = CALENDARS[zone]
    due = due_of(cal, "2026-03-09T10:00")
    assert rung_instant(due, warning("4 hours"), cal) == due.at - timedelta(hours=4)
    assert warning("4 working hours").timing is RungTiming.INSTANT
    breach = RungDef.model_validate({"name": "breach", "action": "fire", "trigger": "escalate"})
    assert rung_instant(due, breach, cal) == due.at
    early = RungDef.model_validate(
        {"name": "early", "before": "1 working day", "action": "fire", "trigger": "escalate"}
    )
    assert early.timing is RungTiming.INSTANT  # an action rung acts at its instant unless told
    assert local(rung_instant(due, early, cal), cal) == datetime(2026, 3, 12, 0, 0)


def test_an_after_rung_may_come_at_the_opening_too() -> None:
    cal = CALENDARS["Asia/Makassar"]
    due = due_of(cal, "2026-03-09T10:00")  # due Thursday 12 March
    reminder = RungDef.model_validate({"name": "reminder", "after": "1 working day", "action": "emit", "at": "opening"})
    assert local(rung_instant(due, reminder, cal), cal) == datetime(2026, 3, 13, 7, 30)  # Friday
    plain = reminder.model_copy(update={"at": None})
    assert plain.timing is RungTiming.INSTANT
    assert local(rung_instant(due, plain, cal), cal) == datetime(2026, 3, 14, 0, 0)


def test_the_opening_of_a_working_hour_deadline_is_counted_from_its_due_day() -> None:
    cal = CALENDARS["Asia/Jakarta"]
    due = due_of(cal, "2026-03-09T10:00", "20 working hours")
    assert local(due.at, cal) == datetime(2026, 3, 11, 13, 0)  # Wednesday afternoon
    assert local(rung_instant(due, warning("1 working day"), cal), cal) == datetime(2026, 3, 10, 7, 30)


@pytest.mark.parametrize("zone", ZONES)
def test_a_complaints_warning_fires_at_opening_in_its_zone(zone: str) -> None:
    cal = CALENDARS[zone]
    s = Scenario(calendar=cal, default_zone=zone, start=datetime(2026, 3, 9, 10, 0, tzinfo=cal.tzinfo))
    cid = s.submit()
    warning_at = dict(next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "verification").rungs)["warning"]
    opening = datetime.combine(date(2026, 3, 11), time(7, 30), cal.tzinfo)
    assert warning_at == opening
    s.advance_to(opening - timedelta(minutes=1))
    assert "deadline:verification.warning" not in s.events(cid)
    s.advance_to(opening)
    assert s.events(cid)[-1] == "deadline:verification.warning"
    s.advance_to(datetime.combine(date(2026, 3, 13), time(0), cal.tzinfo))
    assert s.state(cid) == "escalated"  # the breach still comes at the deadline itself
