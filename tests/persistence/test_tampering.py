"""Tampering with the database directly, case by case, and what ``sp4n audit verify`` finds in
each mode: unkeyed chain, keyed chain (HMAC), and a signed checkpoint kept outside the database.

Each case is a change a person with SQL access could make. ``CAUGHT`` names the modes that must
find it; docs/storage.md has the same table. Running this module with ``-s`` prints the tally.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sp4n.cli import main
from sp4n.persistence.records import hash_content
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine

START = "2026-03-09T10:00:00+07:00"
KEY = "kunci-audit-yang-panjang-sekali"
REPORTER = Actor.reporter("warga-1")
ADMIN = Actor.national_admin("admin-nasional")
VERIFY = {"classification": "pengaduan", "category": "kesehatan"}

Tamper = Callable[[sqlite3.Connection], None]


def run(db: sqlite3.Connection, sql: str, *args: Any) -> None:
    db.execute(sql, args)


def _forge_tail(db: sqlite3.Connection) -> None:
    """Replace c1's last event with a forged one (the payload changed), every hash recomputed
    with plain SHA-256 and the complaint's head fixed up: undetectable without a key."""
    row = db.execute(
        "SELECT seq, at, kind, actor_id, actor_role, trigger, source, dest, payload, clock_changes, "
        "calendar_version, sop_version, prev_hash FROM sp4n_events WHERE complaint_id='c1' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    payload = json.loads(row[8])
    payload["agency"] = "dinas_lain"
    content = dict(
        zip(
            ["seq", "at", "kind", "actor_id", "actor_role", "trigger", "source", "dest"],
            row[:8],
            strict=True,
        )
    )
    at = db.execute("SELECT at FROM sp4n_events WHERE complaint_id='c1' AND seq=?", (row[0],)).fetchone()[0]
    del at
    content.update(
        complaint_id="c1",
        payload=payload,
        clock_changes=json.loads(row[9]),
        calendar_version=row[10],
        sop_version=row[11],
        prev_hash=row[12],
    )
    content["at"] = _iso(row[1])
    digest = hash_content(content)
    run(
        db,
        "UPDATE sp4n_events SET payload=?, hash=? WHERE complaint_id='c1' AND seq=?",
        json.dumps(payload),
        digest,
        row[0],
    )
    run(db, "UPDATE sp4n_complaints SET agency='dinas_lain', last_hash=? WHERE id='c1'", digest)
    run(db, "DELETE FROM sp4n_feed WHERE complaint_id='c1'")


def _iso(stored: str) -> str:
    from datetime import UTC, datetime

    return datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat() if "+" not in stored else stored


def _cut_tail(db: sqlite3.Connection) -> None:
    """Delete c1's last event and fix the complaint up to the one before (state, version, head)."""
    seq, source, prev = db.execute(
        "SELECT seq, source, prev_hash FROM sp4n_events WHERE complaint_id='c1' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    run(db, "DELETE FROM sp4n_events WHERE complaint_id='c1' AND seq=?", seq)
    run(db, "DELETE FROM sp4n_feed WHERE complaint_id='c1' AND event_seq=?", seq)
    run(
        db,
        "UPDATE sp4n_complaints SET state=?, version=?, last_seq=?, last_hash=?, agency=NULL WHERE id='c1'",
        source,
        seq - 1,
        seq - 1,
        prev,
    )
    run(db, "DELETE FROM sp4n_clocks WHERE complaint_id='c1'")
    run(db, "DELETE FROM sp4n_timers WHERE complaint_id='c1'")


@dataclass(frozen=True)
class Case:
    name: str
    tamper: Tamper
    caught_by: tuple[str, ...]  # of "unkeyed", "keyed", "checkpoint"
    finds: str = ""


UNKEYED, KEYED, CHECKPOINT = "unkeyed", "keyed", "checkpoint"
ALL = (UNKEYED, KEYED, CHECKPOINT)

CASES = [
    Case(
        "event payload edited",
        lambda db: run(db, "UPDATE sp4n_events SET payload='{\"reason\": \"x\"}' WHERE complaint_id='c1' AND seq=2"),
        ALL,
        "event 2:",
    ),
    Case(
        "an event deleted",
        lambda db: run(db, "DELETE FROM sp4n_events WHERE complaint_id='c1' AND seq=2"),
        ALL,
        "sequence gap",
    ),
    Case(
        "all events of a complaint deleted",
        lambda db: run(db, "DELETE FROM sp4n_events WHERE complaint_id='c1'"),
        ALL,
        "no events",
    ),
    Case(
        "complaint row deleted, foreign keys off",
        lambda db: run(db, "DELETE FROM sp4n_complaints WHERE id='c1'"),
        ALL,
        "events of a complaint that is not stored",
    ),
    Case(
        "complaint row deleted, cascading",
        lambda db: (run(db, "PRAGMA foreign_keys=ON"), run(db, "DELETE FROM sp4n_complaints WHERE id='c1'")),
        ALL,
        "a feed row whose event is not stored",
    ),
    Case(
        "state edited",
        lambda db: run(db, "UPDATE sp4n_complaints SET state='closed' WHERE id='c1'"),
        ALL,
        "state='closed'",
    ),
    Case(
        "anonymity lifted in the row",
        lambda db: run(db, "UPDATE sp4n_complaints SET anonymous=0 WHERE id='c1'"),
        ALL,
        "anonymous=False",
    ),
    Case(
        "confidentiality lifted in the row",
        lambda db: run(db, "UPDATE sp4n_complaints SET confidential=0 WHERE id='c1'"),
        ALL,
        "confidential=False",
    ),
    Case(
        "agency edited",
        lambda db: run(db, "UPDATE sp4n_complaints SET agency='dinas_lain' WHERE id='c1'"),
        ALL,
        "agency='dinas_lain'",
    ),
    Case(
        "version edited", lambda db: run(db, "UPDATE sp4n_complaints SET version=99 WHERE id='c1'"), ALL, "version=99"
    ),
    Case(
        "a stopped clock set running",
        lambda db: run(db, "UPDATE sp4n_clocks SET status='running' WHERE complaint_id='c1' AND name='verification'"),
        ALL,
        "clock 'verification' is running in state 'distributed'",
    ),
    Case(
        "a pending timer of an unknown clock inserted",
        lambda db: run(
            db,
            "INSERT INTO sp4n_timers (id, complaint_id, clock, generation, rung, due_at, priority, status) "
            "SELECT 'x', 'c1', 'palsu', 1, 'breach', due_at, 1, 'pending' FROM sp4n_timers LIMIT 1",
        ),
        ALL,
        "a pending timer 'x'",
    ),
    Case(
        "a feed row without its event",
        lambda db: run(db, "UPDATE sp4n_feed SET event_seq=77 WHERE complaint_id='c1' AND event_seq=1"),
        ALL,
        "a feed row",
    ),
    Case(
        "the stored SOP edited",
        lambda db: run(db, "UPDATE sp4n_sops SET content=json_set(content, '$.title', 'palsu')"),
        ALL,
        "its history cannot be replayed",
    ),
    Case("the tail rewritten, hashes recomputed", _forge_tail, (KEYED, CHECKPOINT), "event 3"),
    Case("the tail cut off, the head fixed up", _cut_tail, (CHECKPOINT,), "cut back"),
]


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "audit.key"
    path.write_text(KEY + "\n", encoding="utf-8")
    return path


def populated(url: str, key: str | None) -> None:
    engine = Engine(
        sops=["national"],
        database_url=url,
        clock=ManualClock(START),
        id_factory=iter(["c1", "c2"]).__next__,
        audit_key=key,
    )
    try:
        for _ in range(2):
            cid = engine.submit(REPORTER, title="Jalan rusak", anonymous=True, confidential=True).id
            engine.fire(cid, "verify", ADMIN, **VERIFY)
            engine.fire(cid, "distribute", ADMIN, agency="dinas_kesehatan")
    finally:
        engine.close()


def verify(url: str, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", "--url", url, *extra])
    return code, capsys.readouterr().out


TALLY: dict[str, list[str]] = {}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampering_is_found_in_the_modes_that_can(
    case: Case, tmp_path: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found: list[str] = []
    for mode in ALL:
        url = f"sqlite:///{tmp_path / mode}.db"
        keyed = mode != UNKEYED
        populated(url, KEY if keyed else None)
        checkpoint = tmp_path / f"{mode}.json"
        if mode == CHECKPOINT:
            assert main(["audit", "checkpoint", "--url", url, "--key-file", str(keyfile), "-o", str(checkpoint)]) == 0
            capsys.readouterr()
        extra = ["--key-file", str(keyfile)] if keyed else []
        if mode == CHECKPOINT:
            extra += ["--checkpoint", str(checkpoint)]
        assert verify(url, *extra, capsys=capsys) == (
            0,
            f"2 complaint(s) checked ({'keyed' if keyed else 'unkeyed'} chain), 0 problem(s)\n",
        )
        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        case.tamper(db)
        db.close()
        code, out = verify(url, *extra, capsys=capsys)
        if code == 1:
            found.append(mode)
            assert case.finds in out, out
        else:
            assert code == 0, out
    TALLY[case.name] = found
    assert tuple(found) == case.caught_by


def test_a_forged_checkpoint_is_refused(tmp_path: Path, keyfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db'}.db"
    populated(url, KEY)
    checkpoint = tmp_path / "cp.json"
    assert main(["audit", "checkpoint", "--url", url, "--key-file", str(keyfile), "-o", str(checkpoint)]) == 0
    data = json.loads(checkpoint.read_text())
    data["heads"]["c1"][0] = 1
    checkpoint.write_text(json.dumps(data))
    assert main(["audit", "verify", "--url", url, "--key-file", str(keyfile), "--checkpoint", str(checkpoint)]) == 2
    expected = f"checkpoint='{checkpoint}' is invalid: expected a checkpoint signed with this audit key"
    assert expected in capsys.readouterr().err


def test_a_short_or_missing_key_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db'}.db"
    with pytest.raises(
        Exception, match=r"audit_key='a key of 6 bytes' is invalid: expected a secret of at least 16 bytes"
    ):
        Engine(sops=["national"], database_url=url, audit_key="pendek")
    assert main(["audit", "checkpoint", "--url", url, "-o", str(tmp_path / "x.json")]) == 2
    assert (
        "key_file=None is invalid: expected --key-file FILE or the SP4N_AUDIT_KEY environment variable"
        in capsys.readouterr().err
    )


def test_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed with -s: each case and the modes that caught it (the closing figures)."""
    with capsys.disabled():
        for name, modes in TALLY.items():
            print(f"\n  tamper: {name:45s} caught by: {', '.join(modes) or 'none'}")
