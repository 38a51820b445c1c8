"""The dashboard's event stream: server-sent events that say something changed (never what), of
complaints the viewer may see only."""

from __future__ import annotations

import http.client
import json
from typing import Any

from sp4n.service.dashboard.board import Scope
from sp4n.service.dashboard.routes import _fresh
from sp4n.workflow import Actor

from .conftest import ROOM_AGENCY, Room

NATIONAL = Actor.national_admin("admin-nasional")


def messages(response: http.client.HTTPResponse) -> Any:
    """(event, data) of each message of a text/event-stream, as they come."""
    kind, data = "message", ""
    while True:
        line = response.readline().decode()
        if not line:
            return
        line = line.rstrip("\n")
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and data:
            yield kind, json.loads(data)
            kind, data = "message", ""


def open_stream(room: Room, headers: dict[str, str]) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", room.server.port, timeout=60)
    conn.request("GET", "/v1/dashboard/events", headers={"Accept": "text/event-stream", **headers})
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("content-type", "").startswith("text/event-stream")
    return conn, response


def test_a_change_is_announced_by_its_kinds_only(room: Room) -> None:
    conn, response = open_stream(room, {})
    engine = room.engine()
    try:
        stream = messages(response)
        assert next(stream) == ("hello", {})  # no feed position: its jumps would betray hidden events
        engine.submit(Actor.reporter("warga-rahasia"), title="Rahasia", confidential=True)
        public = engine.submit(Actor.reporter("warga-terbuka"), title="Terbuka")
        engine.fire(public.id, "verify", NATIONAL, classification="pengaduan", category="kesehatan")
        seen: set[str] = set()
        for kind, data in stream:
            if kind == "change":
                assert set(data) == {"kinds"}  # what changed, and to whom, is never said
                assert set(data["kinds"]) <= {"submitted", "transition"}
                seen.update(data["kinds"])
                if "transition" in seen:
                    break
            else:
                assert (kind, data) == ("tick", {})
    finally:
        engine.close()
        conn.close()


def test_the_stream_keeps_to_what_the_viewer_may_see(room: Room) -> None:
    """What the stream would send after events the viewer may not see: nothing (the position
    moves on, no kinds); after one they may see, its kind."""
    engine = room.engine()
    try:
        start = engine.store.feed.sequence()
        engine.submit(Actor.reporter("warga-rahasia"), title="Rahasia sekali", confidential=True)
        elsewhere = engine.submit(Actor.reporter("warga-lain"), title="Di Banyumas")
        engine.fire(elsewhere.id, "verify", NATIONAL, classification="pengaduan", category="kesehatan")
        engine.fire(elsewhere.id, "distribute", NATIONAL, agency="dinkes_banyumas")
        public, dinas = Scope(None, None), Scope(room.actor("dinas"), ROOM_AGENCY)
        head = engine.store.feed.sequence()
        assert _fresh(engine, public, start) == (head, ["submitted", "transition"])  # not the confidential one
        assert _fresh(engine, dinas, start) == (head, [])  # Banyumas is not Kota Semarang's tree
        assert _fresh(engine, Scope(NATIONAL, None), head) is None
        secret = engine.submit(Actor.reporter("warga-rahasia"), title="Rahasia lagi", confidential=True)
        assert _fresh(engine, public, head) == (head + 1, [])
        engine.fire(secret.id, "verify", NATIONAL, classification="pengaduan", category="kesehatan")
        engine.fire(secret.id, "distribute", NATIONAL, agency="dinkes_semarang")
        assert _fresh(engine, dinas, head) == (head + 3, ["submitted", "transition"])
    finally:
        engine.close()
