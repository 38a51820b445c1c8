"""/v1/feed and /v1/webhooks against a live server: endpoints added, listed, rotated and removed;
parked events seen, retried and skipped (delivered to a real HTTP endpoint on 127.0.0.1); only a
national admin administers them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sp4n.integration import DeliveryProcess
from sp4n.testing.webhook_server import WebhookServer
from sp4n.workflow.engine import Engine

from .conftest import Live
from .test_complaints_http import submit


@pytest.fixture
def delivery(live: Live) -> Iterator[DeliveryProcess]:
    """A delivery process on the server's database, run one round at a time by the test."""
    engine = Engine(sops=(), database_url=live.url)
    process = DeliveryProcess(engine, timeout=5.0)
    try:
        yield process
    finally:
        process.sender.close()
        engine.close()


def national(live: Live) -> dict[str, str]:
    return live.headers("national", "nas-1", "national_admin")


def add_hook(live: Live, endpoint: WebhookServer, name: str, **more: object) -> dict[str, object]:
    body = {"name": name, "url": endpoint.url, "audience": "agency", **more}
    status, got, added = live.server.request("POST", "/v1/webhooks", body, national(live))
    assert (status, got["location"]) == (201, f"/v1/webhooks/{name}"), added
    endpoint.secrets[:] = [added["secret"]]
    return dict(added)


def test_endpoints_are_added_listed_rotated_and_removed(live: Live, endpoint: WebhookServer) -> None:
    added = add_hook(live, endpoint, "sms-gateway")
    assert added["endpoint"]["secrets"] == 1  # type: ignore[index]
    assert str(added["secret"]).startswith("whsec_")
    status, _, listed = live.server.request("GET", "/v1/webhooks", headers=national(live))
    assert status == 200
    (found,) = [e for e in listed if e["name"] == "sms-gateway"]
    assert (found["url"], found["audience"], found["secrets"]) == (endpoint.url, "agency", 1)
    assert added["secret"] not in str(listed)  # a secret is shown once
    status, _, rotated = live.server.request("POST", "/v1/webhooks/sms-gateway/rotate", None, national(live))
    assert (status, rotated["endpoint"]["secrets"]) == (200, 2)
    assert rotated["secret"] != added["secret"]
    status, _, dropped = live.server.request(
        "POST", "/v1/webhooks/sms-gateway/rotate?drop_old=true", None, national(live)
    )
    assert (status, dropped["endpoint"]["secrets"]) == (200, 1)
    status, _, problem = live.server.request("POST", "/v1/webhooks", {**found, "url": endpoint.url}, national(live))
    assert status == 422  # (the listing is not a body: unknown fields are refused)
    body = {"name": "sms-gateway", "url": endpoint.url, "audience": "agency"}
    status, _, problem = live.server.request("POST", "/v1/webhooks", body, national(live))
    assert (status, problem["error"]) == (409, "DuplicateConsumer")
    assert live.server.request("DELETE", "/v1/webhooks/sms-gateway", headers=national(live))[0] == 204
    status, _, problem = live.server.request("GET", "/v1/feed/consumers/sms-gateway", headers=national(live))
    assert (status, problem["error"]) == (404, "ConsumerNotFound")


def test_bad_endpoints_are_refused_naming_the_field(live: Live) -> None:
    cases = [
        ({"name": "Bad Name", "url": "https://x.example/h", "audience": "agency"}, "name"),
        ({"name": "ok", "url": "ftp://x.example/h", "audience": "agency"}, "url"),
        ({"name": "ok", "url": "https://x.example/h", "audience": "everyone"}, "audience"),
        ({"name": "ok", "url": "https://x.example/h", "audience": "agency", "start": "yesterday"}, "start"),
    ]
    for body, field in cases:
        status, _, problem = live.server.request("POST", "/v1/webhooks", body, national(live))
        assert (status, problem["field"]) == (422, field), problem


def test_parked_events_are_seen_retried_and_skipped(
    live: Live, endpoint: WebhookServer, delivery: DeliveryProcess
) -> None:
    add_hook(live, endpoint, "flaky", max_attempts=1)
    endpoint.script.extend([500])
    cid = submit(live, live.dinas())["id"]
    delivery.round()
    status, _, state = live.server.request("GET", "/v1/feed/consumers/flaky", headers=national(live))
    assert (status, state["parked"], state["audience"]) == (200, 1, "agency")
    status, _, (dead,) = live.server.request("GET", "/v1/feed/consumers/flaky/parked", headers=national(live))
    assert (status, dead["complaint_id"], dead["attempts"]) == (200, cid, 1)
    assert "500" in dead["last_error"]
    status, _, retried = live.server.request("POST", "/v1/feed/consumers/flaky/retry", None, national(live))
    assert (status, retried) == (200, {"queued": 1})
    assert delivery.round() == 1
    assert [e["subject"] for e in endpoint.received] == [cid]
    endpoint.script.extend([500])
    other = submit(live, live.dinas())["id"]
    delivery.round()
    (dead,) = live.server.request("GET", "/v1/feed/consumers/flaky/parked", headers=national(live))[2]
    assert dead["complaint_id"] == other
    skip = f"/v1/feed/consumers/flaky/skip?position={dead['position']}"
    assert live.server.request("POST", skip, None, national(live))[0] == 204
    status, _, problem = live.server.request("POST", skip, None, national(live))
    assert (status, problem["field"], problem["value"]) == (422, "position", dead["position"])
    state = live.server.request("GET", "/v1/feed/consumers/flaky", headers=national(live))[2]
    assert (state["parked"], state["queued"]) == (0, 0)
    listed = live.server.request("GET", "/v1/feed/consumers", headers=national(live))[2]
    assert "flaky" in {c["name"] for c in listed}


def test_only_a_national_admin_administers_the_feed(live: Live) -> None:
    paths = [
        ("GET", "/v1/feed/consumers"),
        ("GET", "/v1/feed/consumers/x/parked"),
        ("POST", "/v1/feed/consumers/x/retry"),
        ("GET", "/v1/webhooks"),
        ("POST", "/v1/webhooks/x/rotate"),
        ("DELETE", "/v1/webhooks/x"),
    ]
    body = {"name": "sneaky", "url": "https://evil.example/h", "audience": "national"}
    revoked = {**live.citizen(), "Authorization": f"Bearer {live.tokens['revoked']}"}
    for method, path in [*paths, ("POST", "/v1/webhooks")]:
        sent = body if path == "/v1/webhooks" and method == "POST" else None
        assert live.server.request(method, path, sent)[0] == 401, path
        assert live.server.request(method, path, sent, revoked)[0] == 401, path
        for headers in (live.dinas(), live.citizen()):
            status, _, problem = live.server.request(method, path, sent, headers)
            assert (status, problem["field"]) == (403, "Sp4n-Actor-Role"), (path, problem)
    names = {c["name"] for c in live.server.request("GET", "/v1/feed/consumers", headers=national(live))[2]}
    assert "sneaky" not in names
