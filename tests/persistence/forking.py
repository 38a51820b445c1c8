"""Work that the fork and serial tests run in child processes (module level, so ``spawn`` can import it).

A child started with ``fork`` gets the parent's objects (an engine, a store, a tracking-number
allocator) as they were at the fork; one started with ``spawn`` opens its own from a URL.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from sp4n.persistence.sql import open_store
from sp4n.workflow import SYSTEM, Actor
from sp4n.workflow.tracking import TrackingNumbers

from .backends import ADMIN, PROCESS_TIMEOUT, VERIFY

DAY = date(2026, 3, 2)


def take_numbers(source: str | TrackingNumbers, count: int, barrier: Any, results: Any) -> None:
    """Take ``count`` tracking numbers from an inherited allocator, or from one on a store
    opened on ``source`` (a URL) with blocks of 7; report (pid, numbers, error)."""
    store = open_store(source) if isinstance(source, str) else None
    numbers = TrackingNumbers(store, block=7) if store is not None else source
    assert isinstance(numbers, TrackingNumbers)
    try:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        results.put((os.getpid(), [numbers.next(DAY) for _ in range(count)], ""))
    except Exception as exc:
        results.put((os.getpid(), [], f"{type(exc).__name__}: {exc}"))
    finally:
        if store is not None:
            store.close()


def submit_and_verify(engine: Any, count: int) -> list[str]:
    """Submit ``count`` complaints and verify each, listing the reporter's own after each (a
    list reads on a connection the store keeps: one a child must not share with its parent);
    their ids."""
    reporter = Actor.reporter(f"warga-{os.getpid()}")
    ids = []
    for i in range(count):
        view = engine.submit(reporter, title=f"Jalan rusak {os.getpid()}-{i}", category="infrastruktur")
        engine.fire(view.id, "verify", ADMIN, **VERIFY)
        ids.append(view.id)
        listed = engine.find(reporter, reporter=reporter.id, state="verified", limit=500).items
        assert set(ids) <= {v.id for v in listed}
    return ids


def work_on_inherited_engine(engine: Any, shared_id: str, count: int, barrier: Any, results: Any) -> None:
    """With the engine the parent made before forking: read the parent's complaint, then submit
    and verify ``count`` complaints of its own; report (pid, ids, tracking numbers, error)."""
    try:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        assert engine.get(shared_id, ADMIN).state == "verified"
        assert len(engine.history(shared_id, SYSTEM)) == 2
        ids = submit_and_verify(engine, count)
        numbers = [engine.get(cid, ADMIN).tracking_number for cid in ids]
        results.put((os.getpid(), ids, numbers, ""))
    except Exception as exc:
        results.put((os.getpid(), [], [], f"{type(exc).__name__}: {exc}"))
