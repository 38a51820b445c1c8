"""YAML read with the place of every value, so that errors name a file, a line and a column.

Policy staff write SOP variants and agency registries by hand; a message such as
``kalsel.yaml: line 7, column 5: ...`` sends them to the mistake, where ``clocks[2].budget`` in
a merged SOP would not. :func:`load_yaml` returns plain ``dict`` and ``list`` subclasses that
remember, for each key or item, the file and the position it was written at; code that does
not care sees ordinary data. :func:`mark_at` finds the place of a value by its path.

Duplicate keys are refused (plain YAML lets the last one win silently), and YAML's own syntax
errors come back as :class:`YamlSyntax` with their line and column.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Mark:
    """Where a value was written: a file (or other source name), a line and a column (from 1)."""

    source: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


class LocatedDict(dict[Any, Any]):
    """A mapping read from a file, with the :class:`Mark` of each key in ``marks``."""

    marks: dict[Any, Mark | None]
    mark: Mark | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marks = {}
        self.mark = None


class LocatedList(list[Any]):
    """A sequence read from a file, with the :class:`Mark` of each item in ``marks``."""

    marks: list[Mark | None]
    mark: Mark | None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.marks = []
        self.mark = None


class YamlSyntax(ValueError):
    """Text that is not YAML (bad indentation, a tab, a duplicate key), with where it went wrong."""

    def __init__(self, mark: Mark | None, problem: str) -> None:
        self.where = mark
        self.problem = problem
        super().__init__(f"{mark}: {problem}" if mark else problem)


def _mark(source: str, node: yaml.Node) -> Mark:
    return Mark(source, node.start_mark.line + 1, node.start_mark.column + 1)


class _Loader(yaml.SafeLoader):
    """A safe loader building :class:`LocatedDict` / :class:`LocatedList` and refusing duplicate keys."""

    source = "<yaml>"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.mark = _mark(loader.source, node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value", key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.marks[key] = _mark(loader.source, key_node)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.mark = _mark(loader.source, node)
    result.marks = [_mark(loader.source, child) for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, source: str) -> Any:
    """Parse ``text`` (named ``source`` in marks) into located data; raises :class:`YamlSyntax`."""
    loader = _Loader(text)
    loader.source = source
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(source, mark.line + 1, mark.column + 1) if mark is not None else None
        problem = exc.problem or str(exc)
        if "\t" in problem or "tab" in problem:
            problem += " (indent with spaces, not tabs)"
        raise YamlSyntax(where, problem) from None
    except yaml.YAMLError as exc:
        raise YamlSyntax(None, str(exc)) from None
    finally:
        loader.dispose()


def mark_of(container: Any, key: Any) -> Mark | None:
    """The mark of ``key`` (a mapping key or a list index) in ``container``, if it was read from a file."""
    if isinstance(container, LocatedDict):
        return container.marks.get(key, container.mark)
    if isinstance(container, LocatedList):
        if isinstance(key, int) and 0 <= key < len(container.marks):
            return container.marks[key]
        return container.mark
    return None


def mark_at(data: Any, path: Sequence[Any], prefer: str | None = None) -> Mark | None:
    """The mark of the deepest value on ``path`` (keys and indices) from ``data`` whose place is
    known. A value that was not read from a file (a plain dict laid over a file's data) has no
    place, and neither has anything inside it: None then, rather than the place of its parent.

    With ``prefer`` (a source), the deepest mark in that source wins over deeper ones elsewhere:
    a variant's mistake is shown in the variant's file even when it surfaces in a base's value.
    """
    found = data.mark if isinstance(data, LocatedDict | LocatedList) else None
    preferred = None  # the root's place says nothing about where inside a mistake is
    node = data
    for key in path:
        if isinstance(node, LocatedDict):
            if key in node.marks:
                found = node.marks[key]
        elif isinstance(node, LocatedList):
            if isinstance(key, int) and 0 <= key < len(node.marks):
                found = node.marks[key]
        else:
            found = None
        if found is not None and found.source == prefer:
            preferred = found
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return preferred or found
