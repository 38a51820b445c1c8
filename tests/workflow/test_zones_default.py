"""A complaint counts in its agency's zone, else in the engine calendar's zone (or default_zone).

Before, an engine on a WITA or WIT calendar still gave complaints the zone Asia/Jakarta, so a
receipt just after midnight in Banjarmasin counted from the day before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from sp4n import WorkingCalendar
from sp4n.errors import InvalidData, UnknownZoneError
from sp4n.persistence.memory import MemoryStore
from sp4n.testing import ManualClock, Scenario
from sp4n.workflow import SYSTEM, Actor, Engine

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def verification_due(engine: Engine, cid: str) -> tuple[str, date]:
    deadline = next(d for d in engine.deadlines(cid, SYSTEM) if d.clock == "verification")
    assert deadline.due is not None
    return deadline.due.zone, deadline.due.local_date


def test_a_wita_engine_counts_a_receipt_after_midnight_wita_from_that_day() -> None:
    # Monday 16 March 2026 00:30 WITA is still Sunday 23:30 in Jakarta.
    clock = ManualClock("2026-03-16T00:30:00+08:00")
    engine = Engine(calendar=WorkingCalendar.indonesia("WITA"), clock=clock, store=MemoryStore())
    cid = engine.submit(engine_reporter(), title="Jalan berlubang di Banjarmasin").id
    assert engine.default_zone == "Asia/Makassar"
    assert verification_due(engine, cid) == ("Asia/Makassar", date(2026, 3, 26))


@pytest.mark.parametrize("name", ["WIB", "WITA", "WIT"])
@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 3, 15, 15, 30, tzinfo=UTC),  # Sun 22:30 WIB, Sun 23:30 WITA, Mon 00:30 WIT
        datetime(2026, 3, 15, 16, 30, tzinfo=UTC),  # Sun 23:30 WIB, Mon 00:30 WITA, Mon 01:30 WIT
        datetime(2026, 3, 15, 17, 30, tzinfo=UTC),  # Mon 00:30 WIB, Mon 01:30 WITA, Mon 02:30 WIT
    ],
)
def test_each_zone_counts_from_its_own_local_date(name: str, instant: datetime) -> None:
    calendar = WorkingCalendar.indonesia(name)
    engine = Engine(calendar=calendar, clock=ManualClock(instant), store=MemoryStore())
    cid = engine.submit(engine_reporter(), title="Lampu jalan mati").id
    expected = calendar.due(instant, "3 working days").local_date
    assert verification_due(engine, cid) == (ZONES[name], expected)
    local_day = instant.astimezone(calendar.tzinfo).date()
    assert engine.get(cid).tracking_number.startswith(f"SP4N-{local_day:%Y%m%d}-")


def test_the_three_zones_disagree_on_one_instant() -> None:
    instant = datetime(2026, 3, 15, 16, 30, tzinfo=UTC)
    dues = {
        name: verification_due(*_submitted(WorkingCalendar.indonesia(name), instant))[1] for name in ("WIB", "WITA")
    }
    assert dues == {"WIB": date(2026, 3, 25), "WITA": date(2026, 3, 26)}


def _submitted(calendar: WorkingCalendar, instant: datetime) -> tuple[Engine, str]:
    engine = Engine(calendar=calendar, clock=ManualClock(instant), store=MemoryStore())
    return engine, engine.submit(engine_reporter(), title="Air PDAM keruh").id


def test_default_zone_may_repeat_the_calendars_zone() -> None:
    engine = Engine(calendar=WorkingCalendar.indonesia("WIT"), default_zone="WIT", store=MemoryStore())
    assert engine.default_zone == "Asia/Jayapura"


@pytest.mark.parametrize(
    ("calendar", "default_zone", "message"),
    [
        ("WITA", "Asia/Jakarta", r"default_zone='Asia/Jakarta'.*the zone of the calendar \(Asia/Makassar\)"),
        ("WIB", "WIT", r"default_zone='WIT'.*the zone of the calendar \(Asia/Jakarta\)"),
    ],
)
def test_a_default_zone_that_contradicts_the_calendar_is_refused(
    calendar: str, default_zone: str, message: str
) -> None:
    with pytest.raises(InvalidData, match=message):
        Engine(calendar=WorkingCalendar.indonesia(calendar), default_zone=default_zone, store=MemoryStore())


def test_an_unknown_default_zone_is_refused() -> None:
    with pytest.raises(UnknownZoneError, match=r"default_zone='Mars/Olympus'.*not a known time zone"):
        Engine(default_zone="Mars/Olympus", store=MemoryStore())


def test_a_scenario_on_a_wit_calendar_counts_in_wit() -> None:
    s = Scenario(calendar=WorkingCalendar.indonesia("WIT"), start="2026-03-16T00:30:00+09:00")
    cid = s.submit()
    assert s.engine.get(cid, s.national_admin).zone == "Asia/Jayapura"
    assert s.due(cid, "verification").zone == "Asia/Jayapura"


def test_the_scenario_fixture_follows_an_overridden_calendar(
    sp4n_scenario: Callable[..., Scenario],
) -> None:
    s = sp4n_scenario(calendar=WorkingCalendar.indonesia("WITA"))
    assert s.engine.default_zone == "Asia/Makassar"


def test_a_complaint_moves_zone_when_distributed_to_an_agency_in_another_zone() -> None:
    s = Scenario(
        calendar=WorkingCalendar.indonesia("WITA"),
        agency_zones={"dinas_kominfo_papua": "WIT", "dinas_pu_jakarta": "WIB"},
        start="2026-03-16T09:00:00+08:00",
    )
    cid = s.submit()
    assert s.engine.get(cid, s.national_admin).zone == "Asia/Makassar"
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    s.fire(cid, "distribute", s.national_admin, agency="dinas_pu_jakarta")
    assert s.engine.get(cid, s.national_admin).zone == "Asia/Jakarta"
    zones = {d.due.zone for d in s.engine.deadlines(cid, SYSTEM) if d.due is not None}
    assert zones == {"Asia/Jakarta"}


def engine_reporter() -> Actor:
    return Actor.reporter("warga-kalsel")


class TestAnOverriddenCalendarFixture:
    """A region in WITA overrides ``sp4n_calendar`` once; the engine fixture follows it."""

    @pytest.fixture
    def sp4n_calendar(self) -> WorkingCalendar:
        return WorkingCalendar.indonesia("WITA")

    def test_the_engine_fixture_counts_in_wita(self, sp4n_engine: Engine) -> None:
        cid = sp4n_engine.submit(engine_reporter(), title="Banjir rob di Banjarmasin").id
        assert sp4n_engine.get(cid).zone == "Asia/Makassar"
