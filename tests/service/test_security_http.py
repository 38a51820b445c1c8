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
        fired = live.server.request("POST", f"{path}/verify", {}, {**other, "If-Match": '"1"'})
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
    text = json.dumps(answers)
    assert "nik-3171234567890001" not in text
    assert "Siti Rahayu" not in text
    national = live.headers("national", "nas-1", "national_admin")
    assert "Siti Rahayu" in json.dumps(live.server.request("GET", f"/v1/complaints/{cid}", headers=national)[2])
