"""Re-projection reads only the complaints a new calendar can move, a batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence import MemoryStore, Snapshot
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, Engine
from sp4n.workflow.reprojection import first_instant_moved

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 WIB


def closed(*days: date) -> WorkingCalendar:
    base = WorkingCalendar.indonesia()
    extra = [NonWorkingDay(date=d, name="Kantor tutup", kind=DayKind.REGIONAL, source="uji") for d in days]
    return base.replace(days=[*base.days, *extra])


class CountingStore(MemoryStore):
    """A memory store that counts the complaints it is asked to load in bulk."""

    loaded = 0

    def load_many(self, complaint_ids: Sequence[str]) -> list[Snapshot]:
        self.loaded += len(complaint_ids)
        return super().load_many(complaint_ids)


def test_only_days_after_today_narrow_the_search() -> None:
    base = WorkingCalendar.indonesia()
    assert first_instant_moved(base, base, NOW) is None  # nothing differs: nothing to narrow by
    # the day before the first changed day, from its start in WIT (UTC+9)
    assert first_instant_moved(base, closed(date(2026, 6, 10)), NOW) == datetime(2026, 6, 8, 15, 0, tzinfo=UTC)
    assert first_instant_moved(base, closed(date(2026, 3, 2)), NOW) is None  # today: read every complaint
    assert first_instant_moved(base, closed(date(2025, 12, 1)), NOW) is None  # a past day moves past counts
    six_days = base.replace(weekmask="1111110")
    assert first_instant_moved(base, six_days, NOW) is None  # every day may count otherwise


def test_a_decree_for_next_year_reads_no_complaint_and_moves_none() -> None:
    store = CountingStore()
    engine = Engine(store=store, clock=ManualClock(NOW))
    ids = [engine.submit(Actor.reporter("warga-1"), title=f"Got mampet {i}").id for i in range(5)]
    assert engine.apply_calendar(closed(date(2027, 6, 21))) == []
    assert store.loaded == 0
    assert all(engine.history(cid, SYSTEM)[-1].kind == "submitted" for cid in ids)


def test_a_decree_inside_running_windows_moves_every_complaint_it_reaches() -> None:
    store = CountingStore()
    engine = Engine(store=store, clock=ManualClock(NOW))
    ids = [engine.submit(Actor.reporter("warga-1"), title=f"Got mampet {i}").id for i in range(5)]
    assert sorted(engine.apply_calendar(closed(date(2026, 3, 4)))) == sorted(ids)
    assert store.loaded == 5
    moved = engine.history(ids[0], SYSTEM)[-1]
    assert moved.kind == "calendar_reprojected"
    assert {c["clock"] for c in moved.payload["clocks"]} == {"verification", "ombudsman_eligibility"}


def test_a_retroactive_decree_reads_every_complaint_with_a_pending_timer() -> None:
    store = CountingStore()
    clock = ManualClock(NOW)
    engine = Engine(store=store, clock=clock)
    ids = [engine.submit(Actor.reporter("warga-1"), title=f"Got mampet {i}").id for i in range(3)]
    clock.set(datetime(2026, 3, 5, 2, 0, tzinfo=UTC))  # Thursday: Wednesday 4 March is past
    assert sorted(engine.apply_calendar(closed(date(2026, 3, 4)))) == sorted(ids)
    assert store.loaded == 3
