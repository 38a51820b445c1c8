"""Reading SOPs: files (YAML, JSON, TOML), mappings and the built-in SOPs, with ``extends`` resolved.

Every failure is a :class:`~sp4n.errors.SopValidationError` naming the file and the place in it
(or :class:`~sp4n.errors.SopNotFoundError` for an SOP id nobody knows), so a policy writer never
sees a pydantic or YAML traceback. The merge rules for variants live in :mod:`sp4n.states.merge`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sp4n.documents import DEFAULT_LIMITS, check_shape, parse_document
from sp4n.errors import (
    DocumentError,
    InvalidArgumentError,
    InvalidDurationError,
    SopNotFoundError,
    SopValidationError,
    shown,
)
from sp4n.located import LocatedDict, YamlSyntax, load_yaml, mark_of
from sp4n.states.merge import merge_sop_data
from sp4n.states.model import Sop
from sp4n.states.places import combined, locate, relocated
from sp4n.states.validation import CHECKS, all_problems

SUFFIXES = (".yaml", ".yml", ".json", ".toml")
"""The file name endings an SOP file may have; an ``extends`` value ending so is a path."""

SUFFIX_KINDS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}

MAX_EXTENDS = 8
"""How long a chain of ``extends`` may be (a variant of a variant of ... a base)."""

_ENTRY_NAMES = {"states": ("id", "state"), "clocks": ("name", "clock"), "routing": ("name", "routing rule")}


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


# --- parsing ------------------------------------------------------------------------------------


def _parse(text: str, suffix: str, source: str) -> Any:
    try:
        # first within the limits (size, depth, aliases, duplicate keys, numbers) ...
        data = parse_document(text, SUFFIX_KINDS[suffix])
    except DocumentError as exc:
        _fail(source, exc.location, exc.reason)
    if SUFFIX_KINDS[suffix] != "yaml":
        return data
    try:  # ... then again keeping where each value was, for located errors
        return load_yaml(text, source)
    except YamlSyntax as exc:
        _fail(source, str(exc.where or ""), f"invalid YAML: {exc.problem}")


def _as_mapping(data: Any, source: str) -> Mapping[str, Any]:
    if data is None:
        _fail(source, "", "the SOP is empty")
    if not isinstance(data, Mapping):
        kind = "list" if isinstance(data, list) else type(data).__name__
        _fail(source, "", f"expected a mapping at the top level, got {kind}")
    try:
        check_shape(data, DEFAULT_LIMITS)
    except DocumentError as exc:
        _fail(source, exc.location, exc.reason)
    return data


def _read(path: Path | Traversable, source: str) -> Mapping[str, Any]:
    suffix = Path(path.name).suffix.lower()
    if suffix not in SUFFIXES:
        _fail(source, "", f"unknown file type {suffix or '(none)'!r}; an SOP file ends with {', '.join(SUFFIXES)}")
    try:
        with path.open("rb") as handle:
            raw = handle.read(DEFAULT_LIMITS.max_bytes + 1)  # no further than the limit
        if len(raw) > DEFAULT_LIMITS.max_bytes:
            _fail(source, "", f"the file is larger than {DEFAULT_LIMITS.max_bytes} bytes")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        _fail(source, "", "no such file")
    except UnicodeDecodeError as exc:
        _fail(source, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        _fail(source, "", f"cannot read the file: {exc.strerror or exc}")
    return _as_mapping(_parse(text, suffix, source), source)


# --- built-in SOPs ------------------------------------------------------------------------------


@functools.cache
def _builtin_files() -> dict[str, Traversable]:
    root = resources.files("sp4n.states") / "builtin"
    found: dict[str, Traversable] = {}
    for entry in root.iterdir():
        name = Path(entry.name)
        if entry.is_file() and name.suffix in SUFFIXES:
            found[name.stem] = entry  # each file is named as the id it holds (checked when read)
    return dict(sorted(found.items()))


def builtin_sop_ids() -> tuple[str, ...]:
    """The ids of the SOPs shipped with sp4n, sorted."""
    return tuple(_builtin_files())


@functools.cache
def _builtin_data(sop_id: str) -> tuple[Mapping[str, Any], str]:
    entry = _builtin_files().get(sop_id)
    if entry is None:
        raise SopNotFoundError(sop_id, builtin_sop_ids())
    source = f"sp4n/states/builtin/{entry.name}"
    data = _read(entry, source)
    if data.get("id") != sop_id:
        _fail(source, "id", f"the file is named for {sop_id!r} but its id is {data.get('id')!r}")
    return data, source


# --- extends ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    """Where some SOP data came from: for errors, relative paths and loop detection."""

    source: str
    label: str
    key: str
    base_dir: Path | None
    builtin: bool = False


def _locate(target: str, origin: _Origin, where: str) -> tuple[Mapping[str, Any], _Origin]:
    if not target.lower().endswith(SUFFIXES):
        try:
            data, source = _builtin_data(target)
        except SopNotFoundError as exc:
            _fail(origin.source, where, str(exc))  # the variant's line: that is where the id was written
        return data, _Origin(source, target, f"builtin:{target}", None, builtin=True)
    if origin.builtin:
        _fail(origin.source, where, "a built-in SOP extends other built-in SOPs by id only")
    path = origin.base_dir / target if origin.base_dir is not None else Path(target)
    if not path.is_file():
        _fail(origin.source, where, f"the base SOP {target!r} does not exist (looked for {path})")
    return _read(path, str(path)), _Origin(str(path), path.name, f"file:{path.resolve()}", path.parent)


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy that keeps where each key was written."""
    copy = LocatedDict(data)
    if isinstance(data, LocatedDict):
        copy.marks, copy.mark = dict(data.marks), data.mark
    return copy


