"""A real ``sp4n serve`` process on 127.0.0.1 and a free port, for tests, examples and benchmarks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_cli(*args: str, cwd: Path | None = None) -> str:
    """Run ``sp4n <args>`` in a new process; its stdout (an error when it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "sp4n.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"sp4n {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def create_key(url: str, name: str, roles: Sequence[str], agencies: Sequence[str] = ()) -> tuple[str, str]:
    """(id, token) of a new key made with ``sp4n keys create``."""
    args = ["keys", "create", "--url", url, "--name", name]
    for role in roles:
        args += ["--role", role]
    for agency in agencies:
        args += ["--agency", agency]
    out = dict(line.split(": ", 1) for line in run_cli(*args).splitlines())
    return out["id"], out["token"]


class ServeProcess:
    """One ``sp4n serve`` process; use as a context manager (it is stopped and waited for)."""

    def __init__(self, url: str, log_path: Path, *options: str, port: int | None = None) -> None:
        self.url = url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._options = options
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        """Start the process and wait until /health answers."""
        self._log = self.log_path.open("wb")
        command = [sys.executable, "-m", "sp4n.cli", "serve", "--url", self.url, "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--log-level", "WARNING", *self._options],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.log_path.parent,
            env=dict(os.environ),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sp4n serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"sp4n serve did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """What the process printed."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then wait (SIGKILL after ``timeout``); the exit code."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.process.returncode if self.process is not None else None

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON or text) of one request, with the standard library only; a body
        that is text or bytes is sent as it is, anything else as JSON."""
        if isinstance(body, str | bytes):  # sent as it is
            data: bytes | None = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})} if data is not None else dict(headers or {})
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, got, raw = answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as exc:
            status, got, raw = exc.code, dict(exc.headers), exc.read()
        text = raw.decode("utf-8", errors="replace")
        is_json = "json" in got.get("content-type", "")
        return status, {k.lower(): v for k, v in got.items()}, json.loads(text) if is_json and text else text
