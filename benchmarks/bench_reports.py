"""Benchmark the KPI report: the table by agency x month of a year of complaints, against one
hand-written SQL GROUP BY over the same read model, and against replaying every history.

Run ``python benchmarks/bench_reports.py [--url postgresql+psycopg://...] [--quick]``. Each
database is filled with bulk inserts of the read model (complaints, milestones with their working
days, clock runs, then the report facts folded from them as migration 0013 does; not through the
engine): complaints received over 2026 by 40 agencies, most finished, the rest at every stage.

* sp4n: ``kpis(engine, national_admin, period="2026", by=["agency", "month"])``: its two
  GROUP BY statements (over the report facts of the period: breakdown, backlog, durations and
  counts; over their clock runs: verdicts), the rows folded into figures and the agency tree
  rolled up;
* hand-written SQL (the floor): one GROUP BY over the complaints and three of their milestones
  giving received, the four stages and the mean working days to verification, distribution and
  follow-up per agency and month, the month taken with the dialect's own date functions
  (checked to give the same received and completed counts);
* replay: what a script without a read model does: for each complaint its view and its history
  through the engine, the KPI folded from the events. Measured on a sample of complaints that
  went through real lifecycles, and scaled to the same number of complaints.

It prints the seconds of each and the ratios (targets: kpis at least 0.5x the hand-written
query, at least 20x the replay). The exit code is 0 unless ``--check`` is given and a target is
missed.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sp4n.persistence import tables as t
from sp4n.persistence.report_facts import backfill_report_facts
from sp4n.persistence.sql import create_sql_engine
from sp4n.reports import kpis
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, Engine

from options import bench_parser
from store_bulk import AGENCIES, CATEGORIES, CHANNELS, Formatter, Templates, analyze_loaded, naive_utc
from store_setup import Databases, Lifecycles, baseline_engine

RATIO_TARGET = 0.5
REPLAY_TARGET = 20.0
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=7)  # midnight WIB
AS_OF = "2027-01-04T09:00:00+07:00"
ADMIN = Actor.national_admin("admin-bench")
WIB = "Asia/Jakarta"
BATCH = 10_000


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    complaints: int
    rounds: int
    """Rounds per side; the best counts."""
    sample: int
    """Complaints of the replay's sample."""


FULL = Sizes(complaints=1_000_000, rounds=2, sample=300)
QUICK = Sizes(complaints=3_000, rounds=1, sample=20)


def _rows(i: int, rng: random.Random, fmt: Formatter, tpl: Templates, pos: dict[str, int]) -> tuple[Any, ...]:
    """The read-model rows of bulk complaint ``i``: (complaint, milestones, runs)."""
    cid = f"{i:032x}"
    submitted = naive_utc(YEAR_START) + timedelta(days=rng.uniform(0, 364), hours=rng.uniform(1, 10))
    roll = rng.random()
    # finished 83%, followed up 3%, unverified 1%, verified and distributed 13%
    state = "closed" if roll < 0.83 else "followed_up" if roll < 0.86 else "received" if roll < 0.87 else "distributed"
    verified = distributed = state != "received"
    followed = state in ("closed", "followed_up")
    row = tpl.complaint_row.copy()
    row[pos["id"]] = cid
    row[pos["tracking_number"]] = f"SP4N-{submitted:%Y%m%d}-{i:08X}"
    row[pos["sop_version"]] = tpl.sop_version
    row[pos["state"]] = state
    row[pos["submitted_at"]] = row[pos["updated_at"]] = fmt.utc(submitted)
    row[pos["channel"]] = rng.choice(CHANNELS)
    row[pos["category"]] = rng.choice(CATEGORIES)
    row[pos["agency"]] = rng.choice(AGENCIES) if distributed else None
    row[pos["zone"]] = WIB
    milestones = [(cid, "received", fmt.utc(submitted), "", 0, "warga", "reporter")]
    runs = []
    steps = [("verified", verified, 1, 4), ("distributed", distributed, 1, 5), ("followed_up", followed, 2, 12)]
    days = 0
    for name, reached, low, high in steps:
        if not reached:
            continue
        days = max(days, rng.randint(low, high))
        at = fmt.utc(submitted + timedelta(days=days * 1.4))
        milestones.append((cid, name, at, "", days, "staf", "agency_admin"))
    if state == "closed":
        end = fmt.utc(submitted + timedelta(days=days * 1.4 + 3))
        milestones.append((cid, "closed", end, "", days + 2, "warga", "reporter"))
    start = fmt.utc(submitted)
    due = fmt.utc(submitted + timedelta(days=4))
    late = days > 3 and verified
    runs.append((cid, "verification", start, "breached" if late else "met" if verified else "running", due, start))
    if distributed:
        outcome = "met" if followed else "running"
        runs.append((cid, "first_response", start, outcome, fmt.utc(submitted + timedelta(days=9)), start))
        runs.append((cid, "completion", start, "met" if state == "closed" else "running", due, start))
    return tuple(row), milestones, runs