def _resolve(data: Mapping[str, Any], origin: _Origin, chain: tuple[_Origin, ...]) -> dict[str, Any]:
    target = data.get("extends")
    if target is None:
        if "remove" in data:
            _fail(origin.source, "remove", "remove needs extends: there is no base SOP to remove from")
        return _copy(data)
    mark = mark_of(data, "extends")
    where = f"{mark}: extends" if mark is not None else "extends"
    if not isinstance(target, str) or not target:
        _fail(origin.source, where, f"expected a built-in SOP id or a file path, got {shown(target)}")
    if len(chain) + 1 >= MAX_EXTENDS:
        labels = " → ".join(link.label for link in (*chain, origin))
        _fail(origin.source, where, f"a chain of more than {MAX_EXTENDS} extends ({labels} → ...)")
    base_data, base_origin = _locate(target, origin, where)
    chain = (*chain, origin)
    keys = [link.key for link in chain]
    if base_origin.key in keys:
        loop = [link.label for link in chain[keys.index(base_origin.key) :]] + [base_origin.label]
        _fail(origin.source, where, f"extends loop: {' → '.join(loop)}")
    base = _resolve(base_data, base_origin, chain)
    _check(base, base_origin)  # a mistake in the base is reported against the base's file
    try:
        merged = merge_sop_data(base, data, origin.source)
    except SopValidationError as exc:
        raise relocated(exc, data) from None
    merged["extends"] = base.get("id")
    return merged


# --- building -----------------------------------------------------------------------------------


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _reason(error: ErrorDetails, data: Mapping[str, Any]) -> str:
    kind, value, cause = error["type"], error.get("input"), error.get("ctx", {}).get("error")
    if kind == "missing":
        reason = "a required field is missing"
    elif kind == "extra_forbidden":
        reason = f"unknown field {error['loc'][-1]!r}"
    elif isinstance(cause, InvalidDurationError):
        reason = f"{shown(value)} is not a valid duration: {cause.reason}"
    elif kind == "model_type" and error.get("ctx", {}).get("class_name") == "Duration":
        reason = f"expected a duration such as '3 working days', got {shown(value)}"
    else:
        reason = f"{error['msg'].removeprefix('Value error, ')} (got {shown(value)})"
    loc = error["loc"]
    if len(loc) >= 2 and loc[0] in (*_ENTRY_NAMES, "transitions") and isinstance(loc[1], int):
        entries = data.get(str(loc[0]))
        entry = entries[loc[1]] if isinstance(entries, list | tuple) and loc[1] < len(entries) else None
        key, noun = _ENTRY_NAMES.get(str(loc[0]), ("trigger", "transition"))
        if isinstance(entry, Mapping) and isinstance(entry.get(key), str):
            reason += f" (in {noun} {entry[key]!r})"
    return reason


def _check(resolved: Mapping[str, Any], origin: _Origin) -> Sop:
    """The SOP model of ``resolved``, with every mistake reported at once, each at the line of
    the file that wrote it (the variant's, or its base's)."""
    try:
        sop = Sop.model_validate(resolved)
    except ValidationError as exc:
        found = [
            locate(resolved, error["loc"], _location(error["loc"]), _reason(error, resolved), origin.source)
            for error in exc.errors(include_url=False)
        ]
        raise combined(found) from None
    problems = [relocated(error, resolved) for error in all_problems(sop, origin.source)]
    if problems:
        raise combined(problems)
    return sop


