"""The feed on every backend: gap-free positions, consumers with their own cursors, order per
complaint, backoff with jitter, parking, retry and skip, and bulk imports kept back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sp4n.errors import ConsumerNotFound, DuplicateConsumer, GatewayError, InvalidArgumentError
from sp4n.persistence import Store
from sp4n.testing import Scenario
from sp4n.workflow.feed import Backoff, FeedItem

from .backends import counter_ids, scenario, store_fixture  # noqa: F401
from .test_contract import new_complaint

OWNER = "test"


def lifecycle(s: Scenario, n: int = 2) -> list[str]:
    """``n`` complaints, each submitted and verified: two events apiece, interleaved."""
    ids = [s.submit(f"Jalan rusak {i}", reporter_id="warga-1", reporter_name="Warga Satu") for i in range(n)]
    for cid in ids:
        s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    return ids


def drain(s: Scenario, name: str, fail: set[str] | None = None) -> list[str]:
    """Deliver what may go to ``name`` now; the ids delivered, in order."""
    seen: list[str] = []

    def handler(item: FeedItem) -> None:
        if item.id in (fail or set()):
            raise ConnectionError("gateway down")
        seen.append(item.id)

    s.engine.feed.deliver(name, handler, 100, owner=OWNER)
    return seen


def test_positions_are_gap_free_and_consumers_start_where_asked(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    first = lifecycle(s, 1)[0]
    entries = feed.entries(0, 100)
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    assert [(e.complaint_id, e.event_seq) for e in entries] == [(first, 1), (first, 2)]
    feed.add_consumer("sms", "agency")  # from now: nothing old
    feed.add_consumer("dashboard", "national", start="beginning")
    feed.add_consumer("late", "national", start=1)
    second = lifecycle(s, 1)[0]
    assert drain(s, "sms") == [f"{second}/1", f"{second}/2"]
    assert drain(s, "dashboard") == [f"{first}/1", f"{first}/2", f"{second}/1", f"{second}/2"]
    assert drain(s, "late") == [f"{first}/2", f"{second}/1", f"{second}/2"]
    assert drain(s, "sms") == []  # each consumer has its own cursor
    assert [c.name for c in feed.consumers()] == ["dashboard", "late", "sms"]


def test_bad_consumers_are_refused_by_name(store: Store) -> None:
    feed = scenario(store).engine.feed
    feed.add_consumer("sms", "agency")
    with pytest.raises(DuplicateConsumer, match=r"feed consumer 'sms' already exists"):
        feed.add_consumer("sms", "public")
    with pytest.raises(InvalidArgumentError, match=r"audience.*'press'.*national, agency or public"):
        feed.add_consumer("press", "press")
    with pytest.raises(InvalidArgumentError, match=r"name.*'SMS gateway'"):
        feed.add_consumer("SMS gateway", "agency")
    with pytest.raises(InvalidArgumentError, match=r"start.*7.*'now', 'beginning' or a position from 0 to 0"):
        feed.add_consumer("x", "agency", start=7)
    with pytest.raises(ConsumerNotFound, match=r"no feed consumer 'email'; known: sms"):
        feed.claim("email", owner=OWNER)
    with pytest.raises(InvalidArgumentError, match=r"limit.*0"):
        feed.claim("sms", 0, owner=OWNER)
    with pytest.raises(InvalidArgumentError, match=r"position.*99.*in the queue of 'sms'"):
        feed.skip("sms", 99)


def test_a_failure_holds_back_its_complaint_only_and_backs_off(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    feed.random = lambda: 0.5
    feed.backoff = Backoff(base=timedelta(seconds=10), cap=timedelta(seconds=60))
    feed.add_consumer("sms", "agency")
    feed.add_consumer("email", "agency")
    a, b = lifecycle(s, 2)
    assert drain(s, "sms", fail={f"{a}/1"}) == [f"{b}/1", f"{b}/2"]  # a/2 waits behind a/1
    assert drain(s, "email") == [f"{a}/1", f"{b}/1", f"{a}/2", f"{b}/2"]  # another consumer: unaffected
    [waiting, behind] = store.feed.queue("sms", None, 10)
    assert (waiting.attempts, waiting.last_error) == (1, "ConnectionError: gateway down")
    assert waiting.next_at - s.engine.now() == timedelta(seconds=7.5)  # 10 s, half of it jitter at 0.5
    s.clock.advance(seconds=7)
    assert drain(s, "sms") == []  # not due yet
    s.clock.advance(seconds=1)
    assert drain(s, "sms", fail={f"{a}/1"}) == []
    assert store.feed.queue("sms", None, 1)[0].next_at - s.engine.now() == timedelta(seconds=15)
    for _ in range(3):  # 40 s, then capped at 60 s
        s.clock.advance(seconds=60)
        drain(s, "sms", fail={f"{a}/1"})
    assert store.feed.queue("sms", None, 1)[0].next_at - s.engine.now() == timedelta(seconds=45)
    s.clock.advance(seconds=60)
    assert drain(s, "sms") == [f"{a}/1", f"{a}/2"]  # in order, at last
    assert behind.position > waiting.position


def test_parked_events_hold_their_complaint_until_retried_or_skipped(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    feed.random = lambda: 0.0
    feed.add_consumer("lapor", "national", max_attempts=2)
    a, b = lifecycle(s, 2)
    for _ in range(2):
        drain(s, "lapor", fail={f"{a}/1"})
        s.clock.advance(hours=2)
    [parked] = feed.parked("lapor")
    assert (parked.complaint_id, parked.attempts, parked.last_error) == (a, 2, "ConnectionError: gateway down")
    state = feed.status("lapor")
    assert (state.parked, state.queued, state.head) == (1, 1, 4)
    assert drain(s, "lapor") == []  # a/2 stays behind the parked a/1
    assert feed.retry("lapor") == 1
    assert drain(s, "lapor", fail={f"{a}/1"}) == []
    s.clock.advance(hours=2)
    drain(s, "lapor", fail={f"{a}/1"})
    feed.skip("lapor", feed.parked("lapor")[0].position)
    assert drain(s, "lapor") == [f"{a}/2"]
    assert feed.status("lapor").queued == 0
    assert b


def test_an_event_too_old_is_parked_at_its_next_failure(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    feed.add_consumer("lapor", "national", max_age=timedelta(hours=1))
    [a] = lifecycle(s, 1)
    drain(s, "lapor", fail={f"{a}/1"})
    assert feed.parked("lapor") == []
    s.clock.advance(hours=1)
    drain(s, "lapor", fail={f"{a}/1"})
    assert [p.complaint_id for p in feed.parked("lapor")] == [a]


def test_historical_events_reach_only_consumers_that_ask(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    feed.add_consumer("sms", "agency")
    feed.add_consumer("archive", "national", historical=True)
    new_complaint(store, "imported", historical=True)
    [live] = lifecycle(s, 1)
    assert drain(s, "sms") == [f"{live}/1", f"{live}/2"]
    assert drain(s, "archive") == ["imported/1", f"{live}/1", f"{live}/2"]


def test_a_lease_keeps_an_event_from_other_deliverers_until_it_expires(store: Store) -> None:
    s = scenario(store)
    feed = s.engine.feed
    feed.add_consumer("sms", "agency")
    [a] = lifecycle(s, 1)
    taken = feed.claim("sms", 10, owner="A", lease=timedelta(minutes=1))
    assert [i.id for i in taken] == [f"{a}/1", f"{a}/2"]
    assert feed.claim("sms", 10, owner="B") == []
    s.clock.advance(minutes=1)
    assert [i.id for i in feed.claim("sms", 10, owner="B")] == [f"{a}/1", f"{a}/2"]  # A died: B takes over
    assert not feed.delivered(taken[0], "A")  # A's lease is gone


def test_a_batch_gives_back_what_is_left_when_its_lease_runs_low(store: Store) -> None:
    s = scenario(store)
    s.engine.feed.add_consumer("slow", "national")
    ids = [s.submit(f"Laporan {n}") for n in range(4)]

    def handler(item: FeedItem) -> None:
        s.clock.advance(seconds=50)  # each send takes 50 s of a 2 min lease

    result = s.engine.feed.deliver("slow", handler, owner="a", lease=timedelta(minutes=2))
    assert result.delivered == 2  # after 100 s, past 80% of the lease, the rest goes back
    left = s.engine.feed.claim("slow", owner="b")
    assert [i.complaint_id for i in left] == ids[2:]


def test_a_refused_request_is_parked_at_once_and_a_retryable_one_backs_off(store: Store) -> None:
    s = scenario(store)
    s.engine.feed.add_consumer("hook", "agency")
    refused, busy = s.submit("satu"), s.submit("dua")

    def handler(item: FeedItem) -> None:
        status = 422 if item.complaint_id == refused else 503
        raise GatewayError("hook", f"deliver {item.id}", status, "no")

    result = s.engine.feed.deliver("hook", handler)
    assert (result.failed, result.parked) == (2, 1)
    [parked] = s.engine.feed.parked("hook")
    assert parked.complaint_id == refused
    waiting = [d for d in s.engine.store.feed.queue("hook", None, 10) if d.complaint_id == busy]
    assert [(d.status.value, d.attempts) for d in waiting] == [("queued", 1)]
