"""Benchmark the SQL store: persisted transitions through the engine, against raw SQLAlchemy Core, and at scale.

Run ``python benchmarks/bench_store.py`` for SQLite; add ``--postgres URL`` (or set
SP4N_BENCH_POSTGRES_URL) for PostgreSQL too. Every database is created for the run (a SQLite file
in a temporary directory, a PostgreSQL schema of its own) with sp4n's migrations, and removed at
the end. Two comparisons, each in one run, side by side:

(a) Persisted transitions per second. sp4n: ``Engine(database_url=...)`` fires the national
    lifecycle (verify, distribute, follow_up, reply, follow_up, close) on fresh complaints; each
    ``fire`` loads the complaint and its clocks, then saves in one transaction the complaint row,
    its clock ledgers, the stale timers closed and the new ones armed, and the hash-chained event
    with its feed row. Baseline: raw SQLAlchemy Core writing the same transitions in sp4n's own
    tables, one transaction per transition: update the complaint row (state, updated_at,
    version), delete the complaint's pending timers and insert the new ones, insert the event
    row; its rows are precomputed (from the same lifecycle on the memory store) outside the timed
    loop. Both sides commit with the same durability: on SQLite the store's own connection setup
    (WAL, synchronous=NORMAL, BEGIN IMMEDIATE), on PostgreSQL a plain psycopg 3 engine for the
    baseline. Target: sp4n at least 0.5x the baseline's rate. Also printed: the statements each
    side has the driver run per transition (counted below SQLAlchemy, since sp4n's hot path runs
    on the driver connection), and the engine's cost on the memory store (no database).

(b) Cost per transition with many complaints already stored: the same engine lifecycle on fresh
    complaints in databases bulk-loaded with 10,000 and with 1,000,000 complaints (each with its
    clock ledgers, 2 to 4 events and 3 to 5 timers copied from a real lifecycle, submitted over
    two years, a quarter still open with pending timers), timed in alternating rounds. Target:
    the larger at most 1.3x the smaller. The bulk ids are spread over the whole id space, as
    uuid4 ids are, and loaded in id order: COPY on PostgreSQL (then ANALYZE), executemany on
    SQLite. Then the query plans of the store's two hot reads at the larger size: loading a
    complaint (by id, and its clocks) and finding due timers.

Times are the best of a few rounds with the garbage collector off. A full run with PostgreSQL
takes about ten minutes (most of it loading 1,000,000 complaints twice; ``--no-sqlite-scale``
skips SQLite's), and needs about 5 GB of disk per backend while it runs. The exit code is 0 unless
``--check`` is given and a target is missed.

The script is split by concern: ``lifecycle.py`` (the lifecycle, shared with bench_engine.py, and
the timing), ``store_setup.py`` (sizes, databases, the recorded lifecycle), ``store_rates.py``
(a), ``store_bulk.py`` (loading for (b)); this file has the rest of (b) and the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy
from sqlalchemy import text

from sp4n.errors import Sp4nError
from sp4n.persistence.hotpath import LOAD_COMPLAINT
from sp4n.persistence.sql import create_sql_engine
from sp4n.persistence.timer_queue import DUE_TIMERS
from sp4n.workflow import Engine

from lifecycle import STEPS, timed
from store_bulk import NOW, Loaded, bulk_load, complaint_id
from store_rates import compare_rates, memory_cost, rate_table
from store_setup import FULL, QUICK, Databases, Lifecycles, Sizes, lifecycle, open_engine, server_version, submit_fresh

POSTGRES_ENV = "SP4N_BENCH_POSTGRES_URL"
SCALE_TARGET = 1.3
"""(b): cost per transition with the larger table at most this multiple of the smaller."""


# ---------------------------------------------------------------------------------- (b) plans


def hot_reads(cid: str) -> list[tuple[str, Any]]:
    """The store's own hot reads, with the parameters to explain them with."""
    return [
        ("load a complaint and its clocks (one query)", LOAD_COMPLAINT.params(cid=cid)),
        ("due timers (LIMIT 100)", DUE_TIMERS.params(now=NOW).limit(100)),
    ]


