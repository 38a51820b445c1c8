"""A webhook endpoint on 127.0.0.1 for tests and benchmarks: a real threaded HTTP server.

It verifies every message with its secrets (:class:`sp4n.integration.WebhookReceiver`) and keeps
what came, in order. ``script`` answers the next requests: an HTTP status, ``("status",
retry_after)``, or ``"timeout"`` (it waits ``slow`` seconds before answering 200, longer than a
sender's timeout); ``delay`` slows every answer; ``keep_alive`` keeps connections open between
requests (HTTP/1.1), as a production endpoint does. ``now`` is the receiver's clock (the test's
ManualClock, in whole seconds).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sp4n.errors import InvalidSignature
from sp4n.integration.signing import verify


class WebhookServer:
    """A webhook receiver on 127.0.0.1 that records what it received."""

    def __init__(
        self,
        secrets: list[str],
        now: Callable[[], int],
        *,
        slow: float = 2.0,
        delay: float = 0.0,
        port: int = 0,
        keep_alive: bool = False,
    ) -> None:
        self.secrets = secrets
        self.now = now
        self.slow = slow
        self.delay = delay
        """Seconds every answer waits (a receiver that does some work per message)."""
        self.arrived = 0
        """Requests that have come in, answered or not yet."""
        self.script: deque[Any] = deque()
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with server.lock:
                    server.arrived += 1
                    action = server.script.popleft() if server.script else 200
                if server.delay:
                    time.sleep(server.delay)
                if action == "timeout":
                    time.sleep(server.slow)
                    action = 200
                status, retry_after = action if isinstance(action, tuple) else (action, None)
                if status == 200:
                    try:
                        verify(server.secrets, dict(self.headers.items()), body, server.now())
                    except InvalidSignature:
                        with server.lock:
                            server.bad_signatures += 1
                        status = 401
                    else:
                        with server.lock:
                            server.received.append(json.loads(body))
                self.send_response(status)
                if retry_after is not None:
                    self.send_header("Retry-After", str(retry_after))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def ids(self) -> list[str]:
        """The ids of the events received, in order of arrival."""
        with self.lock:
            return [e["id"] for e in self.received]

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
