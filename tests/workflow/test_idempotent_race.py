"""Duplicates of one command (same idempotency key) racing each other all get the first result.

Before, a duplicate that checked its key before the first attempt committed, then loaded the
complaint after it, failed with TransitionNotAllowed (or ConcurrencyConflict) instead of
answering as a retry does: 2 of 24 racing duplicates on SQLite, 15 of 24 on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sp4n.errors import IdempotencyConflict
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, ComplaintView, Engine

ADMIN = Actor.national_admin("admin-nasional")
VERIFY = {"classification": "pengaduan", "category": "kesehatan"}
DUPLICATES = 24
ENGINES = 4


def race(url: str, command: Callable[[Engine], ComplaintView]) -> tuple[list[Any], list[Engine]]:
    """Run ``command`` DUPLICATES times at once, spread over ENGINES engines on one database."""
    clock = ManualClock("2026-03-02T09:00:00+07:00")
    engines = [Engine(store=open_store(url, upgrade=True), clock=clock) for _ in range(ENGINES)]
    barrier = threading.Barrier(DUPLICATES, timeout=30)

    def one(i: int) -> Any:
        engine = engines[i % ENGINES]
        barrier.wait()
        try:
            return command(engine)
        except Exception as exc:  # collected, so every outcome is seen
            return exc

    with ThreadPoolExecutor(DUPLICATES) as pool:
        outcomes = list(pool.map(one, range(DUPLICATES), timeout=60))
    return outcomes, engines


@pytest.fixture(params=["sqlite", "postgresql"])
def race_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    return str(request.getfixturevalue("postgres_schema_url"))


def test_racing_duplicates_of_a_command_all_get_its_first_result(race_url: str) -> None:
    setup = Engine(store=open_store(race_url, upgrade=True), clock=ManualClock("2026-03-02T09:00:00+07:00"))
    try:
        cid = setup.submit(Actor.reporter("warga-1"), title="Air PDAM mati").id
    finally:
        setup.close()
    outcomes, engines = race(race_url, lambda e: e.fire(cid, "verify", ADMIN, idempotency_key="web-1", **VERIFY))
    try:
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert errors == []
        assert len({o.version for o in outcomes}) == 1
        assert {o.state for o in outcomes} == {"verified"}
        assert [e.trigger for e in engines[0].history(cid, SYSTEM)] == [None, "verify"]
    finally:
        for engine in engines:
            engine.close()


def test_racing_duplicate_submissions_file_one_complaint(race_url: str) -> None:
    reporter = Actor.reporter("warga-1")
    outcomes, engines = race(
        race_url, lambda e: e.submit(reporter, title="Air PDAM mati", channel="sms", idempotency_key="sms-1")
    )
    try:
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        assert len({o.id for o in outcomes}) == 1
        assert len(list(engines[0].store.complaint_ids())) == 1
    finally:
        for engine in engines:
            engine.close()


def test_a_failing_command_with_a_key_used_for_another_command_is_still_refused(sqlite_url: str) -> None:
    engine = Engine(store=open_store(sqlite_url, upgrade=True), clock=ManualClock("2026-03-02T09:00:00+07:00"))
    try:
        cid = engine.submit(Actor.reporter("warga-1"), title="Air PDAM mati", idempotency_key="k-1").id
        with pytest.raises(IdempotencyConflict, match="idempotency key 'k-1' was already used for a different"):
            engine.fire(cid, "verify", ADMIN, idempotency_key="k-1", **VERIFY)
    finally:
        engine.close()
