"""One contract for every store: the same tests run on MemoryStore, SQLite and PostgreSQL.

Records are saved through ChangeSets (as the engine saves them) and read back through the Store
protocol. Every instant is an aware UTC datetime on the way in and must come back as one, equal
to what was saved, whichever store holds it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sp4n.calendars import Duration, WorkingCalendar
from sp4n.calendars.serialize import calendar_from_dict, calendar_to_dict
from sp4n.errors import ComplaintNotFound, ConcurrencyConflict, DuplicateComplaint, IdempotencyConflict
from sp4n.persistence import (
    ChangeSet,
    ClockLedger,
    ClockStatus,
    Complaint,
    Event,
    IdempotencyRecord,
    Snapshot,
    Store,
    Timer,
    TimerClose,
    TimerStatus,
)
from sp4n.persistence.audit import verify_history
from sp4n.states import Sop
from sp4n.states.loader import builtin_sop
from sp4n.workflow import Actor

from .backends import AGENCY, T0, full_complaint, scenario, store_fixture, utc_datetimes  # noqa: F401

LEASE = timedelta(minutes=5)


def fed_events(store: Store) -> list[tuple[str, int]]:
    """(complaint, seq) of every event in the feed, in feed order (numbered first)."""
    store.feed.sequence()
    return [(e.complaint_id, e.event_seq) for e in store.feed.entries(0, 10_000)]


def full_ledgers(cid: str = "k1") -> list[ClockLedger]:
    return [
        ClockLedger(
            complaint_id=cid,
            name="completion",
            budget=Duration.parse("14 working days"),
            status=ClockStatus.RUNNING,
            generation=3,
            consumed=2,
            running_since=T0 + timedelta(minutes=7, microseconds=5),
            extended_by=4,
            started_at=T0,
        ),
        ClockLedger(
            complaint_id=cid,
            name="response",
            budget=Duration.parse("36 hours"),
            status=ClockStatus.PAUSED,
            generation=1,
            consumed=5400,
            running_since=None,
            extended_by=0,
            started_at=T0 + timedelta(seconds=1),
        ),
    ]


def sealed_event(complaint: Complaint, prev: tuple[int, str], kind: str, at: datetime, **fields: Any) -> Event:
    event = Event(
        complaint_id=complaint.id,
        seq=prev[0] + 1,
        at=at,
        kind=kind,
        actor_id=fields.pop("actor_id", "admin-nasional"),
        actor_role=fields.pop("actor_role", "national_admin"),
        calendar_version="cal-v1",
        sop_version=complaint.sop_version,
        **fields,
    )
    event.seal(prev[1])
    return event


def new_complaint(store: Store, cid: str = "k1", *, at: datetime = T0, **change: Any) -> tuple[Complaint, Event]:
    """Save a new complaint with its first event (and its feed row); returns both."""
    complaint = full_complaint(cid, at)
    event = sealed_event(complaint, (0, ""), "submitted", at, dest=complaint.state, payload={"title": complaint.title})
    store.save(ChangeSet(complaint, 0, events=[event], **change))
    return complaint, event


def next_change(snapshot: Snapshot, state: str, at: datetime, **change: Any) -> ChangeSet:
    """The change that moves a loaded complaint to ``state`` with one event, as a command would."""
    complaint = snapshot.complaint.copy()
    expected = complaint.version
    before = complaint.state
    complaint.version += 1
    complaint.state = state
    complaint.updated_at = at
    event = sealed_event(
        complaint, (snapshot.last_seq, snapshot.last_hash), "transition", at, trigger=state, source=before, dest=state
    )
    return ChangeSet(complaint, expected, events=[event], **change)


def timer(cid: str, clock: str, rung: str, due_at: datetime, priority: int = 1, generation: int = 0) -> Timer:
    return Timer(Timer.key(cid, clock, generation, rung), cid, clock, generation, rung, due_at, priority)


# ------------------------------------------------------------------------------ complaints and clocks


def test_a_complaint_and_its_clocks_come_back_as_saved(store: Store) -> None:
    complaint = full_complaint()
    ledgers = full_ledgers()
    event = sealed_event(
        complaint,
        (0, ""),
        "submitted",
        T0,
        dest="distributed",
        payload={"title": complaint.title, "nested": {"list": [1, 2.5, None, True], "text": "ü"}},
        clock_changes=[{"clock": "completion", "change": "started", "due": "2026-03-20"}],
    )
    store.save(ChangeSet(complaint, 0, clocks=ledgers, events=[event]))

    snapshot = store.load("k1")
    assert snapshot.complaint == complaint
    assert snapshot.clocks == {ledger.name: ledger for ledger in ledgers}
    assert (snapshot.last_seq, snapshot.last_hash) == (1, event.hash)
    assert utc_datetimes(snapshot.complaint) == [complaint.submitted_at, complaint.updated_at]
    assert utc_datetimes(snapshot.clocks["completion"]) == [ledgers[0].running_since, ledgers[0].started_at]
    assert utc_datetimes(snapshot.clocks["response"]) == [ledgers[1].started_at]
    assert type(snapshot.clocks["completion"].budget) is Duration
    assert snapshot.clocks["response"].status is ClockStatus.PAUSED
    history = store.history("k1")
    assert history == [event]
    assert utc_datetimes(history[0]) == [T0]
    assert store.last_event("k1") == event


def test_an_update_stores_every_field_including_cleared_ones(store: Store) -> None:
    new_complaint(store, clocks=full_ledgers())
    snapshot = store.load("k1")
    change = next_change(snapshot, "received", T0 + timedelta(days=1))
    updated = change.complaint
    for name in ("classification", "category", "reporter_id", "reporter_name", "agency", "unit", "official"):
        setattr(updated, name, None)
    updated.anonymous = updated.confidential = False
    updated.attributes = {}
    updated.zone = "Asia/Jayapura"
    stopped = snapshot.clocks["completion"].copy()
    stopped.status = ClockStatus.STOPPED
    stopped.running_since = None
    stopped.consumed = 9
    change.clocks = [stopped]
    store.save(change)

    again = store.load("k1")
    assert again.complaint == updated
    assert again.complaint.version == 2
    assert again.clocks == {"completion": stopped, "response": snapshot.clocks["response"]}
    assert (again.last_seq, again.last_hash) == (2, change.events[0].hash)


def test_records_handed_out_are_copies(store: Store) -> None:
    """Changing what a store returned changes nothing stored (records.py: "Stores hand out copies")."""
    new_complaint(store, clocks=full_ledgers(), add_timers=[timer("k1", "completion", "breach", T0)])
    snapshot = store.load("k1")
    snapshot.complaint.state = "closed"
    snapshot.complaint.attributes["rt"] = "999"
    snapshot.clocks["completion"].consumed = 99
    store.timers("k1")[0].status = TimerStatus.FIRED
    event = store.history("k1")[0]
    event.dest = "closed"
    event.payload["title"] = "edited"
    store.feed.sequence()
    fed = store.feed.entries(0, 10)[0].event
    assert fed is not None
    fed.payload["title"] = "edited"

    fresh = store.load("k1")
    assert fresh.complaint == full_complaint()
    assert fresh.clocks["completion"].consumed == 2
    assert store.timers("k1")[0].status is TimerStatus.PENDING
    assert verify_history(store) == []
    assert store.history("k1")[0].dest == "distributed"
    fed = store.feed.entries(0, 10)[0].event
    assert fed is not None
    assert fed.payload == store.history("k1")[0].payload


def test_complaint_ids_and_complaints(store: Store) -> None:
    for i, cid in enumerate(("k1", "k2", "k3")):
        new_complaint(store, cid, at=T0 + timedelta(minutes=i))
    assert list(store.complaint_ids()) == ["k1", "k2", "k3"]
    assert sorted(c.id for c in store.complaints(["k3", "k1", "nope"])) == ["k1", "k3"]
    assert [c.id for c in store.complaints()] == ["k1", "k2", "k3"]
    assert store.complaints([]) == []


def test_unknown_complaints_are_not_found(store: Store) -> None:
    new_complaint(store)
    for read in (store.load, store.history):
        with pytest.raises(ComplaintNotFound) as info:
            read("nope")
        assert str(info.value) == "complaint 'nope' does not exist"
        assert info.value.complaint_id == "nope"
    assert store.last_event("nope") is None
    assert store.timers("nope") == []
    assert store.timer("nope/verification/0/breach") is None
    s = scenario(store)
    with pytest.raises(ComplaintNotFound, match=r"^complaint 'nope' does not exist$"):
        s.engine.fire("nope", "verify", s.national_admin, classification="pengaduan", category="kesehatan")


# ------------------------------------------------------------------------------ history


def test_history_is_in_order_and_chained_through_an_engine(store: Store) -> None:
    s = scenario(store)
    committed: list[Event] = []
    s.engine.subscribe(committed.append)
    cid = s.submit()
    s.advance(hours=1)
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    s.advance(hours=1)
    s.fire(cid, "distribute", agency=AGENCY)
    s.advance(hours=1)
    s.fire(cid, "follow_up", response="Sudah diperbaiki")

    history = store.history(cid)
    assert history == committed
    assert [(e.seq, e.kind, e.trigger) for e in history] == [
        (1, "submitted", None),
        (2, "transition", "verify"),
        (3, "transition", "distribute"),
        (4, "transition", "follow_up"),
    ]
    previous = ""
    for event in history:
        assert event.prev_hash == previous
        assert event.hash == event.compute_hash()
        utc_datetimes(event)
        previous = event.hash
    assert [e.at for e in history] == sorted(e.at for e in history)
    snapshot = store.load(cid)
    assert (snapshot.last_seq, snapshot.last_hash) == (4, history[-1].hash)
    assert store.last_event(cid) == history[-1]
    assert verify_history(store) == []


# ------------------------------------------------------------------------------ timers


def test_due_timers_come_earliest_first_then_notices_then_by_id(store: Store) -> None:
    h = timedelta(hours=1)
    late = timer("k1", "b", "breach", T0 + 2 * h)
    tie_z = timer("k1", "z", "breach", T0 + h)
    tie_a = timer("k1", "a", "breach", T0 + h)
    notice = timer("k1", "m", "warning", T0 + h, priority=0)
    future = timer("k1", "f", "breach", T0 + timedelta(days=5))
    new_complaint(store, add_timers=[late, tie_z, tie_a, notice, future])

    assert store.due_timers(T0, 10) == []
    assert store.due_timers(T0 + h - timedelta(microseconds=1), 10) == []
    assert [tm.id for tm in store.due_timers(T0 + h, 10)] == [notice.id, tie_a.id, tie_z.id]
    assert store.due_timers(T0 + 3 * h, 10) == [notice, tie_a, tie_z, late]
    assert store.due_timers(T0 + 3 * h, 2) == [notice, tie_a]
    assert store.due_timers(T0 + 3 * h, 1) == [notice]
    assert store.next_due_at() == T0 + h
    assert store.timer(future.id) == future
    assert sorted(store.timers("k1"), key=lambda tm: tm.id) == sorted(
        [late, tie_z, tie_a, notice, future], key=lambda tm: tm.id
    )
    for tm in store.due_timers(T0 + timedelta(days=9), 10):
        utc_datetimes(tm)
    next_due = store.next_due_at()
    assert next_due is not None
    assert next_due.tzinfo is UTC


def test_closing_stale_timers(store: Store) -> None:
    h = timedelta(hours=1)
    first = timer("k1", "a", "breach", T0 + h)
    second = timer("k1", "b", "breach", T0 + h)
    third = timer("k1", "c", "breach", T0 + 2 * h)
    new_complaint(store, add_timers=[first, second, third])

    close = TimerClose(first.id, TimerStatus.STALE, T0 + 3 * h, 7200.5)
    assert store.close_stale_timer(close) is True
    assert store.close_stale_timer(close) is False
    assert store.close_stale_timer(TimerClose("k1/none/0/breach", TimerStatus.STALE, T0)) is False
    closed = store.timer(first.id)
    assert closed is not None
    assert (closed.status, closed.closed_at, closed.lateness_seconds) == (TimerStatus.STALE, T0 + 3 * h, 7200.5)
    assert [tm.id for tm in store.due_timers(T0 + 9 * h, 10)] == [second.id, third.id]
    assert store.next_due_at() == T0 + h

    # a change closes stale timers of an older generation; absent or closed ones are a no-op
    change = next_change(store.load("k1"), "received", T0 + 4 * h)
    change.close_timers = [
        TimerClose(second.id, TimerStatus.STALE, T0 + 4 * h),
        TimerClose(first.id, TimerStatus.STALE, T0 + 4 * h),
        TimerClose("k1/absent/0/breach", TimerStatus.STALE, T0 + 4 * h),
    ]
    change.add_timers = [first]  # armed once: adding it again neither duplicates nor reopens it
    store.save(change)
    assert store.next_due_at() == T0 + 2 * h
    assert [tm.id for tm in store.due_timers(T0 + 9 * h, 10)] == [third.id]
    statuses = {tm.id: (tm.status, tm.closed_at) for tm in store.timers("k1")}
    assert statuses == {
        first.id: (TimerStatus.STALE, T0 + 3 * h),
        second.id: (TimerStatus.STALE, T0 + 4 * h),
        third.id: (TimerStatus.PENDING, None),
    }
    assert store.close_stale_timer(TimerClose(third.id, TimerStatus.STALE, T0 + 5 * h)) is True
    assert store.next_due_at() is None
    assert store.due_timers(T0 + timedelta(days=30), 10) == []


def test_a_change_closes_timers_with_the_status_time_and_lateness_it_names(store: Store) -> None:
    """TimerClose carries status, closed_at and lateness; without must_be_pending they are kept too."""
    h = timedelta(hours=1)
    missed = timer("k1", "a", "reminder", T0 + h)
    stale = timer("k1", "b", "breach", T0 + h)
    new_complaint(store, add_timers=[missed, stale])
    change = next_change(store.load("k1"), "received", T0 + 3 * h)
    change.close_timers = [
        TimerClose(missed.id, TimerStatus.MISSED, T0 + 3 * h, 7200.0),
        TimerClose(stale.id, TimerStatus.STALE, T0 + 2 * h),
    ]
    store.save(change)
    closed = {tm.id: (tm.status, tm.closed_at, tm.lateness_seconds) for tm in store.timers("k1")}
    assert closed == {
        missed.id: (TimerStatus.MISSED, T0 + 3 * h, 7200.0),
        stale.id: (TimerStatus.STALE, T0 + 2 * h, None),
    }


def test_claiming_due_timers_leases_them(store: Store) -> None:
    h = timedelta(hours=1)
    timers = [timer(f"k{i}", "verification", "breach", T0 + i * h) for i in range(1, 5)]
    for tm in timers:
        new_complaint(store, tm.complaint_id, add_timers=[tm])
    new_complaint(store, "k5")
    now = T0 + 9 * h

    a = store.claim_due("A", now, LEASE, 2)
    assert [tm.id for tm in a] == [timers[0].id, timers[1].id]
    assert {(tm.lease_owner, tm.lease_expires) for tm in a} == {("A", now + LEASE)}
    assert [tm.id for tm in store.claim_due("B", now, LEASE, 10)] == [timers[2].id, timers[3].id]
    assert store.claim_due("C", now, LEASE, 10) == []
    # not even its own: a timer its worker failed on waits for the lease to expire before a retry
    assert store.claim_due("A", now, LEASE, 10) == []
    store.release_timers("C", [timers[0].id])  # not C's: no effect
    assert store.claim_due("C", now, LEASE, 10) == []
    store.release_timers("A", [timers[0].id])
    assert [tm.id for tm in store.claim_due("C", now, LEASE, 10)] == [timers[0].id]
    # leases expire
    assert [tm.id for tm in store.claim_due("D", now + LEASE, LEASE, 10)] == [tm.id for tm in timers]
    assert store.complaints_with_pending_timers() == ["k1", "k2", "k3", "k4"]
    assert store.close_stale_timer(TimerClose(timers[0].id, TimerStatus.STALE, now)) is True
    assert [tm.id for tm in store.claim_due("E", now + 3 * LEASE, LEASE, 10)] == [tm.id for tm in timers[1:]]


def test_a_timer_is_not_claimed_while_an_earlier_one_of_its_complaint_is_leased(store: Store) -> None:
    # a warning leased by one worker and its breach by another could fire in the wrong order
    # (the breach stops the clock, and the warning would end as stale): the breach waits
    h = timedelta(hours=1)
    warning, breach = timer("k1", "verification", "warning", T0 + h), timer("k1", "verification", "breach", T0 + 2 * h)
    other = timer("k2", "verification", "breach", T0 + 3 * h)
    new_complaint(store, "k1", add_timers=[warning, breach])
    new_complaint(store, "k2", add_timers=[other])
    now = T0 + 9 * h

    assert [tm.id for tm in store.claim_due("A", now, LEASE, 1)] == [warning.id]
    # the waiting breach does not use up a batch of one: the next complaint's timer comes instead
    assert [tm.id for tm in store.claim_due("B", now, LEASE, 1)] == [other.id]
    assert store.claim_due("C", now, LEASE, 10) == []
    store.release_timers("B", [other.id])
    assert [tm.id for tm in store.claim_due("B", now, LEASE, 10)] == [other.id]  # not the breach
    store.release_timers("A", [warning.id])
    assert [tm.id for tm in store.claim_due("B", now, LEASE, 10)] == [warning.id, breach.id]  # both, in order

    store.release_timers("B", [warning.id, breach.id])
    assert [tm.id for tm in store.claim_due("A", now, LEASE, 1)] == [warning.id]
    done = TimerClose(warning.id, TimerStatus.FIRED, now, must_be_pending=True)
    store.save(next_change(store.load("k1"), "warned", now, close_timers=[done]))
    assert [tm.id for tm in store.claim_due("B", now, LEASE, 10)] == [breach.id]  # the warning is done


# ------------------------------------------------------------------------------ optimistic locking


def test_a_change_computed_from_a_stale_version_is_refused(store: Store) -> None:
    _, first = new_complaint(store, clocks=full_ledgers())
    snapshot = store.load("k1")
    winner = next_change(snapshot, "verified", T0 + timedelta(hours=1))
    loser = next_change(snapshot, "on_hold", T0 + timedelta(hours=2))
    loser.clocks = [ClockLedger("k1", "completion", Duration.parse("5 working days"), ClockStatus.STOPPED)]
    loser.add_timers = [timer("k1", "completion", "breach", T0)]
    loser.idempotency = IdempotencyRecord("loser-key", "f" * 64, "k1", {"state": "on_hold"})
    store.save(winner)

    with pytest.raises(ConcurrencyConflict) as info:
        store.save(loser)
    assert (info.value.complaint_id, info.value.expected, info.value.actual) == ("k1", 1, 2)
    assert str(info.value) == ("complaint 'k1' changed concurrently: expected version 1, found 2; reload it and retry")
    after = store.load("k1")
    assert (after.complaint.state, after.complaint.version) == ("verified", 2)
    assert after.clocks == {ledger.name: ledger for ledger in full_ledgers()}
    assert store.history("k1") == [first, winner.events[0]]
    assert store.timers("k1") == []
    assert store.idempotency("loser-key") is None
    assert fed_events(store) == [("k1", 1), ("k1", 2)]


def test_a_complaint_is_created_once(store: Store) -> None:
    new_complaint(store)
    with pytest.raises(DuplicateComplaint, match=r"^a complaint with id='k1' is already stored; id must be unique$"):
        new_complaint(store)
    assert store.load("k1").complaint.version == 1
    assert len(store.history("k1")) == 1


def test_a_timer_fires_once(store: Store) -> None:
    breach = timer("k1", "completion", "breach", T0 + timedelta(hours=1))
    new_complaint(store, add_timers=[breach])
    fired_at = T0 + timedelta(hours=2)
    first = next_change(store.load("k1"), "escalated", fired_at)
    first.close_timers = [TimerClose(breach.id, TimerStatus.FIRED, fired_at, 3600.0, must_be_pending=True)]
    store.save(first)

    second = next_change(store.load("k1"), "escalated", fired_at)  # a fresh load: the version is right
    second.close_timers = [TimerClose(breach.id, TimerStatus.FIRED, fired_at, 3600.0, must_be_pending=True)]
    with pytest.raises(ConcurrencyConflict) as info:
        store.save(second)
    assert info.value.complaint_id == "k1"
    after = store.load("k1")
    assert (after.complaint.version, after.last_seq) == (2, 2)
    assert len(store.history("k1")) == 2
    fired = store.timer(breach.id)
    assert fired is not None
    assert (fired.status, fired.closed_at, fired.lateness_seconds) == (TimerStatus.FIRED, fired_at, 3600.0)
    assert store.due_timers(fired_at, 10) == []

    absent = next_change(store.load("k1"), "escalated", fired_at)
    absent.close_timers = [TimerClose("k1/nothing/0/breach", TimerStatus.FIRED, fired_at, must_be_pending=True)]
    with pytest.raises(ConcurrencyConflict):
        store.save(absent)
    assert store.load("k1").complaint.version == 2


# ------------------------------------------------------------------------------ idempotency


def test_idempotency_records(store: Store) -> None:
    record = IdempotencyRecord(
        "sms-628123/42", "a" * 64, "k1", {"id": "k1", "state": "received", "nested": {"n": [1, "dua"]}, "ok": True}
    )
    new_complaint(store, idempotency=record)
    assert store.idempotency("sms-628123/42") == record
    assert store.idempotency("sms-628123/43") is None

    again = next_change(store.load("k1"), "verified", T0 + timedelta(hours=1))
    again.idempotency = IdempotencyRecord("sms-628123/42", "b" * 64, "k1", {"state": "verified"})
    with pytest.raises(IdempotencyConflict) as info:
        store.save(again)
    assert str(info.value) == "idempotency key 'sms-628123/42' was already used for a different command"
    assert store.idempotency("sms-628123/42") == record
    assert store.load("k1").complaint.version == 1
    assert len(store.history("k1")) == 1


# ------------------------------------------------------------------------------ definitions


def test_sop_and_calendar_definitions(store: Store) -> None:
    sop = builtin_sop("national")
    content = sop.model_dump(mode="json")
    store.save_definition("sop", sop.key, sop.title, content, T0)
    assert store.load_definition("sop", sop.key) == content
    assert Sop.model_validate(store.load_definition("sop", sop.key)).version == sop.version
    # definitions are immutable: the first one stored stays
    store.save_definition("sop", sop.key, "other", {"id": "other"}, T0 + timedelta(days=1))
    assert store.load_definition("sop", sop.key) == content
    assert store.load_definition("sop", ("national", "0" * 16)) is None
    assert store.load_definition("sop", ("nope", sop.version)) is None

    cal = WorkingCalendar.indonesia(zone="Asia/Makassar")
    data = calendar_to_dict(cal)
    store.save_definition("calendar", (cal.version,), cal.name, data, T0)
    stored = store.load_definition("calendar", (cal.version,))
    assert stored == data
    assert stored is not None
    rebuilt = calendar_from_dict(stored)
    assert rebuilt.version == cal.version
    assert rebuilt.days == cal.days
    assert store.load_definition("calendar", ("0" * 16,)) is None


# ------------------------------------------------------------------------------ a whole life

_LIFECYCLES: dict[str, Any] = {}


def test_a_national_lifecycle_with_deadlines_ends_the_same_on_every_store(
    store: Store, request: pytest.FixtureRequest
) -> None:
    s = scenario(store)
    admin, liaison = s.national_admin, s.liaison_officer()
    closed = s.submit("Puskesmas tutup pada jam layanan")  # followed up, then closed by silence
    referred = s.submit("Bantuan sosial tidak sampai")  # never verified: escalated, then to the Ombudsman
    archived = s.submit("Pengaduan ganda")  # held, resumed, archived
    s.advance(hours=2)
    s.fire(closed, "verify", admin, classification="pengaduan", category="kesehatan")
    s.fire(closed, "distribute", admin, agency=AGENCY)
    s.fire(archived, "hold", admin, reason="menunggu dokumen")
    s.advance_working_days(2)
    s.fire(closed, "follow_up", liaison, response="Jam layanan sudah dipulihkan")
    s.advance_working_days(4)
    assert s.state(referred) == "escalated"
    s.fire(referred, "refer_to_ombudsman", Actor.reporter("warga-1"), reason="tidak ada tanggapan")
    s.fire(archived, "resume", admin)
    s.fire(archived, "archive", admin, reason="duplikat")
    s.advance_working_days(12)
    s.advance_working_days(70)  # everything left runs out

    states = {cid: s.state(cid) for cid in (closed, referred, archived)}
    assert states == {closed: "closed", referred: "referred", archived: "archived"}
    events = {cid: s.events(cid) for cid in states}
    assert events[closed][-1] == "deadline_transition:close"
    assert "deadline_transition:escalate" in events[referred]
    assert events[referred][-1] == "transition:refer_to_ombudsman"
    assert events[archived] == [
        "submitted:received",
        "transition:hold",
        "transition:resume",
        "transition:archive",
    ]
    assert verify_history(store) == []
    assert store.next_due_at() is None
    assert store.complaints_with_pending_timers() == []

    summary = {
        "states": states,
        "history": {
            cid: [(e.seq, e.at, e.kind, e.trigger, e.source, e.dest, e.payload, e.hash) for e in store.history(cid)]
            for cid in states
        },
        "timers": {
            cid: sorted((tm.id, tm.status, tm.due_at, tm.closed_at) for tm in store.timers(cid)) for cid in states
        },
        "firings": [(f.timer_id, f.outcome, f.processed_at, f.trigger) for f in s.firings],
        "feed": fed_events(store),
    }
    backend = request.node.callspec.params["store"]
    for other, seen in _LIFECYCLES.items():
        assert summary == seen, f"{backend} differs from {other}"
    _LIFECYCLES[backend] = summary
