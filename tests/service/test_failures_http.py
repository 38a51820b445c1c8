"""A store that fails under a live server: the client gets a problem, never SQL or a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sp4n.testing.server import ServeProcess

from .conftest import make_keys


def test_a_store_failure_reaches_no_client(tmp_path: Path) -> None:
    path = tmp_path / "sp4n.db"
    url = f"sqlite:///{path}"
    tokens, _ = make_keys(url)
    headers = {"Authorization": f"Bearer {tokens['dinas']}", "Sp4n-Actor-Id": "a", "Sp4n-Actor-Role": "agency_admin"}
    headers["Sp4n-Actor-Agency"] = "dinas-pu"
    with ServeProcess(url, tmp_path / "serve.log", "--no-worker") as server:
        status, _, view = server.request("POST", "/v1/complaints", {"title": "t", "agency": "dinas-pu"}, headers)
        assert status == 201
        with sqlite3.connect(path) as db:
            db.execute("DROP TABLE sp4n_events")
        status, got, problem = server.request("GET", f"/v1/complaints/{view['id']}/history", headers=headers)
        assert (status, got["content-type"]) == (503, "application/problem+json")
        assert problem == {
            "type": "urn:sp4n:problem:DatabaseUnavailable",
            "title": "DatabaseUnavailable",
            "status": 503,
            "detail": "the database is not available; retry later",
            "error": "DatabaseUnavailable",
            "retryable": True,
            "instance": f"/v1/complaints/{view['id']}/history",
        }
        assert "sp4n_events" in server.log()  # for the operator, in the log only
