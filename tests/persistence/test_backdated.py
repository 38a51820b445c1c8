"""Backdated intake: a report received earlier by another channel counts from its receipt."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from sp4n.errors import InvalidData, NaiveDatetimeError
from sp4n.persistence import Store
from sp4n.states import build_sop, builtin_sop
from sp4n.workflow import SYSTEM, Actor

from .backends import scenario, store_fixture  # noqa: F401

ADMIN = Actor.agency_admin("admin-kes", "dinas_kesehatan")


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_clocks_count_from_the_receipt_and_past_rungs_fire_late(store: Store) -> None:
    s = scenario(store, start="2026-03-09T10:00:00+07:00")  # Monday
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a week ago, by WhatsApp
    view = s.engine.submit(ADMIN, title="Lapor lewat WhatsApp", channel="whatsapp", received_at=received)
    assert view.submitted_at == received
    event = s.engine.history(view.id, SYSTEM)[0]
    assert event.at == s.clock.now().astimezone(UTC)
    assert event.payload["received_at"] == received.isoformat()
    verification = next(r for r in store.clock_runs(view.id) if r.clock == "verification")
    assert verification.started_at == received
    assert verification.due_at == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 3 working days after 2 March
    assert [v.title for v in s.engine.find(ADMIN, breached=True).items] == ["Lapor lewat WhatsApp"]
    firings = s.engine.run_due()  # the next sweep: the warning and the breach, late
    assert [(f.rung, f.outcome) for f in firings] == [("warning", "emitted"), ("breach", "fired")]
    assert firings[1].lateness_seconds == (s.clock.now() - verification.due_at).total_seconds()
    assert s.state(view.id) == "escalated"
    assert [m.name for m in store.milestones(view.id)] == ["received", "escalated"]
    assert store.milestones(view.id)[0].at == received


def test_a_past_rung_that_is_useless_late_is_recorded_missed(store: Store) -> None:
    national = builtin_sop("national").model_dump(mode="json")
    for clock in national["clocks"]:
        if clock["name"] == "verification":
            clock["rungs"][0]["late"] = "miss"
    sop = build_sop(national)
    s = scenario(store, sops=[sop], start="2026-03-09T10:00:00+07:00")
    view = s.engine.submit(ADMIN, title="Lapor", received_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    firings = s.engine.run_due()
    assert [(f.rung, f.outcome) for f in firings][:1] == [("warning", "missed")]
    assert "deadline_missed" in [e.kind for e in s.engine.history(view.id, SYSTEM)]


def test_a_receipt_in_the_future_or_too_long_ago_is_refused(store: Store) -> None:
    s = scenario(store, start="2026-03-09T10:00:00+07:00", backdate_limit=timedelta(days=30))
    now = s.clock.now()
    future = now + timedelta(minutes=1)
    with pytest.raises(
        InvalidData,
        match=exactly(
            f"received_at={future!r} is invalid: an instant not in the future (now is 2026-03-09T03:00:00+00:00)"
        ),
    ):
        s.engine.submit(ADMIN, title="x", received_at=future)
    old = now - timedelta(days=31)
    with pytest.raises(
        InvalidData,
        match=exactly(
            f"received_at={old!r} is invalid: an instant after 2026-02-07T03:00:00+00:00 "
            "(this engine takes reports back 30 days)"
        ),
    ):
        s.engine.submit(ADMIN, title="x", received_at=old)
    with pytest.raises(NaiveDatetimeError, match="received_at"):
        s.engine.submit(ADMIN, title="x", received_at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(
        InvalidData, match=exactly("received_at='kemarin' is invalid: an aware datetime (when the report was received)")
    ):
        s.engine.submit(ADMIN, title="x", received_at="kemarin")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidData, match=exactly("external_id='' is invalid: a non-empty string of at most 128 characters")
    ):
        s.engine.submit(ADMIN, title="x", external_id="")
    assert s.engine.find(ADMIN).items == ()
