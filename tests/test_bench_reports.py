"""The KPI report benchmark runs and reports its ratios (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest

RATIO = r"kpis +\d+\.\d+ s, hand-written SQL +\d+\.\d+ s; ratio kpis / SQL: \d+\.\d\dx \(target >= 0.5x\) (PASS|FAIL)"
REPLAY = (
    r"replay +\d+\.\d s \([\d,]+ us a complaint on \d+ replayed, scaled to [\d,]+\); speed-up kpis / replay: [\d,.]+x"
)


def test_reports_benchmark_reports_its_ratios(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_reports").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search("SQLite +" + RATIO, out)
    assert re.search("SQLite +" + REPLAY, out)


@pytest.mark.postgres
def test_reports_benchmark_measures_postgres_too(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    assert load_benchmark("bench_reports").main(["--quick", "--url", postgres_url]) == 0
    out = capsys.readouterr().out
    assert re.search("PostgreSQL +" + RATIO, out)
    assert re.search("PostgreSQL +" + REPLAY, out)
