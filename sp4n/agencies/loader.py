"""Reading an agency registry (YAML, TOML, JSON or CSV) and checking it as a whole.

Every problem is found in one pass and reported at once, each with the line and column of the
file where it is (a place such as ``agencies[3].parent`` for data not read from YAML): an
unknown parent, a cycle, an unknown zone, a duplicate id, an ``admin_for`` that is not above.
A CSV registry has one agency a row; lists (units, categories) are separated by ``;`` and
external ids written ``lapor=123;sipd=9``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sp4n.agencies.model import Agency, AgencyRegistry
from sp4n.calendars.zones import zone_name
from sp4n.errors import AgencyRegistryError, UnknownZoneError
from sp4n.located import YamlSyntax, load_yaml, mark_at

SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".csv")
"""The file name endings an agency registry may have."""

_LISTS = ("units", "categories")

Problems = list[tuple[str, str]]

_ZONES = "an IANA name such as Asia/Makassar, or WIB, WITA, WIT"


def _where(data: Any, path: Sequence[Any]) -> str:
    mark = mark_at(data, path)
    if mark is not None:
        return str(mark)
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_LINE = re.compile(r"^line (\d+)(?:, column (\d+))?")


def _position(problem: tuple[str, str]) -> tuple[int, int]:
    """Where a problem is, for reporting them in the order of the file (unlocated ones first)."""
    found = _LINE.match(problem[0])
    return (int(found.group(1)), int(found.group(2) or 0)) if found else (0, 0)


def _csv_rows(text: str, source: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(text))
    agencies: list[dict[str, Any]] = []
    for row in reader:
        entry: dict[str, Any] = {}
        for key, value in row.items():
            value = (value or "").strip()
            if key is None or not value:
                continue
            if key in _LISTS:
                entry[key] = [v.strip() for v in value.split(";") if v.strip()]
            elif key == "external_ids":
                pairs = [p.split("=", 1) for p in value.split(";") if p.strip()]
                if any(len(p) != 2 for p in pairs):
                    raise AgencyRegistryError(
                        source, [(f"line {reader.line_num}", f"external_ids {value!r}: write name=id;name=id")]
                    )
                entry[key] = {k.strip(): v.strip() for k, v in pairs}
            else:
                entry[key] = value
        agencies.append(entry)
    return {"agencies": agencies}


def parse_agencies(text: str, suffix: str, source: str) -> Any:
    """Plain (located, for YAML) data from the text of a registry file."""
    try:
        if suffix == ".csv":
            return _csv_rows(text, source)
        if suffix == ".json":
            return json.loads(text)
        if suffix == ".toml":
            return tomllib.loads(text)
        return load_yaml(text, source)
    except YamlSyntax as exc:
        raise AgencyRegistryError(source, [(str(exc.where or ""), f"invalid YAML: {exc.problem}")]) from None
    except json.JSONDecodeError as exc:
        raise AgencyRegistryError(
            source, [(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise AgencyRegistryError(source, [("", f"invalid TOML: {exc}")]) from None


def _entries(data: Any, source: str) -> list[Any]:
    if isinstance(data, Mapping):
        entries = data.get("agencies")
        extra = sorted(str(k) for k in data if k != "agencies")
        if extra:
            raise AgencyRegistryError(
                source, [(_where(data, [extra[0]]), f"unknown field {extra[0]!r}; a registry has agencies")]
            )
    else:
        entries = data
    if not isinstance(entries, list):
        raise AgencyRegistryError(source, [("", "expected a list of agencies (agencies: [...])")])
    return entries


def _models(data: Any, entries: list[Any], problems: Problems) -> list[tuple[int, Agency]]:
    built: list[tuple[int, Agency]] = []
    for index, entry in enumerate(entries):
        path: list[Any] = ["agencies", index] if isinstance(data, Mapping) else [index]
        if not isinstance(entry, Mapping):
            problems.append((_where(data, path), f"expected an agency (a mapping), got {entry!r}"))
            continue
        try:
            built.append((index, Agency.model_validate(dict(entry))))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = error["loc"][0] if error["loc"] else ""
                name = entry.get("id", f"#{index + 1}")
                if error["type"] == "missing":
                    reason = f"agency {name!r}: {field} is missing"
                elif error["type"] == "extra_forbidden":
                    reason = f"agency {name!r}: unknown field {field!r}"
                else:
                    reason = f"agency {name!r}: {field}={error.get('input')!r}: {error['msg']}"
                problems.append((_where(data, [*path, *error["loc"]]), reason))
    return built


def _check_tree(data: Any, built: list[tuple[int, Agency]], written: set[str], problems: Problems) -> list[Agency]:
    """Duplicates, parents, zones, cycles and admin_for; ``written`` holds every id written, so
    that an agency below one with a mistake of its own is not also told its parent is unknown."""
    prefix: list[Any] = ["agencies"] if isinstance(data, Mapping) else []
    first: dict[str, int] = {}
    kept: list[Agency] = []
    for index, agency in built:
        if agency.id in first:
            reason = f"duplicate agency id {agency.id!r} (first at agencies[{first[agency.id]}])"
            problems.append((_where(data, [*prefix, index, "id"]), reason))
            continue
        first[agency.id] = index
        kept.append(agency)
    index_of = {a.id: first[a.id] for a in kept}
    by_id = {a.id: a for a in kept}
    for agency in kept:
        at = [*prefix, index_of[agency.id]]
        if agency.parent is not None and agency.parent not in by_id and agency.parent not in written:
            problems.append((_where(data, [*at, "parent"]), f"agency {agency.id!r}: unknown parent {agency.parent!r}"))
        if agency.zone is not None:
            try:
                zone_name(agency.zone, "zone")
            except UnknownZoneError:
                reason = f"agency {agency.id!r}: unknown zone {agency.zone!r} ({_ZONES})"
                problems.append((_where(data, [*at, "zone"]), reason))
        if len(set(agency.units)) != len(agency.units):
            problems.append((_where(data, [*at, "units"]), f"agency {agency.id!r}: a unit is listed twice"))
    in_cycle: set[str] = set()
    for agency in kept:  # cycles: follow parents until a root or a repeat; each cycle named once
        if agency.id in in_cycle:
            continue
        seen = [agency.id]
        parent = agency.parent
        while parent is not None and parent in by_id and parent not in seen:
            seen.append(parent)
            parent = by_id[parent].parent
        if parent == agency.id:
            in_cycle.update(seen)
            loop = " → ".join([*seen, agency.id])
            problems.append(
                (_where(data, [*prefix, index_of[agency.id], "parent"]), f"agency {agency.id!r}: parent cycle {loop}")
            )
    registry = AgencyRegistry(kept)
    for agency in kept:
        if agency.admin_for is not None and agency.admin_for not in registry.ancestors(agency.id):
            reason = f"agency {agency.id!r}: admin_for {agency.admin_for!r} is not an agency above it"
            problems.append((_where(data, [*prefix, index_of[agency.id], "admin_for"]), reason))
    return kept


def _normalised(agency: Agency) -> Agency:
    return agency if agency.zone is None else agency.model_copy(update={"zone": zone_name(agency.zone, "zone")})


def build_agencies(data: Any, *, source: str = "<dict>") -> AgencyRegistry:
    """Build and check a registry from plain data (``{agencies: [...]}`` or a list of agencies).

    Raises :class:`~sp4n.errors.AgencyRegistryError` listing every problem, each located.
    """
    problems: Problems = []
    entries = _entries(data, source)
    written = {e["id"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)}
    kept = _check_tree(data, _models(data, entries, problems), written, problems)
    if problems:
        raise AgencyRegistryError(source, sorted(problems, key=_position))
    return AgencyRegistry(_normalised(a) for a in kept)


def load_agencies(path: str | Path) -> AgencyRegistry:
    """Load and check a registry file (``.yaml``, ``.yml``, ``.json``, ``.toml`` or ``.csv``)."""
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise AgencyRegistryError(
            source, [("", f"unknown file type {suffix or '(none)'!r}; use {', '.join(SUFFIXES)}")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgencyRegistryError(source, [("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgencyRegistryError(source, [("", f"cannot read the file: {exc}")]) from None
    return build_agencies(parse_agencies(text, suffix, source), source=source)


def resolve_agencies(ref: AgencyRegistry | Mapping[str, Any] | str | Path) -> AgencyRegistry:
    """A registry from whatever names one: a registry, plain data, or a file path."""
    if isinstance(ref, AgencyRegistry):
        return ref
    if isinstance(ref, Mapping):
        return build_agencies(ref)
    return load_agencies(ref)
