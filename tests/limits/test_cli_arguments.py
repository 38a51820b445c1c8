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
