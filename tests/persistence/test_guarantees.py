"""The promises of durable storage, each shown on SQLite and on PostgreSQL.

Atomic changes, optimistic locking (threads, and processes on PostgreSQL), idempotent commands,
tamper evidence, SOP pinning and calendar versions that survive restarts, an at-least-once
feed that concurrent deliverers share, clear errors on bad input, and instants kept in UTC.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import event, inspect, text

from sp4n.calendars import Duration, WorkingCalendar
from sp4n.cli import main
from sp4n.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    DatabaseUnavailable,
    IdempotencyConflict,
    InvalidArgumentError,
    InvalidData,
    NaiveDatetimeError,
    PermissionDenied,
    SchemaOutdated,
    SopNotFoundError,
)
from sp4n.persistence import ChangeSet, ClockLedger, ClockStatus, TimerStatus
from sp4n.persistence import tables as t
from sp4n.persistence.audit import AuditProblem, verify_history
from sp4n.persistence.migrate import downgrade, upgrade
from sp4n.persistence.sql import SqlStore, create_sql_engine, open_store
from sp4n.states import Sop
from sp4n.states.loader import build_sop, builtin_sop
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, Engine, retry_on_conflict
from sp4n.workflow.clocks import ledger_due
from sp4n.workflow.feed import FeedItem

from .backends import (  # noqa: F401
    ADMIN,
    AGENCY,
    START,
    VERIFY,
    Gate,
    counter_ids,
    db_url_fixture,
    deliver_all,
    deliver_until_empty,
    dump,
    empty_url_fixture,
    extend_many,
    full_complaint,
    overlapping,
    process_group,
    race_fire,
    scenario_on,
    sql_engine,
    tracked_engines,
    utc_datetimes,
)

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:5499/test"


@contextmanager
def engines(url: str, count: int, clock: ManualClock | None = None) -> Iterator[list[Engine]]:
    """``count`` independent engines on one database (as separate web workers would have)."""
    clock = clock or ManualClock("2026-03-03T09:00:00+07:00")
    with ExitStack() as stack:
        made = []
        for _ in range(count):
            engine = Engine(sops=["national"], database_url=url, clock=clock)
            stack.callback(engine.close)
            made.append(engine)
        yield made


def run_together(*commands: Callable[[], Any]) -> list[Any]:
    """Run commands on their own threads; each result is a value or the exception it raised."""
    with ThreadPoolExecutor(len(commands)) as pool:
        futures = [pool.submit(command) for command in commands]
        results = []
        for future in futures:
            error = future.exception(timeout=60)
            results.append(error if error is not None else future.result())
    return results


def outcome(result: Any) -> str:
    return type(result).__name__ if isinstance(result, BaseException) else "ok"


def seqs(store: Any, cid: str) -> list[int]:
    return [e.seq for e in store.history(cid)]


# ---------------------------------------------------------------------------------------- atomic


@pytest.mark.parametrize(
    # the feed rows and the read model are written after these, in the same transaction
    "step",
    ["_write_complaints", "_write_clocks", "_write_timers", "_write_events", "_write_idempotency"],
)
def test_a_failure_before_commit_leaves_everything_as_it_was(
    db_url: str, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.fire(cid, "verify", ADMIN, **VERIFY)
        before = dump(s.engine.store)
        assert before["sp4n_timers"]  # there are clocks and timers to keep

        def fail(self: SqlStore, conn: Any, *args: Any) -> None:
            raise RuntimeError(f"injected failure in {step}")

        monkeypatch.setattr(SqlStore, step, fail)
        s.advance(hours=1)
        with pytest.raises(RuntimeError, match=f"^injected failure in {step}$"):
            s.engine.fire(cid, "distribute", ADMIN, agency=AGENCY, idempotency_key="web-1")
        assert dump(s.engine.store) == before
        assert s.engine.store.idempotency("web-1") is None

        monkeypatch.undo()  # the same command, retried, goes through: nothing was left half-done
        assert s.engine.fire(cid, "distribute", ADMIN, agency=AGENCY, idempotency_key="web-1").state == "distributed"
        assert seqs(s.engine.store, cid) == [1, 2, 3]
        assert verify_history(s.engine.store) == []


def test_a_failed_deadline_firing_leaves_its_timer_pending(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        before = dump(s.engine.store)
        monkeypatch.setattr(SqlStore, "_write_events", lambda self, conn, items: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            s.advance_working_days(5)
        assert dump(s.engine.store) == before
        assert s.state(cid) == "received"
        monkeypatch.undo()
        s.advance_working_days(2)
        assert s.state(cid) == "escalated"
        assert s.events(cid) == [
            "submitted:received",
            "deadline:verification.warning",
            "deadline_transition:escalate",
        ]


# ---------------------------------------------------------------------------------------- optimistic locking


def test_two_engines_racing_on_one_complaint_have_one_winner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
    with engines(db_url, 2) as (a, b):
        gate = Gate()
        saves = [gate.install(monkeypatch, a.store), gate.install(monkeypatch, b.store)]
        results = run_together(
            lambda: a.fire(cid, "verify", ADMIN, **VERIFY),
            lambda: b.fire(cid, "hold", ADMIN, reason="menunggu dokumen"),
        )
        assert sorted(outcome(r) for r in results) == ["ConcurrencyConflict", "ok"]
        winner = next(r for r in results if not isinstance(r, BaseException))
        loser = next(r for r in results if isinstance(r, BaseException))
        assert sorted(saves) == [["ConcurrencyConflict"], ["saved"]]
        assert isinstance(loser, ConcurrencyConflict)
        assert (loser.complaint_id, loser.expected, loser.actual) == (cid, 1, 2)
        complaint = a.store.load(cid).complaint
        assert (complaint.state, complaint.version) == (winner.state, 2)
        assert [e.dest for e in a.history(cid, SYSTEM)] == ["received", winner.state]
        assert verify_history(a.store) == []


def test_racing_commands_without_a_gate_never_both_win(db_url: str) -> None:
    """Unsynchronised racers: the loser either saw a stale version or reloaded after the winner."""
    with scenario_on(db_url) as s:
        ids = [s.submit(f"Laporan {i}") for i in range(5)]
    with engines(db_url, 2) as (a, b):
        for cid in ids:
            barrier = threading.Barrier(2, timeout=30)

            def verify(cid: str = cid, barrier: threading.Barrier = barrier) -> Any:
                barrier.wait()
                return a.fire(cid, "verify", ADMIN, **VERIFY)

            def hold(cid: str = cid, barrier: threading.Barrier = barrier) -> Any:
                barrier.wait()
                return b.fire(cid, "hold", ADMIN, reason="menunggu dokumen")

            results = run_together(verify, hold)
            outcomes = [outcome(r) for r in results]
            assert outcomes.count("ok") == 1, outcomes
            assert set(outcomes) - {"ok"} <= {"ConcurrencyConflict", "TransitionNotAllowed"}, results
            winner = next(r for r in results if not isinstance(r, BaseException))
            assert a.store.load(cid).complaint.state == winner.state
            assert seqs(a.store, cid) == [1, 2]
        assert verify_history(a.store) == []


def test_retry_on_conflict_reruns_the_loser_and_no_update_is_lost(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.fire(cid, "verify", ADMIN, **VERIFY)
        s.fire(cid, "distribute", ADMIN, agency=AGENCY)
    admin = Actor.agency_admin("admin-dinkes", AGENCY)
    with engines(db_url, 2) as (a, b):
        gate = Gate()
        saves = [gate.install(monkeypatch, a.store), gate.install(monkeypatch, b.store)]
        results = run_together(
            lambda: retry_on_conflict(lambda: a.fire(cid, "extend", admin, extend_by="2 working days", reason="a")),
            lambda: retry_on_conflict(lambda: b.fire(cid, "extend", admin, extend_by="3 working days", reason="b")),
        )
        assert [outcome(r) for r in results] == ["ok", "ok"]
        assert sorted(saves) == [["ConcurrencyConflict", "saved"], ["saved"]]
        snapshot = a.store.load(cid)
        assert snapshot.clocks["completion"].extended_by == 5
        assert snapshot.complaint.version == 5
        assert sorted(e.payload.get("reason", "") for e in a.history(cid, SYSTEM) if e.trigger == "extend") == [
            "a",
            "b",
        ]
        assert seqs(a.store, cid) == [1, 2, 3, 4, 5]
        assert verify_history(a.store) == []

    with pytest.raises(ValueError, match=r"^attempts=0 must be at least 1$"):
        retry_on_conflict(lambda: None, attempts=0)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_processes_racing_on_one_complaint_have_one_winner(postgres_schema_url: str) -> None:
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    with scenario_on(url) as s:
        cid = s.submit()
    with process_group() as group:
        barrier = group.ctx.Barrier(2)
        group.start(race_fire, url, cid, "verify", VERIFY, barrier)
        group.start(race_fire, url, cid, "hold", {"reason": "menunggu dokumen"}, barrier)
        reports = group.collect(2)
    outcomes = sorted(report[1] for report in reports)
    assert outcomes == ["ConcurrencyConflict", "ok"], reports
    winner = next(report for report in reports if report[1] == "ok")
    loser = next(report for report in reports if report[1] != "ok")
    assert f"complaint {cid!r} changed concurrently: expected version 1, found 2" in loser[2]
    with scenario_on(url) as s:
        store = s.engine.store
        history = store.history(cid)
        assert [e.seq for e in history] == [1, 2]
        assert history[-1].trigger == winner[0]
        assert store.load(cid).complaint.state == winner[2]
        assert verify_history(store) == []


@pytest.mark.postgres
@pytest.mark.slow
def test_processes_extending_one_complaint_lose_no_event(postgres_schema_url: str) -> None:
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    with scenario_on(url) as s:
        cid = s.submit()
        s.fire(cid, "verify", ADMIN, **VERIFY)
        s.fire(cid, "distribute", ADMIN, agency=AGENCY)
    per_process = 4
    with process_group() as group:
        barrier = group.ctx.Barrier(2)
        for name in ("p1", "p2"):
            group.start(extend_many, url, cid, name, per_process, barrier)
        reports = group.collect(2)
    assert sorted((name, done, error) for name, done, _, error in reports) == [
        ("p1", per_process, ""),
        ("p2", per_process, ""),
    ]
    with scenario_on(url) as s:
        store = s.engine.store
        history = store.history(cid)
        assert [e.seq for e in history] == list(range(1, 4 + 2 * per_process))
        reasons = sorted(e.payload["reason"] for e in history if e.trigger == "extend")
        assert reasons == sorted(f"{p}-{i}" for p in ("p1", "p2") for i in range(per_process))
        assert store.load(cid).clocks["completion"].extended_by == 2 * per_process
        assert store.load(cid).complaint.version == 3 + 2 * per_process
        assert verify_history(store) == []


@contextmanager
def meeting_before_insert(table: str) -> Iterator[None]:
    """Two connections that both reach an INSERT into ``table`` wait there for each other (5 s at most)."""
    barrier = threading.Barrier(2, timeout=5)

    def meet(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(f"INSERT INTO {table}"):
            with suppress(threading.BrokenBarrierError):
                barrier.wait()  # both have seen that the row is not there yet

    event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", meet)
    try:
        yield
    finally:
        event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", meet)


@pytest.mark.postgres
def test_engines_starting_together_on_a_fresh_database_both_start(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers start at once: both find the SOP version not stored yet and both store it."""
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    clock = ManualClock(START)
    with tracked_engines(monkeypatch), meeting_before_insert("sp4n_sops"):
        results = run_together(*[lambda: Engine(sops=["national"], database_url=url, clock=clock)] * 2)
        for result in results:
            if isinstance(result, Engine):
                result.close()
    assert [outcome(r) for r in results] == ["ok", "ok"], results


