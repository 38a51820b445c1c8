"""How a variant SOP is laid over its base, on plain data before any model is built.

The rules (documented in docs/sop.md) are few so that a policy writer can predict the result:

- ``remove`` drops base entries first: ``states``, ``clocks``, ``routing`` by id or name,
  ``transitions`` by trigger, ``classifications`` and ``categories`` by value. Removing what the
  base does not have is an error, so a renamed base entry cannot silently survive.
- ``states``, ``clocks`` and ``routing`` merge by ``id`` / ``name``: an entry with a base key
  replaces that base entry whole, in its place; a new key is appended.
- ``transitions`` merge by trigger: if the variant lists any transition with trigger T, all base
  transitions with trigger T are replaced by the variant's (where the first of them was).
- ``counting`` and ``calendar`` merge key by key.
- ``legal_sources``, ``notes``, ``classifications`` and ``categories`` are appended to; values the
  base already has are not repeated.
- Any other key (``id``, ``title``, ``description``) replaces the base's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from sp4n.errors import SopValidationError

KEYED: dict[str, str] = {"states": "id", "clocks": "name", "routing": "name", "transitions": "trigger"}
"""Lists of entries and the field that identifies an entry for merging and removal."""

APPENDED = ("legal_sources", "notes", "classifications", "categories")
"""Lists of plain strings that a variant adds to."""

MERGED_KEY_BY_KEY = ("counting", "calendar")

REMOVABLE = ("states", "transitions", "clocks", "routing", "classifications", "categories")


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


def _entries(value: Any, field: str, key: str, source: str) -> list[Mapping[str, Any]]:
    """A variant's list of entries, each a mapping carrying its identifying field."""
    if not isinstance(value, list | tuple):
        _fail(source, field, f"expected a list, got {type(value).__name__}")
    seen: set[str] = set()
    for index, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            _fail(source, f"{field}[{index}]", f"expected a mapping, got {entry!r}")
        name = entry.get(key)
        if not isinstance(name, str):
            _fail(source, f"{field}[{index}].{key}", f"every entry needs a {key} to be merged by")
        if name in seen and field != "transitions":
            _fail(source, f"{field}[{index}].{key}", f"{name!r} is listed twice in the variant")
        seen.add(name)
    return list(value)


def _key_of(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, Mapping) else entry


def _strings(value: Any, location: str, source: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        _fail(source, location, f"expected a list of names, got {value!r}")
    return list(items)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _remove(result: dict[str, Any], removals: Any, source: str) -> None:
    if not isinstance(removals, Mapping):
        _fail(source, "remove", f"expected a mapping with lists of {', '.join(REMOVABLE)}, got {removals!r}")
    for field, value in removals.items():
        if field not in REMOVABLE:
            _fail(source, f"remove.{field}", f"cannot remove {field!r}; remove takes {', '.join(REMOVABLE)}")
        names = _strings(value, f"remove.{field}", source)
        key = KEYED.get(field, "")
        present = [_key_of(entry, key) for entry in _as_list(result.get(field))]
        for name in names:
            if name not in present:
                listing = ", ".join(str(p) for p in dict.fromkeys(present)) or "none"
                _fail(source, f"remove.{field}", f"{name!r} is not in the base SOP's {field} (it has: {listing})")
        result[field] = [entry for entry in _as_list(result.get(field)) if _key_of(entry, key) not in names]


def _merge_keyed(base: list[Any], variant: list[Mapping[str, Any]], key: str) -> list[Any]:
    merged = list(base)
    positions = {_key_of(entry, key): index for index, entry in enumerate(merged)}
    for entry in variant:
        index = positions.get(entry[key])
        if index is None:
            positions[entry[key]] = len(merged)
            merged.append(entry)
        else:
            merged[index] = entry
    return merged


def _merge_transitions(base: list[Any], variant: list[Mapping[str, Any]]) -> list[Any]:
    replaced = {entry["trigger"] for entry in variant}
    merged: list[Any] = []
    placed: set[str] = set()
    for entry in base:
        trigger = _key_of(entry, "trigger")
        if trigger not in replaced:
            merged.append(entry)
        elif trigger not in placed:
            placed.add(trigger)
            merged.extend(new for new in variant if new["trigger"] == trigger)
    merged.extend(new for new in variant if new["trigger"] not in placed)
    return merged


def merge_sop_data(base: Mapping[str, Any], variant: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Lay ``variant`` over ``base`` (both plain data, ``base`` already resolved); ``extends`` is dropped.

    Errors name ``source``, the variant's file, since that is where they must be fixed.
    """
    if not isinstance(variant.get("id"), str):
        _fail(source, "id", "a variant needs its own id (the base's would be taken for the variant)")
    result = {key: value for key, value in base.items() if key != "extends"}
    if "remove" in variant:
        _remove(result, variant["remove"], source)
    for field, value in variant.items():
        if field in ("extends", "remove"):
            continue
        if field in KEYED:
            key = KEYED[field]
            entries = _entries(value, field, key, source)
            current = _as_list(result.get(field))
            if field == "transitions":
                result[field] = _merge_transitions(current, entries)
            else:
                result[field] = _merge_keyed(current, entries, key)
        elif field in MERGED_KEY_BY_KEY:
            if not isinstance(value, Mapping):
                _fail(source, field, f"expected a mapping, got {value!r}")
            current_map = result.get(field)
            result[field] = {**(current_map if isinstance(current_map, Mapping) else {}), **value}
        elif field in APPENDED:
            current_list = _as_list(result.get(field))
            added = [item for item in _strings(value, field, source) if item not in current_list]
            result[field] = current_list + added
        else:
            result[field] = value
    return result
