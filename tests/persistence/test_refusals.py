"""Why a store refuses a change, the same on every store: ConcurrencyConflict only when the version
check fails; a complaint id, tracking number, event number or idempotency key that is already
taken has an error of its own, which names it, and which retrying cannot cure.

Before, SQLite and PostgreSQL reported every refused unique key (and foreign key) as a
ConcurrencyConflict, so ``retry_on_conflict`` retried what could never succeed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from sp4n.calendars import Duration
from sp4n.errors import (
    ConcurrencyConflict,
    DuplicateComplaint,
    DuplicateEvent,
    IdempotencyConflict,
    InvalidArgumentError,
)
from sp4n.persistence import ChangeSet, ClockLedger, ClockStatus, IdempotencyRecord, Store

from .backends import T0, full_complaint, store_fixture  # noqa: F401
from .test_contract import new_complaint, next_change, sealed_event, timer


def nothing_of(store: Store, cid: str) -> None:
    """No trace of complaint ``cid``: no row, no history, no feed entry."""
    assert cid not in list(store.complaint_ids())
    store.feed.sequence()
    assert [e.complaint_id for e in store.feed.entries(0, 100)].count(cid) == 0


def test_a_tracking_number_that_is_taken_is_named(store: Store) -> None:
    first, _ = new_complaint(store, "k1")
    second = full_complaint("k2", T0 + timedelta(minutes=1))
    second.tracking_number = first.tracking_number
    event = sealed_event(second, (0, ""), "submitted", T0, dest=second.state)
    message = r"^a complaint with tracking_number='SP4N-20260302-K1' is already stored; tracking_number must be unique$"
    with pytest.raises(DuplicateComplaint, match=message) as info:
        store.save(
            ChangeSet(
                second,
                0,
                clocks=[ClockLedger("k2", "completion", Duration.parse("5 working days"), ClockStatus.RUNNING)],
                events=[event],
            )
        )
    assert (info.value.field, info.value.value) == ("tracking_number", "SP4N-20260302-K1")
    assert not isinstance(info.value, ConcurrencyConflict)
    nothing_of(store, "k2")
    assert store.load("k1").complaint.version == 1


def test_a_complaint_id_that_is_taken_is_named_whatever_else_is_new(store: Store) -> None:
    new_complaint(store, "k1")
    again = full_complaint("k1")
    again.tracking_number = "SP4N-20260302-000009"
    event = sealed_event(again, (0, ""), "submitted", T0, dest=again.state)
    with pytest.raises(DuplicateComplaint, match=r"^a complaint with id='k1' is already stored; id must be unique$"):
        store.save(ChangeSet(again, 0, events=[event]))
    assert [e.seq for e in store.history("k1")] == [1]


def test_an_idempotency_key_of_another_complaint_is_an_idempotency_conflict(store: Store) -> None:
    new_complaint(store, "k1", idempotency=IdempotencyRecord("sms-1", "a" * 64, "k1", {"id": "k1"}))
    with pytest.raises(
        IdempotencyConflict, match=r"^idempotency key 'sms-1' was already used for a different command$"
    ):
        new_complaint(store, "k2", idempotency=IdempotencyRecord("sms-1", "b" * 64, "k2", {"id": "k2"}))
    nothing_of(store, "k2")


def test_events_numbered_before_the_last_one_are_named(store: Store) -> None:
    new_complaint(store, "k1")
    snapshot = store.load("k1")
    store.save(next_change(snapshot, "verified", T0 + timedelta(hours=1)))
    stale_chain = next_change(store.load("k1"), "on_hold", T0 + timedelta(hours=2))
    stale_chain.events = next_change(snapshot, "on_hold", T0 + timedelta(hours=2)).events  # seq 2 again
    message = r"^complaint 'k1' already has event seq=2; number new events after its last one$"
    with pytest.raises(DuplicateEvent, match=message) as info:
        store.save(stale_chain)
    assert (info.value.complaint_id, info.value.seq) == ("k1", 2)
    assert (store.load("k1").complaint.state, len(store.history("k1"))) == ("verified", 2)


def test_a_change_to_a_complaint_that_is_not_stored_fails_its_version_check(store: Store) -> None:
    ghost = full_complaint("ghost")
    ghost.version = 4
    change = ChangeSet(
        ghost, 3, clocks=[ClockLedger("ghost", "completion", Duration.parse("5 working days"), ClockStatus.RUNNING)]
    )
    change.add_timers = [timer("ghost", "completion", "breach", T0)]
    change.events = [sealed_event(ghost, (3, "x"), "transition", T0)]
    message = r"^complaint 'ghost' changed concurrently: expected version 3, found None; reload it and retry$"
    with pytest.raises(ConcurrencyConflict, match=message):  # not a foreign key: the row is not there
        store.save(change)
    nothing_of(store, "ghost")


@pytest.mark.parametrize("part", ["clocks", "add_timers", "events", "idempotency"])
def test_a_change_with_a_record_of_another_complaint_is_refused_before_anything_is_written(
    store: Store, part: str
) -> None:
    new_complaint(store, "k1")
    change = next_change(store.load("k1"), "verified", T0 + timedelta(hours=1))
    if part == "clocks":
        change.clocks = [ClockLedger("k9", "completion", Duration.parse("5 working days"), ClockStatus.RUNNING)]
    elif part == "add_timers":
        change.add_timers = [timer("k9", "completion", "breach", T0)]
    elif part == "events":
        change.events[0].complaint_id = "k9"
    else:
        change.idempotency = IdempotencyRecord("sms-9", "c" * 64, "k9", {})
    where = re.escape(f"change.{part}[0]" if part != "idempotency" else "change.idempotency")
    with pytest.raises(InvalidArgumentError, match=rf"^{where}\.complaint_id='k9' is invalid: expected 'k1'$"):
        store.save(change)
    assert store.load("k1").complaint.state == "distributed"
