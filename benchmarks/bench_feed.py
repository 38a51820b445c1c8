"""Benchmark webhook delivery of the feed: sp4n against a bare httpx loop, two processes against one.

Run ``python benchmarks/bench_feed.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]``.
Each case works on a fresh PostgreSQL schema of its own (dropped afterwards) holding N complaints
with two events each (submitted, verified), and a webhook consumer on a real webhook server on
127.0.0.1 (HTTP/1.1 keep-alive; it verifies every signature).

* events delivered per second by one delivery process (claim, audience view, CloudEvent,
  Standard Webhooks signature, POST, delivery recorded) against a bare loop of httpx POSTs of the
  same signed payloads on one connection to the same server (target: at least 0.5x);
* events delivered per second by two delivery processes against one, to a receiver that takes
  ``--receiver-ms`` milliseconds per message as a real endpoint across a network does (target:
  two at least 1.5x one on this two-core machine, which the database server shares).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import httpx

from sp4n.clock import SystemClock
from sp4n.integration import DeliveryProcess, new_secret
from sp4n.integration.signing import headers as signed_headers
from sp4n.integration.webhooks import cloud_event
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.testing.postgres import postgres_schema
from sp4n.testing.webhook_server import WebhookServer
from sp4n.workflow import Actor, Engine

from processes import timed_processes

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BARE_TARGET = 0.5
SPEEDUP_TARGET = 1.5
ADMIN = Actor.national_admin("admin-bench")


def wall_seconds() -> int:
    """The receiver's clock (the delivery processes sign with the real time)."""
    return int(SystemClock().now().timestamp())


def file_events(url: str, n: int, hook_url: str, secret: str) -> None:
    """N complaints, each submitted and verified, after a webhook consumer was added."""
    engine = Engine(store=open_store(url, upgrade=True), clock=ManualClock(SystemClock().now()))
    engine.feed.add_consumer("hook", "agency", url=hook_url, secrets=[secret])
    reporter = Actor.reporter("warga-bench")
    for i in range(n):
        cid = engine.submit(reporter, title=f"Laporan {i}").id
        engine.fire(cid, "verify", ADMIN, classification="pengaduan", category="kesehatan")
    engine.close()


def _deliver_all(url: str, batch: int) -> int:
    """Deliver rounds until none delivers anything; how many events this process delivered."""
    engine = Engine(sops=(), database_url=url)
    process = DeliveryProcess(engine, batch=batch, timeout=30.0)
    delivered = 0
    try:
        while True:
            got = process.round()
            delivered += got
            if got == 0:
                if engine.feed.status("hook").queued == 0:
                    return delivered
                time.sleep(0.01)  # the rest is leased by the other process
    finally:
        process.sender.close()
        engine.close()


def _process(url: str, batch: int, start: Any, done: Any) -> None:
    engine = Engine(sops=(), database_url=url)  # import and connect before the clock starts
    engine.close()
    start.wait()
    done.put(_deliver_all(url, batch))


def sp4n_rate(base_url: str, n: int, processes: int, receiver_ms: float, batch: int) -> float:
    """Events per second delivered by ``processes`` delivery processes."""
    secret = new_secret()
    server = WebhookServer([secret], wall_seconds, delay=receiver_ms / 1000, keep_alive=True)
    try:
        with postgres_schema(base_url, prefix="bench_feed") as url:
            file_events(url, n, server.url, secret)
            counts, elapsed = timed_processes(_process, [(url, batch)] * processes)
            delivered = sum(counts)
            if delivered != 2 * n or len(server.received) != 2 * n or server.bad_signatures:
                raise RuntimeError(
                    f"expected {2 * n} deliveries, counted {delivered} ({len(server.received)} received)"
                )
            return delivered / elapsed
    finally:
        server.close()


def payloads(base_url: str, n: int) -> list[tuple[str, bytes]]:
    """(id, body) of the CloudEvents sp4n sends for N complaints' events, in order."""
    with postgres_schema(base_url, prefix="bench_feed") as url:
        file_events(url, n, "http://127.0.0.1:9/unused", new_secret())
        engine = Engine(sops=(), database_url=url)
        try:
            items: list[Any] = []
            while batch := engine.feed.claim("hook", 500, owner="bench"):
                items += batch
        finally:
            engine.close()
    return [(i.id, json.dumps(cloud_event(i), ensure_ascii=False, separators=(",", ":")).encode()) for i in items]


def _bare_loop(hook_url: str, secret: str, bodies: list[tuple[str, bytes]], start: Any, done: Any) -> None:
    with httpx.Client(timeout=30.0) as client:
        start.wait()
        for msg_id, body in bodies:
            head = signed_headers([secret], msg_id, wall_seconds(), body)
            head["content-type"] = "application/cloudevents+json"
            client.post(hook_url, content=body, headers=head).raise_for_status()
    done.put(len(bodies))


def bare_rate(base_url: str, n: int) -> float:
    """Events per second of a bare loop POSTing the same signed CloudEvents on one connection,
    from a process of its own as the delivery process is."""
    bodies = payloads(base_url, n)
    secret = new_secret()
    server = WebhookServer([secret], wall_seconds, keep_alive=True)
    try:
        [sent], elapsed = timed_processes(_bare_loop, [(server.url, secret, bodies)])
        if sent != 2 * n or len(server.received) != 2 * n or server.bad_signatures:
            raise RuntimeError(f"the bare loop delivered {len(server.received)} of {2 * n}")
        return sent / elapsed
    finally:
        server.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run both comparisons on PostgreSQL and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SP4N_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--quick", action="store_true", help="a small run, for the test suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--receiver-ms", type=float, default=5.0, help="ms the receiver takes per message (two vs one)")
    parser.add_argument("--batch", type=int, default=500, help="events leased per claim (sp4n deliver's default)")
    args = parser.parse_args(argv)
    n = 50 if args.quick else 2000
    bare = bare_rate(args.url, n)
    one_fast = sp4n_rate(args.url, n, 1, 0.0, args.batch)
    one = sp4n_rate(args.url, n, 1, args.receiver_ms, args.batch)
    two = sp4n_rate(args.url, n, 2, args.receiver_ms, args.batch)
    vs_bare = one_fast / bare
    speedup = two / one
    ok_bare, ok_speedup = vs_bare >= BARE_TARGET, speedup >= SPEEDUP_TARGET
    print(f"sp4n feed delivery benchmark, PostgreSQL, {2 * n} events ({n} complaints) per run")
    print(f"  bare httpx loop, one connection:   {bare:8.0f} events/s")
    print(f"  sp4n, one delivery process:        {one_fast:8.0f} events/s")
    print(f"  ratio sp4n / bare: {vs_bare:.2f}x (target >= {BARE_TARGET}x) {'PASS' if ok_bare else 'FAIL'}")
    print(f"  receiver taking {args.receiver_ms:g} ms per message:")
    print(f"    one delivery process:            {one:8.0f} events/s")
    print(f"    two delivery processes:          {two:8.0f} events/s")
    print(f"  ratio two / one: {speedup:.2f}x (target >= {SPEEDUP_TARGET}x) {'PASS' if ok_speedup else 'FAIL'}")
    return 1 if args.check and not (ok_bare and ok_speedup) else 0


if __name__ == "__main__":
    sys.exit(main())
