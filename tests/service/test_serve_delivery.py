"""``sp4n serve`` on a SQLite file delivers the feed to webhook endpoints in its own process (the
delivery of ``sp4n deliver``), stops cleanly on SIGTERM, and ``--no-deliver`` leaves it out."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sp4n.integration import DeliveryProcess
from sp4n.testing.server import ServeProcess
from sp4n.testing.webhook_server import WebhookServer
from sp4n.workflow.engine import Engine

from .conftest import Live, make_keys
from .test_complaints_http import submit
from .test_feed_http import add_hook


def wait_for(event_id: str, endpoint: WebhookServer, timeout: float = 60.0) -> None:
    """Wait (bounded) until ``event_id`` has arrived at ``endpoint``."""
    deadline = time.monotonic() + timeout
    while event_id not in endpoint.ids():
        assert time.monotonic() < deadline, f"{event_id} did not arrive within {timeout} s"
        time.sleep(0.05)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sp4n.db'}"


def test_serve_on_sqlite_delivers_signed_events_to_a_webhook(url: str, tmp_path: Path, endpoint: WebhookServer) -> None:
    tokens, ids = make_keys(url)
    with ServeProcess(url, tmp_path / "serve.log") as server:
        live = Live(server, url, tokens, ids)
        add_hook(live, endpoint, "kanal-kota")
        cid = submit(live, live.dinas())["id"]
        wait_for(f"{cid}/1", endpoint)
        assert server.stop() == 0, server.log()  # SIGTERM: delivery and worker stopped, exit 0
    assert "Traceback" not in server.log()
    (event,) = endpoint.received  # each event once (the server verified its signature)
    assert (event["subject"], event["type"]) == (cid, "id.go.lapor.sp4n.complaint.submitted")
    assert endpoint.bad_signatures == 0


def test_no_deliver_leaves_the_events_waiting(url: str, tmp_path: Path, endpoint: WebhookServer) -> None:
    tokens, ids = make_keys(url)
    with ServeProcess(url, tmp_path / "serve.log", "--no-deliver") as server:
        live = Live(server, url, tokens, ids)
        add_hook(live, endpoint, "kanal-kota")
        cid = submit(live, live.dinas())["id"]
        assert server.stop() == 0, server.log()
    assert endpoint.arrived == 0
    engine = Engine(sops=(), database_url=url)
    process = DeliveryProcess(engine, timeout=5.0)
    try:
        assert process.round() == 1  # still waiting: serve sent nothing
    finally:
        process.sender.close()
        engine.close()
    assert endpoint.ids() == [f"{cid}/1"]
