"""The dashboard's HTTP answers that no page shows: refusals, unknown assets, the page's headers."""

from __future__ import annotations

from sp4n.testing.server import create_key

from .conftest import Room


def test_a_reporter_has_no_dashboard_and_unknown_assets_are_not_found(room: Room) -> None:
    _, token = create_key(room.url, "warga-app", ["reporter"])
    headers = {"Authorization": f"Bearer {token}", "Sp4n-Actor-Id": "warga-9", "Sp4n-Actor-Role": "reporter"}
    status, got, body = room.server.request("GET", "/v1/dashboard/tiles", headers=headers)
    assert (status, got["content-type"], body["field"], body["value"]) == (
        403,
        "application/problem+json",
        "Sp4n-Actor-Role",
        "reporter",
    )
    assert body["detail"] == (
        "the dashboard is for national and agency staff and the Ombudsman (or the public, without a key)"
    )
    status, _, body = room.server.request("GET", "/dashboard/assets/../app.py")
    assert status == 404
    status, _, body = room.server.request("GET", "/dashboard/assets/secret.js")
    assert (status, body["detail"], body["value"]) == (404, "no such dashboard asset", "secret.js")
    status, _, body = room.server.request("GET", "/v1/dashboard/league?period=Q1-2026")
    assert (status, body["field"], body["value"]) == (422, "period", "Q1-2026")


def test_the_page_and_its_assets_come_with_a_strict_policy(room: Room) -> None:
    for path, kind in (
        ("/dashboard", "text/html"),
        ("/dashboard/assets/dashboard.js", "text/javascript"),
        ("/dashboard/assets/dashboard.css", "text/css"),
    ):
        status, headers, _ = room.server.request("GET", path)
        assert status == 200
        assert headers["content-type"].startswith(kind)
        assert headers["content-security-policy"].startswith("default-src 'none'; script-src 'self';")
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
