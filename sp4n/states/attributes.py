"""The attributes an SOP declares for its complaints: checked in the SOP, and their values checked
when a complaint is submitted or a command carries one.

A province that sets budgets by urgency declares ``attributes: [{name: urgency, values:
[biasa, mendesak]}]`` and writes ``budget_by: urgency``; a report filed with
``attributes={"urgency": "segera"}`` is refused, naming the value and the ones allowed.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from sp4n.errors import InvalidData, SopValidationError
from sp4n.states.model import Assignable, AttributeDef, AttributeType, Sop

_FIELDS = frozenset(a.value for a in Assignable)


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


def attribute_names(sop: Sop) -> tuple[str, ...]:
    """The names of the attributes ``sop`` declares."""
    return tuple(sop.attributes_by_name)


def attribute_values(sop: Sop, name: str) -> tuple[str, ...]:
    """The allowed values of a declared choice attribute (none for other types)."""
    for attribute in sop.attributes:
        if attribute.name == name:
            if attribute.type is AttributeType.FLAG:
                return ("true", "false")
            return attribute.values
    return ()


def check_attributes(sop: Sop, source: str) -> None:
    """Attributes are declared once, a choice has values (and only those are labelled), no
    attribute takes the name of a complaint field, and ``budget_by`` names a field or one of them."""
    seen: set[str] = set()
    for index, attribute in enumerate(sop.attributes):
        where = f"attributes.{attribute.name}"
        if attribute.name in seen:
            _fail(source, f"attributes[{index}].name", f"duplicate attribute {attribute.name!r}")
        seen.add(attribute.name)
        if attribute.name in _FIELDS:
            _fail(
                source,
                f"{where}.name",
                f"{attribute.name!r} is a field of every complaint; name the attribute otherwise",
            )
        if attribute.type is AttributeType.CHOICE and not attribute.values:
            _fail(source, f"{where}.values", f"attribute {attribute.name!r} is a choice, so it needs values")
        if attribute.type is not AttributeType.CHOICE and attribute.values:
            _fail(source, f"{where}.values", f"only a choice has values; {attribute.name!r} is {attribute.type.value}")
        for value in attribute.labels:
            if value not in attribute.values:
                _fail(
                    source,
                    f"{where}.labels.{value}",
                    f"{value!r} is not one of the values ({', '.join(attribute.values)})",
                )
    for clock in sop.clocks:
        chooser = clock.budget_by
        if chooser is not None and chooser not in _FIELDS and chooser not in seen:
            declared = ", ".join(sorted(seen)) or "none declared"
            reason = f"{chooser!r} is neither classification nor category nor a declared attribute ({declared})"
            _fail(source, f"clocks.{clock.name}.budget_by", reason)


def check_value(attribute: AttributeDef, value: Any, field: str) -> None:
    """Raise :class:`~sp4n.errors.InvalidData` unless ``value`` fits ``attribute``."""
    kind = attribute.type
    if kind is AttributeType.FLAG and not isinstance(value, bool):
        raise InvalidData(field, value, "true or false")
    if kind is AttributeType.NUMBER and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise InvalidData(field, value, "a number")
    if kind in (AttributeType.TEXT, AttributeType.CHOICE) and (not isinstance(value, str) or not value.strip()):
        raise InvalidData(field, value, "a non-empty string")
    if kind is AttributeType.CHOICE and value not in attribute.values:
        raise InvalidData(field, value, f"one of {', '.join(attribute.values)}")


def check_attributes_given(sop: Sop, given: dict[str, Any], prefix: str = "attributes") -> None:
    """Values for the SOP's declared attributes: each known, each of its type. An SOP that
    declares none takes any attributes, as before attributes were declared."""
    if not sop.attributes:
        return
    declared = sop.attributes_by_name
    for name, value in given.items():
        attribute = declared.get(name)
        if attribute is None:
            raise InvalidData(f"{prefix}.{name}", value, f"a declared attribute ({', '.join(declared)})")
        check_value(attribute, value, f"{prefix}.{name}")