def fill(url: str, count: int, seed: int = 11) -> None:
    """``count`` complaints' read model in bulk, then statistics for the planner."""
    engine = create_sql_engine(url)
    postgres = engine.dialect.name == "postgresql"
    fmt = Formatter(postgres)
    tpl = Templates(Lifecycles(), fmt)
    pos = {name: tpl.complaint.index[name] for name in tpl.complaint.index}
    rng = random.Random(seed)
    m_cols = ("complaint_id", "name", "at", "calendar_version", "working_days", "actor_id", "actor_role")
    r_cols = ("complaint_id", "clock", "started_at", "outcome", "due_at", "changed_at")
    tables = [
        (t.complaints.name, [c.name for c in t.complaints.columns]),
        (t.milestones.name, list(m_cols)),
        (t.clock_runs.name, [*r_cols, "calendar_version"]),
    ]
    try:
        with engine.connect() as conn:
            for first in range(0, count, BATCH):
                batch: list[list[tuple[Any, ...]]] = [[], [], []]
                for i in range(first, min(count, first + BATCH)):
                    complaint, milestones, runs = _rows(i, rng, fmt, tpl, pos)
                    batch[0].append(complaint)
                    batch[1].extend(milestones)
                    batch[2].extend((*r, "") for r in runs)
                with conn.begin():
                    for (name, columns), rows in zip(tables, batch, strict=True):
                        names = ", ".join(f'"{c}"' for c in columns)
                        if postgres:
                            raw = conn.connection.driver_connection
                            assert raw is not None
                            with raw.cursor() as cur, cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                                for r in rows:
                                    copy.write_row(r)
                        else:
                            marks = ", ".join("?" for _ in columns)
                            conn.exec_driver_sql(f"INSERT INTO {name} ({names}) VALUES ({marks})", rows)
        with engine.begin() as conn:
            backfill_report_facts(conn)  # the fact rows of what was loaded, folded as migration 0013 does
        analyze_loaded(engine)
    finally:
        engine.dispose()


def baseline_sql(postgres: bool) -> str:
    """The hand-written GROUP BY (the month in WIB, as a hand-writer knows the data's zone)."""
    month = (
        "to_char(c.submitted_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM')"
        if postgres
        else "strftime('%Y-%m', c.submitted_at, '+7 hours')"
    )
    mark = "%s" if postgres else "?"
    return f"""
        SELECT c.agency, {month} AS month, count(*) AS received,
          sum(CASE WHEN c.state IN ('closed', 'archived', 'referred') THEN 1 ELSE 0 END) AS completed,
          sum(CASE WHEN c.state = 'followed_up' THEN 1 ELSE 0 END) AS in_process,
          sum(CASE WHEN c.state IN ('received', 'on_hold') THEN 1 ELSE 0 END) AS unverified,
          avg(mv.working_days), avg(md.working_days), avg(mf.working_days)
        FROM sp4n_complaints c
        LEFT JOIN sp4n_milestones mv ON mv.complaint_id = c.id AND mv.name = 'verified'
        LEFT JOIN sp4n_milestones md ON md.complaint_id = c.id AND md.name = 'distributed'
        LEFT JOIN sp4n_milestones mf ON mf.complaint_id = c.id AND mf.name = 'followed_up'
        WHERE c.submitted_at >= {mark} AND c.submitted_at < {mark}
        GROUP BY 1, 2"""


