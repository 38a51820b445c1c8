"""Where in its file a mistake of an SOP was written: a path in the merged SOP to a line and column.

Validation speaks of places in the merged SOP (``clocks.verification.budget``,
``transitions[3].dest``); a policy writer needs the line of the file they wrote. The merged data
keeps the mark of each value (:mod:`sp4n.located`), so the path is walked there, entries of a
list found by their name (``id``, ``name`` or ``trigger``) or index, and the error is re-issued
against the file and line that wrote the value. Data not read from YAML keeps the path alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sp4n.errors import SopValidationError
from sp4n.located import mark_at

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_NAMES = ("id", "name", "trigger")


def _path(data: Any, location: str) -> list[Any]:
    """``clocks.verification.rungs[2]`` as keys and indices of ``data`` (names found in lists)."""
    path: list[Any] = []
    node = data
    for index, name in _TOKEN.findall(location):
        key: Any = int(index) if index else name
        if isinstance(node, list | tuple) and not index:
            position = next(
                (
                    i
                    for i, entry in enumerate(node)
                    if isinstance(entry, Mapping) and name in (entry.get(n) for n in _NAMES)
                ),
                None,
            )
            if position is None:
                break
            key = position
        path.append(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return path


def locate(data: Any, path: Sequence[Any] | None, location: str, reason: str, source: str) -> SopValidationError:
    """An error at ``location`` (or ``path``) of ``data``, placed at the line that wrote it."""
    mark = mark_at(data, list(path) if path is not None else _path(data, location), prefer=source)
    if mark is None:
        return SopValidationError(source, location, reason)
    return SopValidationError(mark.source, f"{mark}: {location}" if location else str(mark), reason)


def relocated(error: SopValidationError, data: Any) -> SopValidationError:
    """``error`` (and its others) placed at the lines of ``data`` that wrote what it names."""
    placed = [
        e if e.location.startswith("line ") else locate(data, None, e.location, e.reason, e.source)
        for e in error.errors
    ]
    return combined(placed)


def combined(errors: Sequence[SopValidationError]) -> SopValidationError:
    """One error for several, the same mistake at the same place said once (a rung that
    ``every_clock`` adds to five clocks is wrong in one line of the file)."""
    seen: set[tuple[str, str, str]] = set()
    kept: list[SopValidationError] = []
    for error in errors:
        place = error.location.split(": ")[0] if error.location.startswith("line ") else error.location
        key = (error.source, place, error.reason.split(" (in ")[0])
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return SopValidationError(kept[0].source, kept[0].location, kept[0].reason, kept[1:])
