"""The active calendar and SOP versions live in the store, shared by every process on it.

Before, each engine kept both in memory: a decree applied by one host was unknown to the others
until they restarted, and a restarted host went back to the calendar in its code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence.sql import open_store
from sp4n.states import builtin_sop
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, Engine

REPORTER = Actor.reporter("warga-1")
START = "2026-03-02T09:00:00+07:00"  # Monday; verification due Thursday 5 March


def closed_on(day: date) -> WorkingCalendar:
    """The Indonesian calendar with ``day`` closed by a regional decree."""
    base = WorkingCalendar.indonesia()
    extra = NonWorkingDay(date=day, name="Banjir: kantor tutup", kind=DayKind.REGIONAL, source="SE Bupati (uji)")
    return base.replace(days=[*base.days, extra])


@contextmanager
def engines(url: str, clock: ManualClock, count: int = 2) -> Iterator[list[Engine]]:
    opened = [Engine(store=open_store(url, upgrade=True), clock=clock) for _ in range(count)]
    try:
        yield opened
    finally:
        for engine in opened:
            engine.close()


def verification_due(engine: Engine, cid: str) -> date:
    due = next(d.due for d in engine.deadlines(cid, SYSTEM) if d.clock == "verification")
    assert due is not None
    return due.local_date


def test_a_calendar_applied_by_one_host_counts_in_the_others_within_a_refresh(sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engines(sqlite_url, clock) as (a, b):
        decree = closed_on(date(2026, 3, 4))
        a.apply_calendar(decree)
        assert a.calendar.version == decree.version
        clock.advance(timedelta(seconds=6))  # a command takes up the active calendar every few seconds
        cid = b.submit(REPORTER, title="Banjir di Jalan Pemuda").id
        assert b.calendar.version == decree.version
        assert verification_due(b, cid) == date(2026, 3, 6)  # Wed 4 March closed: one day later


def test_a_worker_sweep_takes_up_the_active_calendar_at_once(sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engines(sqlite_url, clock) as (a, b):
        a.apply_calendar(closed_on(date(2026, 3, 4)))
        from sp4n.workflow import DeadlineWorker

        DeadlineWorker(b).sweep()
        assert b.calendar.version == a.calendar.version


def test_a_restarted_engine_keeps_the_applied_calendar(sqlite_url: str) -> None:
    clock = ManualClock(START)
    decree = closed_on(date(2026, 3, 4))
    with engines(sqlite_url, clock, 1) as (a,):
        a.apply_calendar(decree)
    with engines(sqlite_url, clock, 1) as (restarted,):
        assert restarted.calendar.version == decree.version


def test_a_calendar_given_to_a_new_engine_does_not_replace_the_active_one(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    decree = closed_on(date(2026, 3, 4))
    with engines(sqlite_url, clock, 1) as (a,):
        a.apply_calendar(decree)
    with caplog.at_level(logging.WARNING, "sp4n.engine"):
        engine = Engine(store=open_store(sqlite_url), clock=clock, calendar=WorkingCalendar.indonesia())
    try:
        assert engine.calendar.version == decree.version
        assert f"{decree.version} is active in the database and is used" in caplog.text
    finally:
        engine.close()


def test_a_calendar_applied_twice_changes_nothing_the_second_time(sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engines(sqlite_url, clock, 1) as (a,):
        cid = a.submit(REPORTER, title="Banjir di Jalan Pemuda").id
        decree = closed_on(date(2026, 3, 4))
        assert a.apply_calendar(decree) == [cid]
        events = len(a.history(cid, SYSTEM))
        assert a.apply_calendar(decree) == []
        assert a.apply_calendar(closed_on(date(2026, 3, 4))) == []  # the same decree, built again
        assert len(a.history(cid, SYSTEM)) == events
        assert verification_due(a, cid) == date(2026, 3, 6)


def test_an_sop_registered_by_one_host_files_the_others_new_complaints(sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engines(sqlite_url, clock) as (a, b):
        national = builtin_sop("national")
        variant = national.model_copy(update={"title": national.title + " (revisi)"})
        assert variant.version != national.version
        a.register(variant)
        clock.advance(timedelta(seconds=6))
        assert b.submit(REPORTER, title="Jalan berlubang").sop_version == variant.version


def test_the_memory_store_keeps_the_active_definitions_too() -> None:
    from sp4n.persistence import MemoryStore

    store = MemoryStore()
    clock = ManualClock(START)
    a = Engine(store=store, clock=clock)
    decree = closed_on(date(2026, 3, 4))
    a.apply_calendar(decree)
    assert Engine(store=store, clock=clock).calendar.version == decree.version
    assert store.active("calendar") == {"default": decree.version}
    assert store.active("sop") == {"national": a.registry.get("national").sop.version}
