"""The PHP and Node.js hosts submit, list a queue, fire with If-Match, map problems to errors and
verify webhook signatures, against a live server; the results are checked through the API."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest

from sp4n.integration.signing import headers, new_secret
from sp4n.integration.webhooks import cloud_event
from sp4n.testing import Scenario

from .conftest import AGENCY, Host, Served, program

VERIFY = json.dumps({"classification": "pengaduan", "category": "infrastruktur"})


def submitted(served: Served, title: str = "Lampu jalan padam") -> str:
    """The id of a complaint submitted through the API (not through the host)."""
    return str(served.api("POST", "/v1/complaints", {"title": title, "agency": AGENCY})["id"])


def test_submit_with_an_idempotency_key_files_once(host: Host, served: Served) -> None:
    key = f"{host.name}-{uuid.uuid4().hex}"
    args = ("submit", "--title", "Jalan berlubang di Jl. Merdeka", "--agency", AGENCY, "--idempotency-key", key)
    code, first = host.run(*args)
    assert (code, first["state"], first["version"]) == (0, "received", 1)
    assert first["tracking_number"].startswith("SP4N-")
    code, again = host.run(*args)
    assert (code, again) == (0, first)  # the retry filed nothing new
    view = served.api("GET", f"/v1/complaints/{first['id']}")
    assert (view["title"], view["agency"], view["state"]) == ("Jalan berlubang di Jl. Merdeka", AGENCY, "received")
    events = served.api("GET", f"/v1/complaints/{first['id']}/history")
    assert [e["kind"] for e in events] == ["submitted"]
    assert events[0]["payload"]["via_key"] == served.key_ids["dinas"]


def listed(served: Served, query: str) -> list[str]:
    """The ids the API lists for ``query``, every page followed."""
    ids: list[str] = []
    cursor = ""
    while True:
        page = served.api("GET", f"/v1/complaints?{query}&limit=100{cursor}")
        ids += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            return ids
        cursor = f"&cursor={page['next_cursor']}"


def test_queue_follows_the_cursor_through_every_page(host: Host, served: Served) -> None:
    mine = {submitted(served, f"Antrean {i}") for i in range(3)}
    moved = submitted(served, "Sudah diverifikasi")
    served.api("POST", f"/v1/complaints/{moved}/verify", json.loads(VERIFY), {"If-Match": '"1"'})
    code, queue = host.run("queue", "--state", "received", "--agency", AGENCY, "--page-size", "2")
    assert code == 0
    ids = [item["id"] for item in queue["items"]]
    assert ids == listed(served, f"state=received&agency={AGENCY}")
    assert queue["count"] == len(ids) >= 3  # more than one page of two
    assert mine <= set(ids)
    assert moved not in ids
    assert {item["state"] for item in queue["items"]} == {"received"}
    code, both = host.run("queue", "--state", "received", "--state", "verified", "--agency", AGENCY)
    assert moved in {item["id"] for item in both["items"]}  # a repeated filter is sent repeated


def test_fire_sends_the_etag_it_read_and_a_stale_one_is_refused(host: Host, served: Served) -> None:
    cid = submitted(served)
    code, fired = host.run("fire", cid, "verify", "--data", VERIFY)
    assert code == 0
    assert fired == {"id": cid, "state": "verified", "version": 2, "if_match": '"1"'}
    view = served.api("GET", f"/v1/complaints/{cid}")
    assert (view["state"], view["version"], view["category"]) == ("verified", 2, "infrastruktur")
    code, problem = host.run("fire", cid, "distribute", "--data", "{}", "--if-match", '"1"')
    assert code == 3
    assert problem["problem"] == "PreconditionFailed"
    assert (problem["status"], problem["field"], problem["etag"]) == (412, "If-Match", '"2"')
    assert problem["detail"] == "the complaint is at version 2, not 1; reload it"
    assert served.api("GET", f"/v1/complaints/{cid}")["version"] == 2  # nothing changed


def test_a_retried_fire_with_its_idempotency_key_is_not_refused(host: Host, served: Served) -> None:
    cid = submitted(served)
    args = ("fire", cid, "verify", "--data", VERIFY, "--if-match", '"1"', "--idempotency-key", f"v-{cid}")
    assert host.run(*args) == host.run(*args) == (0, {"id": cid, "state": "verified", "version": 2, "if_match": '"1"'})
    events = served.api("GET", f"/v1/complaints/{cid}/history")
    assert [e["kind"] for e in events] == ["submitted", "transition"]


PARTIAL = '{"classification": "pengaduan"}'
PROBLEMS = {
    "conflict": (("fire", "{cid}", "follow_up"), {}, ("Conflict", 409, "TransitionNotAllowed", None)),
    "missing-data": (
        ("fire", "{cid}", "verify", "--data", PARTIAL),
        {},
        ("InvalidRequest", 422, "MissingData", "category"),
    ),
    "not-found": (("fire", "tidak-ada", "verify"), {}, ("NotFound", 404, "ComplaintNotFound", None)),
    "revoked-key": (("fire", "{cid}", "verify"), {"key": "revoked"}, ("Unauthenticated", 401, "Unauthenticated", None)),
    "role-outside-key": (
        ("fire", "{cid}", "verify", "--if-match", '"1"'),
        {"role": "ombudsman"},
        ("Forbidden", 403, "OutsideKeyScope", "Sp4n-Actor-Role"),
    ),
    "empty-title": (
        ("submit", "--title", "", "--idempotency-key", "e"),
        {},
        ("InvalidRequest", 422, "InvalidRequest", "title"),
    ),
}
"""Per case: the host's command ({cid}: a new complaint), who acts, and the error it must print
(its class in the client, status, sp4n error, field)."""


@pytest.mark.parametrize(("args", "actor", "expected"), list(PROBLEMS.values()), ids=list(PROBLEMS))
def test_problems_become_errors_of_the_client(
    host: Host, served: Served, args: tuple[str, ...], actor: dict[str, str], expected: tuple[Any, ...]
) -> None:
    cid = submitted(served)
    if actor.get("key"):
        actor = {"key": served.tokens[actor["key"]]}
    code, problem = host.run(*(a.replace("{cid}", cid) for a in args), **actor)
    assert code == 3, problem
    assert (problem["problem"], problem["status"], problem["error"], problem["field"]) == expected
    view = served.api("GET", f"/v1/complaints/{cid}")
    assert (view["state"], view["version"]) == ("received", 1)  # nothing changed


@pytest.fixture(scope="module")
def delivery() -> tuple[bytes, int]:
    """The body of a real webhook delivery (an event's CloudEvent, as the agency audience sees
    it) and the instant it was sent, in seconds."""
    s = Scenario(sops=["national"], start="2026-03-02T09:00:00+07:00")
    s.engine.feed.add_consumer("host", "agency")
    s.submit("Jalan rusak", reporter_id="nik-1", reporter_name="Siti", anonymous=True)
    sent: list[Any] = []
    s.engine.feed.deliver("host", sent.append)
    return json.dumps(cloud_event(sent[0])).encode(), int(s.clock.now().timestamp())


@pytest.fixture
def verifier(host_program: list[str]) -> Host:
    """An example host with no server: it only checks signatures."""
    return Host(host_program[0], host_program, {k: v for k, v in os.environ.items() if not k.startswith("SP4N_")})


def verify(verifier: Host, secrets: list[str], sent: dict[str, str], body: bytes, now: int) -> tuple[int, Any]:
    options = [f for s in secrets for f in ("--secret", s)] + [
        f for k, v in sent.items() for f in ("--header", f"{k}: {v}")
    ]
    return verifier.run("verify-webhook", *options, "--now", str(now), stdin=body)


def test_a_signature_made_by_sp4n_is_verified(verifier: Host, delivery: tuple[bytes, int]) -> None:
    body, at = delivery
    old, new = new_secret(), new_secret()
    sent = headers([old, new], "c1/1", at, body)  # during a rotation: signed with both secrets
    assert verify(verifier, [new], sent, body, at + 299) == (
        0,
        {"verified": "c1/1", "type": "id.go.lapor.sp4n.complaint.submitted", "subject": json.loads(body)["subject"]},
    )
    assert b"Siti" not in body  # the agency audience never sees the anonymous reporter
    upper = {k.title(): v for k, v in sent.items()}  # header names in any case
    assert verify(verifier, [new_secret(), old], upper, body, at - 300)[0] == 0


def test_the_reference_vector_of_standard_webhooks_is_verified(verifier: Host) -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the reference vector of the Standard Webhooks libraries
    sent = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    answer = verify(verifier, [secret], sent, b'{"test": 2432232314}', 1614265330)
    assert answer == (0, {"verified": "msg_p5jXN8AQM9LWM0D4loKWxJek", "type": None, "subject": None})


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        ("body", "webhook-signature", "no signature matches a secret of this endpoint"),
        ("secret", "webhook-signature", "no signature matches a secret of this endpoint"),
        ("late", "webhook-timestamp", "is more than 300 s from now"),
        ("stamp", "webhook-timestamp", "'soon' is not whole seconds"),
        ("headers", "headers", "webhook-id, webhook-timestamp and webhook-signature are required"),
    ],
)
def test_a_bad_signature_is_refused(
    verifier: Host, delivery: tuple[bytes, int], change: str, field: str, detail: str
) -> None:
    body, at = delivery
    secret = new_secret()
    sent = headers([secret], "c1/1", at, body)
    now = at + 301 if change == "late" else at
    if change == "body":
        body = body.replace(b"Jalan rusak", b"Jalan bagus")
    if change == "stamp":
        sent["webhook-timestamp"] = "soon"
    if change == "headers":
        del sent["webhook-id"]
    code, refused = verify(verifier, [new_secret() if change == "secret" else secret], sent, body, now)
    assert (code, refused["invalid_signature"]) == (4, field)
    assert detail in refused["detail"]


def test_a_missing_host_program_skips_or_fails_as_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("SP4N_REQUIRE_HOSTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not installed; the node example host is not tested"):
        program("node")
    monkeypatch.setenv("SP4N_REQUIRE_HOSTS", "1")
    with pytest.raises(pytest.fail.Exception, match="php is not installed, and SP4N_REQUIRE_HOSTS=1 requires"):
        program("php")
