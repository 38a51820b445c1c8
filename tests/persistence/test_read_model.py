"""The read model: clock runs, milestones, the next due instant and the breached mark, written by
every change in its transaction, on every store; and rebuilt from the histories by migration 0005."""

from __future__ import annotations

from datetime import UTC, datetime

from sp4n.persistence import MemoryStore, Store
from sp4n.persistence.migrate import downgrade, upgrade
from sp4n.persistence.query import ComplaintQuery, Visibility
from sp4n.persistence.records import RunOutcome
from sp4n.persistence.tables import SCHEMA_REVISION
from sp4n.workflow import SYSTEM, Actor

from .backends import AGENCY, VERIFY, db_url_fixture, scenario, scenario_on, sql_engine, store_fixture  # noqa: F401

LIAISON = Actor.liaison_officer("penghubung", AGENCY)


def facts(store: Store, cid: str) -> tuple[datetime | None, bool]:
    complaint = store.load(cid).complaint
    query = ComplaintQuery(Visibility(everything=True), tracking_number=complaint.tracking_number)
    [(_, next_due)] = store.find(query)
    breached = store.find(ComplaintQuery(Visibility(everything=True), breached_at=datetime(2000, 1, 1, tzinfo=UTC)))
    return next_due, cid in {c.id for c, _ in breached}


def runs(store: Store, cid: str) -> list[tuple[str, str]]:
    return [(r.clock, r.outcome.value) for r in store.clock_runs(cid)]


def test_a_lifecycle_writes_runs_and_milestones(store: Store) -> None:
    s = scenario(store)
    cid = s.submit()
    assert runs(store, cid) == [("ombudsman_eligibility", "running"), ("verification", "running")]
    due = {d.clock: d.due.at for d in s.engine.deadlines(cid, SYSTEM) if d.due}
    assert facts(store, cid) == (min(due.values()), False)
    assert [r.due_at for r in store.clock_runs(cid)] == [due["ombudsman_eligibility"], due["verification"]]
    for trigger, actor, data in (
        ("verify", None, VERIFY),
        ("distribute", None, {"agency": AGENCY}),
        ("follow_up", LIAISON, {"response": "Sudah diperbaiki"}),
        ("close", Actor.reporter("warga-1"), {}),
    ):
        s.advance(hours=1)
        s.fire(cid, trigger, actor, **data)
    assert runs(store, cid) == [
        ("completion", "met"),
        ("first_response", "met"),
        ("ombudsman_eligibility", "met"),
        ("reporter_response", "met"),
        ("verification", "met"),
    ]
    assert facts(store, cid) == (None, False)
    names = [m.name for m in store.milestones(cid)]
    assert names == ["received", "verified", "distributed", "followed_up", "closed"]
    calendar = s.engine.calendar.version
    assert {m.calendar_version for m in store.milestones(cid)} == {calendar}
    assert store.milestones(cid)[0].at == store.load(cid).complaint.submitted_at


def test_a_breached_clock_is_marked_and_the_mark_stays(store: Store) -> None:
    s = scenario(store)
    cid = s.submit()
    s.advance(days=10)  # verification breached: escalated by the deadline
    assert s.state(cid) == "escalated"
    assert ("verification", "breached") in runs(store, cid)
    assert facts(store, cid)[1] is True
    s.fire(cid, "verify", **VERIFY)  # later changes keep the mark
    assert facts(store, cid)[1] is True


def test_pausing_keeps_the_run_and_its_last_due_instant(store: Store) -> None:
    s = scenario(store)
    cid = s.submit()
    due = next(r.due_at for r in store.clock_runs(cid) if r.clock == "verification")
    s.fire(cid, "hold", reason="menunggu data")
    paused = next(r for r in store.clock_runs(cid) if r.clock == "verification")
    assert (paused.outcome, paused.due_at, paused.stopped_at) == (RunOutcome.PAUSED, due, None)
    assert facts(store, cid)[0] is None  # nothing runs: no due instant to sort on
    s.advance(days=1)
    s.fire(cid, "resume")
    resumed = [r for r in store.clock_runs(cid) if r.clock == "verification"]
    assert len(resumed) == 1
    assert resumed[0].outcome is RunOutcome.RUNNING
    assert resumed[0].due_at > due