def best(run: Callable[[], Any], rounds: int) -> float:
    """The best seconds of ``rounds`` runs (after a warm-up run)."""
    run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(url: str, sizes: Sizes) -> tuple[float, float]:
    """Seconds of kpis and of the hand-written query on ``url`` (the same counts: checked)."""
    engine = Engine(database_url=url, sops=["national"], clock=ManualClock(AS_OF))
    raw = baseline_engine(url)
    try:
        postgres = raw.dialect.name == "postgresql"
        fmt = Formatter(postgres)
        bounds = (fmt.utc(naive_utc(YEAR_START)), fmt.utc(naive_utc(YEAR_START + timedelta(days=365))))
        sql = baseline_sql(postgres)
        with raw.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

            def baseline() -> list[Any]:
                cursor.execute(sql, bounds)
                return list(cursor.fetchall())

            def report() -> Any:
                return kpis(engine, ADMIN, period="2026", by=["agency", "month"])

            hand = {(r[0], r[1]): (r[2], r[3]) for r in baseline()}
            ours = {(r.key["agency"], r.key["month"]): (r.received, r.stages.get("selesai", 0)) for r in report().rows}
            if ours != hand or not hand:
                raise RuntimeError(f"kpis and the hand-written query differ: {sorted(ours)[:2]} vs {sorted(hand)[:2]}")
            return best(report, sizes.rounds), best(baseline, sizes.rounds)
    finally:
        raw.dispose()
        engine.close()


def replay_seconds_per_complaint(url: str, sample: int) -> float:
    """Seconds per complaint of a replay of histories, on ``sample`` complaints that went through
    real lifecycles (some to the end, some escalated by their deadlines)."""
    clock = ManualClock("2026-03-02T09:00:00+07:00")
    engine = Engine(database_url=url, sops=["national"], clock=clock)
    try:
        admin = Actor.national_admin("admin")
        ids = []
        for i in range(sample):
            reporter = Actor.reporter(f"warga-{i}")
            cid = engine.submit(reporter, title=f"Laporan {i}").id
            ids.append(cid)
            if i % 5 == 4:
                continue
            engine.fire(cid, "verify", admin, classification="pengaduan", category="kesehatan")
            agency = AGENCIES[i % len(AGENCIES)]
            engine.fire(cid, "distribute", admin, agency=agency)
            engine.fire(cid, "follow_up", Actor.liaison_officer("lo", agency), response="ok")
            engine.fire(cid, "close", reporter)
        clock.advance(timedelta(days=8))
        engine.run_due()
        calendar = engine.calendar

        def replay() -> dict[tuple[str | None, str], list[Any]]:
            table: dict[tuple[str | None, str], list[Any]] = {}
            for cid in ids:
                view = engine.get(cid, SYSTEM)
                events = engine.history(cid, SYSTEM)
                received = events[0].at
                row = table.setdefault((view.agency, f"{received:%Y-%m}"), [0, 0, 0, 0])
                row[0] += 1
                for event in events:
                    if event.dest == "closed":
                        row[1] += 1
                    if event.dest == "followed_up":
                        row[2] += 1
                        row[3] += calendar.working_days_between(
                            calendar.local_date(received), calendar.local_date(event.at)
                        )
            return table

        return best(replay, 1) / sample
    finally:
        engine.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = bench_parser(__doc__)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    databases = Databases(args.url)
    failed = False
    n = sizes.complaints
    print(f"sp4n KPI report benchmark: agency x month over {n:,} complaints of 2026")
    try:
        for backend in databases.backends():
            name = "SQLite" if backend == "sqlite" else "PostgreSQL"
            url = databases.fresh(backend, "replay")
            per_complaint = replay_seconds_per_complaint(url, sizes.sample)
            databases.discard(url)
            url = databases.fresh(backend, "kpis")
            fill(url, n)
            ours, hand = measure(url, sizes)
            databases.discard(url)
            replay = per_complaint * n
            ratio, speedup = hand / ours, replay / ours
            ok_ratio, ok_replay = ratio >= RATIO_TARGET, speedup >= REPLAY_TARGET
            failed |= not (ok_ratio and ok_replay)
            print(
                f"{name:11s} kpis {ours:8.3f} s, hand-written SQL {hand:8.3f} s; "
                f"ratio kpis / SQL: {ratio:.2f}x (target >= {RATIO_TARGET}x) {'PASS' if ok_ratio else 'FAIL'}"
            )
            print(
                f"{name:11s} replay {replay:8.1f} s ({per_complaint * 1e6:,.0f} us a complaint on "
                f"{sizes.sample} replayed, scaled to {n:,}); speed-up kpis / replay: {speedup:,.1f}x "
                f"(target >= {REPLAY_TARGET:.0f}x) {'PASS' if ok_replay else 'FAIL'}"
            )
    finally:
        databases.close()
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