def explain(url: str, cid: str) -> list[tuple[str, str, list[str]]]:
    """(label, SQL, plan lines) of each hot read: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    engine = create_sql_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            for label, stmt in hot_reads(cid):
                sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
                sql = " ".join(sql.split())
                shown = re.sub(r"^SELECT .*? FROM ", f"SELECT <{len(stmt.selected_columns)} columns> FROM ", sql)
                if engine.dialect.name == "postgresql":
                    conn.execute(text(sql)).all()  # warm, as the hot path is
                    lines = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")]
                else:
                    lines = [f"{r[3]}" for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
                out.append((label, shown, lines))
    finally:
        engine.dispose()
    return out


# ---------------------------------------------------------------------------------- (b) timing


@dataclass(frozen=True)
class ScaleResult:
    """(b) on one backend."""

    backend: str
    transitions: int
    small: Loaded
    large: Loaded
    small_time: float
    large_time: float
    plans: list[tuple[str, str, list[str]]]

    @property
    def ratio(self) -> float:
        """Cost per transition with the larger table over the cost with the smaller."""
        return self.large_time / self.small_time

    @property
    def passed(self) -> bool:
        """Whether the larger table costs at most the target multiple."""
        return self.ratio <= SCALE_TARGET


def compare_scales(dbs: Databases, backend: str, sizes: Sizes, lifecycles: Lifecycles, seed: int) -> ScaleResult:
    """(b) on one backend: bulk-load both sizes, then alternate timed rounds between them."""
    urls: list[str] = []
    engines: list[Engine] = []
    try:
        loaded = []
        for label, count in (("small", sizes.small), ("large", sizes.large)):
            url = dbs.fresh(backend, label)
            urls.append(url)
            loaded.append(bulk_load(url, count, sizes, lifecycles, seed))
        engines = [open_engine(x.url) for x in loaded]
        for engine in engines:
            lifecycle(engine, submit_fresh(engine, 1, lifecycles.reporter), lifecycles.actors)()
        best = [float("inf"), float("inf")]
        for _ in range(sizes.scale_rounds):
            for k, engine in enumerate(engines):
                ids = submit_fresh(engine, sizes.scale_complaints, lifecycles.reporter)
                best[k] = min(best[k], timed(lifecycle(engine, ids, lifecycles.actors)))
        for engine in engines:
            engine.close()
        engines = []
        plans = explain(loaded[1].url, complaint_id(sizes.large // 2, sizes.large))
    finally:
        for engine in engines:
            engine.close()
        for url in urls:
            dbs.discard(url)
    n = sizes.scale_complaints * len(STEPS)
    return ScaleResult(backend, n, loaded[0], loaded[1], best[0] / n, best[1] / n, plans)


# ---------------------------------------------------------------------------------- report


def scale_table(results: Sequence[ScaleResult]) -> list[str]:
    """(b): one line per backend, then how the loads went."""
    if not results:
        return []
    small, large = results[0].small.complaints, results[0].large.complaints
    a, b = f"{small:,} stored", f"{large:,} stored"
    lines = [f"{'backend':11s} {a:>17s} {b:>17s} {'ratio':>7s}  {'target':8s} result"]
    for r in results:
        lines.append(
            f"{r.backend:11s} {r.small_time * 1e6:14,.0f} us {r.large_time * 1e6:14,.0f} us {r.ratio:6.2f}x  "
            f"<= {SCALE_TARGET:g}x  {'PASS' if r.passed else 'FAIL'}"
        )
    for r in results:
        analyze = "VACUUM ANALYZE" if r.backend == "postgresql" else "ANALYZE"
        for x in (r.small, r.large):
            counts = ", ".join(f"{v:,} {k}" for k, v in x.rows.items())
            lines.append(
                f"  {r.backend} load: {counts} in {x.seconds:.1f} s ({sum(x.rows.values()) / x.seconds:,.0f} rows/s), "
                f"{analyze} {x.analyze_seconds:.1f} s, {x.size / 2**20:,.0f} MiB"
            )
    return lines


def plan_lines(results: Sequence[ScaleResult]) -> list[str]:
    """The query plans of the hot reads at the larger size."""
    lines = []
    for r in results:
        kind = "EXPLAIN (ANALYZE, BUFFERS)" if r.backend == "postgresql" else "EXPLAIN QUERY PLAN"
        lines.append(f"{r.backend}, {r.large.complaints:,} complaints stored, {kind}:")
        for label, sql, plan in r.plans:
            lines.append(f"  {label}: {sql}")
            lines.extend(f"    {line}" for line in plan)
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(prog="bench_store", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes (for the test suite): 1,000 vs 20,000")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get(POSTGRES_ENV) or None,
        help=f"also benchmark this PostgreSQL database (default: ${POSTGRES_ENV}); schemas are created and dropped",
    )
    parser.add_argument("--large", type=int, default=None, help="complaints in the larger database of (b)")
    parser.add_argument("--no-sqlite-scale", action="store_true", help="skip (b) on SQLite")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the bulk-loaded rows")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run (a) and (b) on every backend, print the tables and plans; 1 on a missed target with --check."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.large is not None:
        sizes = dataclasses.replace(sizes, large=args.large)
    started = time.perf_counter()
    dbs = Databases(args.postgres)
    try:
        return run(args, sizes, dbs, started)
    except Sp4nError as exc:
        print(f"bench_store: error: {exc}", file=sys.stderr)
        return 2
    finally:
        dbs.close()


def run(args: argparse.Namespace, sizes: Sizes, dbs: Databases, started: float) -> int:
    """The body of :func:`main`."""
    versions = [
        f"Python {platform.python_version()}",
        f"SQLAlchemy {sqlalchemy.__version__}",
        f"SQLite {sqlite3.sqlite_version}",
        f"{os.cpu_count()} CPUs",
    ]
    if args.postgres:
        import psycopg

        versions.append(f"PostgreSQL {server_version(args.postgres)} (psycopg {psycopg.__version__})")
    print(f"sp4n store benchmark: national SOP lifecycle ({', '.join(s for s, _ in STEPS)}); {', '.join(versions)}")
    if not args.postgres:
        print(f"PostgreSQL skipped: no --postgres URL (or ${POSTGRES_ENV})", flush=True)
    lifecycles = Lifecycles()

    print()
    print(
        f"(a) persisted transitions per second, {'quick run, ' if args.quick else ''}"
        f"{sizes.complaints} fresh complaints x {len(STEPS)} transitions, best of {sizes.rounds}",
        flush=True,
    )
    rates = [compare_rates(dbs, backend, sizes, lifecycles) for backend in dbs.backends()]
    for line in rate_table(rates, memory_cost(sizes, lifecycles)):
        print(line)

    backends = [b for b in dbs.backends() if not (b == "sqlite" and args.no_sqlite_scale)]
    print()
    print(
        f"(b) cost per transition with {sizes.small:,} and {sizes.large:,} complaints stored, "
        f"{sizes.scale_complaints} fresh complaints x {len(STEPS)} transitions, best of {sizes.scale_rounds}",
        flush=True,
    )
    scales = []
    for backend in backends:
        scales.append(compare_scales(dbs, backend, sizes, lifecycles, args.seed))
    for line in scale_table(scales):
        print(line)
    print()
    for line in plan_lines(scales):
        print(line)

    results: list[bool] = [r.passed for r in rates] + [r.passed for r in scales]
    missed = results.count(False)
    print()
    print("all targets met" if not missed else f"{missed} of {len(results)} targets missed")
    print(f"total time {time.perf_counter() - started:.0f} s")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
