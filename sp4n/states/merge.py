"""How a variant SOP is laid over its base, on plain data before any model is built.

The rules (documented in docs/sop.md) are few so that a policy writer can predict the result,
and a variant says only what it changes:

- ``states``, ``clocks``, ``routing`` and ``transitions`` merge by name (``id``, ``name``,
  ``trigger``): an entry whose name the base has changes only the fields it gives, in place
  (``clocks: {verification: {budget: 2 working days}}``); a clock's ``rungs`` merge by name the
  same way and its ``budgets`` key by key (afresh when ``budget_by`` changes); other fields
  (lists such as ``runs_in``) are replaced.
  A new name is appended. Each of these may be written as a list of entries or as a mapping
  from name to entry.
- A trigger the base (or the variant) lists more than once, one transition per source, is
  replaced whole: the variant's transitions with that trigger take the place of the base's.
- ``every_clock`` merges into every clock, after ``clocks``: ``every_clock: {rungs: {notice:
  {before: 1 working day, action: emit}}}`` adds a notice rung to each one.
- ``remove`` drops base entries first: ``states``, ``clocks``, ``routing`` by name,
  ``transitions`` by trigger, ``rungs`` as ``clock.rung``, ``classifications`` and
  ``categories`` by value. Removing what the base does not have is an error, so a renamed base
  entry cannot silently survive.
- ``counting``, ``calendar`` and ``lapor_statuses`` merge key by key; removing a state drops
  its ``lapor_statuses`` entry too.
- ``legal_sources``, ``notes``, ``classifications`` and ``categories`` are appended to; values the
  base already has are not repeated. ``attributes`` merge by name.
- Any other key (``id``, ``title``, ``description``) replaces the base's.

Data read from YAML keeps the place of every value (:mod:`sp4n.located`), so an error in the
merged SOP is reported at the line of the file that wrote the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from sp4n.errors import SopValidationError
from sp4n.located import LocatedDict, LocatedList, mark_of

KEYED: dict[str, str] = {
    "states": "id",
    "clocks": "name",
    "routing": "name",
    "transitions": "trigger",
    "attributes": "name",
}
"""Lists of entries and the field that identifies an entry for merging and removal."""

APPENDED = ("legal_sources", "notes", "classifications", "categories")
"""Lists of plain strings that a variant adds to."""

MERGED_KEY_BY_KEY = ("counting", "calendar", "lapor_statuses")

REMOVABLE = ("states", "transitions", "clocks", "routing", "attributes", "rungs", "classifications", "categories")


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


def _from_mapping(value: Mapping[str, Any], key: str) -> list[Any]:
    """``{name: {fields}}`` as ``[{key: name, fields}]``, keeping where each was written."""
    entries = LocatedList()
    entries.mark = value.mark if isinstance(value, LocatedDict) else None
    for name, fields in value.items():
        entry = LocatedDict()
        entry.mark = mark_of(value, name)
        entry[key] = name
        if entry.mark is not None:
            entry.marks[key] = entry.mark
        if isinstance(fields, Mapping):
            for k, v in fields.items():
                entry[k] = v
                mark = mark_of(fields, k)
                if mark is not None:
                    entry.marks[k] = mark
        elif fields is not None:
            entries.append(fields)  # not a mapping: _entries refuses it with its place
            entries.marks.append(entry.mark)
            continue
        entries.append(entry)
        entries.marks.append(entry.mark)
    return entries


def _entries(value: Any, field: str, key: str, source: str) -> list[Mapping[str, Any]]:
    """A variant's list of entries (or mapping from name to entry), each carrying its name."""
    if isinstance(value, Mapping):
        value = _from_mapping(value, key)
    if not isinstance(value, list | tuple):
        _fail(source, field, f"expected a list or a mapping from name to entry, got {type(value).__name__}")
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
        if field == "rungs":
            _remove_rungs(result, names, source)
            continue
        key = KEYED.get(field, "")
        present = [_key_of(entry, key) for entry in _as_list(result.get(field))]
        for name in names:
            if name not in present:
                listing = ", ".join(str(p) for p in dict.fromkeys(present)) or "none"
                _fail(source, f"remove.{field}", f"{name!r} is not in the base SOP's {field} (it has: {listing})")
        result[field] = _located_list(
            [entry for entry in _as_list(result.get(field)) if _key_of(entry, key) not in names]
        )
        statuses = result.get("lapor_statuses")
        if field == "states" and isinstance(statuses, Mapping):
            kept = LocatedDict({k: v for k, v in statuses.items() if k not in names})
            if isinstance(statuses, LocatedDict):
                kept.mark, kept.marks = statuses.mark, {k: m for k, m in statuses.marks.items() if k in kept}
            result["lapor_statuses"] = kept


def _remove_rungs(result: dict[str, Any], names: list[str], source: str) -> None:
    """``remove: {rungs: [verification.warning]}``: a rung of a clock, named ``clock.rung``."""
    clocks = _as_list(result.get("clocks"))
    for name in names:
        clock_name, _, rung = name.partition(".")
        index = next((i for i, c in enumerate(clocks) if _key_of(c, "name") == clock_name), None)
        if index is None or not rung:
            listing = ", ".join(str(_key_of(c, "name")) for c in clocks) or "none"
            _fail(source, "remove.rungs", f"{name!r}: write clock.rung, with a clock of the base SOP ({listing})")
        clock = clocks[index]
        rungs = _as_list(clock.get("rungs"))
        present = [_key_of(r, "name") for r in rungs]
        if rung not in present:
            listing = ", ".join(str(p) for p in present) or "none"
            _fail(source, "remove.rungs", f"{name!r}: clock {clock_name!r} has no rung {rung!r} (it has: {listing})")
        changed = LocatedDict(clock)
        if isinstance(clock, LocatedDict):
            changed.marks, changed.mark = dict(clock.marks), clock.mark
        changed["rungs"] = _located_list([r for r in rungs if _key_of(r, "name") != rung])
        clocks[index] = changed
    result["clocks"] = _located_list(clocks)


