"""A real browser (Playwright driving Debian's Chromium) and a real ``sp4n serve`` on a seeded
database, whose clock the test moves through a file.

Without a browser the tests skip with the reason, unless SP4N_REQUIRE_BROWSER=1 (set by CI's
.ci/run): then they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sp4n.persistence.sql import open_store
from sp4n.testing import FileClock, postgres_schema
from sp4n.testing.server import ServeProcess, create_key
from sp4n.workflow import Actor, Engine

from .dataset import NOW, Seeded, seed

REQUIRE = "SP4N_REQUIRE_BROWSER"
CHROMIUM = "/usr/bin/chromium"
ROOM_AGENCY = "kota_semarang"


def _no_browser(reason: str) -> None:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but no browser can start: {reason}")
    pytest.skip(f"no browser can start: {reason}")


# package-scoped, not session: Playwright's sync API keeps an event loop running in this thread
# until it stops, and later tests (asyncio.run in docs and hosts) must find none
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium under Playwright (Debian's binary: Playwright cannot download one here)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _no_browser(f"playwright is not installed ({exc})")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        _no_browser(f"{CHROMIUM} is missing (apt-get install chromium)")
    manager = sync_playwright().start()
    try:
        found = manager.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    except Error as exc:
        manager.stop()
        _no_browser(f"chromium did not start: {exc.message.splitlines()[0]}")
    try:
        yield found
    finally:
        found.close()
        manager.stop()


@dataclass
class Room:
    """A served, seeded database, its clock file, and the keys of the room's viewers."""

    server: ServeProcess
    url: str
    clock_path: Path
    seeded: Seeded
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)

    def page_url(self, key: str | None = None, *, lang: str | None = None) -> str:
        """The dashboard's address, with a key's settings in the fragment (never sent to a server)."""
        if key is None:
            return f"{self.server.base}/dashboard" + (f"?lang={lang}" if lang else "")
        role, agency = VIEWERS[key]
        fragment = f"key={self.tokens[key]}&actor=ruang-{key}&role={role}" + (f"&agency={agency}" if agency else "")
        return f"{self.server.base}/dashboard" + (f"?lang={lang}" if lang else "") + "#" + fragment

    def headers(self, key: str) -> dict[str, str]:
        role, agency = VIEWERS[key]
        found = {
            "Authorization": f"Bearer {self.tokens[key]}",
            "Sp4n-Actor-Id": f"ruang-{key}",
            "Sp4n-Actor-Role": role,
        }
        if agency:
            found["Sp4n-Actor-Agency"] = agency
        return found

    def actor(self, key: str | None) -> Actor | None:
        """The actor a key's page acts as (None: the public)."""
        if key is None:
            return None
        agency = VIEWERS[key][1]
        return Actor.agency_admin(f"ruang-{key}", agency) if agency else Actor.national_admin(f"ruang-{key}")

    def engine(self) -> Engine:
        """An engine on the same database and the same clock as the server (close it)."""
        return Engine(database_url=self.url, clock=FileClock(self.clock_path))


VIEWERS = {"national": ("national_admin", None), "dinas": ("agency_admin", ROOM_AGENCY)}


def _room(url: str, tmp: Path, backend: str, *options: str) -> Iterator[Room]:
    open_store(url, upgrade=True).close()
    seeded = seed(url)
    clock_path = tmp / "now.txt"
    FileClock.write(clock_path, NOW)
    tokens = {}
    for key, (role, agency) in VIEWERS.items():
        tokens[key] = create_key(url, f"room-{key}", [role], [agency] if agency else [])[1]
    with ServeProcess(url, tmp / "serve.log", "--clock-file", str(clock_path), *options) as server:
        yield Room(server, url, clock_path, seeded, backend, tokens)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def room(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """The seeded room on SQLite (its worker runs in the serve process) and on PostgreSQL (no
    worker: a test fires deadlines itself, as ``sp4n worker`` would)."""
    tmp = tmp_path_factory.mktemp(f"room-{request.param}")
    if request.param == "sqlite":
        yield from _room(f"sqlite:///{tmp / 'sp4n.db'}", tmp, "sqlite")
        return
    base: str = request.getfixturevalue("postgres_url")
    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema(base))
        yield from _room(url, tmp, "postgres")
