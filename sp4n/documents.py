"""Reading YAML, JSON and TOML documents that a person wrote, within limits.

SOP files, calendar override files and import files all come from outside, so a hostile or
mistaken one must fail fast with a clear error, never exhaust time or memory: the text is bounded
in size, the data in nesting depth and in size *after* YAML aliases are expanded (a 500-byte
"billion laughs" file would otherwise expand to gigabytes when the data is walked), JSON duplicate
keys are refused as YAML and TOML already refuse them, and numbers stay short. Every failure is a
:class:`~sp4n.errors.DocumentError` with the place and a reason; each reader re-raises it as its
own error (``SopValidationError``, ``OverrideFileError``) with its own source.

Use :func:`read_document` for a file and :func:`parse_document` for text.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sp4n.errors import DocumentError, shown

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


@dataclass(frozen=True)
class DocumentLimits:
    """How large a document may be: bytes of text, nesting depth, values after YAML aliases are
    expanded, and digits in a number. The defaults are far above any real SOP or override file."""

    max_bytes: int = 1_000_000
    max_depth: int = 32
    max_values: int = 200_000
    max_digits: int = 30


DEFAULT_LIMITS = DocumentLimits()


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys, which plain YAML lets the last one win silently."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _TextDatesLoader(_StrictLoader):
    """Keeps dates as text, so that 2026-13-01 is reported at its place like any other bad date."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(root: yaml.Node, limits: DocumentLimits) -> None:
    """Refuse a node graph that is too deep or, with every alias expanded, too large, without
    expanding it: each node's expanded size is computed once (aliases share nodes)."""
    sizes: dict[int, int] = {}
    # iterative post-order walk: (node, depth, children done)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    active: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        if depth > limits.max_depth:
            raise DocumentError(_mark(node), f"nested deeper than {limits.max_depth} levels")
        if node.tag in _NUMBER_TAGS and len(str(node.value).lstrip("+-")) > limits.max_digits:
            reason = f"a number of {len(str(node.value))} characters; at most {limits.max_digits} digits"
            raise DocumentError(_mark(node), reason)
        children = _children(node)
        if done:
            active.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > limits.max_values:
                reason = f"more than {limits.max_values} values once its aliases are expanded"
                raise DocumentError(_mark(node), reason)
            sizes[id(node)] = total
            continue
        if id(node) in sizes:
            continue
        if id(node) in active:
            raise DocumentError(_mark(node), "an alias refers to the node that contains it")
        active.add(id(node))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _mark(node: yaml.Node) -> str:
    mark = node.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _parse_yaml(text: str, limits: DocumentLimits, dates_as_text: bool) -> Any:
    try:
        loader = (_TextDatesLoader if dates_as_text else _StrictLoader)(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters at once
        raise DocumentError("", f"invalid YAML: {exc}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, limits)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise DocumentError(where, f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DocumentError("", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DocumentError("", f"invalid JSON: duplicate key {shown(key)}")
        found[key] = value
    return found


def _check_number(text: str, limits: DocumentLimits) -> str:
    if len(text.lstrip("-")) > limits.max_digits:
        raise DocumentError("", f"a number of {len(text)} characters; at most {limits.max_digits} digits")
    return text


def _parse_json(text: str, limits: DocumentLimits) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_int=lambda t: int(_check_number(t, limits)),
            parse_float=lambda t: float(_check_number(t, limits)),
            parse_constant=lambda name: _refuse_constant(name),
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}") from None


def _refuse_constant(name: str) -> Any:
    raise DocumentError("", f"invalid JSON: {name} is not a number JSON allows")


def parse_document(
    text: str, kind: str, limits: DocumentLimits = DEFAULT_LIMITS, *, dates_as_text: bool = False
) -> Any:
    """The data of a ``kind`` ("yaml", "json" or "toml") document, or :class:`DocumentError`.

    ``dates_as_text`` keeps YAML dates as strings (override files check them themselves).
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limits.max_bytes:
        raise DocumentError("", f"the document is {size} bytes; at most {limits.max_bytes} are read")
    try:
        if kind == "json":
            data = _parse_json(text, limits)
        elif kind == "toml":
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise DocumentError("", f"invalid TOML: {exc}") from None
        else:
            data = _parse_yaml(text, limits, dates_as_text)
    except RecursionError:
        raise DocumentError("", f"nested deeper than {limits.max_depth} levels") from None
    except ValueError as exc:  # a number too long for int(), say
        if isinstance(exc, DocumentError):
            raise
        raise DocumentError("", f"a value cannot be read: {shown(str(exc))}") from None
    check_shape(data, limits)
    return data


def check_shape(data: Any, limits: DocumentLimits = DEFAULT_LIMITS, location: str = "") -> None:
    """Refuse data (parsed, or given as a mapping) nested deeper than ``limits.max_depth``, with more
    than ``limits.max_values`` values, or with an integer of more than ``limits.max_digits`` digits.
    Walks without recursion, so 100,000-deep data is refused, not a RecursionError."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen: set[int] = set()
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > limits.max_values:
            raise DocumentError(location, f"more than {limits.max_values} values")
        if depth > limits.max_depth:
            raise DocumentError(location, f"nested deeper than {limits.max_depth} levels")
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > limits.max_digits * 4:  # roughly max_digits decimal digits
                raise DocumentError(location, f"a number of more than {limits.max_digits} digits")
        elif isinstance(value, dict | list | tuple):
            if id(value) in seen:
                continue  # shared (an alias): already counted within its expanded size
            seen.add(id(value))
            items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
            stack.extend((v, depth + 1) for _, v in items)


def read_document(
    path: Path, limits: DocumentLimits = DEFAULT_LIMITS, *, dates_as_text: bool = False, kinds: tuple[str, ...] = ()
) -> Any:
    """The data of a ``.yaml``/``.yml``/``.json``/``.toml`` file, read within ``limits``.

    ``kinds`` narrows the file types accepted (all when empty). The file is read no further than
    ``limits.max_bytes`` (plus one, to tell that it is longer).
    """
    kind = SUFFIXES.get(path.suffix.lower())
    allowed = kinds or tuple(dict.fromkeys(SUFFIXES.values()))
    if kind is None or kind not in allowed:
        endings = ", ".join(s for s, k in SUFFIXES.items() if k in allowed)
        raise DocumentError("", f"unknown file type {path.suffix or '(none)'!r}; expected one of {endings}")
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise DocumentError("", "no such file") from None
    except OSError as exc:
        raise DocumentError("", f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > limits.max_bytes:
        raise DocumentError("", f"the file is larger than {limits.max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError("", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_document(text, kind, limits, dates_as_text=dates_as_text)


__all__ = ["DEFAULT_LIMITS", "SUFFIXES", "DocumentLimits", "check_shape", "parse_document", "read_document"]
