"""The dashboard benchmark runs and reports (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest

PARTS = ("tiles", "queue", "league", "trends", "refresh")


def test_dashboard_benchmark_reports_its_ratios(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_dashboard").main(["--quick"]) == 0
    out = capsys.readouterr().out
    for part in PARTS:
        pattern = rf"SQLite +{part} +[\d.]+ ms at 1,000, +[\d.]+ ms at 5,000: \d+\.\d\dx \(target <= 1.3x\) (PASS|FAIL)"
        assert re.search(pattern, out), out


@pytest.mark.postgres
def test_dashboard_benchmark_measures_postgres_too(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    assert load_benchmark("bench_dashboard").main(["--quick", "--url", postgres_url]) == 0
    assert re.search(
        r"PostgreSQL +refresh +[\d.]+ ms at 1,000, +[\d.]+ ms at 5,000: \d+\.\d\dx", capsys.readouterr().out
    )
