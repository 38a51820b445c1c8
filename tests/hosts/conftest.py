"""The PHP and Node.js example hosts, run as real processes against a real ``sp4n serve``.

Each test runs once per host language and database: a server on a SQLite file and one on a
PostgreSQL schema (both per module), with keys made by ``sp4n keys create``. A host whose program
is missing is skipped with the reason, unless SP4N_REQUIRE_HOSTS=1 (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sp4n.testing.postgres import postgres_schema
from sp4n.testing.server import ServeProcess, create_key, run_cli

HOSTS = Path(__file__).resolve().parents[2] / "examples" / "hosts"
PROGRAMS = {"php": ("php", HOSTS / "php" / "host.php"), "node": ("node", HOSTS / "node" / "host.mjs")}
REQUIRE = "SP4N_REQUIRE_HOSTS"
AGENCY = "dinas-pu"


def program(name: str) -> str:
    """The path of a host's program (``php`` with its curl extension, ``node``): skipped when it
    is missing, or a failure when SP4N_REQUIRE_HOSTS=1."""
    found = shutil.which(name)
    missing = f"{name} is not installed" if found is None else None
    if found is not None and name == "php":
        check = subprocess.run([found, "-r", "exit(extension_loaded('curl') ? 0 : 1);"], timeout=60, check=False)
        missing = "php has no curl extension (install php-curl)" if check.returncode else None
    if missing is None and found is not None:
        return found
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{missing}, and {REQUIRE}=1 requires the example hosts to run")
    pytest.skip(f"{missing}; the {name} example host is not tested (set {REQUIRE}=1 to fail instead)")


@dataclass
class Served:
    """A live server and the tokens and ids of its keys (``dinas``: the agency's app; ``revoked``)."""

    server: ServeProcess
    tokens: dict[str, str]
    key_ids: dict[str, str]

    def api(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        """The JSON answer of a request made as the agency's admin; it must succeed."""
        token = self.tokens["dinas"]
        sent = {"Authorization": f"Bearer {token}", "Sp4n-Actor-Id": "adm-1", "Sp4n-Actor-Role": "agency_admin"}
        sent |= {"Sp4n-Actor-Agency": AGENCY, **(headers or {})}
        status, _, answer = self.server.request(method, path, body, sent)
        assert status < 300, (status, answer)
        return answer


@dataclass
class Host:
    """One example host: its command line, and the environment naming the server, key and actor."""

    name: str
    argv: list[str]
    env: dict[str, str]

    def run(self, *args: str, stdin: bytes = b"", **actor: str) -> tuple[int, dict[str, Any]]:
        """(exit code, the JSON object printed) of one command; ``actor`` overrides SP4N_* names
        (``key="..."``, ``role="..."``)."""
        env = dict(self.env)
        for name, value in actor.items():
            env["SP4N_API_KEY" if name == "key" else f"SP4N_ACTOR_{name.upper()}"] = value
        done = subprocess.run(
            [*self.argv, *args], input=stdin, capture_output=True, env=env, timeout=60, check=False, cwd=HOSTS
        )
        assert done.returncode in (0, 3, 4), (done.returncode, done.stdout, done.stderr)
        lines = done.stdout.decode().splitlines()
        assert len(lines) == 1, (done.stdout, done.stderr)
        printed: dict[str, Any] = json.loads(lines[0])
        return done.returncode, printed


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A ``sp4n serve`` process on a SQLite file or a PostgreSQL schema of its own."""
    tmp = tmp_path_factory.mktemp("hosts")
    with ExitStack() as stack:
        if request.param == "postgres":
            url = stack.enter_context(postgres_schema(request.getfixturevalue("postgres_url"), prefix="sp4n_hosts"))
        else:
            url = f"sqlite:///{tmp / 'sp4n.db'}"
        run_cli("db", "upgrade", "--url", url)  # as deployment does before keys and servers
        ids, tokens = {}, {}
        ids["dinas"], tokens["dinas"] = create_key(url, "kota-app", ["agency_admin"], [AGENCY])
        ids["revoked"], tokens["revoked"] = create_key(url, "retired-app", ["agency_admin"], [AGENCY])
        run_cli("keys", "revoke", "--url", url, ids["revoked"])
        server = stack.enter_context(ServeProcess(url, tmp / "serve.log"))
        yield Served(server, tokens, ids)


@pytest.fixture(params=sorted(PROGRAMS))
def host_program(request: pytest.FixtureRequest) -> list[str]:
    """The command line of one example host (php or node)."""
    name, script = PROGRAMS[request.param]
    return [program(name), str(script)]


@pytest.fixture
def host(host_program: list[str], served: Served) -> Host:
    """An example host acting as the agency's admin through the key of its app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SP4N_")}
    env |= {
        "SP4N_BASE_URL": served.server.base,
        "SP4N_API_KEY": served.tokens["dinas"],
        "SP4N_ACTOR_ID": "adm-1",
        "SP4N_ACTOR_ROLE": "agency_admin",
        "SP4N_ACTOR_AGENCY": AGENCY,
    }
    return Host(Path(host_program[0]).name, host_program, env)
