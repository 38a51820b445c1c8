"""GET /v1/complaints (engine.find over HTTP) and /v1/complaints/lookup against a live server:
filters, pages by cursor, bad filters as problems, and the privacy of each caller."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from .conftest import Live
from .test_complaints_http import SUBMIT, submit

NOT_FOUND = "no complaint with this id is visible to the caller"


def find(live: Live, headers: dict[str, str] | None = None, **query: object) -> tuple[int, dict[str, object]]:
    status, _, body = live.server.request("GET", f"/v1/complaints?{urlencode(query, doseq=True)}", headers=headers)
    return status, body


def titles(body: dict[str, object]) -> list[str]:
    return [item["title"] for item in body["items"]]  # type: ignore[attr-defined, index]


def test_filters_order_and_pages(live: Live) -> None:
    for n in range(5):
        submit(live, live.dinas(), {**SUBMIT, "title": f"page-{n}", "channel": "find-pages"})
    status, body = find(live, live.dinas(), channel="find-pages", limit=2)
    assert (status, titles(body)) == (200, ["page-0", "page-1"])
    seen = titles(body)
    while body["next_cursor"] is not None:
        status, body = find(live, live.dinas(), channel="find-pages", limit=2, cursor=body["next_cursor"])
        assert status == 200
        seen += titles(body)
    assert seen == [f"page-{n}" for n in range(5)]
    status, body = find(live, live.dinas(), channel="find-pages", state=["received", "closed"], agency="dinas-pu")
    assert (status, len(body["items"])) == (200, 5)  # type: ignore[arg-type]
    status, body = find(live, live.dinas(), channel="find-pages", state="verified")
    assert (status, body) == (200, {"items": [], "next_cursor": None})
    status, body = find(live, live.dinas(), channel="find-pages", order="due", due_within=30)
    assert (status, len(body["items"])) == (200, 5)  # type: ignore[arg-type]
    status, body = find(live, live.dinas(), channel="find-pages", submitted_until="2000-01-01T00:00:00+07:00")
    assert (status, body["items"]) == (200, [])


def test_bad_filters_are_problems_naming_the_parameter_and_value(live: Live) -> None:
    cases = [
        ({"limit": 0}, 422, "InvalidRequest", "limit", "0"),
        ({"limit": "many"}, 422, "InvalidRequest", "limit", "many"),
        ({"order": "latest"}, 422, "InvalidRequest", "order", "latest"),
        ({"due_within": -1}, 422, "InvalidRequest", "due_within", "-1"),
        ({"breached": "perhaps"}, 422, "InvalidRequest", "breached", "perhaps"),
        ({"submitted_from": "yesterday"}, 422, "InvalidRequest", "submitted_from", "yesterday"),
        ({"submitted_from": "2026-03-02T10:00:00"}, 422, "NaiveDatetimeError", "submitted_from", "2026-03-02T10:00:00"),
        ({"cursor": "xyz"}, 422, "InvalidData", "cursor", "xyz"),
        ({"agency": ""}, 422, "InvalidRequest", "agency", ""),
        ({"reporter": "warga-1"}, 422, "InvalidData", "reporter", "warga-1"),  # the public sees no reporter
    ]
    for query, status, error, field, value in cases:
        got, problem = find(live, **query)
        assert (got, problem["error"], problem["field"], problem["value"]) == (status, error, field, value), query
    _, problem = find(live, submitted_from="2026-03-02T10:00:00")
    assert problem["detail"] == "submitted_from needs its offset (e.g. +07:00)"
    _, problem = find(live, cursor="xyz")
    assert problem["detail"].startswith("cursor='xyz' is invalid: the next_cursor of a page of this same query")


def test_a_cursor_is_bound_to_its_query_and_caller(live: Live) -> None:
    for n in range(3):
        submit(live, live.dinas(), {**SUBMIT, "title": f"bound-{n}", "channel": "find-bound"})
    _, body = find(live, live.dinas(), channel="find-bound", limit=1)
    cursor = body["next_cursor"]
    assert find(live, live.dinas(), channel="find-bound", limit=1, cursor=cursor)[0] == 200
    assert find(live, live.dinas(), channel="find-other", limit=1, cursor=cursor)[1]["field"] == "cursor"
    assert find(live, None, channel="find-bound", limit=1, cursor=cursor)[1]["field"] == "cursor"


def test_lookup_by_tracking_number_and_external_id(live: Live) -> None:
    view = submit(live, live.dinas(), {**SUBMIT, "external_id": "KOTA-1001"})
    prefix, day, serial = str(view["tracking_number"]).split("-")
    typed = f"{prefix.lower()}-{day}-{serial.replace('0', 'o').lower()}"  # as read out on the phone
    for query in (f"tracking_number={typed}", "external_id=KOTA-1001"):
        status, got, found = live.server.request("GET", f"/v1/complaints/lookup?{query}", headers=live.dinas())
        assert status == 200, found
        assert (found["id"], got["etag"]) == (view["id"], '"1"')
    status, _, found = live.server.request("GET", "/v1/complaints/lookup?external_id=KOTA-1001")
    assert (status, found["id"], found["external_id"]) == (200, view["id"], None)  # the public's view
    for query in ("", "tracking_number=X&external_id=KOTA-1001"):
        status, _, problem = live.server.request("GET", f"/v1/complaints/lookup?{query}")
        assert (status, problem["error"], problem["field"]) == (422, "InvalidData", "tracking_number")
    status, _, problem = live.server.request("GET", "/v1/complaints/lookup?external_id=KOTA-9999")
    assert (status, problem["detail"]) == (404, NOT_FOUND)


def test_another_agencys_confidential_report_is_not_revealed(live: Live) -> None:
    secret = submit(
        live, live.dinas(), {**SUBMIT, "confidential": True, "channel": "find-secret", "external_id": "S-1"}
    )
    other = live.headers("other", "adm-9", "agency_admin", "dinas-kes")
    for headers in (other, None):
        status, body = find(live, headers, channel="find-secret")
        assert (status, body) == (200, {"items": [], "next_cursor": None})
        status, _, problem = live.server.request("GET", "/v1/complaints/lookup?external_id=S-1", headers=headers)
        missing = live.server.request("GET", "/v1/complaints/lookup?external_id=S-404", headers=headers)
        assert (status, problem) == (missing[0], {**missing[2], "instance": problem["instance"]})
        query = f"/v1/complaints/lookup?tracking_number={secret['tracking_number']}"
        assert live.server.request("GET", query, headers=headers)[2]["detail"] == NOT_FOUND
    assert titles(find(live, live.dinas(), channel="find-secret")[1]) == [SUBMIT["title"]]


def test_an_anonymous_reporters_identity_is_in_no_list_an_agency_or_the_public_gets(live: Live) -> None:
    body = {**SUBMIT, "anonymous": True, "channel": "find-anon", "attributes": {"hp": "0812-555"}}
    view = submit(live, live.citizen("warga-rahasia"), body)
    assert view["reporter_id"] == "warga-rahasia"  # the reporter sees themselves
    for headers in (live.dinas(), live.headers("other", "adm-9", "agency_admin", "dinas-kes"), None):
        status, _, raw = live.server.request("GET", "/v1/complaints?channel=find-anon", headers=headers)
        assert status == 200
        assert len(raw["items"]) == 1
        assert "warga-rahasia" not in json.dumps(raw)
        assert "0812-555" not in json.dumps(raw)
        lookup = live.server.request(
            "GET", f"/v1/complaints/lookup?tracking_number={view['tracking_number']}", None, headers
        )
        assert "warga-rahasia" not in json.dumps(lookup[2])
    # nor may an agency learn who filed it by listing by reporter
    status, found = find(live, live.dinas(), reporter="warga-rahasia")
    assert (status, found["items"]) == (200, [])
    national = live.headers("national", "nas-1", "national_admin")
    assert find(live, national, reporter="warga-rahasia")[1]["items"][0]["id"] == view["id"]  # type: ignore[index]


INJECTIONS = ["' OR '1'='1", "dinas-pu'; DROP TABLE sp4n_complaints; --", "%' OR 1=1 --", "\\x00", "<script>"]


def test_injection_strings_in_filters_match_nothing_and_break_nothing(live: Live) -> None:
    submit(live, live.dinas(), {**SUBMIT, "channel": "find-inject"})
    for text in INJECTIONS:
        for name in ("agency", "unit", "sop", "category", "classification", "channel", "state"):
            status, body = find(live, live.dinas(), **{name: text})
            assert (status, body["items"]) == (200, []), (name, text)
        status, _, problem = live.server.request("GET", f"/v1/complaints/lookup?{urlencode({'external_id': text})}")
        assert (status, problem["detail"]) == (404, NOT_FOUND)
    assert len(find(live, live.dinas(), channel="find-inject")[1]["items"]) == 1  # type: ignore[arg-type]


def test_missing_and_revoked_keys_are_refused(live: Live) -> None:
    for token in ("nonsense", live.tokens["revoked"]):
        headers = {**live.citizen(), "Authorization": f"Bearer {token}"}
        for path in ("/v1/complaints", "/v1/complaints/lookup?external_id=KOTA-1001"):
            status, _, problem = live.server.request("GET", path, headers=headers)
            assert (status, problem["detail"]) == (401, "the API key is unknown or revoked")


@pytest.mark.postgres
def test_find_on_postgresql(live_postgres: Live) -> None:
    test_filters_order_and_pages(live_postgres)
    test_another_agencys_confidential_report_is_not_revealed(live_postgres)
    test_an_anonymous_reporters_identity_is_in_no_list_an_agency_or_the_public_gets(live_postgres)