@pytest.mark.postgres
def test_first_commands_of_two_engines_together_both_go_through(
    postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' first commands at once: both find the calendar version not stored yet and both store it."""
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    with engines(url, 2) as (a, b), tracked_engines(monkeypatch), meeting_before_insert("sp4n_calendars"):
        results = run_together(
            lambda: a.submit(Actor.reporter("warga-1"), title="Jalan rusak"),
            lambda: b.submit(Actor.reporter("warga-2"), title="Lampu jalan mati"),
        )
    assert [outcome(r) for r in results] == ["ok", "ok"], results


# ---------------------------------------------------------------------------------------- idempotency


def row_counts(store: Any) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(store).items()}


def test_a_retried_submission_or_command_returns_the_first_result(db_url: str) -> None:
    with scenario_on(db_url) as s:
        reporter = s.reporter
        first = s.engine.submit(reporter, title="Air PDAM mati", channel="sms", idempotency_key="sms-0812/1")
        counts = row_counts(s.engine.store)
        s.advance(minutes=5)
        again = s.engine.submit(reporter, title="Air PDAM mati", channel="sms", idempotency_key="sms-0812/1")
        assert again == first
        assert row_counts(s.engine.store) == counts

        verified = s.engine.fire(first.id, "verify", ADMIN, idempotency_key="web-verify-1", **VERIFY)
        counts = row_counts(s.engine.store)
        snapshot = dump(s.engine.store)
        assert s.engine.fire(first.id, "verify", ADMIN, idempotency_key="web-verify-1", **VERIFY) == verified
        assert dump(s.engine.store) == snapshot
        assert counts["sp4n_idempotency"] == 2
        # later changes do not alter what a retry answers: it is the first command's result
        s.fire(first.id, "distribute", ADMIN, agency=AGENCY)
        snapshot = dump(s.engine.store)
        assert s.engine.submit(reporter, title="Air PDAM mati", channel="sms", idempotency_key="sms-0812/1") == first
        assert s.engine.fire(first.id, "verify", ADMIN, idempotency_key="web-verify-1", **VERIFY) == verified
        assert dump(s.engine.store) == snapshot
        assert list(s.engine.store.complaint_ids()) == [first.id]
        assert len(s.engine.history(first.id, SYSTEM)) == 3


