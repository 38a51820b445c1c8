"""Importing a complaint in progress elsewhere: its dated steps replayed through the SOP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sp4n.errors import InvalidData, NaiveDatetimeError
from sp4n.persistence import MemoryStore, Store
from sp4n.persistence.sql import SqlStore
from sp4n.workflow import SYSTEM, Actor

from .backends import dump, scenario, store_fixture  # noqa: F401

NATIONAL = Actor.national_admin("lapor-pusat")
OFFICER = Actor.liaison_officer("pp-kes", "dinas_kesehatan")
AGENCY_ADMIN = Actor.agency_admin("admin-kes", "dinas_kesehatan")
NOW = "2026-03-16T10:00:00+07:00"  # Monday
RECEIVED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March, 09:00 WIB
AT = [
    datetime(2026, 3, 3, 3, 0, tzinfo=UTC),
    datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 10, 4, 0, tzinfo=UTC),
]
STEPS: list[dict[str, Any]] = [
    {
        "trigger": "verify",
        "actor": NATIONAL,
        "at": AT[0],
        "data": {"classification": "pengaduan", "category": "kesehatan"},
    },
    {"trigger": "distribute", "actor": NATIONAL, "at": AT[1], "data": {"agency": "dinas_kesehatan"}},
    {"trigger": "follow_up", "actor": OFFICER, "at": AT[2], "data": {"response": "Puskesmas sudah buka lagi"}},
]


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def state_of(store: Store) -> Any:
    """Everything stored: a dump of the tables, or the memory store's complaints and events."""
    if isinstance(store, SqlStore):  # (a refused step may leave a tracking serial unused, as a refused submit)
        return {k: v for k, v in dump(store).items() if k != "sp4n_counters"}
    assert isinstance(store, MemoryStore)
    return (dict(store._complaints), {k: list(v) for k, v in store._events.items()})


def import_one(engine: Any, steps: list[dict[str, Any]] = STEPS, external_id: str = "LAPOR-123") -> Any:
    return engine.import_history(
        NATIONAL, title="Puskesmas tutup", external_id=external_id, received_at=RECEIVED, steps=steps
    )


def test_a_forwarded_complaint_lands_where_its_history_left_it(store: Store) -> None:
    s = scenario(store, start=NOW)
    view = import_one(s.engine)
    assert (view.state, view.agency, view.submitted_at) == ("followed_up", "dinas_kesehatan", RECEIVED)
    events = s.engine.history(view.id, SYSTEM)
    assert [(e.kind, e.trigger, e.at) for e in events] == [
        ("submitted", None, RECEIVED),
        ("transition", "verify", AT[0]),
        ("transition", "distribute", AT[1]),
        ("transition", "follow_up", AT[2]),
    ]
    assert all(e.payload["imported_at"] == "2026-03-16T03:00:00+00:00" for e in events)
    assert [m.name for m in store.milestones(view.id)] == ["received", "verified", "distributed", "followed_up"]
    assert [m.at for m in store.milestones(view.id)] == [RECEIVED, *AT]
    # the same history fired live, each step at its instant, leaves the same clocks
    live = scenario(MemoryStore(), start=RECEIVED)
    cid = live.engine.submit(NATIONAL, title="Puskesmas tutup").id
    for step in STEPS:
        live.clock.set(step["at"])
        live.engine.fire(cid, step["trigger"], step["actor"], **step["data"])
    assert s.due(view.id, "reporter_response") == live.due(cid, "reporter_response")
    assert s.engine.deadlines(view.id, SYSTEM) == live.engine.deadlines(cid, SYSTEM)
    assert s.engine.lookup(NATIONAL, external_id="LAPOR-123").id == view.id


def test_a_second_import_of_the_same_external_id_writes_nothing(store: Store) -> None:
    s = scenario(store, start=NOW)
    first = import_one(s.engine)
    before = state_of(store)
    again = import_one(s.engine, steps=STEPS[:1])
    assert (again.id, again.state) == (first.id, "followed_up")
    assert state_of(store) == before


