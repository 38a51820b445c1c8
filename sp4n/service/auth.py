"""Who is calling: the API key of the host, and the person the host says is acting.

A host sends its key as ``Authorization: Bearer sp4n_<id>_<secret>`` and names the acting
person in ``Sp4n-Actor-Id``, ``Sp4n-Actor-Role``, ``Sp4n-Actor-Agency`` and ``Sp4n-Actor-Unit``.
The person must lie within the key's scope (one of its roles; for agency staff one of its
agencies), and is never ``system``. Without a key the caller is the public: read-only views with
no confidential report and no reporter identity. A key that is unknown or revoked is refused
(401), never treated as the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from starlette.requests import Request

from sp4n.errors import InvalidData
from sp4n.service.keys import ApiKey, Keys
from sp4n.service.problems import Problem
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor

ACTOR_HEADERS = ("Sp4n-Actor-Id", "Sp4n-Actor-Role", "Sp4n-Actor-Agency", "Sp4n-Actor-Unit")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sp4n"'}


@dataclass(frozen=True)
class Caller:
    """The key a request came with (None: the public) and the person acting through it."""

    key: ApiKey | None
    actor: Actor | None

    def require_actor(self) -> Actor:
        """The acting person, or 401 for the public."""
        if self.actor is None:
            raise Problem(401, "Unauthenticated", "this operation needs an API key", headers=_CHALLENGE)
        return self.actor


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthenticated", "use 'Authorization: Bearer <API key>'", headers=_CHALLENGE)
    return token.strip()


def reads_store(request: Request, keys: Keys) -> bool:
    """Whether :func:`identify` would read the key store for this request (a key not read
    lately); otherwise it does no I/O at all."""
    header = request.headers.get("authorization")
    return header is not None and not keys.in_memory(header.partition(" ")[2].strip())


def identify(request: Request, keys: Keys) -> Caller:
    """The caller of a request (see the module docstring); 401 or 403 when it is not allowed."""
    token = _token(request)
    if token is None:
        return Caller(None, None)
    key = keys.check(token)
    if key is None:
        raise Problem(401, "Unauthenticated", "the API key is unknown or revoked", headers=_CHALLENGE)
    headers = request.headers
    person, role = headers.get("sp4n-actor-id"), headers.get("sp4n-actor-role")
    if not person or not role:
        raise Problem(
            422,
            "MissingActor",
            "name the acting person in the Sp4n-Actor-Id and Sp4n-Actor-Role headers",
            field="Sp4n-Actor-Id" if not person else "Sp4n-Actor-Role",
            value=person or role,
        )
    agency = headers.get("sp4n-actor-agency") or None
    unit = headers.get("sp4n-actor-unit") or None
    try:
        actor = Actor(person, cast(Role, role), agency, unit=unit, via=key.id)
    except InvalidData as exc:
        raise Problem(422, "InvalidActor", str(exc), field=exc.field, value=exc.value) from None
    _check_scope(key, actor)
    return Caller(key, actor)


def _check_scope(key: ApiKey, actor: Actor) -> None:
    if actor.role is Role.SYSTEM:
        raise Problem(403, "OutsideKeyScope", "no API key may act as system", field="Sp4n-Actor-Role", value="system")
    if actor.role not in key.roles:
        roles = ", ".join(r.value for r in key.roles)
        raise Problem(
            403,
            "OutsideKeyScope",
            f"key {key.id!r} may act only as {roles}",
            field="Sp4n-Actor-Role",
            value=actor.role.value,
        )
    if actor.agency is not None and actor.agency not in key.agencies:
        agencies = ", ".join(key.agencies) or "no agency"
        raise Problem(
            403,
            "OutsideKeyScope",
            f"key {key.id!r} may act only for {agencies}",
            field="Sp4n-Actor-Agency",
            value=actor.agency,
        )
