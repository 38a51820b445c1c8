"""``sp4n webhooks add|list|rotate|remove`` and ``sp4n feed status|retry|skip`` on a SQLite file."""

from __future__ import annotations

import re

import pytest

from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine


@pytest.fixture
def url(sqlite_url: str) -> str:
    engine = Engine(store=open_store(sqlite_url, upgrade=True), clock=ManualClock("2026-03-02T09:00:00+07:00"))
    try:
        engine.submit(Actor.reporter("warga-1"), title="Sampah menumpuk")
    finally:
        engine.close()
    return sqlite_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_webhook_endpoint_is_added_listed_rotated_and_removed(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "webhooks", "add", "sms", "--url", url, "--endpoint", "https://sms.example.go.id/hook", "--audience",
        "agency", "--start", "beginning",
    )  # fmt: skip
    assert code == 0
    secret = re.search(r"signing secret \(shown once\): (whsec_\S+)", out)
    assert secret is not None

    code, out, _ = run(capsys, "webhooks", "list", "--url", url)
    assert code == 0
    assert "sms: https://sms.example.go.id/hook agency" in out
    assert "1 secret(s)" in out
    assert secret.group(1) not in out  # a secret is shown once, never listed

    code, out, _ = run(capsys, "webhooks", "rotate", "sms", "--url", url)
    assert code == 0
    assert run(capsys, "webhooks", "list", "--url", url)[1].count("2 secret(s)") == 1

    code, out, _ = run(capsys, "feed", "status", "sms", "--url", url)
    assert code == 0
    assert out.startswith("sms: agency")
    assert "0 parked" in out

    assert run(capsys, "webhooks", "remove", "sms", "--url", url)[0] == 0
    assert "sms:" not in run(capsys, "webhooks", "list", "--url", url)[1]


def test_an_unknown_consumer_is_a_clear_error(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "feed", "retry", "nobody", "--url", url)
    assert code == 2
    assert "no feed consumer 'nobody'" in err
    code, _, err = run(capsys, "feed", "skip", "nobody", "--position", "1", "--url", url)
    assert code == 2
    assert "no feed consumer 'nobody'" in err
