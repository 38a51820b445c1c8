"""The benchmark script runs and reports (its timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest


def test_quick_run_reports_every_ratio(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_benchmark("bench_calendar").main(["--quick"]) == 0
    out = capsys.readouterr().out
    ratio_lines = [line for line in out.splitlines() if re.search(r"\d+\.\d\dx\s+>= [\d.]+x\s+(PASS|FAIL)$", line)]
    assert len(ratio_lines) == 5
    for label, baseline in [
        ("add_working_days(d, 60)", "numpy busday_offset"),
        ("add_working_days(d, 60)", "holidays day loop"),
        ("working_days_between(a, b)", "numpy busday_count"),
        ("add_working_days_array(10,000 dates)", "numpy busday_offset"),
        ("working_days_between_array(10,000)", "numpy busday_count"),
    ]:
        assert any(line.startswith(label) and baseline in line for line in ratio_lines), (label, baseline)
    assert "ANSWERS DIFFER" not in out


def test_check_fails_on_a_missed_target(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load_benchmark("bench_calendar")
    build = bench.build_cases

    def unreachable(*args: Any) -> list[Any]:
        return [dataclasses.replace(case, target=1e12) for case in build(*args)]

    monkeypatch.setattr(bench, "build_cases", unreachable)
    assert bench.main(["--quick"]) == 0  # without --check it only reports
    assert "5 of 5 targets missed" in capsys.readouterr().out
    assert bench.main(["--quick", "--check", "--repeats", "1"]) == 1
    assert capsys.readouterr().out.count("FAIL") == 5


def test_differing_answers_are_reported_and_fail(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load_benchmark("bench_calendar")
    case = bench.Case("x", "y", lambda: [1, 2], lambda: [1, 3], 2, 1.0)
    assert bench.same_answers(case) == "input 1: sp4n 2 != 3"
    monkeypatch.setattr(bench, "build_cases", lambda *args: [case])
    assert bench.main(["--quick"]) == 1
    assert "ANSWERS DIFFER: x vs y: input 1: sp4n 2 != 3" in capsys.readouterr().out
