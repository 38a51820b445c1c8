"""Benchmark sp4n's working-day arithmetic against numpy and a day-by-day loop, side by side.

Run ``python benchmarks/bench_calendar.py`` (or ``make bench``). Every comparison feeds both sides
the same precomputed inputs, spread over the years the calendar covers, so the loop overhead is
the same on both sides; the answers are checked equal before anything is timed. Each timing is
the best of several repeats with the garbage collector off, as ``timeit`` does.

The table gives, per comparison, the time of sp4n and of the baseline, their ratio (how many
times faster sp4n is; for the bulk cases, sp4n's throughput over numpy's) and whether it meets
its target. The exit code is 0 unless answers differ, or ``--check`` is given and a target is
missed.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays
import numpy as np

from sp4n.calendars import WorkingCalendar, indonesia_calendar
from sp4n.calendars.indonesia import holidays_version

STEP = 60
"""Working days added in the add_working_days cases: the longest SP4N completion budget."""

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    scalar: int
    """Inputs of the scalar cases against numpy."""
    loop: int
    """Inputs of the case against the day-by-day loop (which is slow)."""
    bulk: int
    """Length of the arrays of the bulk cases."""
    repeats: int


FULL = Sizes(scalar=20_000, loop=1_000, bulk=1_000_000, repeats=7)
QUICK = Sizes(scalar=200, loop=20, bulk=10_000, repeats=2)


@dataclass(frozen=True)
class Case:
    """One comparison: two callables that each do the whole batch once and return the answers."""

    label: str
    baseline_name: str
    ours: Callable[[], Any]
    baseline: Callable[[], Any]
    calls: int
    """Scalar calls per batch (the table shows time per call), or 1 for a bulk case."""
    target: float
    bulk: bool = False


@dataclass(frozen=True)
class Result:
    """The best times of both sides of a case."""

    case: Case
    ours: float
    baseline: float

    @property
    def ratio(self) -> float:
        """Baseline time over sp4n's time: speed-up, or relative throughput for bulk cases."""
        return self.baseline / self.ours

    @property
    def passed(self) -> bool:
        """Whether the ratio meets the case's target."""
        return self.ratio >= self.case.target


# ---------------------------------------------------------------------------------- inputs


def scalar_add_inputs(cal: WorkingCalendar, rng: np.random.Generator, count: int) -> list[date]:
    """Dates from the first covered day to the last one from which STEP working days still fit."""
    last = cal.add_working_days(cal.last_date, -(STEP + 1))
    ordinals = rng.integers(cal.first_date.toordinal(), last.toordinal() + 1, size=count)
    return [date.fromordinal(int(o)) for o in ordinals]


def scalar_between_inputs(cal: WorkingCalendar, rng: np.random.Generator, count: int) -> list[tuple[date, date]]:
    """Pairs a <= b over the covered range, b - a up to 400 days."""
    lo, hi = cal.first_date.toordinal(), cal.last_date.toordinal()
    starts = rng.integers(lo, hi + 1, size=count)
    ends = np.minimum(starts + rng.integers(0, 401, size=count), hi)
    return [(date.fromordinal(int(a)), date.fromordinal(int(b))) for a, b in zip(starts, ends, strict=True)]


def to_d64(d: date) -> np.datetime64:
    """A date as a numpy datetime64[D] scalar."""
    return np.datetime64(d.toordinal() - _EPOCH_ORDINAL, "D")


