"""Who may call what, against a live ``sp4n serve``: keys, scopes, limits and hostile input."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from .conftest import Live
from .test_complaints_http import SUBMIT, submit

NOT_FOUND = "no complaint with this id is visible to the caller"


def test_missing_malformed_and_revoked_keys(live: Live) -> None:
    status, got, problem = live.server.request("POST", "/v1/complaints", SUBMIT)
    assert (status, problem["error"], got["www-authenticate"]) == (401, "Unauthenticated", 'Bearer realm="sp4n"')
    for token in ("nonsense", "sp4n_000000000000_" + "x" * 43, live.tokens["revoked"]):
        headers = {**live.citizen(), "Authorization": f"Bearer {token}"}
        status, _, problem = live.server.request("GET", "/v1/sops", headers=headers)
        assert (status, problem["detail"]) == (401, "the API key is unknown or revoked")
    status, _, problem = live.server.request("GET", "/v1/sops", headers={"Authorization": "Basic abc"})
    assert (status, problem["detail"]) == (401, "use 'Authorization: Bearer <API key>'")


def test_a_key_of_one_agency_cannot_tell_whether_another_agencys_confidential_report_exists(live: Live) -> None:
    secret = submit(live, live.dinas(), {**SUBMIT, "confidential": True})
    other = live.headers("other", "adm-9", "agency_admin", "dinas-kes")
    for path in (f"/v1/complaints/{secret['id']}", "/v1/complaints/no-such-id"):
        status, _, problem = live.server.request("GET", path, headers=other)
        assert (status, problem["detail"]) == (404, NOT_FOUND)
        assert live.server.request("GET", f"{path}/history", headers=other)[2]["detail"] == NOT_FOUND
        for if_match in ('"1"', '"7"', "junk"):  # the version is not told either, right or wrong
            fired = live.server.request("POST", f"{path}/verify", {}, {**other, "If-Match": if_match})
            assert (fired[0], fired[2]["detail"]) == (404, NOT_FOUND)
    assert live.server.request("GET", f"/v1/complaints/{secret['id']}")[0] == 404  # nor the public


def test_a_person_outside_the_keys_scope_is_refused(live: Live) -> None:
    cases = [
        (live.headers("dinas", "x", "agency_admin", "dinas-kes"), "Sp4n-Actor-Agency", "dinas-kes"),
        (live.headers("citizen", "x", "national_admin"), "Sp4n-Actor-Role", "national_admin"),
        (live.headers("national", "x", "ombudsman"), "Sp4n-Actor-Role", "ombudsman"),
        (live.headers("national", "system", "system"), "Sp4n-Actor-Role", "system"),
        (live.headers("dinas", "system", "system", "dinas-pu"), "Sp4n-Actor-Role", "system"),
    ]
    for headers, field, value in cases:
        status, _, problem = live.server.request("POST", "/v1/complaints", SUBMIT, headers)
        assert (status, problem["error"], problem["field"], problem["value"]) == (403, "OutsideKeyScope", field, value)
    status, _, problem = live.server.request("GET", "/v1/sops", headers={**live.citizen(), "Sp4n-Actor-Role": "king"})
    assert (status, problem["field"]) == (422, "actor.role")


def test_no_key_can_fire_as_system(live: Live) -> None:
    cid = submit(live, live.dinas())["id"]
    headers = {**live.headers("dinas", "system", "system", "dinas-pu"), "If-Match": '"1"'}
    status, _, problem = live.server.request("POST", f"/v1/complaints/{cid}/escalate", {}, headers)
    assert (status, problem["detail"]) == (403, "no API key may act as system")


def test_bodies_over_the_limit_and_malformed_json(live: Live) -> None:
    big = {**SUBMIT, "description": "x" * 70_000}
    status, _, problem = live.server.request("POST", "/v1/complaints", big, live.dinas())
    assert (status, problem["error"]) == (413, "PayloadTooLarge")
    status, _, problem = live.server.request(
        "POST", "/v1/complaints", '{"title": "a",', {**live.dinas(), "Content-Type": "application/json"}
    )
    assert (status, problem["error"]) == (400, "MalformedJson")
    status, _, problem = live.server.request("POST", "/v1/complaints", {"title": 5}, live.dinas())
    assert (status, problem["error"], problem["field"]) == (422, "InvalidRequest", "title")


@pytest.mark.parametrize(
    "hostile",
    ["' OR 1=1 --", "'; DROP TABLE sp4n_complaints; --", "<script>alert(1)</script>", "../../etc/passwd"],
)
def test_injection_strings_are_data(live: Live, hostile: str) -> None:
    view = submit(live, live.dinas(), {**SUBMIT, "title": f"a {hostile}", "attributes": {"note": hostile}})
    assert view["title"] == f"a {hostile}".strip()
    status, _, problem = live.server.request("GET", f"/v1/complaints/{quote(hostile, safe='')}")
    assert status in (404, 405)  # an id with a slash names another resource
    status, _, problem = live.server.request(
        "POST",
        f"/v1/complaints/{view['id']}/verify",
        {"classification": hostile, "category": hostile},
        {**live.dinas(), "If-Match": '"1"'},
    )
    assert (status, problem["error"], problem["value"]) == (422, "InvalidData", hostile)
    national = live.headers("national", "nas-1", "national_admin")
    value = quote(hostile, safe="")
    for path, headers, answers in (
        (f"/v1/complaints?channel={value}&category={value}&state={value}", live.dinas(), (200,)),
        (f"/v1/complaints/lookup?external_id={value}", live.dinas(), (404,)),
        (f"/v1/complaints/lookup?tracking_number={value}", live.dinas(), (422,)),
        (f"/open311/v2/requests.json?service_code={value}", {}, (200,)),
        (f"/open311/v2/requests.json?service_request_id={value}", {}, (200,)),
        (f"/open311/v2/servicerequestupdates.json?start_date={value}", {}, (422,)),
        (f"/v1/feed/consumers/{value}", national, (404,)),  # (with a slash: no such route, 404 too)
    ):
        status, _, answer = live.server.request("GET", path, headers=headers)
        assert status in answers, (path, answer)
        if status == 200:
            assert answer in ([], {"items": [], "next_cursor": None}), (path, answer)
    body = {"name": hostile, "url": "https://x.example/h", "audience": "agency"}
    status, _, problem = live.server.request("POST", "/v1/webhooks", body, national)
    assert (status, problem["field"]) == (422, "name")
    assert live.server.request("GET", "/ready")[2] == {"status": "ready"}


def test_a_nul_character_is_refused_naming_the_field(live: Live) -> None:
    body = {**SUBMIT, "title": "a \u0000", "attributes": {"note": "\u0000"}}
    status, _, problem = live.server.request("POST", "/v1/complaints", body, live.dinas())
    assert (status, problem["error"]) == (422, "InvalidArgumentError")
    assert "without NUL characters" in problem["detail"]


def test_an_anonymous_reporters_identity_reaches_no_agency_or_public_caller(live: Live) -> None:
    reporter = live.citizen("nik-3171234567890001")
    view = submit(live, reporter, {**SUBMIT, "anonymous": True, "reporter_name": "Siti Rahayu"})
    cid = view["id"]
    assert view["reporter_id"] == "nik-3171234567890001"  # the reporter sees themself
    verify = {"classification": "pengaduan", "category": "infrastruktur"}
    live.server.request("POST", f"/v1/complaints/{cid}/verify", verify, {**live.dinas(), "If-Match": '"1"'})
    answers = [
        live.server.request(method, f"/v1/complaints/{cid}{tail}", headers=headers)[2]
        for headers in (live.dinas(), {}, live.headers("other", "adm-9", "agency_admin", "dinas-kes"))
        for method, tail in (("GET", ""), ("GET", "/history"), ("GET", "/deadlines"), ("GET", "/triggers"))
    ]
    tracking = quote(str(view["tracking_number"]))
    for headers in (live.dinas(), {}, live.headers("other", "adm-9", "agency_admin", "dinas-kes")):
        for path in (
            "/v1/complaints?limit=500",
            "/v1/complaints?agency=dinas-pu&limit=500",
            f"/v1/complaints/lookup?tracking_number={tracking}",
            f"/open311/v2/requests/{cid}.json",
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            f"/open311/v2/servicerequestupdates.json?start_date={quote(str(view['submitted_at']))}",
        ):
            status, _, answer = live.server.request("GET", path, headers=headers)
            assert status == 200, (path, answer)
            answers.append(answer)
    assert any(cid in json.dumps(a) for a in answers[-7:])  # it is listed, only without its reporter
    text = json.dumps(answers)
    assert "nik-3171234567890001" not in text
    assert "Siti Rahayu" not in text
    national = live.headers("national", "nas-1", "national_admin")
    assert "Siti Rahayu" in json.dumps(live.server.request("GET", f"/v1/complaints/{cid}", headers=national)[2])
