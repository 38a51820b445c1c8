"""Checks of the public API's arguments, so a wrong type or value is an Sp4nError naming the
argument and the value, never an AttributeError, TypeError, OverflowError or RecursionError from
deep inside (a string where an Actor goes, a list as a trigger, 100,000-deep data, nan seconds)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sp4n.errors import InvalidArgumentError, InvalidData
from sp4n.persistence.limits import check_data, check_text, complaint_limit
from sp4n.workflow.actor import Actor

MAX_NAME = 200
"""The longest id, trigger or key an argument may be (the columns hold less; the store says so)."""


def check_actor(actor: Any, argument: str = "actor") -> Actor:
    """``actor`` if it is an Actor."""
    if not isinstance(actor, Actor):
        raise InvalidArgumentError(argument, actor, "an Actor (e.g. Actor.reporter('warga-17'))")
    return actor


def check_name(value: Any, argument: str) -> str:
    """``value`` if it is an id, a trigger or a key: non-empty text within limits."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(argument, value, "a non-empty string")
    check_text(value, argument, MAX_NAME)
    return value


def check_complaint_texts(fields: Mapping[str, Any]) -> None:
    """The text fields of a submission as every store keeps them (see :func:`complaint_limit`)."""
    for name, value in fields.items():
        limit = complaint_limit(name)
        if limit is None or value is None:
            continue
        if not isinstance(value, str):
            raise InvalidArgumentError(name, value, "a string")
        check_text(value, name, limit)


def check_migration(complaint_ids: Any, sop_id: Any, version: Any, state_map: Any, actor: Any) -> list[str]:
    """The arguments of Engine.migrate; returns the complaint ids as a list."""
    if isinstance(complaint_ids, str) or not hasattr(complaint_ids, "__iter__"):
        raise InvalidArgumentError("complaint_ids", complaint_ids, "a list of complaint ids")
    ids = [check_name(cid, "complaint_ids") for cid in complaint_ids]
    check_name(sop_id, "sop_id")
    if version is not None:
        check_name(version, "version")
    check_actor(actor)
    if not isinstance(state_map, Mapping):
        raise InvalidArgumentError("state_map", state_map, "a mapping of old states to new ones")
    return ids


def check_command(actor: Any, idempotency_key: Any, data: Mapping[str, Any], **names: Any) -> None:
    """A command's actor, its idempotency key, its ``names`` (complaint_id, trigger, sop) and its
    data within the limits every store keeps alike (see :mod:`sp4n.persistence.limits`)."""
    for argument, value in names.items():
        check_name(value, argument)
    check_actor(actor)
    if idempotency_key is not None:
        check_name(idempotency_key, "idempotency_key")
    for key, value in data.items():
        check_data(dict(value) if isinstance(value, Mapping) else value, key, InvalidData)


def check_count(value: Any, argument: str, maximum: int) -> int:
    """``value`` if it is a whole number from 1 to ``maximum``."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise InvalidArgumentError(argument, value, f"a whole number from 1 to {maximum}")
    return value


def check_seconds(value: Any, argument: str, maximum: float) -> float:
    """``value`` if it is a finite number of seconds above 0 and at most ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgumentError(argument, value, f"a number of seconds above 0, at most {maximum:g}")
    if not 0 < value <= maximum:
        raise InvalidArgumentError(argument, value, f"a number of seconds above 0, at most {maximum:g}")
    return float(value)


def check_engine_options(sops: Any, clock: Any, agency_zones: Any, late_grace: Any) -> None:
    """The Engine's options of the right kinds (their values are checked where they are used)."""
    if isinstance(sops, str | bytes) or not hasattr(sops, "__iter__"):
        raise InvalidArgumentError("sops", sops, "a list of SOPs (Sop objects, built-in ids or file paths)")
    if clock is not None and not callable(getattr(clock, "now", None)):
        raise InvalidArgumentError("clock", clock, "a Clock (an object with now(), such as ManualClock)")
    if agency_zones is not None and not isinstance(agency_zones, Mapping):
        raise InvalidArgumentError("agency_zones", agency_zones, "a mapping of agency ids to zones")
    check_duration(late_grace, "late_grace", timedelta(days=1), allow_zero=True)


def check_duration(value: Any, argument: str, maximum: timedelta, *, allow_zero: bool = False) -> timedelta:
    """``value`` if it is a timedelta above 0 (or from 0, ``allow_zero``) and at most ``maximum``."""
    low = "from 0" if allow_zero else "above 0"
    if (
        not isinstance(value, timedelta)
        or value > maximum
        or value < timedelta(0)
        or (value == timedelta(0) and not allow_zero)
    ):
        raise InvalidArgumentError(argument, value, f"a timedelta {low}, at most {maximum}")
    return value
