"""Benchmark the HTTP service: submit and fire over HTTP against the same engine calls in-process.

Run ``python benchmarks/bench_service.py [--url postgresql+psycopg://...]`` (default: the URL of
SP4N_TEST_POSTGRES_URL, else the local test database). Each side has a fresh PostgreSQL schema;
16 concurrent clients each file complaints and verify them, two commands per complaint:

* in-process: ``engine.submit`` (with an idempotency key) then ``engine.fire(id, "verify")`` on
  one Engine of the database, from 16 threads (as the server's own threadpool calls it);
* one server: the same commands as ``POST /v1/complaints`` (Idempotency-Key) and ``POST
  /v1/complaints/{id}/verify`` (If-Match with the ETag of the submit's answer), each client one
  keep-alive connection, against one ``sp4n serve`` process;
* two servers: the same clients spread over two ``sp4n serve`` processes on one database (as a
  reverse proxy spreads them).

The HTTP clients run in a process of their own (``http_load.py``: asyncio connections, requests
built as bytes, answers read no further than needed, every status checked), so that they take
neither the GIL nor much of the CPU the servers need; their own CPU per command is printed too.

The three sides take turns in every round (a different one first each time), so a change in the
machine's load touches them alike. It prints the commands per second of each (best round), p50
and p99 latency of the requests, the CPU time spent per command by the serving processes (this
process for in-process, the servers for HTTP), by the HTTP clients and by the PostgreSQL
backends of the side's connections (found by their application_name, read from /proc: for a
database on this machine), and the ratios one server / in-process (target: at least 0.5x) and
two servers / one (target: at least 1.5x). Two servers can only beat one where a core is idle:
the machine's cores and load are printed beside the figures. The exit code is 0 unless
``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from sp4n.persistence.connect import create_sql_engine
from sp4n.persistence.sql import open_store
from sp4n.testing.postgres import postgres_schema
from sp4n.testing.server import ServeProcess, create_key
from sp4n.workflow import Actor, Engine

HTTP_TARGET = 0.5
SCALE_TARGET = 1.5
AGENCY = "dinas-pu"
SUBMIT = {"title": "Lampu jalan padam di RT 04", "description": "Sudah dua minggu mati.", "agency": AGENCY}
VERIFY = {"classification": "pengaduan", "category": "infrastruktur"}
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

Client = Callable[[int, str, list[float]], None]
"""One client's work: (client number, round tag, list its request latencies are added to)."""

Side = Callable[[int, str], tuple[float, list[float]]]
"""One side's run: (clients, round tag) -> (seconds from one start, every request's latency)."""


