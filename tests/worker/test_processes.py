"""Deadline workers as real processes on one PostgreSQL: sharing, crashes, downtime, races, stops."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.errors import ConcurrencyConflict, TransitionNotAllowed
from sp4n.persistence.audit import verify_history
from sp4n.persistence.records import Timer, TimerStatus
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Engine
from sp4n.workflow.worker import DeadlineWorker

from .helpers import (
    NATIONAL,
    REPORTER,
    WIB,
    Db,
    engine_on,
    firings_per_timer,
    past_clock,
    submit_many,
    to_distributed,
    to_followed_up,
    upgraded,
    wait_until,
    wall_now,
    worker_group,
    zombie_children,
)

pytestmark = pytest.mark.postgres

COMPLAINTS = 5000


def test_four_worker_processes_fire_5000_due_timers_exactly_once(postgres_schema_url: str, tmp_path: Path) -> None:
    url = upgraded(postgres_schema_url)
    with engine_on(url, past_clock(days=30)) as host, worker_group(tmp_path) as group, Db(url) as db:
        workers = [group.start(url, "--interval", "0.2", "--batch", "50") for _ in range(4)]
        t0 = time.monotonic()
        ids = submit_many(host, COMPLAINTS)
        t1 = time.monotonic()
        owners = {w.wait_started() for w in workers}
        wait_until(
            lambda: (
                db.count_timers(TimerStatus.PENDING, due_by=wall_now()) == 0
                and db.count_timers(TimerStatus.FIRED) >= 2 * COMPLAINTS
            ),
            "every due timer to fire",
        )
        t2 = time.monotonic()
        codes = [w.stop(signal.SIGTERM) for w in workers]
        print(f"submit {t1 - t0:.1f} s, fire {t2 - t1:.1f} s")
        assert codes == [0, 0, 0, 0]
        assert zombie_children() == []

        checked_at = wall_now()
        timers = db.timers()
        due = [tm for tm in timers if tm.due_at <= checked_at]
        assert len(due) == 2 * COMPLAINTS  # the verification warning and breach of each complaint
        assert {(tm.clock, tm.rung) for tm in due} == {("verification", "warning"), ("verification", "breach")}
        assert [tm.id for tm in due if tm.status is not TimerStatus.FIRED] == []
        per_timer = firings_per_timer(db.firing_events())
        assert set(per_timer) == {tm.id for tm in due}
        assert [tid for tid, n in per_timer.items() if n != 1] == []
        assert db.states() == {"escalated": COMPLAINTS}

        # the work was shared: leases of several workers, as their logs say
        by_owner = {o: sum(1 for tm in due if tm.lease_owner == o) for o in owners}
        assert sum(by_owner.values()) == len(due)
        assert sum(1 for n in by_owner.values() if n) >= 2, by_owner
        print(f"firings per worker: {sorted(by_owner.values(), reverse=True)}")
        logged = [f for w in workers for f in w.firings()]
        assert len(logged) == len(due)
        assert len({f.timer_key for f in logged}) == len(due)
        assert {f.outcome for f in logged} == {"fired", "emitted"}
        for w in workers:
            assert len(w.firings()) == by_owner[w.owner]
            assert w.problems() == []
        assert verify_history(host.store, ids[:: COMPLAINTS // 250]) == []


def test_a_worker_killed_mid_batch_leaves_its_leases_to_expire_and_another_fires_them_once(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    url = upgraded(postgres_schema_url)
    with engine_on(url, past_clock(days=30)) as host:
        ids = submit_many(host, 300)
    due_total = 2 * len(ids)
    with worker_group(tmp_path) as group, Db(url) as db:
        # A leases every due timer in one claim (batch 5000), for 4 s, and is killed once some fired
        a = group.start(url, "--interval", "0.2", "--batch", "5000", "--lease", "4", name="a")
        a_owner = a.wait_started()
        wait_until(lambda: db.count_timers(TimerStatus.FIRED) >= 50, "worker A to fire 50 timers")
        assert a.kill() == -signal.SIGKILL
        wait_until(db.pending_timers_unlocked, "A's last transaction to end", timeout=30, interval=0.05)
        at_kill = {tm.id: tm for tm in db.timers() if tm.due_at <= wall_now()}
        fired_by_a = {tid for tid, tm in at_kill.items() if tm.status is TimerStatus.FIRED}
        orphans = {tid: tm for tid, tm in at_kill.items() if tm.status is TimerStatus.PENDING}
        assert len(at_kill) == due_total
        assert 0 < len(fired_by_a) < due_total
        assert orphans, "A fired everything before it was killed"
        assert {tm.lease_owner for tm in orphans.values()} == {a_owner}  # A held all of them
        # A's log names the timers it fired (the last one may have committed unlogged)
        logged_by_a = {f.timer_key for f in a.firings()}
        fired_keys = {(at_kill[tid].complaint_id, at_kill[tid].clock, at_kill[tid].rung) for tid in fired_by_a}
        assert logged_by_a <= fired_keys
        assert len(fired_keys - logged_by_a) <= 1

        b = group.start(url, "--interval", "0.2", "--batch", "100", name="b")
        b_owner = b.wait_started()
        wait_until(
            lambda: db.count_timers(TimerStatus.FIRED) == due_total, f"worker B to fire A's {len(orphans)} timers"
        )
        assert b.stop(signal.SIGTERM) == 0
        assert zombie_children() == []
        after = {tm.id: tm for tm in db.timers()}
        for tid, before in orphans.items():
            now_tm = after[tid]
            assert now_tm.status is TimerStatus.FIRED, tid
            assert now_tm.lease_owner == b_owner, tid
            assert before.lease_expires is not None
            assert now_tm.closed_at is not None
            assert now_tm.closed_at >= before.lease_expires, f"{tid} was taken from A before its lease expired"
        for tid in fired_by_a:
            assert after[tid].lease_owner == a_owner  # B did not touch what A had fired
        per_timer = firings_per_timer(db.firing_events())
        assert set(per_timer) == set(at_kill)
        assert [tid for tid, n in per_timer.items() if n != 1] == []
        assert len(b.firings()) == len(orphans)
        assert {f.outcome for f in b.firings()} <= {"fired", "emitted"}
        assert b.problems() == []
        assert db.states() == {"escalated": len(ids)}
    with engine_on(url) as reader:
        assert verify_history(reader.store, ids) == []


def test_a_worker_that_was_down_for_10_working_days_catches_up_once_each_in_due_order(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    url = upgraded(postgres_schema_url)
    # Complaints were filed and moved on from 14 to 11 working days ago; no worker ran since.
    calendar = WorkingCalendar.indonesia()
    first_day = calendar.add_working_days(wall_now().astimezone(WIB).date(), -14)
    clock = ManualClock(datetime.combine(first_day, day_time(9), WIB))
    kinds: dict[str, str] = {}
    with engine_on(url, clock, calendar=calendar) as host:
        for day in range(4):
            if day:
                clock.advance_working_days(1, calendar)
            received = host.submit(REPORTER, title=f"Belum diverifikasi {day}").id
            kinds[received] = "received"
            clock.advance(hours=1)
            distributed = host.submit(REPORTER, title=f"Didisposisikan {day}").id
            to_distributed(host, distributed)
            kinds[distributed] = "distributed"
            clock.advance(hours=1)
            followed = host.submit(REPORTER, title=f"Ditindaklanjuti {day}").id
            to_followed_up(host, followed)
            kinds[followed] = "followed_up"
            clock.advance(hours=1)
            held = host.submit(REPORTER, title=f"Ditunda {day}").id
            host.fire(held, "hold", NATIONAL, reason="menunggu dokumen")
            kinds[held] = "on_hold"
    with Db(url) as db:
        started = wall_now()
        overdue = {tm.id: tm for tm in db.timers() if tm.status is TimerStatus.PENDING and tm.due_at <= started}
        # every clock with a deadline on the way: verification, first response, completion, reporter's reply
        assert len(overdue) == 4 * (2 + 3 + 2)
        assert {(tm.clock, tm.rung) for tm in overdue.values()} == {
            ("verification", "warning"),
            ("verification", "breach"),
            ("first_response", "overdue"),
            ("completion", "warning"),
            ("completion", "breach"),
            ("reporter_response", "reminder"),
            ("reporter_response", "auto_close"),
        }
        with worker_group(tmp_path) as group:
            worker = group.start(url, "--interval", "0.2", "--batch", "3")
            worker.wait_started()
            wait_until(lambda: db.count_timers(TimerStatus.PENDING, due_by=started) == 0, "the worker to catch up")
            assert worker.stop(signal.SIGTERM) == 0
        events = db.firing_events()  # ordered by when they were written
        timers = {tm.id: tm for tm in db.timers()}
        states = db.complaint_states()

    # once each, nothing else
    assert firings_per_timer(events) == dict.fromkeys(overdue, 1)
    # in due order (one worker), each with its lateness, which the log repeats
    due_order = [ev.due_at for ev in events]
    assert due_order == sorted(due_order)
    for ev in events:
        lateness = ev.payload["lateness_seconds"]
        assert lateness > 0, ev
        assert abs(lateness - (ev.at - ev.due_at).total_seconds()) < 0.001, ev
        assert timers[ev.timer].lateness_seconds == pytest.approx(lateness)
    assert [f.timer_key for f in worker.firings()] == [
        (timers[ev.timer].complaint_id, timers[ev.timer].clock, timers[ev.timer].rung) for ev in events
    ]
    assert all(f.late is not None and f.late > 0 for f in worker.firings())
    # a reminder found days late is recorded as missed (late: miss); everything else fired
    for tid in overdue:
        expected = TimerStatus.MISSED if timers[tid].rung == "reminder" else TimerStatus.FIRED
        assert timers[tid].status is expected, tid
    assert {ev.kind for ev in events if timers[ev.timer].rung == "reminder"} == {"deadline_missed"}
    assert worker.problems() == []
    expected_states = {
        "received": "escalated",
        "distributed": "escalated",
        "followed_up": "closed",
        "on_hold": "on_hold",
    }
    assert states == {cid: expected_states[kind] for cid, kind in kinds.items()}


ROUNDS, PER_ROUND = 3, 8


REPLY_DELAYS = (0.0, 0.003, 0.006, 0.01, 0.015, 0.025)
"""How long the reply waits after the barrier, so that it lands before, during and after the firing."""


def race(first: Callable[[], Any], second: Callable[[], Any], first_delay: float) -> tuple[Any, Any]:
    """Run two callables at once (a barrier releases both, then ``first`` waits ``first_delay``);
    each returns its value or its exception."""
    barrier = threading.Barrier(2, timeout=10)
    results: list[Any] = [None, None]

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        if index == 0 and first_delay:
            time.sleep(first_delay)
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate((first, second))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert not any(th.is_alive() for th in threads), "a racer hung"
    return results[0], results[1]


def test_a_reply_racing_the_auto_close_has_exactly_one_outcome(postgres_schema_url: str) -> None:
    """The reporter replies at the very instant the 10-working-day auto-close comes due."""
    url = upgraded(postgres_schema_url)
    calendar = WorkingCalendar.indonesia()
    clock = ManualClock("2026-03-02T09:00:00+07:00")
    outcomes: Counter[str] = Counter()
    auto_close: dict[str, Timer] = {}
    with engine_on(url, clock, calendar=calendar) as host, engine_on(url, clock, calendar=calendar) as other:
        worker = DeadlineWorker(other, batch=10)
        for _ in range(ROUNDS):
            # complaint i is followed up on working day i, so its auto-close comes due alone at T_i
            ids: list[str] = []
            for i in range(PER_ROUND):
                clock.advance_working_days(1, calendar)
                cid = host.submit(REPORTER, title=f"Lampu jalan mati {len(auto_close) + i}").id
                to_followed_up(host, cid)
                ids.append(cid)
            for cid in ids:
                timer = next(tm for tm in host.store.timers(cid) if tm.rung == "auto_close")
                auto_close[cid] = timer
                clock.set(timer.due_at - timedelta(seconds=1))
                host.run_due()  # what came due before: reminders of other complaints
                clock.set(timer.due_at)
                deadline = worker.sweep if len(outcomes) % 2 else other.run_due
                reply, firings = race(
                    lambda cid=cid: host.fire(cid, "reply", REPORTER, message="Belum diperbaiki"),
                    deadline,
                    REPLY_DELAYS[len(auto_close) % len(REPLY_DELAYS)],
                )
                outcomes[check_one_outcome(host, cid, timer, reply, firings)] += 1
        # later, no auto-close made stale by a reply ever fires
        clock.advance(days=40)
        late = host.run_due(limit=10_000)
        assert {f.timer_id for f in late} & {tm.id for tm in auto_close.values()} == set()
        for cid, timer in auto_close.items():
            stored = host.store.timer(timer.id)
            assert stored is not None
            assert stored.status in (TimerStatus.FIRED, TimerStatus.STALE)
            closes = [e for e in host.history(cid, SYSTEM) if e.kind == "deadline_transition" and e.trigger == "close"]
            assert len(closes) == (1 if stored.status is TimerStatus.FIRED else 0)
        assert verify_history(host.store, list(auto_close)) == []
    assert sum(outcomes.values()) == ROUNDS * PER_ROUND
    print(f"race outcomes: {dict(outcomes)}")


def check_one_outcome(host: Engine, cid: str, timer: Timer, reply: Any, firings: Any) -> str:
    """Exactly one of: the timer closed the complaint (and the reply failed clearly), or the reply
    won (and the timer is stale); returns which."""
    assert not isinstance(firings, BaseException), repr(firings)
    mine = [f for f in firings if f.timer_id == timer.id]
    stored = host.store.timer(timer.id)
    assert stored is not None
    history = host.history(cid, SYSTEM)
    closes = [e for e in history if e.kind == "deadline_transition" and e.payload.get("timer") == timer.id]
    replies = [e for e in history if e.kind == "transition" and e.trigger == "reply"]
    if isinstance(reply, BaseException):
        assert host.get(cid, REPORTER).state == "closed"
        assert [(f.outcome, f.trigger) for f in mine] == [("fired", "close")]
        assert stored.status is TimerStatus.FIRED
        assert (len(closes), len(replies)) == (1, 0)
        if isinstance(reply, TransitionNotAllowed):
            assert str(reply) == f"complaint {cid!r}: trigger 'reply' is not allowed in state 'closed'; allowed: none"
        else:
            assert isinstance(reply, ConcurrencyConflict), repr(reply)
            assert str(reply) == (
                f"complaint {cid!r} changed concurrently: expected version {reply.expected}, "
                f"found {reply.expected + 1}; reload it and retry"
            )
        return type(reply).__name__
    assert reply.state == "distributed"
    assert [f.outcome for f in mine] in ([], ["stale"])
    assert stored.status is TimerStatus.STALE
    assert (len(closes), len(replies)) == (0, 1)
    return "reply"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_worker_stops_cleanly_after_the_timer_at_hand(
    sig: signal.Signals, postgres_schema_url: str, tmp_path: Path
) -> None:
    url = upgraded(postgres_schema_url)
    with engine_on(url, past_clock(days=30)) as host:
        submit_many(host, 200)
    with worker_group(tmp_path) as group, Db(url) as db:
        # one claim leases all 400 due timers; the signal comes while the batch is being fired
        worker = group.start(url, "--interval", "0.2", "--batch", "1000")
        owner = worker.wait_started()
        wait_until(lambda: len(worker.firings()) >= 20, "20 firings")
        assert worker.stop(sig) == 0
        assert zombie_children() == []
        timers = [tm for tm in db.timers() if tm.due_at <= wall_now()]
        events = db.firing_events()
    lines = [ln for ln in worker.lines() if " sp4n.worker: " in ln]
    signalled = [n for n, ln in enumerate(lines) if ln.endswith(f"signal {int(sig)}: stopping after the timer at hand")]
    stopped = [n for n, ln in enumerate(lines) if f"worker {owner} stopped: WorkerStats(" in ln]
    assert len(signalled) == 1, lines[-5:]
    assert stopped == [len(lines) - 1], lines[-5:]  # the last line the worker wrote
    after_signal = [ln for ln in lines[signalled[0] : stopped[0]] if " of " in ln]
    assert len(after_signal) <= 2, after_signal  # at most the timer at hand (and one in flight)
    fired = [tm for tm in timers if tm.status is TimerStatus.FIRED]
    pending = [tm for tm in timers if tm.status is TimerStatus.PENDING]
    assert len(fired) + len(pending) == len(timers) == 400
    assert pending, "the worker finished the whole batch before the signal; nothing shows it stops early"
    # what it fired, it fired whole (event and mark together) and logged; the rest it gave back
    assert f"fired={len(fired)}," in lines[stopped[0]]
    assert len(worker.firings()) == len(fired)
    assert firings_per_timer(events) == {tm.id: 1 for tm in fired}
    assert [(tm.lease_owner, tm.lease_expires) for tm in pending] == [(None, None)] * len(pending)
    assert worker.problems() == []


def test_a_worker_catching_up_on_a_backlog_logs_no_warnings(postgres_schema_url: str, tmp_path: Path) -> None:
    """A backlog is normal work (after downtime, after a burst): its log should be one INFO line
    per timer, not a WARNING from the scheduler every interval while a sweep runs."""
    url = upgraded(postgres_schema_url)
    with engine_on(url, past_clock(days=30)) as host:
        submit_many(host, 150)
    with worker_group(tmp_path) as group, Db(url) as db:
        worker = group.start(url, "--interval", "0.2", "--batch", "50")
        worker.wait_started()
        wait_until(lambda: db.count_timers(TimerStatus.PENDING, due_by=wall_now()) == 0, "the backlog to be fired")
        assert worker.stop() == 0
    assert len(worker.firings()) == 300
    warnings = worker.problems(levels=("WARNING", "ERROR", "CRITICAL"))
    assert warnings == [], f"{len(warnings)} warnings, the first: {warnings[0]}"


def test_workers_storing_a_new_calendar_version_at_the_same_time_both_fire(postgres_schema_url: str) -> None:
    """Two workers started with the same new calendar (a decree's --overrides) on one database:
    the first firing of each stores that calendar version; both must go on firing."""
    url = upgraded(postgres_schema_url)
    with engine_on(url, past_clock(days=30)) as host:
        submit_many(host, 4)
        decree = host.calendar.with_days(
            add=[
                NonWorkingDay(
                    date=date(2026, 12, 28),
                    name="Cuti bersama (contoh)",
                    kind=DayKind.JOINT_LEAVE,
                    source="SKB 3 Menteri (contoh)",
                )
            ]
        )
    a = Engine(sops=(), calendar=decree, database_url=url)
    b = Engine(sops=(), calendar=decree, database_url=url)
    try:
        # deterministic interleaving: A stores the version as B checks whether it is stored (B
        # reads first and inserts only what is missing, ON CONFLICT DO NOTHING)
        sql_engine = b.store.engine  # type: ignore[attr-defined]
        interleaved: list[str] = []

        def a_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            stores = statement.startswith(("INSERT INTO sp4n_calendars", "SELECT sp4n_calendars.version"))
            if stores and not interleaved:
                interleaved.append(statement)
                a.calendar_for(decree.zone)

        event.listen(sql_engine, "before_cursor_execute", a_first)
        event.listen(b.store._pools.reads, "before_cursor_execute", a_first)  # type: ignore[attr-defined]  # the check
        firings = DeadlineWorker(b, batch=10).sweep()
        assert interleaved, "B never stored the calendar"
        assert [f.outcome for f in firings] == ["emitted"] * 4 + ["fired"] * 4
    finally:
        a.close()
        b.close()
