"""The HTTP clients of ``bench_service.py``: a process of their own that files and verifies
complaints over keep-alive connections, as cheaply as a client can.

The clients would otherwise be threads of the benchmark's process, taking CPU and the GIL that the
servers need on a small machine: here they are asyncio connections in one process, each request
built from bytes made once, each answer read no further than its status line, the headers it
needs (Content-Length, Location, ETag) and its body. Every status is still checked and every
request's latency kept.

Run as ``python http_load.py``: it reads one job a line on stdin, as JSON (``token``, ``ports``,
``clients``, ``per_client``, ``tag``, the ``agency`` the acting admin works for, and the
``submit`` and ``verify`` bodies), and answers each with one line of JSON (``seconds``,
``latencies``, ``cpu``; or ``error``). Client ``n`` talks to ``ports[n % len(ports)]``; the
clock starts once every connection is open.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


class Failed(Exception):
    """An answer that is not the one expected (its status, or a header missing)."""


class Connection:
    """One keep-alive connection: a request as bytes in, the status and headers of its answer out."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def call(self, request: bytes, status: bytes) -> bytes:
        """Send ``request``; the answer's head, lowercased (its body is read and dropped), when
        its status is ``status``."""
        self.writer.write(request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        length = int(_header(head, b"content-length"))
        body = await self.reader.readexactly(length)
        if head[9:12] != status:
            raise Failed(f"{request.split(b' ', 2)[1]!r}: {head[:12]!r} {body[:300]!r}")
        return head


def _header(head: bytes, name: bytes) -> bytes:
    """The value of header ``name`` in a lowercased head (Failed when it is missing)."""
    at = head.find(b"\r\n" + name + b":")
    if at < 0:
        raise Failed(f"no {name!r} header in {head[:300]!r}")
    start = at + len(name) + 3
    return head[start : head.index(b"\r\n", start)].strip()


def _request(path: str, body: bytes, headers: str) -> bytes:
    return f"POST {path} HTTP/1.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Seconds for every client to file and verify ``per_client`` complaints, each request's
    latency, and the CPU seconds this process spent meanwhile."""
    common = (
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {job['token']}\r\nSp4n-Actor-Id: adm-1\r\n"
        f"Sp4n-Actor-Role: agency_admin\r\nSp4n-Actor-Agency: {job['agency']}\r\nContent-Type: application/json\r\n"
    )
    submit_body, verify_body = job["submit"].encode(), job["verify"].encode()
    ports: list[int] = job["ports"]
    clients: int = job["clients"]
    per_client: int = job["per_client"]
    tag: str = job["tag"]
    opened = [await asyncio.open_connection("127.0.0.1", ports[n % len(ports)]) for n in range(clients)]
    connections = [Connection(reader, writer) for reader, writer in opened]
    latencies: list[float] = []

    submits = [
        [
            _request("/v1/complaints", submit_body, f"{common}Idempotency-Key: {tag}-{n}-{i}\r\n")
            for i in range(per_client)
        ]
        for n in range(clients)
    ]

    async def client(n: int, conn: Connection) -> None:
        clock = time.perf_counter
        for submit in submits[n]:
            began = clock()
            head = await conn.call(submit, b"201")
            submitted = clock()
            location, version = _header(head, b"location").decode(), _header(head, b"etag").decode()
            verify = _request(f"{location}/verify", verify_body, f"{common}If-Match: {version}\r\n")
            await conn.call(verify, b"200")
            latencies.extend((submitted - began, clock() - submitted))

    try:
        cpu, began = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(n, conn) for n, conn in enumerate(connections)))
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        for conn in connections:
            conn.writer.close()
    return {"seconds": seconds, "latencies": latencies, "cpu": cpu}


def main() -> None:
    """Answer each job line on stdin with a result line on stdout, until stdin ends."""
    for line in sys.stdin:
        try:
            result = asyncio.run(run_job(json.loads(line)))
        except Exception as exc:  # reported to the benchmark, which fails the run
            result = {"error": repr(exc)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
