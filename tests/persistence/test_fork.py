"""An engine made before a fork (gunicorn --preload, multiprocessing's fork) works in the children
and, after them, in the parent, on SQLite and PostgreSQL.

Before, a child used the connections pooled in its parent: both talked on one socket, and
PostgreSQL answered one process with the other's results ("received 7 results from command
'ROLLBACK'") until the parent hung.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import text

from sp4n.persistence.audit import verify_history
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.workflow import Engine

from .backends import ADMIN, PROCESS_TIMEOUT, SQL_BACKENDS, backend_url, process_group
from .forking import submit_and_verify, work_on_inherited_engine


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_children_forked_from_a_working_engine_and_the_parent_share_one_database(
    request: pytest.FixtureRequest, backend: str
) -> None:
    url = backend_url(request, backend)
    engine = Engine(store=open_store(url, upgrade=True), clock=ManualClock("2026-03-02T09:00:00+07:00"))
    try:
        [shared] = submit_and_verify(engine, 1)  # the pools now hold connections (the hot path's too)
        with process_group("fork") as group:
            barrier = group.ctx.Barrier(4, timeout=PROCESS_TIMEOUT)
            for _ in range(3):
                group.start(work_on_inherited_engine, engine, shared, 10, barrier)
            barrier.wait(timeout=PROCESS_TIMEOUT)
            mine = submit_and_verify(engine, 10)  # meanwhile the parent goes on working
            reports = group.collect(3)
        after = submit_and_verify(engine, 3)  # and after its children exited
        assert [error for *_, error in reports] == [""] * 3
        children = [cid for _, ids, _, _ in reports for cid in ids]
        everyone = [shared, *mine, *after, *children]
        assert len(set(everyone)) == len(everyone) == 44
        assert sorted(engine.store.complaint_ids()) == sorted(everyone)
        assert {engine.get(cid, ADMIN).state for cid in everyone} == {"verified"}
        numbers = [engine.get(cid, ADMIN).tracking_number for cid in everyone]
        assert [n for n, times in Counter(numbers).items() if times > 1] == []
        assert verify_history(engine.store) == []
    finally:
        engine.close()


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_a_transaction_another_thread_holds_at_the_fork_stays_the_parents(
    request: pytest.FixtureRequest, backend: str
) -> None:
    """A thread of the parent is inside a transaction when another thread forks. In the child
    that thread is gone, and its pooled connection is returned to the pool as garbage: it must
    not be rolled back from there, which would end the parent's transaction."""
    url = backend_url(request, backend)
    store = open_store(url, upgrade=True)
    opened, forked = threading.Event(), threading.Event()
    outcome: list[str] = []

    def hold_a_transaction() -> None:
        pooled = store.engine.raw_connection()
        try:
            cursor = pooled.cursor()
            if backend == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT INTO sp4n_counters (name, next_value) VALUES ('held', 1)")
            opened.set()
            assert forked.wait(timeout=PROCESS_TIMEOUT)
            pooled.commit()
            outcome.append("committed")
        except Exception as exc:
            outcome.append(f"{type(exc).__name__}: {exc}")
        finally:
            pooled.close()

    holder = threading.Thread(target=hold_a_transaction, daemon=True)
    holder.start()
    try:
        assert opened.wait(timeout=PROCESS_TIMEOUT)
        pid = os.fork()
        if pid == 0:  # the child: the holder's frames are gone, and its connection collected
            code = 1
            try:
                if backend == "postgres":
                    store.reserve_serials(1)
                else:  # (the parent's thread holds SQLite's write lock)
                    list(store.complaint_ids())
                code = 0
            finally:
                os._exit(code)
        forked.set()
        assert wait_for_exit(pid) == 0
        holder.join(timeout=PROCESS_TIMEOUT)
        assert not holder.is_alive()
        assert outcome == ["committed"]
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM sp4n_counters ORDER BY name")).scalars().all() == [
                "held",
                "tracking_number",
            ]
    finally:
        forked.set()
        store.close()


def wait_for_exit(pid: int, timeout: float = PROCESS_TIMEOUT) -> int:
    """The exit code of child ``pid``, waiting at most ``timeout`` seconds (then it is killed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError(f"child {pid} did not exit within {timeout} s")
