"""The service benchmark runs and reports (timings are not asserted: they depend on the machine)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType

import pytest

from sp4n.testing.server import free_port


@pytest.mark.postgres
def test_service_benchmark_reports_its_ratios_and_latencies(
    load_benchmark: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
) -> None:
    bench = load_benchmark("bench_service")
    monkeypatch.setattr(bench, "SCALE_TARGET", 1e9)  # out of reach: --check must then fail
    assert bench.main(["--quick", "--check", "--url", postgres_url, "--clients", "4"]) == 1
    out = capsys.readouterr().out
    assert "4 concurrent clients, 16 commands per run" in out
    for side in ("in-process \\(4 threads\\)", "HTTP, one server", "HTTP, two servers"):
        clients = "-" if side.startswith("in-process") else r"\d+\.\d\d"  # the HTTP clients' own CPU
        line = rf"^{side} +[\d,]+ +\d+\.\d +\d+\.\d +\d+\.\d\d +{clients} +\d+\.\d\d$"  # then PostgreSQL's
        assert re.search(line, out, re.MULTILINE), side
    assert re.search(r"ratio one server / in-process: \d+\.\d\dx \(target >= 0.5x\) (PASS|FAIL)", out)
    assert re.search(r"ratio two servers / one: \d+\.\d\dx \(target >= 1000000000.0x\) FAIL", out)


def test_percentile_is_the_nearest_rank(load_benchmark: Callable[[str], ModuleType]) -> None:
    percentile = load_benchmark("bench_service").percentile
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.50), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 0.99) == 7.0


def test_a_failing_client_fails_the_run(load_benchmark: Callable[[str], ModuleType]) -> None:
    def client(n: int, tag: str, latencies: list[float]) -> None:
        if n == 1:
            raise ValueError(f"client {n} of round {tag} broke")
        latencies.append(0.5)

    with pytest.raises(
        RuntimeError, match=r"1 of 3 clients failed; the first: ValueError\('client 1 of round r0 broke'\)"
    ):
        load_benchmark("bench_service").run_clients(client, 3, "r0")


def test_a_failing_http_client_fails_the_run(load_benchmark: Callable[[str], ModuleType]) -> None:
    bench = load_benchmark("bench_service")
    with bench.LoadProcess() as load:
        side = bench.over_http(load, [free_port()], "sp4n_000000000000_nobody", 1)  # nothing listens there
        with pytest.raises(RuntimeError, match=r"the HTTP clients failed: ConnectionRefusedError"):
            side(2, "r0")
