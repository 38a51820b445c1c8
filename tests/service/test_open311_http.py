"""Open311 GeoReport v2 against a live ``sp4n serve``: the spec's fields, JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from sp4n.service.open311 import EXTENDED_STATUSES, REQUEST_FIELDS, UPDATE_FIELDS

from .conftest import Live
from .test_complaints_http import SUBMIT, submit

SPEC_REQUEST_ORDER = (
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
)  # fmt: skip
"""The elements of a request in the order of GeoReport v2's example response of GET Service Requests."""
SPEC_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
SPEC_SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
FMS_UPDATE_FIELDS = {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
"""The fields of a request update in FixMyStreet's Open311 extension (GET Service Request Updates)."""
FMS_STATUSES = {
    "open", "closed", "fixed", "in_progress", "action_scheduled", "investigating", "duplicate",
    "not_councils_responsibility", "no_further_action", "internal_referral", "for_triage", "planned",
}  # fmt: skip
"""FixMyStreet's statuses (its extension's additional states and those of its Open311 adapter)."""


LIST = "/open311/v2/requests.json?service_code="


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
    assert rid not in {r["service_request_id"] for r in live.server.request("GET", LIST + "kesehatan")[2]}
    both = live.server.request("GET", LIST + "kesehatan,infrastruktur")[2]
    assert rid in {r["service_request_id"] for r in both}
    stamps = [r["requested_datetime"] for r in both]
    assert stamps == sorted(stamps)  # oldest first
    by_id = live.server.request("GET", f"/open311/v2/requests.json?service_request_id={rid},nope")[2]
    assert [r["service_request_id"] for r in by_id] == [rid]
    _, _, text = live.server.request("GET", f"/open311/v2/requests/{rid}.xml")
    root = ET.fromstring(text)
    assert (root.tag, root[0].tag, root[0].findtext("status")) == ("service_requests", "request", "open")
    assert tuple(child.tag for child in root[0]) == SPEC_REQUEST_ORDER


@pytest.mark.parametrize(
    ("fields", "field", "value"),
    [
        ({"lat": "abc"}, "lat", "abc"),
        ({"lat": "-91"}, "lat", "-91"),
        ({"long": "999"}, "long", "999"),
        ({"long": "nan"}, "long", "nan"),
        ({"service_code": "nope"}, "service_code", "nope"),
    ],
)
def test_a_bad_request_names_the_open311_field(live: Live, fields: dict[str, str], field: str, value: str) -> None:
    sent = {"api_key": live.tokens["citizen"], "service_code": "infrastruktur", "description": "Lampu mati"}
    form = urlencode(sent | fields)
    before = len(live.server.request("GET", "/open311/v2/requests.json")[2])
    status, head, problem = live.server.request(
        "POST", "/open311/v2/requests.json", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, head["content-type"]) == (422, "application/problem+json")
    assert (problem["field"], problem["value"]) == (field, value)
    assert len(live.server.request("GET", "/open311/v2/requests.json")[2]) == before  # nothing filed


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


def _verify_and_distribute(live: Live, cid: str) -> None:
    headers = {**live.dinas(), "If-Match": '"1"'}
    status, _, view = live.server.request(
        "POST", f"/v1/complaints/{cid}/verify", {"classification": "pengaduan", "category": "kesehatan"}, headers
    )
    assert status == 200, view
    headers["If-Match"] = '"2"'
    status, _, view = live.server.request("POST", f"/v1/complaints/{cid}/distribute", {"agency": "dinas-pu"}, headers)
    assert status == 200, view


def test_extended_statuses_are_fixmystreets(live: Live) -> None:
    assert set(EXTENDED_STATUSES) == FMS_STATUSES
    cid = submit(live, live.dinas())["id"]
    _verify_and_distribute(live, cid)
    (plain,) = live.server.request("GET", f"/open311/v2/requests/{cid}.json")[2]
    (extended,) = live.server.request("GET", f"/open311/v2/requests/{cid}.json?extended_statuses=true")[2]
    assert (plain["status"], extended["status"]) == ("open", "action_scheduled")
    scheduled = live.server.request("GET", "/open311/v2/requests.json?status=action_scheduled&extended_statuses=true")
    assert cid in {r["service_request_id"] for r in scheduled[2]}
    plain_open = live.server.request("GET", "/open311/v2/requests.json?status=open")[2]
    assert cid in {r["service_request_id"] for r in plain_open}
    extended_open = live.server.request("GET", "/open311/v2/requests.json?status=open,fixed&extended_statuses=1")[2]
    assert cid not in {r["service_request_id"] for r in extended_open}
    status, _, problem = live.server.request("GET", "/open311/v2/requests.json?status=action_scheduled")
    assert (status, problem["field"], problem["value"]) == (422, "status", "action_scheduled")


def test_service_request_updates_by_update_time(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    _verify_and_distribute(live, cid)
    history = live.server.request("GET", f"/v1/complaints/{cid}/history", headers=live.dinas())[2]
    start = history[0]["at"]
    query = urlencode({"start_date": start, "extended_statuses": "true"})
    status, _, updates = live.server.request("GET", f"/open311/v2/servicerequestupdates.json?{query}")
    assert status == 200
    mine = [u for u in updates if u["service_request_id"] == cid]
    assert all(set(u) == FMS_UPDATE_FIELDS == set(UPDATE_FIELDS) for u in updates)
    assert [(u["status"], u["description"]) for u in mine] == [
        ("open", "Received"),
        ("investigating", "Verified"),
        ("action_scheduled", "Distributed to the agency"),
    ]
    assert [u["updated_datetime"] for u in mine] == [e["at"] for e in history]
    assert len({u["update_id"] for u in updates}) == len(updates)
    stamps = [u["updated_datetime"] for u in updates]
    assert stamps == sorted(stamps)  # by update time
    # a client that synced up to the first change asks from there and gets the later ones
    later = urlencode({"start_date": history[1]["at"], "end_date": history[2]["at"]})
    mine = live.server.request("GET", f"/open311/v2/servicerequestupdates.json?{later}")[2]
    assert [(u["service_request_id"], u["status"]) for u in mine if u["service_request_id"] == cid] == [
        (cid, "open"),
        (cid, "open"),
    ]
    status, got, text = live.server.request("GET", f"/open311/v2/servicerequestupdates.xml?{query}")
    assert (status, got["content-type"]) == (200, "text/xml; charset=utf-8")
    root = ET.fromstring(text)
    assert root.tag == "service_request_updates"
    assert {child.tag for child in root} == {"request_update"}
    assert [c.tag for c in root[0]] == list(UPDATE_FIELDS)
    status, _, problem = live.server.request("GET", "/open311/v2/servicerequestupdates.json?start_date=kemarin")
    assert (status, problem["field"], problem["value"]) == (422, "start_date", "kemarin")


def test_updates_never_show_a_confidential_request_nor_a_person(live: Live) -> None:
    secret = submit(live, live.dinas(), {**SUBMIT, "confidential": True})
    anonymous = submit(live, live.citizen("warga-anonim-311"), {**SUBMIT, "anonymous": True})
    start = urlencode({"start_date": secret["submitted_at"]})
    status, _, text = live.server.request("GET", f"/open311/v2/servicerequestupdates.json?{start}")
    assert status == 200
    assert secret["id"] not in str(text)
    assert anonymous["id"] in str(text)
    assert "warga-anonim-311" not in str(text)
    assert "adm-1" not in str(text)  # nor the staff who acted


@pytest.mark.postgres
def test_open311_on_postgresql(live_postgres: Live) -> None:
    test_extended_statuses_are_fixmystreets(live_postgres)
    test_service_request_updates_by_update_time(live_postgres)
    test_updates_never_show_a_confidential_request_nor_a_person(live_postgres)


def test_requests_without_an_account_each_have_a_reporter_of_their_own(live: Live) -> None:
    import sqlalchemy

    form = {"api_key": live.tokens["citizen"], "service_code": "infrastruktur", "first_name": "Siti"}
    ids = []
    for text in ("Lampu mati di gang 3", "Lampu mati di gang 4"):
        status, _, created = live.server.request(
            "POST",
            "/open311/v2/requests.json",
            urlencode(form | {"description": text}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 201
        ids.append(created[0]["service_request_id"])
    engine = sqlalchemy.create_engine(live.url)
    try:
        with engine.connect() as conn:
            query = sqlalchemy.text("SELECT reporter_id, anonymous FROM sp4n_complaints WHERE id IN (:a, :b)")
            rows = conn.execute(query, {"a": ids[0], "b": ids[1]}).all()
    finally:
        engine.dispose()
    assert [anonymous for _, anonymous in rows] == [True, True]
    # one shared id would let whoever acts as it list the other's report, and the name in it
    assert len({reporter for reporter, _ in rows}) == 2
