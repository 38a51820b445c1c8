"""find(due_within=n) keeps the last horizon it worked out: it must follow a new active
calendar and a new day, as one worked out afresh does."""

from __future__ import annotations

from datetime import date, timedelta

from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence import Store
from sp4n.workflow.queries import Queries

from .backends import ADMIN, scenario, store_fixture  # noqa: F401


def _day_off(day: date) -> NonWorkingDay:
    return NonWorkingDay(date=day, name="Cuti bersama (contoh)", kind=DayKind.JOINT_LEAVE, source="contoh")


def test_the_horizon_follows_the_calendar_and_the_day(store: Store) -> None:
    s = scenario(store)
    e = s.engine

    def same_as_afresh() -> None:
        afresh = Queries(e.runtime)  # no horizon kept
        for n in (2, 1, 2):  # (the engine's queries keep the last one asked for: 2, asked before)
            assert e.find(ADMIN, due_within=n, limit=500) == afresh.find(ADMIN, due_within=n, limit=500), n

    for i in range(12):
        e.submit(ADMIN, title=f"t{i}")
        s.advance(hours=7)
    same_as_afresh()
    today = s.clock.now().date()
    e.apply_calendar(e.calendar.with_days(add=[_day_off(today + timedelta(days=k)) for k in (1, 4)]))
    same_as_afresh()
    s.advance(days=1)
    same_as_afresh()
    s.advance(days=4)  # a new day: the horizon moves on with it
    for i in range(12):
        e.submit(ADMIN, title=f"later {i}")
        s.advance(hours=5)
    same_as_afresh()
