"""The recorded dataset (on a SQLite file, recorded once for the package) and variant files."""

from __future__ import annotations

from pathlib import Path

import pytest

from .dataset import Dataset, record

TWO_DAYS = """\
id: verifikasi_2_hari
extends: national
title: Verifikasi 2 hari kerja
clocks:
  verification: {budget: 2 working days}
"""


@pytest.fixture(scope="package")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return record(f"sqlite:///{tmp_path_factory.mktemp('source') / 'sp4n.db'}")


def variant(tmp_path: Path, text: str = TWO_DAYS, name: str = "variant.yaml") -> Path:
    """A variant SOP file with ``text`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