def test_a_key_reused_for_another_command_is_refused(db_url: str) -> None:
    with scenario_on(db_url) as s:
        first = s.engine.submit(s.reporter, title="Air PDAM mati", idempotency_key="k-1")
        s.engine.fire(first.id, "verify", ADMIN, idempotency_key="k-2", **VERIFY)
        before = dump(s.engine.store)
        attempts: list[Callable[[], Any]] = [
            lambda: s.engine.submit(s.reporter, title="Air PDAM mati lagi", idempotency_key="k-1"),
            lambda: s.engine.submit(Actor.reporter("warga-2"), title="Air PDAM mati", idempotency_key="k-1"),
            lambda: s.engine.fire(first.id, "archive", ADMIN, reason="duplikat", idempotency_key="k-1"),
            lambda: s.engine.fire(
                first.id, "verify", ADMIN, idempotency_key="k-2", **{**VERIFY, "category": "lainnya"}
            ),
        ]
        for attempt in attempts:
            with pytest.raises(IdempotencyConflict) as info:
                attempt()
            key = info.value.key
            assert str(info.value) == f"idempotency key {key!r} was already used for a different command"
        assert dump(s.engine.store) == before


def test_a_retry_racing_the_first_attempt_gets_its_result(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry looks the key up before the first attempt commits, then loses the race to save it."""
    with engines(db_url, 2) as (a, b):
        reporter = Actor.reporter("warga-1")
        first: list[Any] = []
        real_lookup = b.store.idempotency

        def lookup_then_let_the_first_attempt_commit(key: str) -> Any:
            found = real_lookup(key)
            if not first:
                first.append(a.submit(reporter, title="Air PDAM mati", idempotency_key="sms-0812/7"))
            return found

        monkeypatch.setattr(b.store, "idempotency", lookup_then_let_the_first_attempt_commit)
        retry = b.submit(reporter, title="Air PDAM mati", idempotency_key="sms-0812/7")
        assert retry == first[0]
        assert list(a.store.complaint_ids()) == [first[0].id]
        assert row_counts(a.store)["sp4n_events"] == 1


# ---------------------------------------------------------------------------------------- tamper evidence


def test_an_edited_event_is_named_by_verify_history_and_the_cli(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with scenario_on(db_url) as s:
        c1, c2 = s.submit(), s.submit()
        s.fire(c1, "verify", ADMIN, **VERIFY)
        s.fire(c1, "distribute", ADMIN, agency=AGENCY)
        assert verify_history(s.engine.store) == []
    assert main(["audit", "verify", "--url", db_url]) == 0
    assert capsys.readouterr().out == "2 complaint(s) checked (unkeyed chain), 0 problem(s)\n"

    with sql_engine(db_url) as engine, engine.begin() as conn:
        conn.execute(text("UPDATE sp4n_events SET dest = 'closed' WHERE complaint_id = :c AND seq = 2"), {"c": c1})
    with scenario_on(db_url) as s:
        assert verify_history(s.engine.store) == [AuditProblem(c1, 2, "content does not match its hash (row edited)")]
        assert verify_history(s.engine.store, [c2]) == []
    assert main(["audit", "verify", "--url", db_url]) == 1
    assert capsys.readouterr().out == (
        f"TAMPERED complaint {c1!r} event 2: content does not match its hash (row edited)\n"
        "2 complaint(s) checked (unkeyed chain), 1 problem(s)\n"
    )
    assert main(["audit", "verify", "--url", db_url, "--complaint", c2]) == 0
    assert capsys.readouterr().out == "1 complaint(s) checked (unkeyed chain), 0 problem(s)\n"


def test_a_deleted_event_breaks_the_chain(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.fire(cid, "verify", ADMIN, **VERIFY)
        s.fire(cid, "distribute", ADMIN, agency=AGENCY)
    with sql_engine(db_url) as engine, engine.begin() as conn:
        conn.execute(text("DELETE FROM sp4n_events WHERE complaint_id = :c AND seq = 2"), {"c": cid})
    with scenario_on(db_url) as s:
        assert verify_history(s.engine.store) == [
            AuditProblem(cid, 3, "sequence gap: expected event 2"),
            AuditProblem(cid, 3, "prev_hash does not match the previous event"),
            AuditProblem(cid, 2, "a feed row whose event is not stored (the event was deleted)"),
        ]
    assert main(["audit", "verify", "--url", db_url]) == 1
    assert "TAMPERED complaint 'c1' event 3: sequence gap: expected event 2" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------- SOP pinning


def national_v2() -> Sop:
    """The national SOP with a longer verification budget: a new version of the same id."""
    data = builtin_sop("national").model_dump(mode="json")
    data.pop("extends", None)
    for clock in data["clocks"]:
        if clock["name"] == "verification":
            clock["budget"] = "5 working days"
    return build_sop(data, source="national-v2")


def test_complaints_stay_on_their_sop_version_across_restarts(db_url: str) -> None:
    v1, v2 = builtin_sop("national"), national_v2()
    assert v1.version != v2.version
    with scenario_on(db_url) as s:
        old, kept = s.submit("Laporan lama"), s.submit("Laporan lama kedua")
        assert s.due(old, "verification").local_date == date(2026, 3, 5)  # 3 working days from Mon 2 March

    with scenario_on(db_url, sops=[v2], start="2026-03-03T09:00:00+07:00", id_factory=counter_ids("n")) as s:
        engine = s.engine
        assert ("national", v1.version) not in engine.registry.versions()
        new = s.submit("Laporan baru")
        assert engine.get(new).sop_version == v2.version
        assert s.due(new, "verification").local_date == date(2026, 3, 10)  # 5 working days from Tue 3 March
        assert engine.get(old).sop_version == v1.version
        assert s.due(old, "verification").local_date == date(2026, 3, 5)  # v1's budget, v1 reloaded from the store
        assert ("national", v1.version) in engine.registry.versions()
        assert engine.fire(kept, "verify", ADMIN, **VERIFY).sop_version == v1.version
        assert engine.history(kept, SYSTEM)[-1].sop_version == v1.version

        before = dump(engine.store)
        agency_admin = s.agency_admin()
        with pytest.raises(PermissionDenied) as denied:
            engine.migrate([old], sop_id="national", version=v2.version, state_map={}, actor=agency_admin)
        assert str(denied.value) == (
            f"complaint '(migration)': {agency_admin} may not fire 'migrate': only a national_admin migrates complaints"
        )
        states = ", ".join(sorted(st.id for st in v2.states))
        with pytest.raises(InvalidData) as invalid:
            engine.migrate([old], sop_id="national", version=v2.version, state_map={"received": "nowhere"}, actor=ADMIN)
        assert str(invalid.value) == (
            f"state_map['received']='nowhere' is invalid: a state of national@{v2.version}: {states}"
        )
        assert dump(engine.store) == before

        (moved,) = engine.migrate(
            [old], sop_id="national", version=v2.version, state_map={"received": "received"}, actor=ADMIN
        )
        assert (moved.id, moved.sop_version, moved.state) == (old, v2.version, "received")
        migrated = engine.history(old, SYSTEM)[-1]
        assert migrated.kind == "migrated"
        assert migrated.payload == {
            "from_sop": "national",
            "to_sop": "national",
            "from_version": v1.version,
            "to_version": v2.version,
            "from_state": "received",
            "to_state": "received",
            "state_map": {"received": "received"},
        }
        assert s.due(old, "verification").local_date == date(2026, 3, 10)  # v2's clock from the migration
        assert engine.get(kept).sop_version == v1.version
        assert verify_history(engine.store) == []

    # a third start that registers only v1 still runs the complaints pinned to v2
    with scenario_on(db_url, start="2026-03-04T09:00:00+07:00", id_factory=counter_ids("m")) as s:
        assert s.engine.get(old).sop_version == v2.version
        assert s.due(old, "verification").local_date == date(2026, 3, 10)
        assert s.due(new, "verification").local_date == date(2026, 3, 10)
        assert s.engine.get(s.submit()).sop_version == v1.version


# ---------------------------------------------------------------------------------------- calendar versions


def test_a_stored_calendar_version_explains_an_old_due_date_after_a_restart(db_url: str) -> None:
    with scenario_on(db_url, start="2026-03-16T10:00:00+07:00") as s:
        cid = s.submit()
        due = s.due(cid, "verification")
        version = s.engine.history(cid, SYSTEM)[0].calendar_version
        assert due.calendar_version == version
        assert due.local_date == date(2026, 3, 26)  # over Nyepi, Idul Fitri and their joint leave
        explained = (due.explain("en"), due.explain("id"))

    indonesia = WorkingCalendar.indonesia()
    decree = indonesia.replace(days=[d for d in indonesia.days if d.date != date(2026, 3, 18)])  # joint leave revoked
    assert decree.version != version
    with scenario_on(db_url, start="2026-03-17T10:00:00+07:00", calendar=decree, id_factory=counter_ids("n")) as s:
        engine = s.engine
        # a calendar given to a new engine does not replace the one active in the database
        assert engine.calendar.version == WorkingCalendar.indonesia().version != decree.version
        engine.apply_calendar(decree)  # this does, for every process
        stored = engine.stored_calendar(version)
        assert stored is not None
        assert stored.version == version
        assert engine.stored_calendar("0000000000000000") is None
        ledger = engine.store.load(cid).clocks["verification"]
        again = ledger_due(stored, engine.registry.get("national").sop.counting, ledger)
        assert again == due
        assert again is not None
        assert (again.explain("en"), again.explain("id")) == explained
        assert again.at.tzinfo is UTC
        # the engine's own calendar now answers differently: the stored version is what explains the past
        current = ledger_due(engine.calendar, engine.registry.get("national").sop.counting, ledger)
        assert current is not None
        assert current.local_date == date(2026, 3, 25)


# ---------------------------------------------------------------------------------------- feed


def test_concurrent_deliverers_never_hold_one_event_at_once(db_url: str) -> None:
    with scenario_on(db_url) as s:
        s.engine.feed.add_consumer("sms", "agency")
        for i in range(16):
            s.submit(f"Laporan {i}")
        expected = sorted(f"{e.complaint_id}/{e.event_seq}" for e in s.engine.feed.entries(0, 100))
    assert len(expected) == 16
    deliveries: list[tuple[str, str, int, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=30)

    def deliverer(engine: Engine, name: str) -> None:
        def handler(item: FeedItem) -> None:
            started = time.monotonic_ns()
            time.sleep(0.01)
            with lock:
                deliveries.append((item.id, name, started, time.monotonic_ns()))

        barrier.wait()
        deliver_until_empty(engine, handler, name)

    with engines(db_url, 2) as (a, b):
        results = run_together(lambda: deliverer(a, "A"), lambda: deliverer(b, "B"))
        assert [outcome(r) for r in results] == ["ok", "ok"], results
        state = a.feed.status("sms")
        assert (state.queued, state.parked, state.consumer.cursor) == (0, 0, state.head)
    assert overlapping(deliveries) == []
    assert sorted(d[0] for d in deliveries) == expected  # every event, once
    assert {d[1] for d in deliveries} == {"A", "B"}


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_deliverer_processes_never_hold_one_event_at_once(postgres_schema_url: str) -> None:
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    with scenario_on(url) as s:
        s.engine.feed.add_consumer("sms", "agency")
        for i in range(24):
            s.submit(f"Laporan {i}")
        expected = sorted(f"{e.complaint_id}/{e.event_seq}" for e in s.engine.feed.entries(0, 100))
    with process_group() as group:
        barrier = group.ctx.Barrier(2)
        for name in ("P1", "P2"):
            group.start(deliver_all, url, name, 0.01, barrier)
        reports = group.collect(2)
    assert [error for _, _, error in reports] == ["", ""]
    deliveries = [d for _, delivered, _ in reports for d in delivered]
    assert overlapping(deliveries) == []
    assert sorted(d[0] for d in deliveries) == expected
    assert {d[1] for d in deliveries} == {"P1", "P2"}
    with scenario_on(url) as s:
        state = s.engine.feed.status("sms")
        assert (state.queued, state.parked, state.consumer.cursor) == (0, 0, state.head)


# ---------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "an SQLAlchemy URL such as sqlite:///sp4n.db"),
        ("sqlite://", "a SQLite file (sqlite:///path/to/sp4n.db)"),
        ("sqlite:///:memory:", "a SQLite file (sqlite:///path/to/sp4n.db)"),
        ("mysql://root@localhost/sp4n", "a sqlite:/// or postgresql+psycopg:// URL"),
    ],
)
def test_a_malformed_url_is_refused(url: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Engine(database_url=url)
    assert str(info.value) == f"database_url={url!r} is invalid: expected {expected}"
    assert (info.value.argument, info.value.value) == ("database_url", url)
    assert main(["db", "current", "--url", url]) == 2
    assert capsys.readouterr().err == f"sp4n: error: database_url={url!r} is invalid: expected {expected}\n"


def test_a_database_without_the_schema_is_refused_until_upgraded(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (
        f"database {empty_url!r} has no sp4n schema; this sp4n needs revision {t.SCHEMA_REVISION!r}: "
        f"run `sp4n db upgrade --url {empty_url}`"
    )
    with tracked_engines(monkeypatch):
        with pytest.raises(SchemaOutdated) as info:
            open_store(empty_url, upgrade=False)
        assert str(info.value) == expected
        assert (info.value.url, info.value.found, info.value.expected) == (empty_url, None, t.SCHEMA_REVISION)
        with pytest.raises(SchemaOutdated, match=f"^{re.escape(expected)}$"):
            SqlStore(empty_url)
        if empty_url.startswith("postgresql"):  # (an empty SQLite file is the embedded case: the Engine creates it)
            with pytest.raises(SchemaOutdated, match=f"^{re.escape(expected)}$"):
                Engine(database_url=empty_url)
    with sql_engine(empty_url) as engine:
        assert inspect(engine).get_table_names() == []  # nothing was created

    assert main(["db", "upgrade", "--url", empty_url]) == 0
    capsys.readouterr()
    Engine(database_url=empty_url).close()


def test_a_database_taken_back_to_base_is_refused(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with scenario_on(db_url) as s:
        s.submit()
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "base") is None
    expected = (
        f"database {db_url!r} has no sp4n schema; this sp4n needs revision {t.SCHEMA_REVISION!r}: "
        f"run `sp4n db upgrade --url {db_url}`"
    )
    with tracked_engines(monkeypatch):
        with pytest.raises(SchemaOutdated, match=f"^{re.escape(expected)}$"):
            open_store(db_url, upgrade=False)
        if db_url.startswith("postgresql"):
            with pytest.raises(SchemaOutdated, match=f"^{re.escape(expected)}$"):
                Engine(database_url=db_url)
    with sql_engine(db_url) as engine:
        assert inspect(engine).get_table_names() == ["alembic_version"]  # nothing was created
        assert upgrade(engine) == t.SCHEMA_REVISION
    Engine(database_url=db_url).close()


def test_a_schema_of_another_revision_is_refused(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with sql_engine(db_url) as engine, engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    before = dump(db_url)
    with tracked_engines(monkeypatch), pytest.raises(SchemaOutdated) as info:
        Engine(database_url=db_url)
    assert info.value.found == "0000"
    assert str(info.value).startswith(f"database {db_url!r} is at schema revision '0000'; this sp4n needs revision")
    assert dump(db_url) == before


def test_a_store_that_fails_to_open_releases_its_connections(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused open must not leave pooled connections behind (psycopg warns when they are collected)."""
    attempts: list[Callable[[], Any]] = [lambda: open_store(empty_url, upgrade=False), lambda: SqlStore(empty_url)]
    if empty_url.startswith("postgresql"):
        attempts.append(lambda: Engine(database_url=empty_url))
    for attempt in attempts:
        with tracked_engines(monkeypatch) as made:
            with pytest.raises(SchemaOutdated):
                attempt()
            assert len(made) == 1
            assert made[0].pool.checkedin() == 0, f"{attempt}: the engine of a refused store was not disposed"


def test_an_engine_that_fails_to_start_closes_its_store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with tracked_engines(monkeypatch) as made:
        with pytest.raises(SopNotFoundError):
            Engine(sops=["no_such_sop"], database_url=db_url)
        assert len(made) == 1
        assert made[0].pool.checkedin() == 0, "Engine() opened a store, failed, and left it open"


def test_an_unknown_complaint_is_not_found_and_nothing_changes(db_url: str) -> None:
    with scenario_on(db_url) as s:
        s.submit()
        before = dump(s.engine.store)
        queries: list[Callable[[], Any]] = [
            lambda: s.engine.fire("nope", "verify", ADMIN, **VERIFY),
            lambda: s.engine.fire("nope", "verify", ADMIN, idempotency_key="k", **VERIFY),
            lambda: s.engine.get("nope", ADMIN),
            lambda: s.engine.history("nope", SYSTEM),
            lambda: s.engine.deadlines("nope", SYSTEM),
        ]
        for query in queries:
            with pytest.raises(ComplaintNotFound, match=r"^complaint 'nope' does not exist$"):
                query()
        assert dump(s.engine.store) == before


def test_an_unreachable_postgresql_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DatabaseUnavailable) as info:
        Engine(database_url=UNREACHABLE)
    assert info.value.url == UNREACHABLE
    assert str(info.value).startswith(f"database {UNREACHABLE!r} cannot be used: ")
    assert "5499" in info.value.reason
    for command in (["db", "current"], ["db", "upgrade"], ["audit", "verify"]):
        assert main([*command, "--url", UNREACHABLE]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"sp4n: error: database {UNREACHABLE!r} cannot be used: "), err


