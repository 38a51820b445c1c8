"""Benchmark the monitoring room's queries at 1,000,000 complaints against 10,000.

Run ``python benchmarks/bench_dashboard.py [--url postgresql+psycopg://...]``. Both databases hold
the same working set, the complaints of the last 180 days (10,000: a fifth open, with a running
clock due from a day ago to eight days ahead); the large one adds 990,000 closed complaints of the
ten years before, as an office that has run for that long would have. Rows are bulk-inserted
(complaints, their milestones and their clock runs), not made through the engine.

Each side runs one refresh of the page as a national admin would, query by query (the six
tiles, the queue, the league table, the weekly trends), and the whole of it; the two databases
take turns, round by round, and the best round of each counts. It prints milliseconds per
refresh at both sizes and the ratio large / small (target: at most 1.3x). The exit code is 0
unless ``--check`` is given and the target is missed.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sp4n.persistence import tables as t
from sp4n.persistence.report_facts import backfill_report_facts
from sp4n.persistence.sql import create_sql_engine
from sp4n.service.dashboard.board import Scope, queue, tiles
from sp4n.service.dashboard.league import league, trends
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine

from options import bench_parser
from store_bulk import (
    AGENCIES,
    CATEGORIES,
    CHANNELS,
    CLOSED_STATES,
    NOW,
    TITLES,
    Formatter,
    Templates,
    analyze_loaded,
    naive_utc,
)
from store_setup import Databases, Lifecycles

SCALE_TARGET = 1.3
RECENT = 10_000
"""Complaints of the working set (the last 180 days), at every size."""
OPEN_STATES = ("received", "verified", "distributed", "followed_up")
ADMIN = Actor.national_admin("ruang-bench")
BATCH = 5_000


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    small: int
    large: int
    recent: int
    rounds: int


FULL = Sizes(small=10_000, large=1_000_000, recent=RECENT, rounds=7)
QUICK = Sizes(small=1_000, large=5_000, recent=1_000, rounds=2)


def _rows(tpl: Templates, i: int, recent: int, rng: random.Random) -> tuple[tuple[Any, ...], list[Any], list[Any]]:
    """Complaint ``i``: its row, its milestones and its clock runs (columns in table order)."""
    fmt, now = tpl.fmt, naive_utc(NOW)
    is_recent = i < recent
    is_open = is_recent and rng.random() < 0.2
    age = rng.uniform(0.2, 180) if is_recent else rng.uniform(180, 3650)
    submitted = now - timedelta(days=age)
    pos = tpl.complaint.positions
    row = tpl.complaint_row.copy()
    (c_id, c_track, c_ver, c_state, c_sub, c_upd, c_title, c_chan, c_cat, c_rep, c_conf, c_agency, c_due) = pos(
        "id", "tracking_number", "sop_version", "state", "submitted_at", "updated_at", "title", "channel",
        "category", "reporter_id", "confidential", "agency", "next_due_at",
    )  # fmt: skip
    cid = f"{i:032x}"
    yes, no = (True, False) if fmt.postgres else (1, 0)
    due = now + timedelta(days=rng.uniform(-1, 8)) if is_open else None
    row[c_id], row[c_track], row[c_ver] = cid, f"SP4N-{submitted:%Y%m%d}-{i:08X}", tpl.sop_version
    row[c_state] = rng.choice(OPEN_STATES) if is_open else rng.choice(CLOSED_STATES)
    row[c_sub], row[c_upd] = fmt.utc(submitted), fmt.utc(submitted)
    row[c_title] = f"{rng.choice(TITLES)} ({i})"
    row[c_chan], row[c_cat] = rng.choice(CHANNELS), rng.choice(CATEGORIES)
    row[c_rep], row[c_conf] = f"warga-{rng.randrange(500_000)}", yes if rng.random() < 0.05 else no
    row[c_agency] = rng.choice(AGENCIES)
    row[c_due] = fmt.utc(due) if due is not None else None
    verified = submitted + timedelta(days=rng.uniform(0.5, 3))
    followed = verified + timedelta(days=rng.uniform(1, 9))
    version = tpl.sop_version[:32]
    milestones: list[Any] = [(cid, "received", fmt.utc(submitted), version, 0, "warga", "reporter")]
    if not is_open or rng.random() < 0.5:
        milestones.append((cid, "verified", fmt.utc(verified), version, rng.randint(0, 3), "admin-1", "national_admin"))
    if not is_open:
        milestones.append(
            (cid, "followed_up", fmt.utc(followed), version, rng.randint(2, 10), "lo-1", "liaison_officer")
        )
    outcome = "running" if is_open else ("breached" if rng.random() < 0.1 else "met")
    stopped = None if is_open else fmt.utc(verified)
    runs = [(cid, "verification", fmt.utc(submitted), outcome, fmt.utc(submitted + timedelta(days=3)),
             fmt.utc(verified if not is_open else submitted), stopped, version)]  # fmt: skip
    return tuple(row), milestones, runs


def fill(url: str, count: int, recent: int, seed: int = 13) -> None:
    """``count`` complaints (the first ``recent`` of the last 180 days), then planner statistics."""
    engine = create_sql_engine(url)
    postgres = engine.dialect.name == "postgresql"
    tpl = Templates(Lifecycles(), Formatter(postgres))
    rng = random.Random(seed)
    milestone_columns = ("complaint_id", "name", "at", "calendar_version", "working_days", "actor_id", "actor_role")
    run_columns = ("complaint_id", "clock", "started_at", "outcome", "due_at", "changed_at", "stopped_at",
                   "calendar_version")  # fmt: skip
    try:
        with engine.connect() as conn:
            for first in range(0, count, BATCH):
                complaints, milestones, runs = [], [], []
                for i in range(first, min(count, first + BATCH)):
                    c, m, r = _rows(tpl, i, recent, rng)
                    complaints.append(c)
                    milestones += m
                    runs += r
                with conn.begin():
                    columns = tuple(c.name for c in t.complaints.columns)
                    for table, names, rows in (
                        (t.complaints.name, columns, complaints),
                        (t.milestones.name, milestone_columns, milestones),
                        (t.clock_runs.name, run_columns, runs),
                    ):
                        _write(conn, table, names, rows, postgres)
        with engine.begin() as conn:
            backfill_report_facts(conn)  # the fact rows of what was loaded, folded as migration 0013 does
        analyze_loaded(engine)
    finally:
        engine.dispose()


def _write(conn: Any, table: str, names: Sequence[str], rows: list[Any], postgres: bool) -> None:
    quoted = ", ".join(f'"{n}"' for n in names)
    if postgres:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
    else:
        marks = ", ".join("?" for _ in names)
        conn.exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def refresh_parts(engine: Engine) -> dict[str, Callable[[], Any]]:
    """What one refresh of the page asks, query by query, for a national admin."""
    scope = Scope(ADMIN, None)
    return {
        "tiles": lambda: tiles(engine, scope),
        "queue": lambda: queue(engine, scope),
        "league": lambda: league(engine, scope),
        "trends": lambda: trends(engine, scope),
    }


def measure(urls: Sequence[str], rounds: int) -> list[dict[str, float]]:
    """Seconds per part of a refresh, and of the whole, on each database: the databases take
    turns round by round (so a busy moment of the machine falls on both), the best round counts."""
    engines = [Engine(database_url=url, clock=ManualClock(NOW)) for url in urls]
    try:
        parts = [refresh_parts(engine) for engine in engines]
        for each in parts:
            each["refresh"] = lambda each=each: [run() for name, run in each.items() if name != "refresh"]
        found: list[dict[str, float]] = [dict.fromkeys(each, float("inf")) for each in parts]
        for _ in range(rounds + 1):  # the first round warms up, and counts only if it is the best
            for each, best in zip(parts, found, strict=True):
                for name, run in each.items():
                    start = time.perf_counter()
                    run()
                    best[name] = min(best[name], time.perf_counter() - start)
        return found
    finally:
        for engine in engines:
            engine.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = bench_parser(__doc__)
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    databases = Databases(args.url)
    failed = False
    print(f"sp4n dashboard benchmark: one refresh of /dashboard as a national admin ({NOW:%Y-%m-%d %H:%M %Z})")
    try:
        for backend in databases.backends():
            if backend == "sqlite" and args.no_sqlite:
                continue
            name = "SQLite" if backend == "sqlite" else "PostgreSQL"
            urls = []
            for size in (sizes.small, sizes.large):
                urls.append(databases.fresh(backend, f"d{size}"))
                fill(urls[-1], size, sizes.recent)
            small_cost, large_cost = measure(urls, sizes.rounds)
            cost = {sizes.small: small_cost, sizes.large: large_cost}
            for url in urls:
                databases.discard(url)
            for part in cost[sizes.small]:
                small, large = cost[sizes.small][part], cost[sizes.large][part]
                scale = large / small
                ok = scale <= SCALE_TARGET
                if part == "refresh":
                    failed |= not ok
                print(
                    f"{name:11s} {part:8s} {small * 1000:8.2f} ms at {sizes.small:,}, {large * 1000:8.2f} ms at "
                    f"{sizes.large:,}: {scale:.2f}x (target <= {SCALE_TARGET}x) {'PASS' if ok else 'FAIL'}"
                )
    finally:
        databases.close()
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
