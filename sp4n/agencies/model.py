"""The agencies that handle complaints, as a tree: who is below whom, in which zone, handling what.

Regional complaint handling is a tree of bodies: a Pemprov, Pemkab or Pemkot coordinates (its
Diskominfo runs the "admin instansi" and distributes), each dinas has liaison officers, some
have units (UPT, puskesmas, sekolah). The registry is data, written by policy staff and checked
when it is built (:mod:`sp4n.agencies.loader` reads files and names where a mistake is); the
workflow asks it which agencies are below an agency (scope), which zone an agency counts in,
and which agency of a tree handles a category (routing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

AgencyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""Lower-case snake_case ids, like the ids of an SOP."""


def _as_tuple(value: object) -> object:
    return (value,) if isinstance(value, str) else value


Ids = Annotated[tuple[AgencyId, ...], BeforeValidator(_as_tuple)]
Words = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


class AgencyKind(StrEnum):
    """What kind of body an agency is; the first six coordinate the agencies below them."""

    KEMENTERIAN = "kementerian"
    LEMBAGA = "lembaga"
    PEMPROV = "pemprov"
    PEMKAB = "pemkab"
    PEMKOT = "pemkot"
    BUMN = "bumn"
    DINAS = "dinas"
    BADAN = "badan"
    KECAMATAN = "kecamatan"
    UPT = "upt"
    BUMD = "bumd"
    OTHER = "other"


COORDINATING = frozenset(
    {
        AgencyKind.KEMENTERIAN,
        AgencyKind.LEMBAGA,
        AgencyKind.PEMPROV,
        AgencyKind.PEMKAB,
        AgencyKind.PEMKOT,
        AgencyKind.BUMN,
    }
)
"""Kinds whose admin coordinates a tree (a Pemda, a ministry) and whose queue takes what no rule routes."""


class Agency(BaseModel):
    """One agency: its id, names, kind, parent, zone, units, the categories it handles, and its
    ids in other systems (``external_ids: {lapor: "12345"}``).

    ``zone`` is left out for an agency that counts in its parent's zone. ``admin_for`` names the
    agency whose admin this agency's admins are: a Pemkot's Diskominfo runs the Pemkot's "admin
    instansi", so its admins act on the whole Pemkot tree.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: AgencyId
    name_id: str
    name_en: str = ""
    kind: AgencyKind
    parent: AgencyId | None = None
    zone: str | None = None
    units: Ids = ()
    categories: Words = ()
    admin_for: AgencyId | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)


class AgencyRegistry:
    """Every agency, validated as a tree (see :func:`sp4n.agencies.build_agencies`).

    An empty registry knows no tree: every agency then stands alone (its own scope, no zone),
    which is how an engine without a registry behaves.
    """

    def __init__(self, agencies: Iterable[Agency] = ()) -> None:
        """Take agencies already checked (by :func:`~sp4n.agencies.build_agencies`)."""
        self.agencies: tuple[Agency, ...] = tuple(agencies)
        self._by_id = {a.id: a for a in self.agencies}
        self._children: dict[str, list[str]] = {}
        for agency in self.agencies:
            if agency.parent is not None:
                self._children.setdefault(agency.parent, []).append(agency.id)
        self._below: dict[str, frozenset[str]] = {}
        self._scopes: dict[str, frozenset[str]] = {}

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def get(self, agency_id: str) -> Agency | None:
        """The agency with this id, or None."""
        return self._by_id.get(agency_id)

    @cached_property
    def version(self) -> str:
        """A hash of the content: two registries with the same agencies have the same version."""
        blob = json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def to_data(self) -> dict[str, object]:
        """Plain data that :func:`~sp4n.agencies.build_agencies` reads back (what the store keeps)."""
        return {"agencies": [a.model_dump(mode="json", exclude_defaults=True) for a in self.agencies]}

    def by_external_id(self, system: str, value: str) -> Agency | None:
        """The agency known in another system (``lapor``, say) by ``value``, or None: how a report
        arriving from the national LAPOR! with an institution id finds its agency."""
        for agency in self.agencies:
            if agency.external_ids.get(system) == value:
                return agency
        return None

    def children(self, agency_id: str) -> tuple[str, ...]:
        """The agencies right below ``agency_id``, in registry order."""
        return tuple(self._children.get(agency_id, ()))

    def ancestors(self, agency_id: str) -> tuple[str, ...]:
        """The agencies above ``agency_id``, nearest first."""
        found: list[str] = []
        agency = self._by_id.get(agency_id)
        while agency is not None and agency.parent is not None:
            found.append(agency.parent)
            agency = self._by_id.get(agency.parent)
        return tuple(found)

    def sub_agencies(self, agency_id: str) -> frozenset[str]:
        """``agency_id`` and every agency below it (just ``agency_id`` for an agency the registry
        does not hold). What "an agency with its sub-agencies" means in scopes and filters."""
        below = self._below.get(agency_id)
        if below is None:
            found = {agency_id}
            todo = [agency_id]
            while todo:
                for child in self._children.get(todo.pop(), ()):
                    found.add(child)
                    todo.append(child)
            below = self._below[agency_id] = frozenset(found)
        return below

    def scope_of(self, agency_id: str) -> frozenset[str]:
        """The agencies an admin of ``agency_id`` acts on: those below the agency it is admin for
        (``admin_for``, e.g. a Pemkot's Diskominfo for the Pemkot), else below itself."""
        scope = self._scopes.get(agency_id)
        if scope is None:
            agency = self._by_id.get(agency_id)
            root = agency.admin_for if agency is not None and agency.admin_for else agency_id
            scope = self._scopes[agency_id] = self.sub_agencies(root) | self.sub_agencies(agency_id)
        return scope

    def zone_of(self, agency_id: str) -> str | None:
        """The zone ``agency_id`` counts in: its own, else its nearest ancestor's (None if none has one)."""
        for candidate in (agency_id, *self.ancestors(agency_id)):
            agency = self._by_id.get(candidate)
            if agency is not None and agency.zone is not None:
                return agency.zone
        return None

    def zones(self) -> dict[str, str]:
        """The zone of every agency that has one, its own or inherited."""
        found = {a.id: self.zone_of(a.id) for a in self.agencies}
        return {k: v for k, v in found.items() if v is not None}

    def coordinator(self, agency_id: str) -> str | None:
        """The nearest coordinating agency at or above ``agency_id`` (its Pemda or ministry):
        the queue a report filed with it waits in when no rule routes it."""
        for candidate in (agency_id, *self.ancestors(agency_id)):
            agency = self._by_id.get(candidate)
            if agency is not None and agency.kind in COORDINATING:
                return candidate
        return None

    def handler(self, category: str, within: str) -> str | None:
        """The agency in ``within``'s tree (itself first, then below it, nearest first) that
        handles ``category``; None if none does."""
        todo = [within]
        while todo:
            level: list[str] = []
            for agency_id in todo:
                agency = self._by_id.get(agency_id)
                if agency is not None and category in agency.categories:
                    return agency_id
                level.extend(self._children.get(agency_id, ()))
            todo = level
        return None

    def units_of(self, agency_id: str) -> tuple[str, ...]:
        """The units of ``agency_id`` (none for an agency the registry does not hold)."""
        agency = self._by_id.get(agency_id)
        return agency.units if agency is not None else ()


EMPTY = AgencyRegistry()
"""The registry of an engine given none: every agency stands alone."""