# ---------------------------------------------------------------------------------------- instants

WIB, WIT = timezone(timedelta(hours=7)), timezone(timedelta(hours=9))


def test_instants_are_stored_in_utc_and_come_back_aware(db_url: str) -> None:
    submitted = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=WIB)
    complaint = replace(
        full_complaint(),
        zone="Asia/Jayapura",
        submitted_at=submitted,
        updated_at=datetime(2026, 3, 2, 23, 30, 0, 1, tzinfo=WIT),
    )
    ledger = ClockLedger("k1", "verification", Duration.parse("3 working days"), ClockStatus.RUNNING)
    ledger.running_since = ledger.started_at = submitted
    store = open_store(db_url)
    try:
        store.save(ChangeSet(complaint, 0, clocks=[ledger]))
        loaded = store.load("k1")
        assert utc_datetimes(loaded.complaint) == [submitted, datetime(2026, 3, 2, 14, 30, 0, 1, tzinfo=UTC)]
        assert utc_datetimes(loaded.clocks["verification"]) == [submitted, submitted]
        if store.dialect == "sqlite":
            raw = "SELECT submitted_at, updated_at FROM sp4n_complaints"
        else:
            raw = (
                "SELECT (submitted_at AT TIME ZONE 'UTC')::text, (updated_at AT TIME ZONE 'UTC')::text "
                "FROM sp4n_complaints"
            )
        with store.engine.connect() as conn:
            assert tuple(conn.exec_driver_sql(raw).one()) == (
                "2026-03-02 02:00:00.123456",
                "2026-03-02 14:30:00.000001",
            )
    finally:
        store.close()


