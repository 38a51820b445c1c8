"""The engine, worker and feed benchmarks run and report (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_engine_benchmark_reports_its_ratio(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_engine").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ratio sp4n / bare: \d+\.\d\dx \(target <= 2x\) (PASS|FAIL)", out)
    assert re.search(r"ratio submit / fire: \d+\.\d\dx \(target <= 1.5x\) (PASS|FAIL)", out)
    assert re.search(r"full lifecycles .*: [\d,]+ complaints/s", out)


def run_script(name: str, postgres_url: str) -> str:
    """The output of a quick run of a benchmark run as a script: its processes are spawned,
    and re-import it as __main__."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), "--quick", "--url", postgres_url],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.postgres
def test_worker_benchmark_reports_its_ratios(postgres_url: str) -> None:
    out = run_script("bench_worker", postgres_url)
    assert re.search(r"ratio two / one: \d+\.\d\dx \(target >= 1.5x\) (PASS|FAIL)", out)
    assert re.search(r"ratio sweep / direct: \d+\.\d\dx \(target <= 1.5x\) (PASS|FAIL)", out)


def test_reprojection_benchmark_reports_its_ratios(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_reprojection").main(["--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ratios = [line for line in lines if re.search(r"\d+\.\d\dx \(target >= 10x\) (PASS|FAIL)$", line)]
    assert [line.split()[0] for line in ratios] == ["SQLite", "SQLite"]
    assert "a day inside every window" in ratios[0]
    assert "next year's holidays" in ratios[1]


@pytest.mark.postgres
def test_feed_benchmark_reports_its_ratios(postgres_url: str) -> None:
    out = run_script("bench_feed", postgres_url)
    assert re.search(r"ratio sp4n / bare: \d+\.\d\dx \(target >= 0.5x\) (PASS|FAIL)", out)
    assert re.search(r"ratio two / one: \d+\.\d\dx \(target >= 1.5x\) (PASS|FAIL)", out)
