"""Actor: who fires a command, with the role and agency the guards check."""

from __future__ import annotations

from dataclasses import dataclass

from sp4n.errors import InvalidData
from sp4n.persistence.limits import check_text
from sp4n.states.model import Role

_AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})


@dataclass(frozen=True)
class Actor:
    """A person (or the system) acting on complaints.

    Agency staff (agency_admin, liaison_officer) belong to one agency and act on complaints
    assigned to it and to the agencies below it (with an agency registry); a liaison officer
    given ``units`` acts only on complaints of those units. A reporter acts only on their own
    reports.
    ``unit`` (the acting person's own unit) and ``via`` (the API key a host called through) are
    recorded in each event the actor causes, as ``actor_unit`` and ``via_key`` in its payload.
    """

    id: str
    role: Role
    agency: str | None = None
    name: str | None = None
    unit: str | None = None
    via: str | None = None
    units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidData("actor.id", self.id, "a non-empty string")
        check_text(self.id, "actor.id", 128)
        for field in ("agency", "name"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, str):
                raise InvalidData(f"actor.{field}", value, "a string or None")
            if value is not None:
                check_text(value, f"actor.{field}", 128)
        try:
            role = Role(self.role)
        except (ValueError, TypeError):
            raise InvalidData("actor.role", self.role, f"one of {', '.join(r.value for r in Role)}") from None
        object.__setattr__(self, "role", role)
        if role in _AGENCY_ROLES and not self.agency:
            raise InvalidData("actor.agency", self.agency, f"the agency this {role.value} works for")
        units = (self.units,) if isinstance(self.units, str) else tuple(self.units)
        if units and role is not Role.LIAISON_OFFICER:
            raise InvalidData("actor.units", self.units, "units only for a liaison_officer")
        if not all(isinstance(u, str) and u.strip() for u in units):
            raise InvalidData("actor.units", self.units, "unit ids (non-empty strings)")
        object.__setattr__(self, "units", units)

    def provenance(self) -> dict[str, str]:
        """What each event of this actor records besides its id and role (unit and API key)."""
        found = {"actor_unit": self.unit, "via_key": self.via}
        return {k: v for k, v in found.items() if v}

    def __str__(self) -> str:
        where = f"@{self.agency}" if self.agency else ""
        if self.units:
            where += f"/{'+'.join(self.units)}"
        return f"{self.role.value} {self.id!r}{where}"

    @classmethod
    def reporter(cls, id: str, name: str | None = None) -> Actor:
        """A citizen who reports (pelapor)."""
        return cls(id, Role.REPORTER, name=name)

    @classmethod
    def national_admin(cls, id: str) -> Actor:
        """An admin of the national LAPOR! desk."""
        return cls(id, Role.NATIONAL_ADMIN)

    @classmethod
    def agency_admin(cls, id: str, agency: str) -> Actor:
        """An agency's admin (admin instansi)."""
        return cls(id, Role.AGENCY_ADMIN, agency)

    @classmethod
    def liaison_officer(cls, id: str, agency: str, units: tuple[str, ...] = ()) -> Actor:
        """An agency's liaison officer (pejabat penghubung), for some of its units if ``units``."""
        return cls(id, Role.LIAISON_OFFICER, agency, units=tuple(units))

    @classmethod
    def ombudsman(cls, id: str) -> Actor:
        """Staff of Ombudsman RI."""
        return cls(id, Role.OMBUDSMAN)


SYSTEM = Actor("system", Role.SYSTEM)
"""The actor of every deadline-driven trigger. Hosts cannot fire commands as it."""