def run_clients(client: Client, clients: int, tag: str) -> tuple[float, list[float]]:
    """Seconds for ``clients`` threads to do their work from one start, and every latency."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def work(n: int) -> None:
        start.wait()
        try:
            client(n, tag, latencies[n])
        except BaseException as exc:  # reported after the join: a failed side must not pass
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} of {clients} clients failed; the first: {errors[0]!r}") from errors[0]
    return seconds, [x for one in latencies for x in one]


def in_process(engine: Engine, per_client: int) -> Client:
    """The engine calls, as a host embedding sp4n in Python makes them."""
    actor = Actor.agency_admin("adm-1", AGENCY)

    def client(n: int, tag: str, latencies: list[float]) -> None:
        for i in range(per_client):
            began = time.perf_counter()
            view = engine.submit(actor, idempotency_key=f"{tag}-{n}-{i}", **SUBMIT)
            submitted = time.perf_counter()
            engine.fire(view.id, "verify", actor, **VERIFY)
            latencies += [submitted - began, time.perf_counter() - submitted]

    return client


class LoadProcess:
    """The HTTP clients, in a process of their own (``http_load.py``): asyncio connections that
    take neither this process's GIL nor a thread each; use as a context manager."""

    def __init__(self) -> None:
        script = Path(__file__).resolve().parent / "http_load.py"
        self.process = subprocess.Popen(
            [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.cpu = 0.0
        """CPU seconds the clients spent in the jobs so far."""

    def run(self, job: dict[str, Any]) -> tuple[float, list[float]]:
        """Seconds the clients took for ``job`` (see ``http_load.py``) and every latency."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the HTTP clients exited with {self.process.wait(60)}")
        result = json.loads(line)
        if "error" in result:
            raise RuntimeError(f"the HTTP clients failed: {result['error']}")
        self.cpu += result["cpu"]
        return result["seconds"], result["latencies"]

    def __enter__(self) -> LoadProcess:
        return self

    def __exit__(self, *_exc: Any) -> None:
        with self.process:  # closes the pipes; stdin's end tells the clients to exit
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def over_http(load: LoadProcess, ports: Sequence[int], token: str, per_client: int) -> Side:
    """The same commands over HTTP, made by the clients of ``load``; client ``n`` talks to
    server ``n % len(ports)``."""
    job = {"token": token, "ports": list(ports), "per_client": per_client, "agency": AGENCY}
    job |= {"submit": json.dumps(SUBMIT), "verify": json.dumps(VERIFY)}

    def side(clients: int, tag: str) -> tuple[float, list[float]]:
        return load.run({**job, "clients": clients, "tag": tag})

    return side


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far (Linux's /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_stack() -> str:
    """The HTTP parser and event loop uvicorn picks in this environment (its servers' too)."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio's loop"
    return f"{http} and {loop}"


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def fresh_database(stack: ExitStack, url: str, label: str) -> str:
    """A schema of its own, migrated; its connections name themselves ``sp4n-bench-<label>``
    to PostgreSQL (see :func:`database_cpu`)."""
    schema_url: str = stack.enter_context(postgres_schema(url, prefix=f"sp4n_bench_{label}"))
    open_store(schema_url, upgrade=True).close()
    named = make_url(schema_url).update_query_dict({"application_name": f"sp4n-bench-{label}"})
    return named.render_as_string(hide_password=False)


def database_cpu(url: str, label: str) -> float:
    """CPU seconds the PostgreSQL backends of the connections named ``sp4n-bench-<label>`` have
    used so far (read from /proc: NaN when the database runs on another machine)."""
    admin = create_sql_engine(url)
    try:
        with admin.connect() as conn:
            query = text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
            pids = conn.execute(query, {"name": f"sp4n-bench-{label}"}).scalars().all()
    finally:
        admin.dispose()
    return sum(process_cpu(pid) for pid in pids)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run, for the test suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--url", default=os.environ.get("SP4N_TEST_POSTGRES_URL") or DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    args = parser.parse_args(argv)
    per_client, rounds = (2, 1) if args.quick else (25, 3)
    clients = args.clients
    commands = 2 * clients * per_client
    directory = Path(tempfile.mkdtemp(prefix="sp4n-bench-service-"))
    print(
        f"sp4n service benchmark on PostgreSQL: submit + verify, {clients} concurrent clients, "
        f"{commands:,} commands per run (best of {rounds})"
    )
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, directory, True)
        local_url = fresh_database(stack, args.url, "local")
        served_url = fresh_database(stack, args.url, "http")
        _, token = create_key(served_url, "bench", ["agency_admin"], [AGENCY])
        engine = Engine(sops=("national",), database_url=local_url)
        stack.callback(engine.close)
        servers = [stack.enter_context(ServeProcess(served_url, directory / f"serve-{i}.log")) for i in range(2)]
        pids = [s.process.pid for s in servers if s.process is not None]
        load = stack.enter_context(LoadProcess())
        local = in_process(engine, per_client)
        sides: dict[str, tuple[Side, Callable[[], float], str]] = {
            f"in-process ({clients} threads)": (lambda n, tag: run_clients(local, n, tag), time.process_time, "local"),
            "HTTP, one server": (
                over_http(load, [servers[0].port], token, per_client),
                lambda: process_cpu(pids[0]),
                "http",
            ),
            "HTTP, two servers": (
                over_http(load, [s.port for s in servers], token, per_client),
                lambda: sum(process_cpu(p) for p in pids),
                "http",
            ),
        }
        for name, (side, _, _) in sides.items():  # warm-up: connections, caches, prepared statements
            side(min(clients, 2), f"warm-{len(name)}")
        best = dict.fromkeys(sides, float("inf"))
        cpu = {name: [0.0, 0.0, 0.0] for name in sides}  # serving processes, HTTP clients, database
        latencies: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for r in range(rounds):
            for i, name in enumerate(names[r % 3 :] + names[: r % 3]):  # each side first in turn
                side, cpu_used, database = sides[name]
                before = (cpu_used(), load.cpu, database_cpu(args.url, database))
                seconds, measured = side(clients, f"r{r}-{i}")
                after = (cpu_used(), load.cpu, database_cpu(args.url, database))
                cpu[name] = [total + b - a for total, a, b in zip(cpu[name], before, after, strict=True)]
                best[name] = min(best[name], seconds)
                latencies[name] += measured
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average:.1f} (1 minute) at the end")
    print(f"servers: uvicorn on {server_stack()}")
    print("CPU ms per command: of the serving processes, of the HTTP clients' process, of PostgreSQL's backends")
    columns = ("commands/s", "p50 ms", "p99 ms", "serving", "clients", "database")
    print(f"{'side':28s} {columns[0]:>11s} " + " ".join(f"{c:>8s}" for c in columns[1:]))
    rate = {name: commands / seconds for name, seconds in best.items()}
    for name in sides:
        p50, p99 = (1000 * percentile(latencies[name], f) for f in (0.50, 0.99))
        serving, by_clients, database = (f"{1000 * c / (commands * rounds):8.2f}" for c in cpu[name])
        by_clients = by_clients if name in names[1:] else f"{'-':>8s}"
        print(f"{name:28s} {rate[name]:11,.0f} {p50:8.1f} {p99:8.1f} {serving} {by_clients} {database}")
    in_proc, one, two = rate.values()
    failed = False
    for label, ratio, target in (
        ("ratio one server / in-process", one / in_proc, HTTP_TARGET),
        ("ratio two servers / one", two / one, SCALE_TARGET),
    ):
        ok = ratio >= target
        failed |= not ok
        print(f"{label}: {ratio:.2f}x (target >= {target}x) {'PASS' if ok else 'FAIL'}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
