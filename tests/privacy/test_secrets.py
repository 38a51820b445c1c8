"""No password reaches a message, the CLI's output or the logs, on any error path that takes a URL."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from sp4n.cli import main
from sp4n.errors import SchemaOutdated, Sp4nError
from sp4n.persistence import MemoryStore
from sp4n.persistence.connect import create_sql_engine, redact, safe_url
from sp4n.persistence.sql import SqlStore, open_store
from sp4n.workflow import Engine

SECRET = "Rahasia-9f3kQ"
URLS = {
    "unparseable": f"postgresql+psycopg://sp4n:{SECRET}@db.example:notaport/sp4n",
    "unknown scheme": f"mysql://sp4n:{SECRET}@db.example/sp4n",
    "unreachable": f"postgresql+psycopg://sp4n:{SECRET}@127.0.0.1:1/sp4n?connect_timeout=2",
}


def _open_store(url: str) -> object:
    return open_store(url)


def _engine_with_both(url: str) -> object:
    return Engine(sops=(), store=MemoryStore(), database_url=url)


def _engine_on(url: str) -> object:
    return Engine(sops=(), database_url=url)


def _sql_store(url: str) -> object:
    return SqlStore(url)


CALLS: dict[str, Callable[[str], object]] = {
    "create_sql_engine": create_sql_engine,
    "open_store": _open_store,
    "SqlStore": _sql_store,
    "Engine(database_url=)": _engine_on,
    "Engine(store=, database_url=)": _engine_with_both,
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("case", URLS)
def test_no_password_in_an_api_error(call: str, case: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    if (call, case) == ("create_sql_engine", "unreachable"):
        CALLS[call](URLS[case])  # it connects lazily, so nothing fails yet
    else:
        with pytest.raises(Sp4nError) as caught:
            CALLS[call](URLS[case])
        assert SECRET not in str(caught.value)
        assert SECRET not in repr(caught.value.args)
        assert all(SECRET not in repr(v) for v in vars(caught.value).values())
    assert SECRET not in caplog.text


CLI = [
    ["db", "upgrade", "--url"],
    ["db", "current", "--url"],
    ["db", "upgrade", "--revision", "9999", "--url"],
    ["audit", "verify", "--url"],
    ["worker", "--url"],
]


@pytest.mark.parametrize("command", CLI, ids=lambda c: " ".join(c[:-1]))
@pytest.mark.parametrize("case", URLS)
def test_no_password_in_the_cli_output(
    command: list[str], case: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = main([*command, URLS[case]])
    out, err = capsys.readouterr()
    assert code == 2
    assert "sp4n: error:" in err
    assert SECRET not in out + err + caplog.text


def test_the_schema_hint_never_suggests_a_command_with_a_hidden_password() -> None:
    shown = safe_url(f"postgresql+psycopg://sp4n:{SECRET}@db.example/sp4n")
    assert shown == "postgresql+psycopg://sp4n:***@db.example/sp4n"
    message = str(SchemaOutdated(shown, None, "0004"))
    assert "--url postgresql" not in message
    assert "run `sp4n db upgrade --url URL` with its full URL" in message
    plain = str(SchemaOutdated("sqlite:///sp4n.db", None, "0004"))
    assert "run `sp4n db upgrade --url sqlite:///sp4n.db`" in plain


def test_a_database_without_schema_is_named_without_its_password(postgres_schema_url: str) -> None:
    url = postgres_schema_url.replace("://postgres@", f"://postgres:{SECRET}@")
    with pytest.raises(SchemaOutdated, match=r"has no sp4n schema.*with its full URL") as caught:
        SqlStore(url)
    assert SECRET not in str(caught.value)


def test_sqlite_paths_need_no_redaction(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none' / 'x.db'}"
    assert safe_url(url) == url
    assert redact(f"cannot open {url}", url) == f"cannot open {url}"


def test_redact_takes_a_password_out_of_a_driver_message() -> None:
    url = URLS["unreachable"]
    assert redact(f'password authentication failed: "{SECRET}" for {url}', url) == (
        'password authentication failed: "***" for ' + safe_url(url)
    )
