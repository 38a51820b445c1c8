"""Real ``sp4n deliver`` processes against a real webhook server and the fake national LAPOR!:
killed with SIGKILL mid-batch and restarted, every event arrives at least once, in order per
complaint, with valid signatures; SIGTERM finishes the delivery at hand; ``--national`` pushes
to LAPOR! and pulls what it forwards. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import pytest

from sp4n.clock import SystemClock
from sp4n.integration import new_secret
from sp4n.persistence.sql import open_store
from sp4n.testing import FakeLapor, ManualClock
from sp4n.testing.webhook_server import WebhookServer
from sp4n.workflow import Actor, Engine

from .helpers import wait_until

pytestmark = pytest.mark.slow

START = "2026-03-02T09:00:00+07:00"
ADMIN = Actor.national_admin("admin-nasional")


def wall_seconds() -> int:
    """The receiver's clock: a real process signs with the real time."""
    return int(SystemClock().now().timestamp())


class Deliver:
    """One ``python -m sp4n.cli deliver`` process, logging to a file."""

    def __init__(self, url: str, log_path: Path, *options: str, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        command = [sys.executable, "-m", "sp4n.cli", "deliver", "--url", url, "--interval", "0.1", *options]
        self.process = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=log_path.parent,
            env={**os.environ, "PYTHONWARNINGS": "error", **(env or {})},
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        try:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)
            self._log.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_schema_url"
    value = str(request.getfixturevalue(fixture))
    open_store(value, upgrade=True).close()
    return value


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    e = Engine(store=open_store(url), clock=ManualClock(START))
    try:
        yield e
    finally:
        e.close()


def events_of(server: WebhookServer) -> list[tuple[str, int]]:
    return [(e["subject"], int(e["id"].rsplit("/", 1)[1])) for e in server.received]


def assert_in_order_per_complaint(arrivals: list[tuple[str, int]]) -> None:
    """No event arrives before every earlier one of its complaint has arrived (repeats allowed)."""
    seen: dict[str, set[int]] = {}
    for complaint, seq in arrivals:
        before = seen.setdefault(complaint, set())
        assert all(s in before for s in range(1, seq)), (complaint, seq, sorted(before))
        before.add(seq)


def test_a_deliver_process_killed_mid_batch_loses_nothing_and_keeps_the_order(
    url: str, engine: Engine, tmp_path: Path
) -> None:
    server = WebhookServer([new_secret()], wall_seconds, delay=0.05)
    try:
        engine.feed.add_consumer("hook", "agency", url=server.url, secrets=server.secrets)
        ids = [engine.submit(Actor.reporter(f"warga-{n}"), title=f"Laporan {n}").id for n in range(12)]
        for cid in ids:
            engine.fire(cid, "verify", ADMIN, classification="pengaduan", category="kesehatan")
            engine.fire(cid, "distribute", ADMIN, agency="dinas_kesehatan")
        expected = {(cid, seq) for cid in ids for seq in (1, 2, 3)}

        first = Deliver(url, tmp_path / "deliver.log", "--batch", "100", "--lease", "2")
        try:
            wait_until(lambda: len(server.received) >= 5, "the first deliveries")
        finally:
            assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        assert len(set(events_of(server))) < len(expected)  # killed mid-batch

        second = Deliver(url, tmp_path / "deliver.log", "--batch", "100", "--lease", "2")
        try:
            wait_until(lambda: set(events_of(server)) >= expected, "every event after the restart")
        finally:
            assert second.stop() == 0, second.log()
        arrivals = events_of(server)
        assert set(arrivals) == expected
        assert_in_order_per_complaint(arrivals)
        assert server.bad_signatures == 0
        state = engine.feed.status("hook")
        assert (state.queued, state.parked) == (0, 0)
        assert "Traceback" not in second.log()
    finally:
        server.close()


def test_sigterm_finishes_the_delivery_at_hand(url: str, engine: Engine, tmp_path: Path) -> None:
    server = WebhookServer([new_secret()], wall_seconds, slow=2.0)
    try:
        engine.feed.add_consumer("hook", "public", url=server.url, secrets=server.secrets)
        cid = engine.submit(Actor.reporter("warga-1"), title="Lampu jalan mati").id
        server.script.append("timeout")  # the endpoint takes 2 s to answer 200
        process = Deliver(url, tmp_path / "deliver.log", "--timeout", "10")
        try:
            wait_until(lambda: server.arrived >= 1, "the delivery to start")
        finally:
            assert process.stop() == 0, process.log()
        assert server.ids() == [f"{cid}/1"]
        assert engine.feed.status("hook").queued == 0  # recorded as delivered before exiting
        assert "stopping after the delivery at hand" in process.log()
    finally:
        server.close()


def test_deliver_national_pushes_to_lapor_and_pulls_what_it_forwards(url: str, engine: Engine, tmp_path: Path) -> None:
    with FakeLapor(token="tok-1", key="key-1") as fake:
        env = {"SP4N_LAPOR_TOKEN": "tok-1", "SP4N_LAPOR_KEY": "key-1", "SP4N_LAPOR_URL": fake.base_url}
        received = datetime(2026, 2, 27, 10, 0, tzinfo=timezone(timedelta(hours=7)))
        nid = fake.forward(title="Sekolah rusak", content="Atap bocor", received_at=received)
        engine.feed.add_consumer("lapor", "national")
        cid = engine.submit(Actor.reporter("warga-1"), title="Pungli di kelurahan", description="Diminta uang").id
        process = Deliver(url, tmp_path / "deliver.log", "--national", env=env)
        try:
            wait_until(lambda: fake.requests("complaints/complaint"), "the complaint filed nationally")
            wait_until(lambda: _linked(engine, cid), "the national id stored")
            wait_until(lambda: _taken(engine, nid), "the forwarded report taken in")
        finally:
            assert process.stop() == 0, process.log()
        for secret in ("tok-1", "key-1", str(fake.port)):
            assert secret not in process.log()


def _linked(engine: Engine, cid: str) -> Any:
    return engine.get(cid, ADMIN).external_id


def _taken(engine: Engine, nid: str) -> bool:
    return bool(engine.store.taken_external_ids([nid]))