@pytest.mark.postgres
def test_instants_come_back_in_utc_whatever_the_session_time_zone(postgres_schema_url: str) -> None:
    url = postgres_schema_url
    open_store(url, upgrade=True).close()
    engine = create_sql_engine(url)

    @event.listens_for(engine, "connect")
    def jayapura(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'Asia/Jayapura'")
        dbapi_connection.commit()

    with scenario_on(url) as s:
        cid = s.submit()
        submitted_at = s.clock.now()
    store = SqlStore(url, engine=engine)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW TIME ZONE").scalar_one() == "Asia/Jayapura"
        loaded = store.load(cid).complaint
        assert utc_datetimes(loaded) == [submitted_at, submitted_at]
        assert [e.at.tzinfo for e in store.history(cid)] == [UTC]
        assert verify_history(store) == []
    finally:
        store.close()


def test_naive_datetimes_are_refused_at_the_store_boundary(db_url: str) -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    complaint = replace(full_complaint(), submitted_at=naive, updated_at=naive)
    store = open_store(db_url)
    try:
        with pytest.raises(NaiveDatetimeError) as info:
            store.save(ChangeSet(complaint, 0))
        assert info.value.argument == "stored instant"
        assert info.value.value == naive
        assert list(store.complaint_ids()) == []
        with pytest.raises(NaiveDatetimeError):
            store.due_timers(naive, 10)
        with pytest.raises(NaiveDatetimeError):
            store.claim_due("A", naive, timedelta(minutes=1), 10)
    finally:
        store.close()


def test_a_clock_outside_utc_still_leaves_a_verifiable_history(db_url: str) -> None:
    """Clock.now() should be UTC, but an aware instant in WIB is the same instant: the chain must hold."""

    class WibClock(ManualClock):
        def now(self) -> datetime:
            return super().now().astimezone(WIB)

    engine = Engine(sops=["national"], database_url=db_url, clock=WibClock(START))
    try:
        view = engine.submit(Actor.reporter("warga-1"), title="Jalan rusak")
        engine.fire(view.id, "verify", ADMIN, **VERIFY)
        assert verify_history(engine.store) == []
        assert [e.at.tzinfo for e in engine.history(view.id, SYSTEM)] == [UTC, UTC]
    finally:
        engine.close()


def test_timers_fired_from_a_store_keep_their_instants(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.advance_working_days(5)
        timers = s.engine.store.timers(cid)
        fired = [tm for tm in timers if tm.status is TimerStatus.FIRED]
        assert [tm.rung for tm in fired] == ["warning", "breach"]
        for tm in timers:
            utc_datetimes(tm)
        assert [f.due_at for f in s.firings] == [tm.due_at for tm in fired]
        assert all(f.processed_at == f.due_at for f in s.firings)
