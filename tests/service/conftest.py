"""A live ``sp4n serve`` process on a SQLite file (and one on PostgreSQL), with keys of every kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sp4n.clock import SystemClock
from sp4n.persistence.sql import open_store
from sp4n.service.keys import Keys, SqlKeyStore
from sp4n.testing.server import ServeProcess
from sp4n.testing.webhook_server import WebhookServer


@dataclass
class Live:
    """A running server, the database URL it serves, and request headers per kind of caller."""

    server: ServeProcess
    url: str
    tokens: dict[str, str]
    key_ids: dict[str, str]

    def headers(self, key: str, person: str, role: str, agency: str | None = None) -> dict[str, str]:
        found = {"Authorization": f"Bearer {self.tokens[key]}", "Sp4n-Actor-Id": person, "Sp4n-Actor-Role": role}
        if agency:
            found["Sp4n-Actor-Agency"] = agency
        return found

    def dinas(self, person: str = "adm-1") -> dict[str, str]:
        return self.headers("dinas", person, "agency_admin", "dinas-pu")

    def citizen(self, person: str = "warga-1") -> dict[str, str]:
        return self.headers("citizen", person, "reporter")


KEYS = {
    "dinas": (["agency_admin", "liaison_officer"], ["dinas-pu"]),
    "other": (["agency_admin"], ["dinas-kes"]),
    "citizen": (["reporter"], []),
    "national": (["national_admin"], []),
    "revoked": (["reporter"], []),
}


def make_keys(url: str) -> tuple[dict[str, str], dict[str, str]]:
    store = open_store(url, upgrade=True)
    try:
        keys = Keys(SqlKeyStore(store.engine, url), SystemClock().now)
        tokens, ids = {}, {}
        for name, (roles, agencies) in KEYS.items():
            key, tokens[name] = keys.create(name, agencies, roles)
            ids[name] = key.id
        keys.revoke(ids["revoked"])
    finally:
        store.close()
    return tokens, ids


def _live(url: str, tmp: Path) -> Iterator[Live]:
    tokens, ids = make_keys(url)
    # --no-deliver: the feed tests deliver round by round themselves (test_serve_delivery.py: serve's own)
    with ServeProcess(url, tmp / "serve.log", "--max-body", "65536", "--no-deliver") as server:
        yield Live(server, url, tokens, ids)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server per test module, on its own SQLite file."""
    tmp = tmp_path_factory.mktemp("serve")
    yield from _live(f"sqlite:///{tmp / 'sp4n.db'}", tmp)


@pytest.fixture
def live_postgres(postgres_schema_url: str, tmp_path: Path) -> Iterator[Live]:
    """A server on a fresh PostgreSQL schema."""
    yield from _live(postgres_schema_url, tmp_path)


@pytest.fixture
def endpoint() -> Iterator[WebhookServer]:
    """A webhook endpoint on 127.0.0.1 (its secrets set when it is added to the server)."""
    server = WebhookServer([], lambda: int(SystemClock().now().timestamp()))
    try:
        yield server
    finally:
        server.close()
