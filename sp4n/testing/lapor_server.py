"""A fake national LAPOR! on 127.0.0.1, for tests of sp4n and of host applications.

A real threaded HTTP server with the endpoints :class:`sp4n.integration.HttpNationalGateway`
speaks, checking the bearer key and token header. It keeps what it was sent (``complaints``,
``requests``) and deduplicates a create by its ``reference`` (409 with the id already given),
as the connector expects of the real one. ``script`` answers the next requests: an HTTP status
(the request is not carried out), ``(status, retry_after)``, ``"slow"`` (carried out, answered
after ``slow`` seconds: longer than a client's timeout) or ``"drop"`` (carried out, the
connection closed with no answer). ``forward`` puts a report in the forwarded list, as the
national admin would. Restart it on the same port with the same ``state`` to keep its data.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sp4n.integration.national import API, NationalConfig

PREFIX = "/" + API


@dataclass
class FakeLaporState:
    """What a fake LAPOR! holds; survives a restart when passed to the new server."""

    complaints: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_reference: dict[str, str] = field(default_factory=dict)
    forwarded: list[dict[str, Any]] = field(default_factory=list)
    institutions: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": "1", "name": "Kementerian PANRB", "parent_id": None},
            {"id": "3374", "name": "Pemerintah Kota Semarang", "parent_id": None},
            {"id": "3374-dkk", "name": "Dinas Kesehatan Kota Semarang", "parent_id": "3374"},
        ]
    )
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """(method, path, JSON body) of every authorised request, in order of arrival."""
    serial: int = 0


class FakeLapor:
    """The fake national LAPOR! server; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        *,
        token: str = "fake-token",
        key: str = "fake-key",
        slow: float = 2.0,
        port: int = 0,
        state: FakeLaporState | None = None,
    ) -> None:
        self.token = token
        self.key = key
        self.slow = slow
        self.state = state or FakeLaporState()
        self.script: deque[Any] = deque()
        self.lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake._connections.add(self.connection)

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def config(self, **options: Any) -> NationalConfig:
        """A :class:`NationalConfig` that reaches this server."""
        return NationalConfig(base_url=self.base_url, token=self.token, key=self.key, **options)

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            for connection in self._connections:  # kept-alive connections end too, as in a restart
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()
        self._thread.join(10)

    def __enter__(self) -> FakeLapor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ what tests use

    @property
    def complaints(self) -> dict[str, dict[str, Any]]:
        """The complaints filed, by national id (each with its ``statuses`` and ``rejected``)."""
        return self.state.complaints

    def requests(self, path_part: str = "") -> list[tuple[str, str, dict[str, Any]]]:
        """The authorised requests whose path contains ``path_part``."""
        with self.lock:
            return [r for r in self.state.requests if path_part in r[1]]

    def forward(
        self,
        *,
        title: str,
        content: str,
        received_at: datetime,
        institution_id: str = "3374",
        channel: str = "web",
        classification: str | None = None,
        category: str | None = None,
        anonymous: bool = False,
        secret: bool = False,
        reporter_name: str | None = None,
    ) -> str:
        """Put a report in the forwarded list, as the national admin does; its national id."""
        with self.lock:
            national_id = self._next_id()
            report = {
                "id": national_id,
                "title": title,
                "content": content,
                "created_at": received_at.isoformat(),
                "institution_id": institution_id,
                "channel": channel,
                "classification": classification,
                "category": category,
                "is_anonymous": anonymous,
                "is_secret": secret,
                "reporter_name": reporter_name,
            }
            self.state.forwarded.append(report)
            self.state.complaints[national_id] = {**report, "statuses": [], "rejected": None}
        return national_id

    # ------------------------------------------------------------------ serving

    def _next_id(self) -> str:
        self.state.serial += 1
        return f"LPR-{self.state.serial:07d}"

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        raw = request.rfile.read(int(request.headers.get("content-length", "0") or 0))
        url = urlsplit(request.path)
        if request.headers.get("authorization") != f"Bearer {self.key}" or request.headers.get("token") != self.token:
            self._answer(request, 401, {"message": "invalid key or token"})
            return
        with self.lock:
            action = self.script.popleft() if self.script else None
        if isinstance(action, int | tuple):
            status, retry_after = action if isinstance(action, tuple) else (action, None)
            self._answer(request, status, {"message": f"scripted {status}"}, retry_after)
            return
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            self._answer(request, 400, {"message": "the body is not JSON"})
            return
        path = url.path.removeprefix(PREFIX)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.state.requests.append((method, path, body))
            status, answer = self._route(method, path, body, query)
        if action == "slow":
            time.sleep(self.slow)
        if action == "drop":
            request.close_connection = True
            request.connection.close()
            return
        self._answer(request, status, answer)

    def _route(self, method: str, path: str, body: Any, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.split("/")
        if method == "POST" and path == "complaints/complaint":
            return self._create(body)
        if method == "POST" and len(parts) == 4 and parts[:2] == ["complaints", "process"]:
            found = self.state.complaints.get(parts[2])
            if found is None:
                return 404, {"message": f"no complaint {parts[2]}"}
            if parts[3] == "reject":
                if not isinstance(body, dict) or not body.get("reason") or body.get("not_authority") is not True:
                    return 422, {"message": "reason and not_authority are required"}
                found["rejected"] = body["reason"]
                return 200, {"data": {"id": parts[2]}}
            if parts[3] == "status":
                if not isinstance(body, dict) or not body.get("status"):
                    return 422, {"message": "status is required"}
                if body.get("reference") not in {s.get("reference") for s in found["statuses"]}:
                    found["statuses"].append(dict(body))
                return 200, {"data": {"id": parts[2]}}
        if method == "GET" and path == "masters/institutions/external":
            return 200, {"data": list(self.state.institutions)}
        if method == "GET" and path == "complaints/forwarded":
            return self._forwarded(query)
        return 404, {"message": f"no endpoint {method} {path}"}

    def _create(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict) or not body.get("title") or not body.get("content"):
            return 422, {"message": "title and content are required"}
        reference = body.get("reference")
        if reference and reference in self.state.by_reference:
            return 409, {
                "message": "a complaint with this reference exists",
                "data": {"id": self.state.by_reference[reference]},
            }
        national_id = self._next_id()
        self.state.complaints[national_id] = {**body, "id": national_id, "statuses": [], "rejected": None}
        if reference:
            self.state.by_reference[reference] = national_id
        return 201, {"data": {"id": national_id}}

    def _forwarded(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            after = int(query.get("after", "0"))
            limit = int(query.get("limit", "100"))
        except ValueError:
            return 400, {"message": "after and limit are whole numbers"}
        institution = query.get("institution_id")
        rows = [
            (n, r)
            for n, r in enumerate(self.state.forwarded, 1)
            if n > after and (institution is None or r["institution_id"] == institution)
        ]
        page = rows[:limit]
        following = str(page[-1][0]) if len(rows) > limit else None
        return 200, {"data": [r for _, r in page], "meta": {"next": following}}

    @staticmethod
    def _answer(
        request: BaseHTTPRequestHandler, status: int, body: dict[str, Any], retry_after: float | None = None
    ) -> None:
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                request.send_header("Retry-After", str(int(retry_after)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:  # the client gave up waiting (a "slow" answer): nobody to answer
            request.close_connection = True
