"""``sp4n national push|pull|institutions`` on a SQLite file against the fake LAPOR!, with the
credentials from the environment only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.testing import FakeLapor, ManualClock
from sp4n.workflow import Actor, Engine

TOKEN, KEY = "tok-cli-5e1d", "key-cli-9a7c"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLapor]:
    with FakeLapor(token=TOKEN, key=KEY) as server:
        monkeypatch.setenv("SP4N_LAPOR_TOKEN", TOKEN)
        monkeypatch.setenv("SP4N_LAPOR_KEY", KEY)
        monkeypatch.setenv("SP4N_LAPOR_URL", server.base_url)
        yield server


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
