"""Batches: ``load_many`` reads several complaints at once, ``save_many`` writes changes of several
complaints in one transaction, all or none, the same on every store; ``active`` and
``activate`` keep the definitions every process counts on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sp4n.errors import ConcurrencyConflict, DuplicateComplaint, InvalidArgumentError
from sp4n.persistence import ChangeSet, Store

from .backends import T0, dump, full_complaint, store_fixture  # noqa: F401
from .test_contract import new_complaint, next_change, sealed_event, timer


def test_load_many_reads_the_complaints_that_exist(store: Store) -> None:
    for cid in ("k1", "k2", "k3"):
        new_complaint(store, cid)
    snapshots = store.load_many(["k3", "nope", "k1"])
    assert sorted(s.complaint.id for s in snapshots) == ["k1", "k3"]
    assert all(s.last_seq == 1 for s in snapshots)
    assert store.load_many([]) == []


def test_save_many_writes_every_change_in_one_go(store: Store) -> None:
    for cid in ("k1", "k2"):
        new_complaint(store, cid)
    due = T0 + timedelta(days=3)
    changes = [
        next_change(store.load(cid), "verified", T0 + timedelta(hours=1), add_timers=[timer(cid, "c", "r", due)])
        for cid in ("k1", "k2")
    ]
    fresh = full_complaint("k3", T0)
    first = sealed_event(fresh, (0, ""), "submitted", T0, dest=fresh.state)
    store.save_many([*changes, ChangeSet(fresh, 0, events=[first])])
    assert {s.complaint.id: s.complaint.state for s in store.load_many(["k1", "k2", "k3"])} == {
        "k1": "verified",
        "k2": "verified",
        "k3": fresh.state,
    }
    assert [t.id for t in store.timers("k2")] == [timer("k2", "c", "r", due).id]


def test_a_batch_with_one_stale_change_writes_nothing(store: Store) -> None:
    for cid in ("k1", "k2"):
        new_complaint(store, cid)
    stale = next_change(store.load("k2"), "verified", T0)
    store.save(next_change(store.load("k2"), "archived", T0))  # k2 moved on meanwhile
    before = _state(store)
    with pytest.raises(ConcurrencyConflict, match="'k2'"):
        store.save_many([next_change(store.load("k1"), "verified", T0), stale])
    assert _state(store) == before


def test_a_batch_with_a_taken_tracking_number_writes_nothing(store: Store) -> None:
    _first, _ = new_complaint(store, "k1")
    a, b = full_complaint("k2", T0), full_complaint("k3", T0)
    b.tracking_number = a.tracking_number
    changes = [ChangeSet(c, 0, events=[sealed_event(c, (0, ""), "submitted", T0, dest=c.state)]) for c in (a, b)]
    before = _state(store)
    with pytest.raises(DuplicateComplaint, match="tracking_number"):
        store.save_many(changes)
    assert _state(store) == before


def test_a_batch_changes_each_complaint_once(store: Store) -> None:
    new_complaint(store, "k1")
    snapshot = store.load("k1")
    with pytest.raises(InvalidArgumentError, match=r"changes\[1\]\.complaint\.id='k1'"):
        store.save_many([next_change(snapshot, "verified", T0), next_change(snapshot, "archived", T0)])


def test_active_definitions_are_kept_by_kind_and_name(store: Store) -> None:
    assert store.active("calendar") == {}
    store.activate("calendar", "default", "v1", T0)
    store.activate("sop", "national", "s1", T0)
    store.activate("calendar", "default", "v2", T0 + timedelta(days=1))
    assert store.active("calendar") == {"default": "v2"}
    assert store.active("sop") == {"national": "s1"}


def _state(store: Store) -> object:
    if hasattr(store, "engine"):
        return dump(store)  # type: ignore[arg-type]
    return sorted(
        (s.complaint.id, s.complaint.version, s.last_seq) for s in store.load_many(list(store.complaint_ids()))
    )
