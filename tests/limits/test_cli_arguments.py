"""Bad arguments to the ``sp4n`` command are errors naming the argument and its value."""

from __future__ import annotations

import pytest

from sp4n.cli import main


def test_an_unknown_alembic_revision_is_named(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--url", sqlite_url, "--revision", "9999"]) == 2
    err = capsys.readouterr().err
    assert "sp4n: error: revision='9999' is invalid: expected head, base or one of 0001, 0002" in err
    assert main(["db", "current", "--url", sqlite_url]) == 0
    assert "(no sp4n schema)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--lease", "inf", "lease=inf is invalid: expected a number of seconds above 0, at most 86400"),
        ("--lease", "nan", "lease=nan is invalid: expected a number of seconds above 0, at most 86400"),
        ("--interval", "nan", "interval=nan is invalid: expected a number of seconds above 0, at most 86400"),
        ("--interval", "1e308", "interval=1e+308 is invalid: expected a number of seconds above 0, at most 86400"),
        ("--batch", "9" * 30, f"batch={'9' * 30} is invalid: expected a whole number from 1 to 100000"),
    ],
)
def test_worker_options_are_named(
    option: str, value: str, message: str, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--url", sqlite_url, option, value]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"sp4n: error: {message}"
