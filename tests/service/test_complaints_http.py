"""The /v1 complaint resources against a live ``sp4n serve`` process."""

from __future__ import annotations

import json

import pytest

from .conftest import Live

SUBMIT = {"title": "Jalan berlubang di Jl. Merdeka", "description": "Lubang besar", "agency": "dinas-pu"}
VERIFY = {"classification": "pengaduan", "category": "infrastruktur"}


def submit(live: Live, headers: dict[str, str], body: dict[str, object] | None = None) -> dict[str, object]:
    status, got, view = live.server.request("POST", "/v1/complaints", body or SUBMIT, headers)
    assert status == 201, view
    assert got["etag"] == f'"{view["version"]}"'
    assert got["location"] == f"/v1/complaints/{view['id']}"
    return dict(view)


def test_submit_get_and_fire_with_if_match(live: Live) -> None:
    view = submit(live, live.dinas())
    cid = view["id"]
    status, got, same = live.server.request("GET", f"/v1/complaints/{cid}", headers=live.dinas())
    assert (status, got["etag"], same["state"]) == (200, '"1"', "received")
    status, _, allowed = live.server.request("GET", f"/v1/complaints/{cid}/triggers", headers=live.dinas())
    assert status == 200
    assert "verify" in allowed["triggers"]
    status, got, fired = live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", VERIFY, {**live.dinas(), "If-Match": '"1"'}
    )
    assert (status, fired["state"], got["etag"]) == (200, "verified", '"2"'), fired
    status, _, events = live.server.request("GET", f"/v1/complaints/{cid}/history", headers=live.dinas())
    assert status == 200
    assert [e["kind"] for e in events] == ["submitted", "transition"]
    # the key each event came through is recorded in it
    assert {e["payload"]["via_key"] for e in events} == {live.key_ids["dinas"]}


def test_if_match_is_required_and_checked(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    status, _, problem = live.server.request("POST", f"/v1/complaints/{cid}/verify", VERIFY, live.dinas())
    assert (status, problem["error"], problem["field"]) == (428, "PreconditionRequired", "If-Match")
    status, got, problem = live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", VERIFY, {**live.dinas(), "If-Match": '"7"'}
    )
    assert (status, problem["error"], got["etag"]) == (412, "PreconditionFailed", '"1"')
    assert problem["detail"] == "the complaint is at version 1, not 7; reload it"
    status, _, view = live.server.request("GET", f"/v1/complaints/{cid}", headers=live.dinas())
    assert view["state"] == "received"  # nothing changed


def test_data_may_not_use_the_engines_own_argument_names(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    headers = {**live.dinas(), "If-Match": '"1"'}
    for name in ("expected_version", "idempotency_key", "actor"):
        status, _, problem = live.server.request("POST", f"/v1/complaints/{cid}/verify", {**VERIFY, name: 2}, headers)
        assert (status, problem["error"], problem["field"]) == (422, "InvalidData", name)
    assert live.server.request("GET", f"/v1/complaints/{cid}", headers=live.dinas())[2]["version"] == 1


def test_idempotency_key_files_once_and_replays_a_fire(live: Live) -> None:
    headers = {**live.dinas(), "Idempotency-Key": "host-42"}
    first, second = submit(live, headers), submit(live, headers)
    assert first["id"] == second["id"]
    key = {**live.dinas(), "If-Match": '"1"', "Idempotency-Key": "host-42-verify"}
    status, _, fired = live.server.request("POST", f"/v1/complaints/{first['id']}/verify", VERIFY, key)
    assert status == 200
    status, _, again = live.server.request("POST", f"/v1/complaints/{first['id']}/verify", VERIFY, key)
    assert (status, again["version"]) == (200, fired["version"])  # a retry, not a 412


def test_engine_errors_are_problem_details(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    status, got, problem = live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", {"classification": "pengaduan"}, {**live.dinas(), "If-Match": '"1"'}
    )
    assert got["content-type"] == "application/problem+json"
    assert (status, problem["error"], problem["field"]) == (422, "MissingData", "category")
    status, _, problem = live.server.request(
        "POST", f"/v1/complaints/{cid}/follow_up", {"response": "x"}, {**live.dinas(), "If-Match": '"1"'}
    )
    assert (status, problem["error"]) == (409, "TransitionNotAllowed")
    assert problem["detail"].startswith(f"complaint {cid!r}: trigger 'follow_up' is not allowed in state 'received'")
    body = {**VERIFY, "category": "sulap"}
    status, _, problem = live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", body, {**live.dinas(), "If-Match": '"1"'}
    )
    assert (status, problem["error"], problem["field"], problem["value"]) == (422, "InvalidData", "category", "sulap")


