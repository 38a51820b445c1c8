"""Benchmark ``Engine.find``: one agency's reports due within 1 working day, against a
hand-written indexed SQL query, and at 1,000,000 complaints against 10,000.

Run ``python benchmarks/bench_query.py [--url postgresql+psycopg://...] [--plans]``. Each database
is filled with bulk SQL inserts (not through the engine): complaints of 40 agencies, a tenth of
them the queried agency's, 30% open with a ``next_due_at`` from a day ago to eight days ahead.

* sp4n: ``engine.find(admin, agency=..., due_within=1, order="due", limit=20)``: the filters
  checked, the end of the working day computed, visibility applied, the statement of that shape
  bound and run, the rows decoded and made into views (the privacy of ``get``), the next cursor;
* baseline: ``SELECT * FROM sp4n_complaints WHERE agency = ? AND next_due_at <= ? ORDER BY
  next_due_at, id LIMIT 20`` on the driver, the rows fetched (the same rows: checked).

Both sizes' databases are filled first; then find and the hand-written query on each are timed
in turn, round after round, with the garbage collector off, and the best round of each counts
(a machine that slows down for a while slows every side). It prints queries per second and the
ratios (targets: find at least 0.5x the hand-written query; at most 1.3x its cost at the large
size than at the small). ``--plans`` prints find's query plan at the large size (on PostgreSQL,
run: ``EXPLAIN (ANALYZE, BUFFERS)``). The exit code is 0 unless ``--check`` is given and a
target is missed.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Engine as SqlEngine

from sp4n.persistence import tables as t
from sp4n.persistence.lists import find_parameters, find_statement
from sp4n.persistence.sql import create_sql_engine
from sp4n.workflow import Actor, Engine

from lifecycle import timed
from options import bench_parser
from store_bulk import AGENCIES, CATEGORIES, CHANNELS, NOW, TITLES, Formatter, Templates, analyze_loaded, naive_utc
from store_setup import Databases, Lifecycles, baseline_engine, open_engine

RATIO_TARGET = 0.5
SCALE_TARGET = 1.3
AGENCY = AGENCIES[0]
ADMIN = Actor.agency_admin("admin-bench", AGENCY)
LIMIT = 20
FILTERS: dict[str, Any] = {"agency": AGENCY, "due_within": 1, "order": "due", "limit": LIMIT}
BASELINE = (
    "SELECT * FROM sp4n_complaints WHERE agency = {mark} AND next_due_at <= {mark} "
    "ORDER BY next_due_at, id LIMIT {limit}"
)
BATCH = 5_000


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    small: int
    large: int
    calls: int
    """Queries per round."""
    rounds: int
    """Rounds per side; the best counts."""


FULL = Sizes(small=10_000, large=1_000_000, calls=25, rounds=40)
QUICK = Sizes(small=2_000, large=20_000, calls=10, rounds=5)


def fill(url: str, count: int, seed: int = 7) -> None:
    """``count`` complaints in bulk, then statistics for the planner."""
    engine = create_sql_engine(url)
    postgres = engine.dialect.name == "postgresql"
    fmt = Formatter(postgres)
    tpl = Templates(Lifecycles(), fmt)
    pos = tpl.complaint.positions
    (c_id, c_track, c_ver, c_state, c_sub, c_upd, c_title, c_chan, c_cat, c_rep, c_conf, c_agency, c_due) = pos(
        "id",
        "tracking_number",
        "sop_version",
        "state",
        "submitted_at",
        "updated_at",
        "title",
        "channel",
        "category",
        "reporter_id",
        "confidential",
        "agency",
        "next_due_at",
    )
    (c_breached,) = pos("breached")
    yes, no = (True, False) if postgres else (1, 0)
    now = naive_utc(NOW)
    rng = random.Random(seed)
    columns = ", ".join(f'"{c.name}"' for c in t.complaints.columns)
    marks = ", ".join("?" for _ in t.complaints.columns)
    try:
        with engine.connect() as conn:
            for first in range(0, count, BATCH):
                rows = []
                for i in range(first, min(count, first + BATCH)):
                    is_open = rng.random() < 0.3
                    submitted = now - timedelta(days=rng.uniform(0.5, 60) if is_open else rng.uniform(60, 730))
                    due = now + timedelta(days=rng.uniform(-1, 8)) if is_open else None
                    row = tpl.complaint_row.copy()
                    row[c_id] = f"{i:032x}"
                    row[c_track] = f"SP4N-{submitted:%Y%m%d}-{i:08X}"
                    row[c_ver] = tpl.sop_version
                    row[c_state] = rng.choice(("received", "verified", "followed_up")) if is_open else "closed"
                    row[c_sub], row[c_upd] = fmt.utc(submitted), fmt.utc(submitted)
                    row[c_title] = f"{rng.choice(TITLES)} ({i})"
                    row[c_chan], row[c_cat] = rng.choice(CHANNELS), rng.choice(CATEGORIES)
                    row[c_rep] = f"warga-{rng.randrange(500_000)}"
                    row[c_conf] = yes if rng.random() < 0.05 else no
                    row[c_agency] = AGENCY if rng.random() < 0.1 else rng.choice(AGENCIES)
                    row[c_due] = fmt.utc(due) if due is not None else None
                    row[c_breached] = yes if due is not None and due < now else no
                    rows.append(tuple(row))
                with conn.begin():
                    if postgres:
                        raw = conn.connection.driver_connection
                        assert raw is not None
                        with raw.cursor() as cur, cur.copy(f"COPY {t.complaints.name} ({columns}) FROM STDIN") as copy:
                            for r in rows:
                                copy.write_row(r)
                    else:
                        conn.exec_driver_sql(f"INSERT INTO {t.complaints.name} ({columns}) VALUES ({marks})", rows)
        analyze_loaded(engine)
    finally:
        engine.dispose()


def best(runs: Sequence[Callable[[], Any]], calls: int, rounds: int) -> list[float]:
    """The best seconds per call of each of ``runs`` over ``rounds`` rounds of ``calls`` calls,
    their rounds taken in turn (a machine that slows down for a while slows both sides)."""
    for run in runs:
        run()  # warm-up
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(rounds):
        for run, spent in zip(runs, times, strict=True):
            spent.append(timed(partial(_repeat, run, calls)) / calls)
    return [min(spent) for spent in times]


def _repeat(run: Callable[[], Any], calls: int) -> None:
    for _ in range(calls):
        run()


@contextmanager
def sides(url: str, plans: bool) -> Iterator[tuple[Callable[[], Any], Callable[[], Any]]]:
    """find and the hand-written query on ``url``, ready to run (the same rows: checked)."""
    engine = open_engine(url)
    raw = baseline_engine(url)
    try:
        due = engine.queries._end_of_working_day(1)
        postgres = raw.dialect.name == "postgresql"
        sql = BASELINE.format(mark="%s" if postgres else "?", limit=LIMIT)
        bound = (AGENCY, Formatter(postgres).utc(naive_utc(due)))
        with raw.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

            def baseline() -> list[Any]:
                cursor.execute(sql, bound)
                return list(cursor.fetchall())

            def find() -> Any:
                return engine.find(ADMIN, **FILTERS)

            ids = [r[0] for r in baseline()]
            found = [v.id for v in find().items]
            if found != ids or not ids:
                raise RuntimeError(f"find and the hand-written query differ: {found[:3]} vs {ids[:3]}")
            if plans:
                print_plan(raw, engine)
            yield find, baseline
    finally:
        raw.dispose()
        engine.close()


def measure(databases: Databases, backend: str, sizes: Sizes, plans: bool) -> dict[int, tuple[float, float]]:
    """Seconds per call of find and of the hand-written query, by size: both sizes' databases
    filled first, then all four measured in turn, round after round."""
    with ExitStack() as stack:
        runs: list[Callable[[], Any]] = []
        for size in (sizes.small, sizes.large):
            url = databases.fresh(backend, f"q{size}")
            stack.callback(databases.discard, url)
            fill(url, size)
            runs += stack.enter_context(sides(url, plans and size == sizes.large))
        costs = best(runs, sizes.calls, sizes.rounds)
    return {sizes.small: (costs[0], costs[1]), sizes.large: (costs[2], costs[3])}


def print_plan(raw: SqlEngine, engine: Engine) -> None:
    """The plan of find's SELECT, with the values it is run with."""
    shape, values = find_parameters(engine.queries._query(ADMIN, dict(FILTERS)))
    compiled = find_statement(shape).compile(dialect=raw.dialect)
    procs = compiled._bind_processors
    params = {k: procs[k](v) if k in procs else v for k, v in compiled.construct_params(values).items()}
    postgres = raw.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    values: Any = params if postgres else tuple(params[k] for k in compiled.positiontup or ())
    with raw.connect() as conn:
        rows = conn.exec_driver_sql(prefix + compiled.string, values).all()
    print(f"-- plan of find's query ({raw.dialect.name}):")
    for row in rows:
        print("   ", row[-1])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = bench_parser(__doc__)
    parser.add_argument("--plans", action="store_true", help="print find's query plan at the large size")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    databases = Databases(args.url)
    failed = False
    print(f"sp4n find benchmark: one agency's reports due within 1 working day, {LIMIT} a page")
    try:
        for backend in databases.backends():
            name = "SQLite" if backend == "sqlite" else "PostgreSQL"
            measured = measure(databases, backend, sizes, args.plans)
            for size, (found, hand) in measured.items():
                ratio = hand / found
                ok = ratio >= RATIO_TARGET
                failed |= not ok
                print(
                    f"{name:11s} {size:>9,} complaints: find {1 / found:9,.0f}/s, hand-written SQL "
                    f"{1 / hand:9,.0f}/s; ratio find / SQL: {ratio:.2f}x (target >= {RATIO_TARGET}x) "
                    f"{'PASS' if ok else 'FAIL'}"
                )
            scale = measured[sizes.large][0] / measured[sizes.small][0]
            ok = scale <= SCALE_TARGET
            failed |= not ok
            print(
                f"{name:11s} cost {sizes.large:,} / {sizes.small:,} complaints: {scale:.2f}x "
                f"(target <= {SCALE_TARGET}x) {'PASS' if ok else 'FAIL'}"
            )
    finally:
        databases.close()
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
