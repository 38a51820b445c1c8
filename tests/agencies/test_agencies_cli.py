"""``sp4n agencies validate | show | apply``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.workflow import Engine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"


def test_validate_prints_each_registry_or_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agencies:\n  - {id: a, name_id: A, kind: dinas, parent: b, zone: Mars}\n", encoding="utf-8")
    assert main(["agencies", "validate", str(EXAMPLE), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"OK {EXAMPLE} 19 agencies ")
    assert err.splitlines() == [
        f"sp4n: error: {bad}: line 2, column 38: agency 'a': unknown parent 'b'",
        f"sp4n: error: {bad}: line 2, column 49: agency 'a': unknown zone 'Mars' "
        "(an IANA name such as Asia/Makassar, or WIB, WITA, WIT)",
    ]


def test_show_draws_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agencies", "show", str(EXAMPLE), "--lang", "id"]) == 0
    out = capsys.readouterr().out
    assert "  kota_semarang: Pemerintah Kota Semarang [pemkot, Asia/Jakarta]\n" in out
    assert "    diskominfo_semarang: Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang " in out
    assert "[dinas, Asia/Jakarta, admin untuk kota_semarang]" in out
    assert "        unit: puskesmas_bandarharjo, puskesmas_pandanaran, rsud_wongsonegoro\n" in out
    assert "prov_kalsel: Pemerintah Provinsi Kalimantan Selatan [pemprov, Asia/Makassar]\n" in out


def test_apply_makes_the_registry_active_for_every_engine_on_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'sp4n.db'}"
    engine = Engine(sops=["national"], clock=ManualClock("2026-03-02T09:00:00+07:00"), store=open_store(url))
    try:
        assert len(engine.agencies) == 0
        assert main(["agencies", "apply", str(EXAMPLE), "--url", url]) == 0
        assert "(19 agencies) is active in sqlite:///" in capsys.readouterr().out
        engine.runtime.refresh()
        assert engine.agencies.zone_of("dinkes_kalsel") == "Asia/Makassar"
        assert engine.runtime.zones.of("dinkes_kalsel") == "Asia/Makassar"
    finally:
        engine.close()
