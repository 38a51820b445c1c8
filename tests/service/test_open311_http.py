"""Open311 GeoReport v2 against a live ``sp4n serve``: the spec's fields, JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from sp4n.service.open311 import REQUEST_FIELDS

from .conftest import Live
from .test_complaints_http import SUBMIT, submit

SPEC_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
SPEC_SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


def test_services_are_the_sops_categories(live: Live) -> None:
    status, _, services = live.server.request("GET", "/open311/v2/services.json")
    assert status == 200
    assert {s["service_code"] for s in services} >= {"infrastruktur", "kesehatan"}
    assert all(set(s) == SPEC_SERVICE_FIELDS and s["type"] == "realtime" for s in services)
    status, got, text = live.server.request("GET", "/open311/v2/services.xml")
    assert (status, got["content-type"]) == (200, "text/xml; charset=utf-8")
    root = ET.fromstring(text)
    assert root.tag == "services"
    assert {c.tag for c in root[0]} == SPEC_SERVICE_FIELDS


def test_create_list_and_get_requests(live: Live) -> None:
    form = urlencode(
        {"api_key": live.tokens["citizen"], "service_code": "infrastruktur", "description": "Lampu jalan mati",
         "lat": "-6.2", "long": "106.8", "email": "warga@example.id"}
    )  # fmt: skip
    status, _, created = live.server.request(
        "POST", "/open311/v2/requests.json", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 201, created
    rid = created[0]["service_request_id"]
    assert created[0]["service_notice"].startswith("SP4N-")
    status, _, found = live.server.request("GET", f"/open311/v2/requests/{rid}.json")
    assert status == 200
    (request,) = found
    assert set(request) == SPEC_REQUEST_FIELDS == set(REQUEST_FIELDS)
    assert (request["status"], request["service_code"], request["description"]) == (
        "open",
        "infrastruktur",
        "Lampu jalan mati",
    )
    assert "warga@example.id" not in str(found)  # the public never sees the reporter
    listed = live.server.request("GET", "/open311/v2/requests.json?service_code=infrastruktur&status=open")[2]
    assert rid in {r["service_request_id"] for r in listed}
    assert live.server.request("GET", "/open311/v2/requests.json?status=closed")[2] == []
    by_id = live.server.request("GET", f"/open311/v2/requests.json?service_request_id={rid},nope")[2]
    assert [r["service_request_id"] for r in by_id] == [rid]
    _, _, text = live.server.request("GET", f"/open311/v2/requests/{rid}.xml")
    root = ET.fromstring(text)
    assert (root.tag, root[0].tag, root[0].findtext("status")) == ("service_requests", "request", "open")


def test_expected_datetime_is_the_running_completion_deadline(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    headers = {**live.dinas(), "If-Match": '"1"'}
    live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", {"classification": "pengaduan", "category": "kesehatan"}, headers
    )
    headers["If-Match"] = '"2"'
    status, _, view = live.server.request("POST", f"/v1/complaints/{cid}/distribute", {"agency": "dinas-pu"}, headers)
    assert status == 200, view
    deadlines = live.server.request("GET", f"/v1/complaints/{cid}/deadlines")[2]
    completion = next(d for d in deadlines if d["clock"] == "completion")
    (request,) = live.server.request("GET", f"/open311/v2/requests/{cid}.json")[2]
    assert request["expected_datetime"] == completion["due_at"]


def test_confidential_and_unknown_requests_are_not_found(live: Live) -> None:
    secret = submit(live, live.dinas(), {**SUBMIT, "confidential": True})
    for rid in (secret["id"], "nope"):
        status, _, problem = live.server.request("GET", f"/open311/v2/requests/{rid}.json")
        assert (status, problem["error"]) == (404, "ComplaintNotFound")
    listed = live.server.request("GET", f"/open311/v2/requests.json?service_request_id={secret['id']}")[2]
    assert listed == []


def test_creating_needs_a_reporter_key(live: Live) -> None:
    for key in ("", "nonsense", live.tokens["dinas"], live.tokens["revoked"]):
        form = urlencode({"api_key": key, "service_code": "infrastruktur", "description": "x"})
        status, _, problem = live.server.request("POST", "/open311/v2/requests.json", form)
        assert (status, problem["field"]) == (403, "api_key")