def test_a_step_the_sop_does_not_allow_writes_nothing(store: Store) -> None:
    s = scenario(store, start=NOW)
    before = state_of(store)
    skipped = [STEPS[0], STEPS[2]]  # followed up without being distributed
    with pytest.raises(
        InvalidData,
        match=r"^steps\[1\]\.trigger='follow_up' is invalid: a step the SOP allows here: .*'verified'",
    ):
        import_one(s.engine, steps=skipped)
    by_reporter = [STEPS[0], {**STEPS[1], "actor": Actor.reporter("warga-1")}]
    with pytest.raises(InvalidData, match=r"^steps\[1\]\.trigger='distribute' is invalid: .*only national_admin"):
        import_one(s.engine, steps=by_reporter)
    no_data = [{**STEPS[0], "data": {}}]
    with pytest.raises(InvalidData, match=r"^steps\[0\]\.trigger='verify' is invalid: .*classification"):
        import_one(s.engine, steps=no_data)
    assert state_of(store) == before
    assert s.engine.find(NATIONAL).items == ()


def test_instants_out_of_order_or_in_the_future_are_refused(store: Store) -> None:
    s = scenario(store, start=NOW)
    before = state_of(store)
    backwards = [STEPS[0], {**STEPS[1], "at": AT[0] - timedelta(seconds=1)}]
    with pytest.raises(
        InvalidData,
        match=exactly(
            f"steps[1].at={backwards[1]['at']!r} is invalid: "
            "an instant not before the step before it (2026-03-03T03:00:00+00:00)"
        ),
    ):
        import_one(s.engine, steps=backwards)
    before_receipt = [{**STEPS[0], "at": RECEIVED - timedelta(hours=1)}]
    with pytest.raises(InvalidData, match=r"^steps\[0\]\.at=.*not before the step before it \(2026-03-02T02:00"):
        import_one(s.engine, steps=before_receipt)
    future = datetime(2026, 3, 17, tzinfo=UTC)
    with pytest.raises(
        InvalidData,
        match=exactly(
            f"steps[0].at={future!r} is invalid: an instant not in the future (now is 2026-03-16T03:00:00+00:00)"
        ),
    ):
        import_one(s.engine, steps=[{**STEPS[0], "at": future}])
    with pytest.raises(NaiveDatetimeError, match=r"steps\[0\]\.at"):
        import_one(s.engine, steps=[{**STEPS[0], "at": datetime(2026, 3, 3, 10)}])
    with pytest.raises(
        InvalidData,
        match=exactly("steps[0]={'trigger': 'verify', 'when': 1} is invalid: a mapping of trigger, actor, at and data"),
    ):
        import_one(s.engine, steps=[{"trigger": "verify", "when": 1}])
    with pytest.raises(InvalidData, match=exactly("steps[0].actor='admin' is invalid: an Actor (who fired the step)")):
        import_one(s.engine, steps=[{**STEPS[0], "actor": "admin"}])
    with pytest.raises(
        InvalidData, match=exactly("external_id='' is invalid: a non-empty string (the complaint's id elsewhere)")
    ):
        import_one(s.engine, external_id="")
    assert state_of(store) == before


def test_deadlines_past_between_steps_fire_on_the_next_sweep_with_their_lateness(store: Store) -> None:
    s = scenario(store, start=NOW)
    view = import_one(s.engine, steps=STEPS[:2])  # distributed on 3 March, never followed up
    assert [e.kind for e in s.engine.history(view.id, SYSTEM)] == ["submitted", "transition", "transition"]
    firings = s.engine.run_due()
    # first_response was due at the end of Tuesday 10 March (5 working days after 3 March)
    assert [(f.clock, f.rung, f.outcome, f.lateness_seconds) for f in firings] == [
        (
            "first_response",
            "overdue",
            "emitted",
            (s.clock.now() - datetime(2026, 3, 10, 17, 0, tzinfo=UTC)).total_seconds(),
        )
    ]