def _build(data: Mapping[str, Any], origin: _Origin) -> Sop:
    return _check(_resolve(_as_mapping(data, origin.source), origin, ()), origin)


def build_sop(data: Mapping[str, Any], *, source: str = "<dict>", base_dir: Path | None = None) -> Sop:
    """Build and validate an SOP from plain data, resolving ``extends``.

    ``source`` names the data in errors; ``base_dir`` is where a relative ``extends`` path is
    looked up (the current directory if None).
    """
    return _build(data, _Origin(source, source, f"data:{source}", base_dir))


def sop_problems(
    data: str | Mapping[str, Any], *, source: str = "<upload>"
) -> tuple[Sop | None, list[SopValidationError]]:
    """The SOP that ``data`` (YAML or JSON text, or a mapping) describes, or every located error
    found in it: each field error,
    else each rule it breaks (a check that relies on a broken one is not run). ``extends`` may
    name built-in SOPs only, never a file, since the data may come from anyone."""
    origin = _Origin(source, source, f"data:{source}", None, builtin=True)
    try:
        if isinstance(data, str):
            data = _parse(data, ".yaml", source)  # YAML, or JSON (which YAML reads too)
        resolved = _resolve(_as_mapping(data, source), origin, ())
    except (SopValidationError, SopNotFoundError) as exc:
        where = exc if isinstance(exc, SopValidationError) else SopValidationError(source, "extends", str(exc))
        return None, [where]
    try:
        sop = Sop.model_validate(resolved)
    except ValidationError as exc:
        found = exc.errors(include_url=False)
        return None, [SopValidationError(source, _location(f["loc"]), _reason(f, resolved)) for f in found]
    problems: list[SopValidationError] = []
    for check in CHECKS:
        try:
            check(sop, source)
        except SopValidationError as exc:
            problems.append(exc)
        except Exception:  # a later check that relied on a broken one: its finding is moot
            break
    return (None, problems) if problems else (sop, [])


def load_sop(path: str | Path) -> Sop:
    """Load and validate an SOP file (``.yaml``, ``.yml``, ``.json`` or ``.toml``)."""
    path = Path(path)
    source = str(path)
    return _build(_read(path, source), _Origin(source, path.name, f"file:{path.resolve()}", path.parent))


def restore_sop(content: Any, sop_id: str, version: str) -> Sop:
    """An SOP version as it was stored (its resolved dump), checked before anything runs it: it
    validates, and its content still hashes to ``version``, so an edited definition is refused
    instead of running under the version id of the one it replaced."""
    source = f"stored SOP {sop_id}@{version}"
    if not isinstance(content, Mapping):
        _fail(source, "", f"the stored definition is not a mapping (got {type(content).__name__})")
    sop = _check(content, _Origin(source, source, f"stored:{sop_id}@{version}", None))
    if sop.key != (sop_id, version):
        reason = (
            f"its content is SOP {sop.id!r} version {sop.version!r}, not {sop_id!r} version {version!r}: "
            f"the stored definition was edited; restore it, or register the SOP again as a new version"
        )
        _fail(source, "", reason)
    return sop


@functools.cache
def builtin_sop(sop_id: str) -> Sop:
    """A built-in SOP by id (see :func:`builtin_sop_ids`); loaded once, then cached."""
    data, source = _builtin_data(sop_id)
    return _build(data, _Origin(source, sop_id, f"builtin:{sop_id}", None, builtin=True))


def resolve_sop(ref: str | Path | Sop | Mapping[str, Any]) -> Sop:
    """An SOP from whatever names one: an Sop, a mapping, a path, or a built-in id.

    A string is a path when it ends with one of :data:`SUFFIXES`, else a built-in id.
    """
    if isinstance(ref, Sop):
        return ref
    if isinstance(ref, Path):
        return load_sop(ref)
    if isinstance(ref, str):
        return load_sop(ref) if ref.lower().endswith(SUFFIXES) else builtin_sop(ref)
    if isinstance(ref, Mapping):
        return build_sop(ref)
    raise InvalidArgumentError("ref", ref, "an Sop, a mapping, a built-in SOP id or a path to an SOP file")
