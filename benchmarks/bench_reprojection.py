"""Benchmark ``apply_calendar``: complaints with running clocks handled per second, set-based vs
one by one.

Run ``python benchmarks/bench_reprojection.py [--url postgresql+psycopg://...]``. Two identical
databases hold the same complaints, filed one after another from Monday 2 March 2026 09:00 to
Tuesday 21:00 WIB, each at an instant of its own as a real intake is, each with running clocks (3
working days to verify, 60 to Ombudsman eligibility). Two decrees are applied:

* "a day inside every window": Wednesday 4 March 2026 closed, so every complaint's deadlines
  move and each must be re-projected;
* "next year's holidays": a day of 2027 added (the yearly decree, published months ahead), which
  moves no running deadline.

* sp4n: ``Engine.apply_calendar`` as it ships: the store is asked only for complaints with a
  pending timer on or after the first changed day (an indexed read), which are loaded and saved
  a batch at a time;
* baseline: the per-complaint path over every complaint with a pending timer (load, decide,
  commit each in its own transaction), which is what ``apply_calendar`` did before (measured
  then at 1,286 complaints/s on SQLite).

It prints both rates and their ratio per decree (target: at least 10x). The exit code is 0
unless ``--check`` is given and a target is missed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor, Engine
from sp4n.workflow.reprojection import reproject_each

from options import bench_parser

TARGET = 10.0
START = "2026-03-02T09:00:00+07:00"  # Monday: verification runs to the end of Thursday 5 March
REPORTER = Actor.reporter("warga-1")
SPREAD = timedelta(hours=36)  # to Tuesday 21:00: every verification window still holds Wednesday 4 March


DECREES = {"a day inside every window": date(2026, 3, 4), "next year's holidays": date(2027, 6, 21)}
"""Each decree closes one more day."""


def decree(day: date) -> WorkingCalendar:
    """The Indonesian calendar with ``day`` closed as well."""
    base = WorkingCalendar.indonesia()
    closed = NonWorkingDay(date=day, name="Kantor tutup (keputusan uji)", kind=DayKind.REGIONAL, source="uji")
    return base.replace(days=[*base.days, closed])


def fill(url: str, n: int) -> None:
    """``n`` fresh complaints on ``url``, spread evenly over 36 hours from Monday 09:00.

    No two share an instant, so no two share their clocks' starts and due instants: a
    re-projection cannot decide one complaint for many, as it could if all were filed at once.
    """
    clock = ManualClock(START)
    engine = Engine(store=open_store(url, upgrade=True), clock=clock)
    step = SPREAD / n
    try:
        for i in range(n):
            engine.submit(REPORTER, title=f"Saluran tersumbat {i}")
            clock.advance(step)
    finally:
        engine.close()


def timed_apply(url: str, day: date, one_by_one: bool) -> tuple[float, int]:
    """Seconds to apply the decree closing ``day`` on ``url``, and how many complaints moved."""
    engine = Engine(store=open_store(url), clock=ManualClock(START))
    try:
        calendar = decree(day)
        start = time.perf_counter()
        if one_by_one:
            runtime = engine.runtime
            old = runtime.calendars.active
            runtime.calendars.switch(calendar)
            runtime.calendars.activate(calendar)
            changed = reproject_each(runtime, old, runtime.store.complaints_with_pending_timers())
        else:
            changed = engine.apply_calendar(calendar)
        return time.perf_counter() - start, len(changed)
    finally:
        engine.close()


def compare(name: str, fresh: Callable[[], str], n: int) -> list[tuple[str, str, int, float, float]]:
    """Per decree: fill two fresh databases alike; apply it one by one on one, set-based on the other."""
    rows = []
    for label, day in DECREES.items():
        single_url, batched_url = fresh(), fresh()
        for url in (single_url, batched_url):
            fill(url, n)
        single, moved_single = timed_apply(single_url, day, one_by_one=True)
        batched, moved_batched = timed_apply(batched_url, day, one_by_one=False)
        if moved_single != moved_batched:
            raise RuntimeError(f"{name}, {label}: {moved_single} moved one by one, {moved_batched} set-based")
        rows.append((name, label, moved_single, n / single, n / batched))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison on SQLite (and PostgreSQL with --url) and print the table."""
    parser = bench_parser(__doc__)
    args = parser.parse_args(argv)
    n = 200 if args.quick else 5_000
    rows = []
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.callback(shutil.rmtree, directory, ignore_errors=True)

        files = iter(range(1_000_000))

        def sqlite_file() -> str:
            return f"sqlite:///{directory / f'db{next(files)}.db'}"

        rows.extend(compare("SQLite", sqlite_file, n))
        if args.url:
            url = args.url
            rows.extend(compare("PostgreSQL", lambda: stack.enter_context(postgres_schema(url)), n))
    print(f"sp4n apply_calendar benchmark: {n:,} complaints with running clocks, complaints handled per second")
    print(f"{'database':11s} {'decree':26s} {'moved':>6s} {'one by one':>14s} {'set-based':>14s} {'ratio':>8s}")
    missed = 0
    for name, label, moved, single, batched in rows:
        ratio = batched / single
        ok = ratio >= TARGET
        missed += not ok
        print(
            f"{name:11s} {label:26s} {moved:6,d} {single:10,.0f} c/s {batched:10,.0f} c/s {ratio:7.2f}x "
            f"(target >= {TARGET:.0f}x) {'PASS' if ok else 'FAIL'}"
        )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