def ordinals_to_d64(ordinals: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Proleptic ordinals as a datetime64[D] array."""
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")


# ---------------------------------------------------------------------------------- baselines


def add_by_loop(hol: dict[date, str], d: date, n: int) -> date:
    """The n-th working day after d (n > 0), walking one day at a time: Sat/Sun and holidays skipped."""
    one = timedelta(days=1)
    counted = 0
    while counted < n:
        d += one
        if d.weekday() < 5 and d not in hol:
            counted += 1
    return d


# ---------------------------------------------------------------------------------- cases


def build_cases(cal: WorkingCalendar, sizes: Sizes, seed: int) -> list[Case]:
    """The five comparisons, with their inputs precomputed."""
    rng = np.random.default_rng(seed)
    bdc = cal.busdaycalendar()
    first_year, last_year = cal.years
    hol = holidays.country_holidays("ID", years=range(first_year, last_year + 1), categories=("public", "government"))

    add = cal.add_working_days
    between = cal.working_days_between
    offset = np.busday_offset
    count = np.busday_count

    add_dates = scalar_add_inputs(cal, rng, sizes.scalar)
    add_d64 = [to_d64(d) for d in add_dates]
    loop_dates = add_dates[: sizes.loop]

    pairs = scalar_between_inputs(cal, rng, sizes.scalar)
    pair_a = [a for a, _ in pairs]
    pair_b = [b for _, b in pairs]
    # For a <= b, working_days_between counts (a, b] and busday_count counts [begin, end): shift by a day.
    pairs_d64 = [(to_d64(a + timedelta(days=1)), to_d64(b + timedelta(days=1))) for a, b in pairs]

    lo, hi = cal.first_date.toordinal(), cal.add_working_days(cal.last_date, -(STEP + 1)).toordinal()
    bulk_dates = ordinals_to_d64(rng.integers(lo, hi + 1, size=sizes.bulk))
    a_ord = rng.integers(cal.first_date.toordinal(), cal.last_date.toordinal() + 1, size=sizes.bulk)
    b_ord = np.minimum(a_ord + rng.integers(0, 401, size=sizes.bulk), cal.last_date.toordinal())
    bulk_a, bulk_b = ordinals_to_d64(a_ord), ordinals_to_d64(b_ord)
    bulk_a1, bulk_b1 = bulk_a + np.timedelta64(1, "D"), bulk_b + np.timedelta64(1, "D")

    def ours_add() -> list[date]:
        return [add(d, STEP) for d in add_dates]

    def numpy_add() -> list[np.datetime64]:
        return [offset(d, STEP, roll="backward", busdaycal=bdc) for d in add_d64]

    def ours_add_loop_inputs() -> list[date]:
        return [add(d, STEP) for d in loop_dates]

    def loop_add() -> list[date]:
        return [add_by_loop(hol, d, STEP) for d in loop_dates]

    def ours_between() -> list[int]:
        return [between(a, b) for a, b in zip(pair_a, pair_b, strict=True)]

    def numpy_between() -> list[np.int64]:
        return [count(a, b, busdaycal=bdc) for a, b in pairs_d64]

    def ours_add_array() -> np.ndarray[Any, Any]:
        return cal.add_working_days_array(bulk_dates, STEP)

    def numpy_add_array() -> np.ndarray[Any, Any]:
        return np.busday_offset(bulk_dates, STEP, roll="backward", busdaycal=bdc)

    def ours_between_array() -> np.ndarray[Any, Any]:
        return cal.working_days_between_array(bulk_a, bulk_b)

    def numpy_between_array() -> np.ndarray[Any, Any]:
        return np.busday_count(bulk_a1, bulk_b1, busdaycal=bdc)

    return [
        Case(f"add_working_days(d, {STEP})", "numpy busday_offset", ours_add, numpy_add, sizes.scalar, 4.0),
        Case(f"add_working_days(d, {STEP})", "holidays day loop", ours_add_loop_inputs, loop_add, sizes.loop, 20.0),
        Case("working_days_between(a, b)", "numpy busday_count", ours_between, numpy_between, sizes.scalar, 4.0),
        Case(
            f"add_working_days_array({sizes.bulk:,} dates)",
            "numpy busday_offset",
            ours_add_array,
            numpy_add_array,
            1,
            0.7,
            bulk=True,
        ),
        Case(
            f"working_days_between_array({sizes.bulk:,})",
            "numpy busday_count",
            ours_between_array,
            numpy_between_array,
            1,
            0.7,
            bulk=True,
        ),
    ]


# ---------------------------------------------------------------------------------- running


def same_answers(case: Case) -> str | None:
    """None when both sides agree on every input, else a description of the first difference."""
    ours, theirs = case.ours(), case.baseline()
    if case.bulk:
        ours_arr, theirs_arr = np.asarray(ours), np.asarray(theirs)
        if ours_arr.shape == theirs_arr.shape and bool(np.array_equal(ours_arr, theirs_arr)):
            return None
        if ours_arr.shape != theirs_arr.shape:
            return f"shapes differ: {ours_arr.shape} != {theirs_arr.shape}"
        i = int(np.argmax(ours_arr != theirs_arr))
        return f"input {i}: sp4n {ours_arr[i]} != {theirs_arr[i]}"
    for i, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
        if isinstance(other, np.generic):
            other = other.item()  # numpy scalars compare as Python dates and ints
        if type(mine) is not type(other) or mine != other:
            return f"input {i}: sp4n {mine} != {other}"
    return None


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    """The shortest of ``repeats`` runs of ``fn``, in seconds, with the garbage collector off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        return best
    finally:
        if was_enabled:
            gc.enable()


def run_case(case: Case, repeats: int, rounds: int = 2) -> Result:
    """Best of ``repeats`` back-to-back runs per side, in alternating rounds so both sides see the machine alike."""
    ours = baseline = float("inf")
    for _ in range(rounds):
        ours = min(ours, best_time(case.ours, repeats))
        baseline = min(baseline, best_time(case.baseline, repeats))
    return Result(case, ours, baseline)


# ---------------------------------------------------------------------------------- report


def format_seconds(seconds: float) -> str:
    """A duration with a unit that keeps three significant digits readable."""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(results: Sequence[Result]) -> list[str]:
    """The report table: one line per case, with ratio and PASS/FAIL."""
    header = ("sp4n", "vs", "sp4n time", "baseline", "ratio", "target", "result")
    rows = []
    for r in results:
        per = r.case.calls
        rows.append(
            (
                r.case.label,
                r.case.baseline_name,
                format_seconds(r.ours / per),
                format_seconds(r.baseline / per),
                f"{r.ratio:.2f}x",
                f">= {r.case.target:g}x",
                "PASS" if r.passed else "FAIL",
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4}

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(prog="bench_calendar", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="far fewer iterations (for the test suite)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--repeats", type=int, default=None, help="runs per side; the best counts")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the random input dates")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every case, print the table; 1 on differing answers or (with --check) a missed target."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats if args.repeats is not None else sizes.repeats
    cal = indonesia_calendar()
    cases = build_cases(cal, sizes, args.seed)

    print(
        f"sp4n calendar benchmark: {cal.name}, {cal.first_date} to {cal.last_date}, version {cal.version}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, holidays {holidays_version()}"
    )
    print(
        f"{'quick run; ' if args.quick else ''}best of 2 x {repeats} runs per side; "
        f"scalar cases: time per call ({sizes.scalar:,} inputs; {sizes.loop:,} against the day loop); "
        f"bulk cases: time per array"
    )
    for case in cases:
        difference = same_answers(case)
        if difference is not None:
            print(f"ANSWERS DIFFER: {case.label} vs {case.baseline_name}: {difference}")
            return 1

    results = [run_case(case, repeats) for case in cases]
    print()
    for text in table(results):
        print(text)
    missed = [r for r in results if not r.passed]
    print()
    print("all targets met" if not missed else f"{len(missed)} of {len(results)} targets missed")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
