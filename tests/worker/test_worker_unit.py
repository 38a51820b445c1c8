"""DeadlineWorker in one process, on a memory store or a SQLite file, with a ManualClock."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.cli import main
from sp4n.errors import InvalidArgumentError, InvalidData
from sp4n.persistence.audit import verify_history
from sp4n.persistence.memory import MemoryStore
from sp4n.persistence.records import Event, TimerStatus
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Engine
from sp4n.workflow.worker import DeadlineWorker

from .helpers import REPORTER, WIB, end_of, exactly, to_distributed, to_followed_up, wait_until

START = "2026-03-02T09:00:00+07:00"  # Monday 2 March 2026, 09:00 WIB


def opening_of(day: date) -> datetime:
    """07:30 WIB on ``day``: when a warning "N working days before" comes."""
    return datetime(day.year, day.month, day.day, 7, 30, tzinfo=WIB)


KINDS = ["memory", "sqlite"]


@contextmanager
def engine_for(kind: str, sqlite_url: str, clock: ManualClock, **options: Any) -> Iterator[Engine]:
    """An engine with the national SOP on a memory store or a SQLite file, closed afterwards."""
    options.setdefault("sops", ["national"])
    if kind == "memory":
        engine = Engine(store=MemoryStore(), clock=clock, **options)
    else:
        engine = Engine(database_url=sqlite_url, clock=clock, **options)
    try:
        yield engine
    finally:
        engine.close()


# ----------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch": 0}, "batch=0 is invalid: expected a whole number from 1 to 100000"),
        ({"batch": -5}, "batch=-5 is invalid: expected a whole number from 1 to 100000"),
        ({"batch": "5"}, "batch='5' is invalid: expected a whole number from 1 to 100000"),
        ({"interval": 0}, "interval=0 is invalid: expected a number of seconds above 0, at most 86400"),
        ({"interval": -0.5}, "interval=-0.5 is invalid: expected a number of seconds above 0, at most 86400"),
        ({"interval": float("nan")}, "interval=nan is invalid: expected a number of seconds above 0, at most 86400"),
        ({"interval": float("inf")}, "interval=inf is invalid: expected a number of seconds above 0, at most 86400"),
        (
            {"lease": timedelta(seconds=-1)},
            "lease=datetime.timedelta(days=-1, seconds=86399) is invalid: "
            "expected a timedelta above 0, at most 1 day, 0:00:00",
        ),
        (
            {"lease": timedelta(0)},
            "lease=datetime.timedelta(0) is invalid: expected a timedelta above 0, at most 1 day, 0:00:00",
        ),
        (
            {"lease": timedelta(days=10**8)},
            "lease=datetime.timedelta(days=100000000) is invalid: expected a timedelta above 0, at most 1 day, 0:00:00",
        ),
        ({"lease": 60.0}, "lease=60.0 is invalid: expected a timedelta above 0, at most 1 day, 0:00:00"),
    ],
)
def test_worker_arguments_are_checked(options: dict[str, Any], message: str, sqlite_url: str) -> None:
    with engine_for("memory", sqlite_url, ManualClock(START)) as engine:
        with pytest.raises(InvalidArgumentError, match=exactly(message)):
            DeadlineWorker(engine, **options)
        with pytest.raises(ValueError, match=exactly(message)):  # a ValueError too
            engine.start_worker(**options)
        assert engine.worker is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "0"], "batch=0 is invalid: expected a whole number from 1 to 100000"),
        (["--interval", "0"], "interval=0.0 is invalid: expected a number of seconds above 0, at most 86400"),
    ],
)
def test_the_worker_command_reports_bad_arguments(
    args: list[str], message: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--url", sqlite_url, *args]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"sp4n: error: {message}"


def test_the_worker_command_reports_a_bad_lease_in_the_seconds_it_was_given(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # --lease is a number of seconds on the command line; the error should say so, not show a timedelta
    assert main(["worker", "--url", sqlite_url, "--lease", "-1"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "sp4n: error: lease=-1.0 is invalid: expected a number of seconds above 0, at most 86400"
    )


def test_one_worker_per_engine(sqlite_url: str) -> None:
    with engine_for("memory", sqlite_url, ManualClock(START)) as engine:
        worker = engine.start_worker(interval=60)
        message = f"worker={worker.owner!r} is invalid: one worker per engine; stop_worker() first"
        with pytest.raises(InvalidData, match=exactly(message)):
            engine.start_worker(interval=60)
        assert engine.worker is worker
        assert worker.running
        with pytest.raises(
            InvalidArgumentError,
            match=exactly(f"worker={worker.owner!r} is invalid: expected a worker that is not running yet"),
        ):
            worker.start()
        engine.stop_worker()
        assert not worker.running
        again = engine.start_worker(interval=60)
        assert again is not worker
        assert again.running
    assert not again.running  # engine.close() stops it


# ----------------------------------------------------------------------------- sweeping


@pytest.mark.parametrize("kind", KINDS)
def test_a_sweep_processes_every_due_timer_once_in_due_order(kind: str, sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engine_for(kind, sqlite_url, clock) as engine:
        for day in range(3):
            clock.advance(hours=day)  # different due instants and rungs, interleaved across complaints
            engine.submit(REPORTER, title=f"Belum diverifikasi {day}")
            to_distributed(engine, engine.submit(REPORTER, title=f"Didisposisikan {day}").id)
            to_followed_up(engine, engine.submit(REPORTER, title=f"Ditindaklanjuti {day}").id)
            clock.advance_working_days(1, engine.calendar)
        clock.advance(days=30)
        expected = engine.store.due_timers(clock.now(), 10_000)
        assert len(expected) == 3 * (2 + 3 + 2)
        worker = DeadlineWorker(engine, batch=2)
        firings = worker.sweep()
        assert [f.timer_id for f in firings] == [tm.id for tm in expected]
        assert [f.due_at for f in firings] == sorted(f.due_at for f in firings)
        assert all(f.processed_at == clock.now() for f in firings)
        assert all(f.lateness_seconds == (clock.now() - f.due_at).total_seconds() for f in firings)
        assert {f.outcome for f in firings} == {"emitted", "fired", "missed"}
        assert worker.sweep() == []
        assert engine.store.due_timers(clock.now(), 10) == []
        stats = worker.stats
        assert (stats.sweeps, stats.fired + stats.missed, stats.stale, stats.failed) == (2, len(firings), 0, 0)
        assert verify_history(engine.store) == []


@pytest.mark.parametrize("kind", KINDS)
def test_stop_gives_back_the_leased_timers_it_did_not_fire(
    kind: str, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    with engine_for(kind, sqlite_url, clock) as engine:
        for i in range(15):
            engine.submit(REPORTER, title=f"Pungutan liar {i}")
        clock.advance(days=30)
        due = engine.store.due_timers(clock.now(), 1000)
        assert len(due) == 30
        some_fired = threading.Event()
        published: list[Event] = []

        def slow_subscriber(event: Event) -> None:
            published.append(event)
            if len(published) == 3:
                some_fired.set()
            time.sleep(0.02)

        engine.subscribe(slow_subscriber)
        worker = DeadlineWorker(engine, batch=100, interval=60)  # one claim leases all 30
        with caplog.at_level(logging.INFO, logger="sp4n.worker"):
            worker.start()
            assert some_fired.wait(10), "the worker did not fire"
            worker.stop()
        assert not worker.running
        after = [engine.store.timer(tm.id) for tm in due]
        fired = [tm for tm in after if tm is not None and tm.status is TimerStatus.FIRED]
        pending = [tm for tm in after if tm is not None and tm.status is TimerStatus.PENDING]
        assert len(fired) + len(pending) == 30
        assert 0 < len(fired) < 30
        assert worker.stats.fired == len(fired)
        assert [(tm.lease_owner, tm.lease_expires) for tm in pending] == [(None, None)] * len(pending)
        # another worker can take them at once, without waiting for a lease to expire
        taken = engine.store.claim_due("worker-next", clock.now(), timedelta(minutes=1), 1000)
        assert {tm.id for tm in taken} == {tm.id for tm in pending}
        assert f"worker {worker.owner} stopped: WorkerStats(sweeps=1, fired={len(fired)}," in caplog.text


def test_stopping_while_the_scheduler_hands_out_the_first_sweep_raises_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stop() (a SIGTERM in ``sp4n worker``) may come at any instant, also while APScheduler's loop
    is between handing a job to its executor and updating or removing it in its job store."""
    from apscheduler.executors.base import BaseExecutor
    from apscheduler.schedulers.base import STATE_STOPPED

    clock = ManualClock(START)
    with engine_for("memory", sqlite_url, clock) as engine:
        engine.submit(REPORTER, title="Pungutan liar")
        clock.advance(days=30)
        crashes: list[BaseException | None] = []
        monkeypatch.setattr(threading, "excepthook", lambda args: crashes.append(args.exc_value))
        handed_out = threading.Event()
        submit_job = BaseExecutor.submit_job

        def submit_then_let_stop_begin(self: Any, job: Any, run_times: Any) -> None:
            submit_job(self, job, run_times)
            if not handed_out.is_set():
                handed_out.set()
                scheduler = self._scheduler
                wait_until(lambda: scheduler.state == STATE_STOPPED, "stop() to begin", timeout=10, interval=0.001)

        monkeypatch.setattr(BaseExecutor, "submit_job", submit_then_let_stop_begin)
        worker = DeadlineWorker(engine, interval=60)
        worker.start()
        assert handed_out.wait(10), "the scheduler never handed out a sweep"
        worker.stop()
        assert not worker.running
        assert crashes == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_worker_takes_the_due_timers_the_first_has_not_leased(kind: str, sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engine_for(kind, sqlite_url, clock) as engine:
        for i in range(60):
            engine.submit(REPORTER, title=f"Jalan berlubang {i}")
            if i == 49:  # the last ten a week later: their timers come after the others'
                clock.advance(days=7)
        clock.advance(days=30)
        due = {tm.id for tm in engine.store.due_timers(clock.now(), 1000)}
        assert len(due) == 120
        # a worker busy with a batch of the 100 earliest timers (those of the first 50 complaints)
        busy = {tm.id for tm in engine.store.claim_due("worker-busy", clock.now(), timedelta(minutes=5), 100)}
        assert len(busy) == 100
        firings = DeadlineWorker(engine, batch=5).sweep()
        assert {f.timer_id for f in firings} == due - busy
        assert len(firings) == 20


# ----------------------------------------------------------------------------- late timers


def test_a_late_miss_rung_is_recorded_as_missed_and_fire_rungs_act_anyway(sqlite_url: str) -> None:
    clock = ManualClock(START)
    with engine_for("memory", sqlite_url, clock) as engine:
        received = engine.submit(REPORTER, title="Belum diverifikasi").id  # warning Wed 4 at opening, breach Thu 5
        followed = engine.submit(REPORTER, title="Ditindaklanjuti").id
        to_followed_up(engine, followed)  # reminder (late: miss) Thu 12 at opening, auto-close end of Mon 16
        worker = DeadlineWorker(engine)
        clock.set(opening_of(date(2026, 3, 12)) + timedelta(minutes=15, seconds=1))
        firings = worker.sweep()
        now = clock.now()
        assert [(f.clock, f.rung, f.outcome, f.lateness_seconds) for f in firings] == [
            ("verification", "warning", "emitted", (now - opening_of(date(2026, 3, 4))).total_seconds()),
            ("verification", "breach", "fired", (now - end_of(date(2026, 3, 5))).total_seconds()),
            ("reporter_response", "reminder", "missed", 901.0),
        ]
        reminder = engine.store.timer(f"{followed}/reporter_response/1/reminder")
        assert reminder is not None
        assert (reminder.status, reminder.lateness_seconds) == (TimerStatus.MISSED, 901.0)
        missed = engine.history(followed, SYSTEM)[-1]
        assert (missed.kind, missed.actor_role, missed.source, missed.dest) == (
            "deadline_missed",
            "system",
            "followed_up",
            "followed_up",
        )
        assert missed.payload["timer"] == reminder.id
        assert missed.payload["lateness_seconds"] == 901.0
        assert "event" not in missed.payload  # no notice was emitted
        assert engine.get(followed).state == "followed_up"  # a missed reminder does nothing else
        assert engine.get(received).state == "escalated"  # a late breach still escalates
        assert (worker.stats.fired, worker.stats.missed) == (2, 1)
        # the auto-close (late: fire, the default) acts however late it is found
        clock.set(end_of(date(2026, 3, 16)) + timedelta(hours=9))
        assert [(f.rung, f.outcome, f.trigger, f.lateness_seconds) for f in worker.sweep()] == [
            ("auto_close", "fired", "close", 9 * 3600.0)
        ]
        assert engine.get(followed).state == "closed"


@pytest.mark.parametrize(
    ("grace", "late_by", "outcome"),
    [
        (timedelta(minutes=15), timedelta(0), "emitted"),
        (timedelta(minutes=15), timedelta(minutes=15), "emitted"),
        (timedelta(minutes=15), timedelta(minutes=15, seconds=1), "missed"),
        (timedelta(hours=2), timedelta(hours=1), "emitted"),
        (timedelta(0), timedelta(seconds=1), "missed"),
    ],
)
def test_late_grace_decides_when_a_miss_rung_is_missed(
    grace: timedelta, late_by: timedelta, outcome: str, sqlite_url: str
) -> None:
    clock = ManualClock(START)
    with engine_for("memory", sqlite_url, clock, late_grace=grace) as engine:
        cid = engine.submit(REPORTER, title="Ditindaklanjuti").id
        to_followed_up(engine, cid)
        clock.set(opening_of(date(2026, 3, 12)) + late_by)
        firings = DeadlineWorker(engine).sweep()
        assert [(f.rung, f.outcome) for f in firings] == [("reminder", outcome)]
        kind = "deadline" if outcome == "emitted" else "deadline_missed"
        assert engine.history(cid, SYSTEM)[-1].kind == kind


# ----------------------------------------------------------------------------- calendar changes


def joint_leave(day: date) -> NonWorkingDay:
    return NonWorkingDay(
        date=day, name="Cuti bersama (contoh)", kind=DayKind.JOINT_LEAVE, source="SKB 3 Menteri (contoh)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_joint_leave_day_reprojects_running_clocks(kind: str, sqlite_url: str) -> None:
    clock = ManualClock(START)
    old_cal = WorkingCalendar.indonesia()
    new_cal = old_cal.with_days(add=[joint_leave(date(2026, 3, 5))])  # Thursday, the verification due day
    with engine_for(kind, sqlite_url, clock, calendar=old_cal) as engine:
        cid = engine.submit(REPORTER, title="Jembatan ambruk").id
        key = f"{cid}/verification/1"
        eligible = engine.store.timer(f"{cid}/ombudsman_eligibility/1/eligible")
        assert eligible is not None
        clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=WIB))
        worker = DeadlineWorker(engine)
        assert [(f.rung, f.outcome) for f in worker.sweep()] == [("warning", "emitted")]
        warning = engine.store.timer(f"{key}/warning")
        version = engine.store.load(cid).complaint.version

        assert engine.apply_calendar(new_cal) == [cid]

        event = engine.history(cid, SYSTEM)[-1]
        assert (event.kind, event.actor_role, event.source, event.dest) == (
            "calendar_reprojected",
            "system",
            "received",
            "received",
        )
        old_eligible_day = (eligible.due_at.astimezone(WIB) - timedelta(microseconds=1)).date()  # due at its end
        new_eligible_day = new_cal.add_working_days(old_eligible_day, 1)  # one more day off before it
        assert event.payload == {
            "clocks": [
                {
                    "clock": "verification",
                    "old_due_at": end_of(date(2026, 3, 5)).astimezone(eligible.due_at.tzinfo).isoformat(),
                    "new_due_at": end_of(date(2026, 3, 6)).astimezone(eligible.due_at.tzinfo).isoformat(),
                    "old_calendar_version": old_cal.version,
                    "new_calendar_version": new_cal.version,
                },
                {
                    "clock": "ombudsman_eligibility",
                    "old_due_at": eligible.due_at.isoformat(),
                    "new_due_at": end_of(new_eligible_day).astimezone(eligible.due_at.tzinfo).isoformat(),
                    "old_calendar_version": old_cal.version,
                    "new_calendar_version": new_cal.version,
                },
            ]
        }
        assert event.calendar_version == new_cal.version
        assert {(c["clock"], c["change"], c["generation"]) for c in event.clock_changes} == {
            ("verification", "rearmed", 2),
            ("ombudsman_eligibility", "rearmed", 2),
        }
        complaint = engine.store.load(cid).complaint
        assert (complaint.state, complaint.version) == ("received", version + 1)
        timers = {tm.id.split("/", 1)[1]: (tm.status, tm.due_at) for tm in engine.store.timers(cid)}
        assert timers == {
            # already fired: untouched
            "verification/1/warning": (TimerStatus.FIRED, opening_of(date(2026, 3, 4))),
            # the old instants: stale
            "verification/1/breach": (TimerStatus.STALE, end_of(date(2026, 3, 5))),
            "ombudsman_eligibility/1/eligible": (TimerStatus.STALE, eligible.due_at),
            # the new instants (the warning's is past, so it is not armed again)
            "verification/2/breach": (TimerStatus.PENDING, end_of(date(2026, 3, 6))),
            "ombudsman_eligibility/2/eligible": (TimerStatus.PENDING, end_of(new_eligible_day)),
        }
        assert engine.store.timer(f"{key}/warning") == warning

        # nothing fires on the new day off; the breach comes at its new instant, once
        clock.set(end_of(date(2026, 3, 5)) + timedelta(hours=1))
        assert worker.sweep() == []
        clock.set(end_of(date(2026, 3, 6)) + timedelta(minutes=1))
        assert [(f.timer_id, f.outcome) for f in worker.sweep()] == [(f"{cid}/verification/2/breach", "fired")]
        assert engine.get(cid).state == "escalated"
        # the same calendar again moves nothing
        assert engine.apply_calendar(new_cal) == []
        assert verify_history(engine.store) == []


