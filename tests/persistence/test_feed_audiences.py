"""What each audience receives, for every combination of anonim and rahasia, decided when the
event is written; and gap-free positions under concurrent writers on PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest

from sp4n.persistence import Store
from sp4n.persistence.feed_records import Audience
from sp4n.workflow.audience import view
from sp4n.workflow.feed import FeedItem

from .backends import counter_ids, scenario, scenario_on, store_fixture  # noqa: F401

NAME, ID = "Siti Rahasia", "nik-3174"


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("confidential", [False, True])
def test_each_audience_sees_what_it_may(store: Store, audience: Audience, anonymous: bool, confidential: bool) -> None:
    s = scenario(store)
    s.engine.feed.add_consumer("c", audience)
    reporter = s.reporter
    cid = s.submit(reporter_id=ID, reporter_name=NAME, anonymous=anonymous, confidential=confidential)
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    got: list[FeedItem] = []
    s.engine.feed.deliver("c", got.append)
    if audience is Audience.PUBLIC and confidential:
        assert got == []  # nothing of a confidential report reaches the public
        return
    assert [i.kind for i in got] == ["submitted", "transition"]
    text = json.dumps([i.data for i in got])
    # an agency never sees an anonymous reporter; the public never sees any reporter
    hidden = audience is Audience.PUBLIC or (anonymous and audience is Audience.AGENCY)
    assert (NAME in text, ID in text, reporter.id in text) == (not hidden, not hidden, not hidden)
    if hidden:
        assert got[0].data["actor_id"] == "anonim"
        assert {"payload.reporter_id", "payload.reporter_name", "actor_id"} <= set(got[0].data["masked"])


def test_the_view_is_decided_when_the_event_is_written(store: Store) -> None:
    s = scenario(store)
    s.engine.feed.add_consumer("press", "public")
    cid = s.submit(reporter_id=ID, reporter_name=NAME)
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    entries = s.engine.feed.entries(0, 10)
    assert all(view(e, Audience.PUBLIC) is not None for e in entries)
    assert not any(e.confidential for e in entries)  # the flags stored with each event stay as written


@pytest.mark.parametrize("late", [False, True], ids=["consumer-first", "consumer-later"])
def test_a_report_made_rahasia_later_sends_nothing_more_to_the_public(store: Store, late: bool) -> None:
    s = scenario(store)
    if not late:
        s.engine.feed.add_consumer("press", "public")
    cid = s.submit(reporter_id=ID, reporter_name=NAME, title="Pungli di puskesmas")
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan", confidential=True)
    if late:
        s.engine.feed.add_consumer("press", "public", start="beginning", historical=True)
    got: list[FeedItem] = []
    s.engine.feed.deliver("press", got.append)
    assert got == []  # not even the submission written before the report was made rahasia
    assert all(e.confidential for e in s.engine.feed.entries(0, 10))


def test_a_report_made_anonim_later_reaches_agencies_without_its_reporter(store: Store) -> None:
    s = scenario(store)
    s.engine.feed.add_consumer("sms", "agency")
    cid = s.submit(reporter_id=ID, reporter_name=NAME, attributes={"telepon": "0812-555-0101"})
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan", anonymous=True)
    got: list[FeedItem] = []
    s.engine.feed.deliver("sms", got.append)
    text = json.dumps([i.data for i in got])
    assert [i.kind for i in got] == ["submitted", "transition"]
    assert NAME not in text
    assert ID not in text
    assert "0812-555-0101" not in text


@pytest.mark.postgres
def test_readers_by_position_never_skip_an_event_committed_late(postgres_schema_url: str) -> None:
    from sp4n.persistence import open_store

    open_store(postgres_schema_url, upgrade=True).close()
    writers, per_writer = 6, 15
    done = threading.Event()
    seen: list[tuple[int, str, int]] = []
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with scenario_on(postgres_schema_url, id_factory=counter_ids(f"w{n}-")) as s:
                for _ in range(per_writer):
                    s.submit(reporter_id="warga", reporter_name="Warga")
                    s.engine.feed.entries(0, 1)  # writers sequence too: runs race each other
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        with scenario_on(postgres_schema_url) as s:
            cursor = 0
            while True:
                finished = done.is_set()
                for e in s.engine.feed.entries(cursor, 50):
                    seen.append((e.position, e.complaint_id, e.event_seq))
                    cursor = e.position
                if finished and not s.engine.feed.entries(cursor, 1):
                    return

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    done.set()
    reader.join(120)
    assert errors == []
    positions = [p for p, _, _ in seen]
    assert positions == list(range(1, writers * per_writer + 1))  # read in order, none skipped, no gaps
    assert len({(c, q) for _, c, q in seen}) == writers * per_writer
