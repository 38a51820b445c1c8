"""Every example runs: each ``examples/*.py`` with a ``main`` is imported by path and run.

New examples are picked up by themselves. Files named ``test_*.py`` are left to pytest, which
collects them directly.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

KEY_OUTPUT: dict[str, tuple[str, ...]] = {
    "demo": (
        "Verify and forward (verification), 3 working days: due Thursday 26 March 2026 (WIB)",
        "Batas waktu: akhir hari Kamis, 26 Maret 2026",
        "Hari Suci Nyepi [national holiday]",
        "Its timeline",
        "deadline_transition  close",
        "covid19_fasttrack",
        "complaints escalated at least once by a deadline:",
        "transitions fired by the deadline worker: {'close':",
        "A recap book of 3 complaints, taken in on",
        "imported again: 3 known, nothing written",
        "dinas_kesehatan: due by the end of the next working day",
        "KPIs of March to May 2026",
        "the KPI report (tables and charts) is in",
        "The complaints, their events and timers are in the SQLite file",
    ),
    "calendar_demo": (
        "Due at the end of Thursday 26 March 2026",
        "Batas waktu: akhir hari Kamis, 26 Maret 2026",
        "Hari Suci Nyepi",
        "WIT  received 2026-03-16 12:00, due end of 2026-03-26",
        "60 working days",
        "8 working hours",
    ),
}
"""Lines an example must print, by file stem (other examples need only print something)."""


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith(("test_", "_")))


@pytest.fixture
def load_example() -> Iterator[Callable[[Path], ModuleType]]:
    """Imports an example by path under a private module name, and forgets it afterwards."""
    names: list[str] = []

    def load(path: Path) -> ModuleType:
        name = f"sp4n_example_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pydantic look their module up by name
        names.append(name)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in names:
        sys.modules.pop(name, None)


def test_there_are_examples() -> None:
    assert [p.stem for p in example_files()].count("demo") == 1


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_example_runs(
    path: Path,
    load_example: Callable[[Path], ModuleType],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # examples may write files (the demo's SQLite database)
    module = load_example(path)
    main = getattr(module, "main", None)
    if main is None:
        pytest.skip(f"{path.name} has no main()")
    assert main() == 0
    out = capsys.readouterr().out
    assert out.strip()
    for line in KEY_OUTPUT.get(path.stem, ()):
        assert line in out