def test_deadlines_in_the_language_asked_for(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    status, got, found = live.server.request(
        "GET", f"/v1/complaints/{cid}/deadlines", headers={"Accept-Language": "id"}
    )
    assert (status, got["content-language"]) == (200, "id")
    verification = next(d for d in found if d["clock"] == "verification")
    assert "3 hari kerja: batas waktu" in verification["explanation"]
    _, got, found = live.server.request(
        "GET", f"/v1/complaints/{cid}/deadlines", headers={"Accept-Language": "fr, en;q=0.5"}
    )
    assert got["content-language"] == "en"
    assert "3 working days: due" in next(d for d in found if d["clock"] == "verification")["explanation"]


def test_sops_and_calendar(live: Live) -> None:
    status, _, sops = live.server.request("GET", "/v1/sops")
    assert status == 200
    assert [s["id"] for s in sops] == ["national"]
    status, _, text = live.server.request("GET", "/v1/sops/national/diagram")
    assert status == 200
    assert "stateDiagram-v2" in text
    status, _, problem = live.server.request("GET", "/v1/sops/nope")
    assert (status, problem["error"]) == (404, "SopNotFoundError")
    status, _, year = live.server.request("GET", "/v1/calendar/2026")
    assert status == 200
    assert any(d["date"] == "2026-08-17" and d["kind"] == "national_holiday" for d in year["days"])
    query = "/v1/calendar/due?start=2026-03-02T10:00:00%2B07:00&duration=5+working+days"
    status, _, due = live.server.request("GET", query)
    assert (status, due["due_date"]) == (200, "2026-03-09")
    status, _, problem = live.server.request("GET", "/v1/calendar/due?start=2026-03-02T10:00:00&duration=5+days")
    assert (status, problem["error"], problem["field"]) == (422, "NaiveDatetimeError", "start")


def test_validating_an_sop_variant_returns_every_located_error(live: Live) -> None:
    variant = (
        "id: kota\ntitle: Kota\nstates:\n"
        "  - {id: a, label_id: A, label_en: A, initial: true}\n  - {id: b, label_id: B, label_en: B}\n"
        "transitions:\n  - {trigger: go, source: a, dest: c, roles: [reporter]}\n"
    )
    status, _, found = live.server.request("POST", "/v1/sops/validate", variant, {"Content-Type": "application/yaml"})
    assert status == 200
    assert found["valid"] is False
    assert [e["location"] for e in found["errors"]] == [
        "states",
        "transitions[0].dest",
        "states.b",
        "states.b",
        "states.a",
    ]
    assert found["errors"][1]["reason"] == "transition 'go': dest 'c' is not a state (states: a, b)"
    good = json.dumps({"id": "kota", "extends": "national", "title": "Kota"})
    status, _, found = live.server.request("POST", "/v1/sops/validate", good, {"Content-Type": "application/json"})
    assert (found["valid"], found["id"]) == (True, "kota")
    reads_a_file = "id: kota\nextends: /etc/passwd.yaml\n"
    _, _, found = live.server.request("POST", "/v1/sops/validate", reads_a_file)
    assert found["errors"] == [
        {"location": "line 2, column 1: extends", "reason": "a built-in SOP extends other built-in SOPs by id only"}
    ]


def test_health_ready_and_metrics(live: Live) -> None:
    assert live.server.request("GET", "/health")[2] == {"status": "ok"}
    assert live.server.request("GET", "/ready")[2] == {"status": "ready"}
    status, got, text = live.server.request("GET", "/metrics")
    assert status == 200
    assert got["content-type"].startswith("text/plain")
    assert 'sp4n_http_requests_total{method="GET",route="/health",status="200"}' in text


@pytest.mark.postgres
def test_the_service_on_postgresql(live_postgres: Live) -> None:
    test_submit_get_and_fire_with_if_match(live_postgres)
    test_if_match_is_required_and_checked(live_postgres)
