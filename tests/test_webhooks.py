"""Webhooks against a real HTTP server on 127.0.0.1: signatures, failures with backoff, timeouts,
429 with Retry-After, 410, a restart, secret rotation, and the receiver helper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from sp4n.errors import GatewayError, InvalidSignature
from sp4n.integration import DeliveryProcess, WebhookReceiver, new_secret, sign, verify
from sp4n.integration.signing import headers
from sp4n.persistence import MemoryStore
from sp4n.persistence.feed_records import ConsumerStatus
from sp4n.testing import Scenario
from sp4n.testing.webhook_server import WebhookServer

START = "2026-03-02T09:00:00+07:00"


@pytest.fixture
def scenario() -> Scenario:
    return Scenario(sops=["national"], start=START, store=MemoryStore())


@pytest.fixture
def server(scenario: Scenario) -> Iterator[WebhookServer]:
    s = WebhookServer([new_secret()], lambda: int(scenario.engine.now().timestamp()), slow=1.5)
    try:
        yield s
    finally:
        s.close()


def setup(server: WebhookServer, s: Scenario) -> tuple[Scenario, DeliveryProcess]:
    s.engine.feed.random = lambda: 0.0
    s.engine.feed.add_consumer("hook", "agency", url=server.url, secrets=server.secrets)
    return s, DeliveryProcess(s.engine, timeout=0.5, batch=10)


def test_the_standard_webhooks_signature_spelled_out() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the reference vector of the Standard Webhooks libraries
    vector = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert vector == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    body = b'{"id":"k1/1"}'
    assert verify([secret], headers([secret], "k1/1", 1700000000, body), body, 1700000100) == "k1/1"
    with pytest.raises(InvalidSignature, match="webhook-timestamp: 1700000000 is more than 300 s from now"):
        verify([secret], headers([secret], "k1/1", 1700000000, body), body, 1700000301)
    with pytest.raises(InvalidSignature, match="webhook-signature: no signature matches"):
        verify([new_secret()], headers([secret], "k1/1", 1700000000, body), body, 1700000000)
    with pytest.raises(InvalidSignature, match="webhook headers: webhook-id, webhook-timestamp"):
        verify([secret], {}, body, 1700000000)


def test_the_receiver_verifies_and_drops_repeats() -> None:
    secret = new_secret()
    body = json.dumps({"id": "k1/1", "specversion": "1.0"}).encode()
    receiver = WebhookReceiver([secret], now=lambda: 1700000000)
    signed = headers([secret], "k1/1", 1700000000, body)
    assert receiver.receive(signed, body) == {"id": "k1/1", "specversion": "1.0"}
    assert receiver.receive(signed, body) is None
    with pytest.raises(InvalidSignature, match="no signature matches"):
        receiver.receive(signed, body + b" ")


def test_every_event_arrives_in_order_per_complaint_through_failures(server: WebhookServer, scenario: Scenario) -> None:
    s, process = setup(server, scenario)
    a = s.submit("satu")
    b = s.submit("dua")
    s.fire(a, "verify", classification="pengaduan", category="kesehatan")
    server.script.extend([500, "timeout"])  # a/1 fails, then b/1 times out
    process.round()
    assert server.ids() == []
    s.clock.advance(seconds=10)
    process.round()
    assert server.ids() == [f"{a}/1", f"{b}/1", f"{a}/2"]
    event = server.received[0]
    assert (event["specversion"], event["type"], event["subject"]) == ("1.0", "id.go.lapor.sp4n.complaint.submitted", a)
    assert server.bad_signatures == 0
    process.sender.close()


def test_429_waits_as_asked_and_410_disables(server: WebhookServer, scenario: Scenario) -> None:
    s, process = setup(server, scenario)
    a = s.submit("satu")
    server.script.append((429, 120))
    process.round()
    [waiting] = s.engine.store.feed.queue("hook", None, 10)
    assert (waiting.attempts, waiting.next_at) == (0, s.engine.now() + timedelta(seconds=120))
    s.clock.advance(seconds=120)
    server.script.append(410)
    process.round()
    consumer = s.engine.feed.consumer("hook")
    assert consumer.status is ConsumerStatus.DISABLED
    assert "HTTP 410" in (consumer.disabled_reason or "")
    assert server.ids() == []
    assert a
    process.sender.close()


def test_a_restarted_endpoint_gets_what_it_missed_and_rotation_signs_twice(
    server: WebhookServer, scenario: Scenario
) -> None:
    s, process = setup(server, scenario)
    port = server.port
    a = s.submit("satu")
    server.close()
    process.round()  # refused: the endpoint is down
    again = WebhookServer(server.secrets, server.now, port=port)
    try:
        consumer = s.engine.feed.consumer("hook")
        new = new_secret()
        consumer.secrets = [new, *consumer.secrets]
        s.engine.feed.update(consumer)
        s.clock.advance(minutes=1)
        process.round()
        assert again.ids() == [f"{a}/1"]  # verified with the old secret, though signed with both
        again.secrets = [new]
        s.submit("dua")
        process.round()
        assert len(again.ids()) == 2
        assert again.bad_signatures == 0
    finally:
        again.close()
        process.sender.close()


def test_a_failing_task_is_logged_and_delivery_goes_on(
    server: WebhookServer, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    s, _ = setup(server, scenario)
    runs: list[int] = []

    def pull() -> None:
        runs.append(1)
        raise GatewayError("lapor", "forwarded", 503, "down")

    process = DeliveryProcess(s.engine, timeout=0.5, tasks=[(timedelta(minutes=5), pull)])
    a = s.submit("satu")
    assert process.round() == 1
    assert process.round() == 0  # the task waits its interval
    s.clock.advance(minutes=5)
    process.round()
    assert (len(runs), server.ids()) == (2, [f"{a}/1"])
    assert "delivery task" in caplog.text
    process.sender.close()
