"""Set-based re-projection leaves every complaint exactly as the per-complaint path does, whatever
the decree: the same clocks, timers, events (hashes included) and clock runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence import MemoryStore
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine
from sp4n.workflow.reprojection import reproject, reproject_each

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 2 March 2026, 08:00 WIB
ADMIN = Actor.national_admin("admin-nasional")
VERIFY = {"classification": "pengaduan", "category": "kesehatan"}

Step = tuple[int, str]
"""(minutes after the previous step, what: "submit" a report, "verify" the last one, or "distribute" it)."""


def build(steps: list[Step], zone_of: dict[str, str]) -> Engine:
    """An engine on a memory store that went through ``steps`` (ids and times fixed, so two
    engines built alike hold equal complaints)."""
    counter = itertools.count(1)
    clock = ManualClock(START)
    engine = Engine(store=MemoryStore(), clock=clock, agency_zones=zone_of, id_factory=lambda: f"c{next(counter)}")
    last: str | None = None
    for minutes, what in steps:
        clock.advance(minutes=minutes)
        if what == "submit" or last is None:
            last = engine.submit(Actor.reporter("warga-1"), title="Got mampet").id
        elif what == "verify" and engine.get(last, ADMIN).state == "received":
            engine.fire(last, "verify", ADMIN, **VERIFY)
        elif what == "distribute" and engine.get(last, ADMIN).state == "verified":
            engine.fire(last, "distribute", ADMIN, agency=sorted(zone_of)[minutes % len(zone_of)])
    return engine


def state_of(engine: Engine) -> dict[str, Any]:
    """Everything the store holds of each complaint that a re-projection may change."""
    store = engine.store
    out = {}
    for cid in store.complaint_ids():
        snapshot = store.load(cid)
        timers = sorted((t.id, t.status, t.due_at, t.closed_at, t.priority) for t in store.timers(cid))
        events = [(e.seq, e.kind, e.payload, e.clock_changes, e.calendar_version, e.hash) for e in store.history(cid)]
        out[cid] = (snapshot.complaint, snapshot.clocks, timers, events, store.clock_runs(cid))
    return out


def switched(engine: Engine, decree: WorkingCalendar, run: Callable[[Any, WorkingCalendar], list[str]]) -> list[str]:
    runtime = engine.runtime
    old = runtime.calendars.active
    runtime.calendars.switch(decree)
    runtime.calendars.activate(decree)
    return sorted(run(runtime, old))


def engine_ids(engine: Engine) -> list[str]:
    return list(engine.store.complaint_ids())


steps = st.lists(
    st.tuples(st.integers(0, 3 * 24 * 60), st.sampled_from(["submit", "submit", "verify", "distribute"])),
    min_size=1,
    max_size=12,
)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(
    steps=steps,
    closed=st.lists(st.integers(-5, 70), min_size=1, max_size=4, unique=True),
    opened=st.booleans(),
    later=st.integers(0, 10 * 24 * 60),
)
@example(steps=[(0, "submit"), (30, "submit"), (60, "verify")], closed=[2], opened=False, later=0)  # all move
def test_set_based_reprojection_equals_the_per_complaint_path(
    steps: list[Step], closed: list[int], opened: bool, later: int
) -> None:
    zones = {"dinas_kesehatan": "Asia/Jakarta", "dinas_pu_kalsel": "Asia/Makassar", "dinas_papua": "Asia/Jayapura"}
    base = WorkingCalendar.indonesia()
    days = [d for d in base.days if not (opened and d.date == date(2026, 3, 19))]  # a decree may open a day too
    known = {d.date for d in base.days}
    dates = [date(2026, 3, 2) + timedelta(days=n) for n in closed]
    extra = [NonWorkingDay(date=d, name="Kantor tutup", kind=DayKind.REGIONAL, source="uji") for d in dates]
    extra = [d for d in extra if d.date not in known]
    decree = base.replace(days=[*days, *extra])
    one, each = build(steps, zones), build(steps, zones)
    for engine in (one, each):
        engine.clock.advance(minutes=later)  # type: ignore[attr-defined]
    assert state_of(one) == state_of(each)
    moved = switched(one, decree, lambda rt, old: reproject(rt, old, batch=2))
    if closed == [2] and later == 0:  # Wednesday 4 March closed: every running window moves
        assert moved == sorted(engine_ids(one))
    assert moved == switched(
        each, decree, lambda rt, old: reproject_each(rt, old, rt.store.complaints_with_pending_timers())
    )
    assert state_of(one) == state_of(each)
