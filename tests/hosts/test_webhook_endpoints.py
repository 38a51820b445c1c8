"""The PHP and Node.js webhook endpoints take real deliveries from sp4n: signed events are taken
once each, a forged or stale one is refused, and a secret being rotated out still counts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sp4n.clock import SystemClock
from sp4n.integration import DeliveryProcess, new_secret
from sp4n.integration.signing import headers
from sp4n.persistence import MemoryStore
from sp4n.testing import Scenario
from sp4n.testing.server import free_port

from .conftest import HOSTS, PROGRAMS, program


@dataclass
class Endpoint:
    """A running webhook endpoint of one host: its URL, its secrets and the inbox it fills."""

    url: str
    secret: str
    old_secret: str
    inbox: Path

    def taken(self) -> list[dict[str, Any]]:
        """The events the endpoint handed to its app, in order."""
        text = self.inbox.read_text() if self.inbox.exists() else ""
        return [json.loads(line) for line in text.splitlines()]

    def post(self, body: bytes, sent: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url, data=body, method="POST", headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the endpoint exited with {process.returncode}: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the endpoint did not listen within 30 s: {log.read_text()}")


@pytest.fixture(params=sorted(PROGRAMS))
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Endpoint]:
    """The host's webhook endpoint (php -S with webhook.php, or node webhook.mjs) on a free port."""
    name = request.param
    port = free_port()
    if name == "php":
        argv = [program("php"), "-S", f"127.0.0.1:{port}", str(HOSTS / "php" / "webhook.php")]
    else:
        argv = [program("node"), str(HOSTS / "node" / "webhook.mjs")]
    found = Endpoint(f"http://127.0.0.1:{port}/", new_secret(), new_secret(), tmp_path / "inbox.jsonl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SP4N_")}
    env |= {"SP4N_WEBHOOK_SECRETS": f"{found.old_secret} {found.secret}", "SP4N_WEBHOOK_INBOX": str(found.inbox)}
    log = tmp_path / "endpoint.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env={**env, "PORT": str(port)}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield found
    finally:
        process.terminate()
        process.wait(30)


def test_deliveries_reach_the_host_once_each_and_anonymity_holds(endpoint: Endpoint) -> None:
    # the host checks timestamps against its own clock: sp4n's must read the same time
    s = Scenario(sops=["national"], start=SystemClock().now(), store=MemoryStore())
    s.engine.feed.add_consumer("host", "agency", url=endpoint.url, secrets=[endpoint.secret])
    cid = s.submit("Jalan rusak", reporter_id="nik-1", reporter_name="Siti", anonymous=True)
    s.fire(cid, "verify", classification="pengaduan", category="infrastruktur")
    delivery = DeliveryProcess(s.engine, timeout=10)
    try:
        assert delivery.round() == 2
    finally:
        delivery.sender.close()
    taken = endpoint.taken()
    kinds = [(e["id"], e["type"], e["subject"]) for e in taken]
    prefix = "id.go.lapor.sp4n.complaint."
    assert kinds == [(f"{cid}/1", prefix + "submitted", cid), (f"{cid}/2", prefix + "transition", cid)]
    assert "Siti" not in endpoint.inbox.read_text()  # the agency audience never sees the reporter
    assert taken[0]["data"]["actor_id"] == "anonim"

    at = int(s.clock.now().timestamp())
    again = json.dumps({"type": prefix + "submitted", "subject": cid, "data": {}}).encode()
    assert endpoint.post(again, headers([endpoint.secret], f"{cid}/1", at, again))[0] == 204
    assert endpoint.taken() == taken  # a repeat is answered, not taken twice


def test_a_secret_being_rotated_out_still_counts(endpoint: Endpoint) -> None:
    at = int(SystemClock().now().timestamp())
    body = json.dumps({"type": "id.go.lapor.sp4n.complaint.submitted", "subject": "c9", "data": {}}).encode()
    assert endpoint.post(body, headers([endpoint.old_secret], "c9/1", at, body))[0] == 204
    assert [e["id"] for e in endpoint.taken()] == ["c9/1"]


@pytest.mark.parametrize(
    ("change", "field"),
    [("forged", "webhook-signature"), ("stale", "webhook-timestamp"), ("unsigned", "headers")],
)
def test_a_bad_delivery_is_refused_and_not_taken(endpoint: Endpoint, change: str, field: str) -> None:
    at = int(SystemClock().now().timestamp())
    body = json.dumps({"type": "id.go.lapor.sp4n.complaint.submitted", "subject": "c1", "data": {}}).encode()
    signer = new_secret() if change == "forged" else endpoint.secret
    sent = headers([signer], "c1/1", at - 600 if change == "stale" else at, body)
    if change == "unsigned":
        del sent["webhook-signature"]
    status, answer = endpoint.post(body, sent)
    assert (status, json.loads(answer)) == (400, {"invalid_signature": field})
    assert endpoint.taken() == []