def _located_list(items: list[Any]) -> LocatedList:
    """``items`` as a list that knows where each came from (each item's own mark)."""
    out = LocatedList(items)
    out.marks = [item.mark if isinstance(item, LocatedDict | LocatedList) else None for item in items]
    return out


def _overlay(base: Mapping[str, Any], variant: Mapping[str, Any], source: str = "<dict>") -> LocatedDict:
    """``base`` with the fields ``variant`` gives laid over it: rungs by name, budgets key by
    key, anything else replaced. Each field keeps the mark of the layer that wrote it."""
    out = LocatedDict()
    out.mark = (
        variant.mark if isinstance(variant, LocatedDict) else (base.mark if isinstance(base, LocatedDict) else None)
    )
    for layer in (base, variant):
        for key, value in layer.items():
            current = out.get(key)
            if layer is variant and key == "rungs" and key in out and isinstance(value, list | tuple | Mapping):
                value = _merge_keyed(_as_list(current), _entries(value, "rungs", "name", source), "name", source)
            elif (
                layer is variant
                and key == "budgets"
                and isinstance(value, Mapping)
                and isinstance(current, Mapping)
                and variant.get("budget_by", base.get("budget_by")) == base.get("budget_by")
            ):  # budgets by another field than the base's start afresh
                value = _overlay(current, value, source)
            out[key] = value
            out.marks[key] = layer.marks.get(key) if isinstance(layer, LocatedDict) else None
    return out


def _merge_keyed(base: list[Any], variant: list[Mapping[str, Any]], key: str, source: str) -> LocatedList:
    merged = list(base)
    positions = {_key_of(entry, key): index for index, entry in enumerate(merged)}
    for entry in variant:
        index = positions.get(entry[key])
        if index is None:
            positions[entry[key]] = len(merged)
            merged.append(entry)
        elif isinstance(merged[index], Mapping):
            merged[index] = _overlay(merged[index], entry, source)
        else:
            merged[index] = entry
    return _located_list(merged)


def _merge_transitions(base: list[Any], variant: list[Mapping[str, Any]], source: str) -> LocatedList:
    """By trigger: one base transition and one variant transition of a trigger merge field by
    field; a trigger either side lists more than once is replaced whole by the variant's."""
    counts: dict[str, int] = {}
    for entry in base:
        counts[_key_of(entry, "trigger")] = counts.get(_key_of(entry, "trigger"), 0) + 1
    wanted: dict[str, list[Mapping[str, Any]]] = {}
    for entry in variant:
        wanted.setdefault(entry["trigger"], []).append(entry)
    merged: list[Any] = []
    placed: set[str] = set()
    for entry in base:
        trigger = _key_of(entry, "trigger")
        new = wanted.get(trigger)
        if new is None:
            merged.append(entry)
        elif trigger not in placed:
            placed.add(trigger)
            single = len(new) == 1 and counts[trigger] == 1 and isinstance(entry, Mapping)
            merged.extend([_overlay(entry, new[0], source)] if single else new)
    merged.extend(new for new in variant if new["trigger"] not in placed)
    return _located_list(merged)


def _every_clock(result: dict[str, Any], value: Any, source: str) -> None:
    if not isinstance(value, Mapping):
        _fail(source, "every_clock", f"expected the fields to lay over every clock, got {value!r}")
    if "name" in value:
        _fail(source, "every_clock.name", "every_clock applies to every clock; it takes no name")
    result["clocks"] = _located_list([_overlay(clock, value, source) for clock in _as_list(result.get("clocks"))])


def merge_sop_data(base: Mapping[str, Any], variant: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Lay ``variant`` over ``base`` (both plain data, ``base`` already resolved); ``extends`` is dropped.

    Errors name ``source``, the variant's file, since that is where they must be fixed.
    """
    if not isinstance(variant.get("id"), str):
        _fail(source, "id", "a variant needs its own id (the base's would be taken for the variant)")
    result = LocatedDict()
    for key, value in base.items():
        if key != "extends":
            result[key] = value
            result.marks[key] = base.marks.get(key) if isinstance(base, LocatedDict) else None
    result.mark = variant.mark if isinstance(variant, LocatedDict) else None
    if "remove" in variant:
        _remove(result, variant["remove"], source)
    for field, value in variant.items():
        if field in ("extends", "remove", "every_clock"):
            continue
        if field in KEYED:
            key = KEYED[field]
            entries = _entries(value, field, key, source)
            current = _as_list(result.get(field))
            if field == "transitions":
                result[field] = _merge_transitions(current, entries, source)
            else:
                result[field] = _merge_keyed(current, entries, key, source)
        elif field in MERGED_KEY_BY_KEY:
            if not isinstance(value, Mapping):
                _fail(source, field, f"expected a mapping, got {value!r}")
            current_map = result.get(field)
            result[field] = _overlay(current_map if isinstance(current_map, Mapping) else {}, value, source)
        elif field in APPENDED:
            current_list = _as_list(result.get(field))
            added = [item for item in _strings(value, field, source) if item not in current_list]
            result[field] = current_list + added
        else:
            result[field] = value
        result.marks[field] = variant.marks.get(field) if isinstance(variant, LocatedDict) else None
    if "every_clock" in variant:
        _every_clock(result, variant["every_clock"], source)
    return result