def test_a_freshly_started_engine_reprojects_too(sqlite_url: str) -> None:
    """A decree comes while the host is restarted (or applied by another process than the one that
    filed the complaints): re-projection must compare with the calendar the timers were armed on,
    not with whatever this engine happened to compute before."""
    clock = ManualClock(START)
    old_cal = WorkingCalendar.indonesia()
    new_cal = old_cal.with_days(add=[joint_leave(date(2026, 3, 5))])
    with engine_for("sqlite", sqlite_url, clock, calendar=old_cal) as first:
        cid = first.submit(REPORTER, title="Jembatan ambruk").id
    with engine_for("sqlite", sqlite_url, clock, calendar=old_cal) as restarted:
        assert restarted.apply_calendar(new_cal) == [cid]
        timers = restarted.store.timers(cid)
        pending = {tm.id.split("/", 1)[1]: tm.due_at for tm in timers if tm.status is TimerStatus.PENDING}
        assert pending["verification/2/breach"] == end_of(date(2026, 3, 6))


# ----------------------------------------------------------------------------- a timer that cannot fire


def test_a_timer_that_cannot_be_processed_does_not_stop_the_others(sqlite_url: str) -> None:
    """One complaint whose SOP version the worker cannot load (a row lost, or written by a newer
    sp4n) must not keep every later deadline from firing: today the sweep raises on it, and since
    it is the earliest due timer, every sweep after that raises on it again."""
    clock = ManualClock(START)
    with engine_for("sqlite", sqlite_url, clock, sops=["national", "covid19_fasttrack"]) as engine:
        broken = engine.submit(REPORTER, title="Vaksin", sop="covid19_fasttrack", category="covid19").id
        clock.advance(hours=1)
        fine = [engine.submit(REPORTER, title=f"Jalan rusak {i}").id for i in range(3)]
        with engine.store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.exec_driver_sql("DELETE FROM sp4n_sops WHERE id = 'covid19_fasttrack'")
    clock.advance(days=30)
    with worker_engine_on(sqlite_url, clock) as worker_engine:
        worker = DeadlineWorker(worker_engine)
        firings = worker.sweep()
        for _ in range(2):  # later sweeps too
            firings += worker.sweep()
        for cid in fine:
            assert worker_engine.get(cid).state == "escalated"
        assert {f.outcome for f in firings if f.complaint_id == broken} <= {"failed"}
        assert all(f.error for f in firings if f.complaint_id == broken)


@contextmanager
def worker_engine_on(url: str, clock: ManualClock) -> Iterator[Engine]:
    """An engine as ``sp4n worker`` builds one: no SOP of its own, every SOP version from the store."""
    engine = Engine(sops=(), database_url=url, clock=clock)
    try:
        yield engine
    finally:
        engine.close()
