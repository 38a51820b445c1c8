"""The store benchmark runs and reports (its timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RATIO = re.compile(r"\d+\.\d\dx\s+[<>]= [\d.]+x\s+(PASS|FAIL)$")


def ratio_backends(out: str) -> list[str]:
    """The backend of every line that ends with a ratio, its target and PASS or FAIL, in order."""
    return [line.split()[0] for line in out.splitlines() if RATIO.search(line)]


def test_quick_run_on_sqlite(
    load_benchmark: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("SP4N_BENCH_POSTGRES_URL", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert load_benchmark("bench_store").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert ratio_backends(out) == ["sqlite", "sqlite"]  # (a) rates, (b) scale
    assert "PostgreSQL skipped" in out
    assert "raw Core" in out
    assert "1,000 stored" in out
    assert "20,000 stored" in out
    assert "SEARCH sp4n_complaints USING INDEX" in out  # the plans of the hot reads
    assert "ix_sp4n_timers_status_due_at" in out
    assert re.search(r"targets? (met|missed)", out)
    assert list(tmp_path.iterdir()) == []  # the SQLite files are gone


@pytest.mark.postgres
def test_quick_run_on_postgres(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    import sqlalchemy

    def bench_schemas() -> set[str]:
        engine = sqlalchemy.create_engine(postgres_url)
        try:
            with engine.connect() as conn:
                # only this benchmark's labels: other runs sharing the database make schemas of their own
                query = (
                    "SELECT schema_name FROM information_schema.schemata "
                    "WHERE schema_name LIKE 'bench\\_store\\_small\\_%' OR schema_name LIKE 'bench\\_store\\_large\\_%'"
                )
                return set(conn.execute(sqlalchemy.text(query)).scalars())
        finally:
            engine.dispose()

    before = bench_schemas()
    assert load_benchmark("bench_store").main(["--quick", "--postgres", postgres_url]) == 0
    out = capsys.readouterr().out
    assert ratio_backends(out) == ["sqlite", "postgresql", "sqlite", "postgresql"]
    assert "Index Scan using pk_sp4n_complaints" in out
    assert bench_schemas() <= before  # every schema of the run is dropped


def test_check_fails_on_a_missed_target(
    load_benchmark: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load_benchmark("bench_store")
    monkeypatch.delenv("SP4N_BENCH_POSTGRES_URL", raising=False)

    class NoLifecycles:
        def __init__(self) -> None:
            pass

    rates, bulk = load_benchmark("store_rates"), load_benchmark("store_bulk")
    slow = rates.RateResult("sqlite", 120, ours=1.0, baseline=0.1, ours_statements=9.0, baseline_statements=4.0)
    loaded = bulk.Loaded("sqlite:///x.db", 1_000, {"complaints": 1_000}, 1.0, 0.1, 2**20)

    def scale(*_args: Any) -> Any:
        return bench.ScaleResult("sqlite", 120, loaded, loaded, 1e-3, 2e-3, [("load", "SELECT 1", ["SCAN"])])

    monkeypatch.setattr(bench, "Lifecycles", NoLifecycles)
    monkeypatch.setattr(bench, "compare_rates", lambda *_args: slow)
    monkeypatch.setattr(bench, "memory_cost", lambda *_args: 2e-4)
    monkeypatch.setattr(bench, "compare_scales", scale)
    assert bench.main(["--quick"]) == 0  # without --check it only reports
    out = capsys.readouterr().out
    assert "0.10x  >= 0.5x  FAIL" in out
    assert "2.00x  <= 1.3x  FAIL" in out
    assert "2 of 2 targets missed" in out
    assert bench.main(["--quick", "--check"]) == 1
