"""``sp4n webhooks add|list|rotate|remove``, ``sp4n feed status|retry|skip`` and ``sp4n national
push|pull|institutions`` (against the fake LAPOR!, credentials from the environment only) on a
SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.testing import FakeLapor, ManualClock
from sp4n.workflow import Actor, Engine


@pytest.fixture
def url(sqlite_url: str) -> str:
    engine = Engine(store=open_store(sqlite_url, upgrade=True), clock=ManualClock("2026-03-02T09:00:00+07:00"))
    try:
        engine.submit(Actor.reporter("warga-1"), title="Sampah menumpuk", description="Sudah seminggu")
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


TOKEN, KEY = "tok-cli-5e1d", "key-cli-9a7c"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLapor]:
    with FakeLapor(token=TOKEN, key=KEY) as server:
        monkeypatch.setenv("SP4N_LAPOR_TOKEN", TOKEN)
        monkeypatch.setenv("SP4N_LAPOR_KEY", KEY)
        monkeypatch.setenv("SP4N_LAPOR_URL", server.base_url)
        yield server


def test_push_pull_and_institutions(url: str, fake: FakeLapor, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "national", "push", "--url", url, "--start", "beginning")
    assert (code, out.strip()) == (0, "lapor: 2 event(s) sent, 0 failed, 0 parked")  # submitted, then linked
    assert [c["title"] for c in fake.complaints.values()] == ["Sampah menumpuk"]
    assert run(capsys, "national", "push", "--url", url)[1].startswith("lapor: 0 event(s) sent")

    received = datetime(2026, 2, 27, 10, 0, tzinfo=timezone(timedelta(hours=7)))
    fake.forward(title="Sekolah rusak", content="Atap bocor", received_at=received)
    fake.forward(title="Asing", content="isi", received_at=received, category="pariwisata")
    code, out, _ = run(capsys, "national", "pull", "--url", url, "--institution", "3374")
    assert code == 1
    assert "filed: 1, known: 0, refused: 1" in out
    assert "category='pariwisata' is invalid" in out
    assert "filed: 0, known: 1, refused: 1" in run(capsys, "national", "pull", "--url", url)[1]

    code, out, _ = run(capsys, "national", "institutions")
    assert code == 0
    assert "3374-dkk: Dinas Kesehatan Kota Semarang (under 3374)" in out


def test_missing_or_wrong_credentials_are_clear_errors(
    url: str, fake: FakeLapor, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SP4N_LAPOR_KEY")
    code, _, err = run(capsys, "national", "institutions")
    assert code == 2
    assert "SP4N_LAPOR_KEY=None is invalid: expected the national LAPOR! key in the environment" in err
    monkeypatch.setenv("SP4N_LAPOR_KEY", "wrong-key")
    code, out, err = run(capsys, "national", "push", "--url", url, "--start", "beginning")
    assert code == 1
    assert out.strip() == "lapor: 0 event(s) sent, 1 failed, 0 parked"
    code, _, err = run(capsys, "national", "institutions", "--national-url", "ftp://x")
    assert (code, err.strip()) == (
        2,
        "sp4n: error: base_url='(hidden)' is invalid: expected an http:// or https:// URL",
    )
    assert KEY not in err
    assert TOKEN not in err
