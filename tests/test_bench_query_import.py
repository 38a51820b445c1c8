"""The find and book-import benchmarks run and report (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest


def test_query_benchmark_reports_its_ratios(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_query").main(["--quick", "--plans"]) == 0
    out = capsys.readouterr().out
    ratios = re.findall(r"ratio find / SQL: \d+\.\d\dx \(target >= 0.5x\) (?:PASS|FAIL)", out)
    assert len(ratios) == 2
    assert re.search(r"SQLite +cost 20,000 / 2,000 complaints: \d+\.\d\dx \(target <= 1.3x\) (PASS|FAIL)", out)
    assert "USING INDEX ix_sp4n_complaints_agency_next_due_at_id" in out


def test_import_benchmark_reports_its_ratio(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_import").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"SQLite +[\d,]+/s +[\d,]+/s +\d+\.\d\dx \(target >= 3x\) (PASS|FAIL)", out)


@pytest.mark.postgres
def test_both_benchmarks_measure_postgres_too(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    assert load_benchmark("bench_query").main(["--quick", "--url", postgres_url]) == 0
    assert load_benchmark("bench_import").main(["--quick", "--url", postgres_url]) == 0
    out = capsys.readouterr().out
    assert re.search(r"PostgreSQL +cost 20,000 / 2,000 complaints: \d+\.\d\dx", out)
    assert re.search(r"PostgreSQL +[\d,]+/s +[\d,]+/s +\d+\.\d\dx \(target >= 3x\)", out)
