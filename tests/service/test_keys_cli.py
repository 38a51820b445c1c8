"""``sp4n keys create | list | revoke``."""

from __future__ import annotations

import re

import pytest

from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.service.keys import SqlKeyStore


def test_create_list_and_revoke(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["keys", "create", "--url", sqlite_url, "--name", "kota-app", "--role", "agency_admin"]
    assert main([*args, "--agency", "dinas-pu"]) == 0
    out = capsys.readouterr().out
    found = re.fullmatch(r"id: ([0-9a-f]{12})\ntoken: (sp4n_\1_\S+)\n", out)
    assert found, out
    key_id, token = found.groups()
    store = open_store(sqlite_url)
    try:
        stored = SqlKeyStore(store.engine, sqlite_url).get(key_id)
    finally:
        store.close()
    assert stored is not None
    secret = token.removeprefix(f"sp4n_{key_id}_")  # the secret may hold "_" itself
    assert len(secret) >= 32
    assert secret not in stored.secret_hash  # only the hash is kept
    assert main(["keys", "list", "--url", sqlite_url]) == 0
    assert capsys.readouterr().out == f"{key_id} 'kota-app' roles=agency_admin agencies=dinas-pu\n"
    assert main(["keys", "revoke", "--url", sqlite_url, key_id]) == 0
    assert capsys.readouterr().out.startswith(f"revoked {key_id} at ")
    assert main(["keys", "list", "--url", sqlite_url]) == 0
    assert " revoked " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "system"], "roles='system' is invalid: expected a role people hold: no key may act as system"),
        (["--role", "agency_admin"], "agencies=[] is invalid: expected at least one agency for a key of agency staff"),
        (["--role", "raja"], "roles='raja' is invalid: expected one of reporter, national_admin"),
    ],
)
def test_keys_that_cannot_be_made(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["keys", "create", "--url", sqlite_url, "--name", "x", *extra]) == 2
    assert capsys.readouterr().err.startswith(f"sp4n: error: {message}")


def test_revoking_an_unknown_key(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "revoke", "--url", sqlite_url, "abc"]) == 2
    assert "key_id='abc' is invalid: expected the id of a stored key" in capsys.readouterr().err
