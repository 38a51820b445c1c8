"""The public API is exactly what the packages export, and docs/api.md lists exactly that."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

PUBLIC_MODULES = (
    "sp4n",
    "sp4n.calendars",
    "sp4n.states",
    "sp4n.agencies",
    "sp4n.workflow",
    "sp4n.persistence",
    "sp4n.integration",
    "sp4n.reports",
    "sp4n.service",
    "sp4n.simulation",
    "sp4n.testing",
)
API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def documented() -> dict[str, set[str]]:
    """Names listed in docs/api.md, by module heading."""
    names: dict[str, set[str]] = {}
    module = ""
    for line in API_DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## `([\w.]+)`", line)
        if heading:
            module = heading.group(1)
            names[module] = set()
        row = re.match(r"^\| `(\w+)` \|", line)
        if row and module:
            names[module].add(row.group(1))
    return names


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_exported_name_is_documented_and_nothing_else(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = set(module.__all__)
    assert documented()[module_name] == exported


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_exported_name_exists(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.__all__ names {name!r}, which it does not define"
