"""Benchmark the deadline worker on PostgreSQL: one worker against two, and a sweep against a direct fire.

Run ``python benchmarks/bench_worker.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]``.
Each case works on a fresh PostgreSQL schema of its own (dropped afterwards) holding N complaints
whose verification deadlines are all overdue (they were filed on a ManualClock a month back), so
each complaint has two due timers: the warning (a notice) and the breach (``escalate``).

* throughput: timers fired per second by one worker process, then by two (target: two at
  least 1.5x one on this two-core machine; the database server shares the same two cores);
* per-timer cost: one sweep of N breach timers against firing the same trigger, ``escalate``, on
  N other complaints directly with ``engine.fire`` (a variant SOP lets a national admin fire it),
  in one process (target: the sweep at most 1.5x the direct fire).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sp4n.clock import SystemClock
from sp4n.persistence.sql import open_store
from sp4n.states import build_sop, builtin_sop
from sp4n.testing import ManualClock
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor, Engine
from sp4n.workflow.worker import DeadlineWorker

from processes import timed_processes

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SPEEDUP_TARGET = 1.5
COST_TARGET = 1.5


def bench_sop() -> Any:
    """National, but a national admin may escalate by hand too (the direct-fire baseline)."""
    national = builtin_sop("national").model_dump(mode="json")
    for transition in national["transitions"]:
        if transition["trigger"] == "escalate":
            transition["roles"] = ["system", "national_admin"]
    national["id"] = "national_bench"
    national.pop("extends", None)
    return build_sop(national, source="bench_worker")


def file_complaints(url: str, n: int) -> list[str]:
    """N complaints filed a month ago: their verification warnings and breaches are due now."""
    store = open_store(url, upgrade=True)
    clock = ManualClock(SystemClock().now() - timedelta(days=30))
    engine = Engine(sops=[bench_sop()], store=store, clock=clock)
    reporter = Actor.reporter("warga-bench")
    ids = [engine.submit(reporter, title=f"Laporan {i}", sop="national_bench").id for i in range(n)]
    engine.close()
    return ids


def _worker_process(url: str, start: Any, done: Any) -> None:
    engine = Engine(sops=(), database_url=url)
    worker = DeadlineWorker(engine, batch=50)
    start.wait()
    fired = 0
    while True:
        firings = worker.sweep()
        fired += sum(1 for f in firings if f.outcome in ("fired", "emitted"))
        if not firings:
            break
    done.put(fired)
    engine.close()


def throughput(base_url: str, n: int, workers: int) -> float:
    """Timers fired per second by ``workers`` worker processes on a fresh schema."""
    with postgres_schema(base_url, prefix="bench_worker") as url:
        file_complaints(url, n)
        counts, elapsed = timed_processes(_worker_process, [(url,)] * workers, timeout=600)
        fired = sum(counts)
        if fired != 2 * n:
            raise RuntimeError(f"expected {2 * n} firings, counted {fired}")
        return fired / elapsed


def per_timer_costs(base_url: str, n: int) -> tuple[float, float]:
    """Seconds per breach fired by a sweep, and per ``escalate`` fired directly, in one process."""
    with postgres_schema(base_url, prefix="bench_worker") as url:
        file_complaints(url, n)  # the complaints the sweep will escalate
        direct = file_complaints(url, n)
        engine = Engine(sops=(), database_url=url)
        admin = Actor.national_admin("admin-bench")
        # the warnings go first, so the timed sweep fires breaches only (each an escalate)
        runner = engine.deadlines_runner
        for timer in engine.store.due_timers(engine.now(), 10 * n):
            if timer.rung == "warning":
                runner.fire_timer(timer, engine.now())
        direct_set = set(direct)
        breaches = [t for t in engine.store.due_timers(engine.now(), 10 * n) if t.complaint_id not in direct_set]
        if len(breaches) != n:
            raise RuntimeError(f"expected {n} breach timers, found {len(breaches)}")
        # the direct fires go first: escalating stops those complaints' clocks, so the sweep
        # that follows finds only the other complaints' breaches
        began = time.perf_counter()
        for cid in direct:
            engine.fire(cid, "escalate", admin)
        fire_cost = (time.perf_counter() - began) / n
        began = time.perf_counter()
        fired = DeadlineWorker(engine, batch=100).sweep()
        sweep_cost = (time.perf_counter() - began) / max(1, len(fired))
        if len(fired) != n:
            raise RuntimeError(f"expected the sweep to fire {n} breaches, it processed {len(fired)}")
        engine.close()
        return sweep_cost, fire_cost


def main(argv: Sequence[str] | None = None) -> int:
    """Run both comparisons on PostgreSQL and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SP4N_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--quick", action="store_true", help="a small run, for the test suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    n = 100 if args.quick else 2000
    one = throughput(args.url, n, 1)
    two = throughput(args.url, n, 2)
    sweep_cost, fire_cost = per_timer_costs(args.url, n // 2)
    speedup = two / one
    cost_ratio = sweep_cost / fire_cost
    ok_speedup = speedup >= SPEEDUP_TARGET
    ok_cost = cost_ratio <= COST_TARGET
    print(f"sp4n deadline worker benchmark, PostgreSQL, {n} complaints ({2 * n} due timers) per run")
    print(f"  one worker:   {one:8.0f} timers/s")
    print(f"  two workers:  {two:8.0f} timers/s")
    print(f"  ratio two / one: {speedup:.2f}x (target >= {SPEEDUP_TARGET}x) {'PASS' if ok_speedup else 'FAIL'}")
    print(f"  sweep, per breach timer:        {sweep_cost * 1e3:7.2f} ms")
    print(f"  engine.fire('escalate') direct: {fire_cost * 1e3:7.2f} ms")
    print(f"  ratio sweep / direct: {cost_ratio:.2f}x (target <= {COST_TARGET}x) {'PASS' if ok_cost else 'FAIL'}")
    return 1 if args.check and not (ok_speedup and ok_cost) else 0


if __name__ == "__main__":
    sys.exit(main())