def test_a_reset_ends_the_run_as_stopped_and_starts_another() -> None:
    store = MemoryStore()
    s = scenario(store)
    cid = s.submit()
    s.fire(cid, "verify", **VERIFY)
    s.fire(cid, "distribute", agency=AGENCY)
    s.fire(cid, "follow_up", LIAISON, response="jawaban")
    s.advance(hours=2)
    s.fire(cid, "reply", Actor.reporter("warga-1"), message="belum selesai")
    s.fire(cid, "follow_up", LIAISON, response="jawaban kedua")
    reporter = [
        (r.outcome.value, r.stopped_at is None) for r in store.clock_runs(cid) if r.clock == "reporter_response"
    ]
    assert reporter == [("met", False), ("running", True)]


def test_migration_0005_rebuilds_the_read_model_every_change_writes(db_url: str) -> None:
    """A 0004 database with complaints in every kind of state is upgraded: the backfill gives the
    rows the live code wrote."""
    with scenario_on(db_url) as s:
        store = s.engine.store
        done = s.submit(title="selesai")
        s.fire(done, "verify", **VERIFY)
        s.fire(done, "distribute", agency=AGENCY)
        s.fire(done, "follow_up", LIAISON, response="ok")
        s.fire(done, "close", Actor.reporter("warga-1"))
        held = s.submit(title="ditunda")
        s.fire(held, "hold", reason="data kurang")
        late = s.submit(title="terlambat")
        s.advance(days=6)
        fresh = s.submit(title="baru")
        ids = [done, held, late, fresh]
        live = {
            cid: (runs(store, cid), store.milestones(cid), facts(store, cid), store.load(cid).clocks) for cid in ids
        }
        assert facts(store, late)[1] is True
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0004") == "0004"
        assert upgrade(engine) == SCHEMA_REVISION
    with scenario_on(db_url) as s:
        store = s.engine.store
        rebuilt = {
            cid: (runs(store, cid), store.milestones(cid), facts(store, cid), store.load(cid).clocks) for cid in ids
        }
    assert rebuilt == live


def test_milestones_carry_working_days_and_actors(store: Store) -> None:
    s = scenario(store)
    cid = s.submit()
    s.advance_working_days(2)
    s.fire(cid, "verify", **VERIFY)
    s.fire(cid, "distribute", agency=AGENCY)
    s.advance_working_days(1)
    s.fire(cid, "follow_up", LIAISON, response="jawaban")
    s.fire(cid, "reply", Actor.reporter("warga-1"), message="belum selesai")
    got = {m.name: (m.working_days, m.actor_id, m.actor_role) for m in store.milestones(cid)}
    assert got == {
        "received": (0, "warga-1", "reporter"),
        "verified": (2, "admin-nasional", "national_admin"),
        "distributed": (2, "admin-nasional", "national_admin"),
        "followed_up": (3, "penghubung", "liaison_officer"),
        "replied": (3, "warga-1", "reporter"),
    }


def test_migration_0010_rewrites_milestones_as_every_change_writes_them(db_url: str) -> None:
    """A 0009 database (milestones without working days, actors or replies) is upgraded: the
    milestones are those the live code wrote."""
    with scenario_on(db_url) as s:
        store = s.engine.store
        cid = s.submit()
        s.advance_working_days(1)
        s.fire(cid, "verify", **VERIFY)
        s.fire(cid, "distribute", agency=AGENCY)
        s.fire(cid, "follow_up", LIAISON, response="jawaban")
        s.advance_working_days(2)
        s.fire(cid, "reply", Actor.reporter("warga-1"), message="belum selesai")
        s.advance_working_days(15)  # the completion clock escalates it
        assert s.state(cid) == "escalated"
        live = store.milestones(cid)
    assert "replied" in {m.name for m in live}
    assert {m.working_days for m in live} >= {0, 1, 3}
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0009") == "0009"
        with engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sp4n_milestones")}
        assert "replied" not in names
        assert upgrade(engine) == SCHEMA_REVISION
    with scenario_on(db_url) as s:
        assert s.engine.store.milestones(cid) == live


def test_find_on_a_store_without_complaints(store: Store) -> None:
    assert store.find(ComplaintQuery(Visibility(everything=True))) == []
    assert store.clock_runs("nope") == []
    assert store.milestones("nope") == []
