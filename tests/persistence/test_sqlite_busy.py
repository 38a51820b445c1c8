"""SQLite busy beyond its timeout is a clear, retryable "database busy" error, and opening an
engine on a file another process is writing to takes no write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sp4n.errors import DatabaseBusy, InvalidArgumentError
from sp4n.persistence.connect import create_sql_engine
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine

START = "2026-03-09T10:00:00+07:00"
REPORTER = Actor.reporter("warga-1")


@contextmanager
def write_lock(url: str) -> Iterator[None]:
    """Another process's transaction holding the file's write lock."""
    other = sqlite3.connect(url.removeprefix("sqlite:///").split("?")[0], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_opening_an_engine_takes_no_write_lock_and_a_busy_write_says_so(sqlite_url: str) -> None:
    first = Engine(sops=["national"], database_url=sqlite_url, clock=ManualClock(START))
    cid = first.submit(REPORTER, title="Jalan rusak").id
    first.close()
    with write_lock(sqlite_url):
        engine = Engine(sops=["national"], database_url=f"{sqlite_url}?timeout=0.2", clock=ManualClock(START))
        try:
            assert engine.get(cid, REPORTER).state == "received"  # reads go on
            with pytest.raises(
                DatabaseBusy, match=r"database busy: another process held its write lock for more than 0\.2 s; retry"
            ) as caught:
                engine.submit(REPORTER, title="Jalan rusak lagi")
            assert caught.value.retryable
        finally:
            engine.close()
    engine = Engine(sops=["national"], database_url=sqlite_url, clock=ManualClock(START))
    try:
        assert len(list(engine.store.complaint_ids())) == 1  # the busy submit wrote nothing
        assert engine.submit(REPORTER, title="Jalan rusak lagi").state == "received"  # and a retry goes through
    finally:
        engine.close()


@pytest.mark.parametrize("timeout", ["abc", "nan", "-1", "1e9"])
def test_a_bad_busy_timeout_is_named(sqlite_url: str, timeout: str) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"timeout='{timeout}' is invalid: expected seconds from 0 to 3600"):
        create_sql_engine(f"{sqlite_url}?timeout={timeout}")
