"""API keys of ``sp4n serve``: who may call, for which agencies and in which roles.

A key is shown once, when it is created, as ``sp4n_<id>_<secret>``; only the SHA-256 of the
secret is stored (the secret is 32 random bytes, so a plain hash cannot be reversed by
guessing). Each key is bound to agencies and roles: the person a host names on a request must
hold one of the key's roles and, for agency staff, work for one of its agencies. No key holds
the ``system`` role. Keys live in the store's database (table ``sp4n_api_keys``), or in memory
for an engine on a :class:`~sp4n.persistence.MemoryStore`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from sp4n.errors import InvalidArgumentError
from sp4n.persistence import tables as t
from sp4n.persistence.connect import translate
from sp4n.states.model import Role

_TOKEN = re.compile(r"^sp4n_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
_AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})


@dataclass(frozen=True)
class ApiKey:
    """A stored key (without its secret): its id, name, scope and whether it is revoked."""

    id: str
    name: str
    agencies: tuple[str, ...]
    roles: tuple[Role, ...]
    created_at: datetime
    revoked_at: datetime | None = None
    secret_hash: str = ""

    @property
    def active(self) -> bool:
        """Whether the key may still be used."""
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, without the hash."""
        return {
            "id": self.id,
            "name": self.name,
            "agencies": list(self.agencies),
            "roles": [r.value for r in self.roles],
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_scope(agencies: Iterable[str], roles: Iterable[str | Role]) -> tuple[tuple[str, ...], tuple[Role, ...]]:
    """The agencies and roles of a new key, checked: known roles, never ``system``, and an
    agency for a key of agency staff."""
    checked: list[Role] = []
    for raw in roles:
        try:
            role = Role(raw)
        except ValueError:
            known = ", ".join(r.value for r in Role if r is not Role.SYSTEM)
            raise InvalidArgumentError("roles", raw, f"one of {known}") from None
        if role is Role.SYSTEM:
            raise InvalidArgumentError("roles", raw, "a role people hold: no key may act as system")
        if role not in checked:
            checked.append(role)
    names = tuple(dict.fromkeys(a.strip() for a in agencies))
    if not checked:
        raise InvalidArgumentError("roles", [], "at least one role")
    if any(not a for a in names):
        raise InvalidArgumentError("agencies", list(agencies), "non-empty agency names")
    if _AGENCY_ROLES & set(checked) and not names:
        raise InvalidArgumentError("agencies", [], "at least one agency for a key of agency staff")
    return names, tuple(checked)


class KeyStore(Protocol):
    """Where keys are kept."""

    def insert(self, key: ApiKey) -> None: ...
    def get(self, key_id: str) -> ApiKey | None: ...
    def all(self) -> list[ApiKey]: ...
    def revoke(self, key_id: str, at: datetime) -> bool: ...


class MemoryKeyStore:
    """Keys in a dict (for engines on a MemoryStore and for tests)."""

    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}
        self._lock = threading.Lock()

    def insert(self, key: ApiKey) -> None:
        with self._lock:
            self._keys[key.id] = key

    def get(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def all(self) -> list[ApiKey]:
        return sorted(self._keys.values(), key=lambda k: (k.created_at, k.id))

    def revoke(self, key_id: str, at: datetime) -> bool:
        with self._lock:
            key = self._keys.get(key_id)
            if key is None or key.revoked_at is not None:
                return False
            self._keys[key_id] = ApiKey(**{**key.__dict__, "revoked_at": at})
            return True


class SqlKeyStore:
    """Keys in the table ``sp4n_api_keys`` of the store's database."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url

    def _run(self, work: Callable[[Any], Any], write: bool = False) -> Any:
        try:
            with self._engine.begin() if write else self._engine.connect() as conn:
                return work(conn)
        except SQLAlchemyError as exc:
            raise translate(exc, self._url) from exc

    def insert(self, key: ApiKey) -> None:
        row = {
            "id": key.id,
            "name": key.name,
            "secret_hash": key.secret_hash,
            "agencies": list(key.agencies),
            "roles": [r.value for r in key.roles],
            "created_at": key.created_at,
            "revoked_at": None,
        }
        self._run(lambda conn: conn.execute(t.api_keys.insert(), [row]), write=True)

    def get(self, key_id: str) -> ApiKey | None:
        rows = self._run(lambda conn: conn.execute(select(t.api_keys).where(t.api_keys.c.id == key_id)).all())
        return _key_from(rows[0]) if rows else None

    def all(self) -> list[ApiKey]:
        query = select(t.api_keys).order_by(t.api_keys.c.created_at, t.api_keys.c.id)
        return [_key_from(r) for r in self._run(lambda conn: conn.execute(query).all())]

    def revoke(self, key_id: str, at: datetime) -> bool:
        stmt = (
            update(t.api_keys).where(t.api_keys.c.id == key_id, t.api_keys.c.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(self._run(lambda conn: conn.execute(stmt).rowcount, write=True))


def _key_from(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        agencies=tuple(row.agencies),
        roles=tuple(Role(r) for r in row.roles),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        secret_hash=row.secret_hash,
    )


def key_store_for(store: object) -> KeyStore:
    """The key store beside an engine's store: its database, or memory."""
    engine = getattr(store, "engine", None)
    if isinstance(engine, Engine):
        return SqlKeyStore(engine, str(getattr(store, "url", "")))
    return MemoryKeyStore()


KEY_CACHE_SECONDS = 5.0
"""How long a server trusts a key it has read before reading it again (a read per request would
be a database round trip per request): a key revoked by another process, as ``sp4n keys
revoke`` does, is refused by every server within this time."""


class Keys:
    """Creating, listing, revoking and checking keys, on one key store."""

    def __init__(
        self, store: KeyStore, now: Callable[[], datetime], *, cache_seconds: float = KEY_CACHE_SECONDS
    ) -> None:
        self.store = store
        self._now = now
        self._cache_for = timedelta(seconds=cache_seconds)
        self._cache: dict[str, tuple[ApiKey, datetime]] = {}
        """Keys read from the store, by id, with the instant until which they are trusted (only
        stored keys: an unknown id is read each time, so the cache never outgrows the table)."""

    def create(self, name: str, agencies: Iterable[str], roles: Iterable[str | Role]) -> tuple[ApiKey, str]:
        """A new key and its token (shown once; only its hash is kept)."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgumentError("name", name, "a non-empty name for the key, such as the host's name")
        scope = check_scope(agencies, roles)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        key = ApiKey(key_id, name.strip(), scope[0], scope[1], self._now(), None, _hash(secret))
        self.store.insert(key)
        return key, f"sp4n_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return self.store.all()

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key for good; revoking a revoked key changes nothing."""
        key = self.store.get(key_id)
        if key is None:
            raise InvalidArgumentError("key_id", key_id, "the id of a stored key (see `sp4n keys list`)")
        self.store.revoke(key_id, self._now())
        self._cache.pop(key_id, None)
        revoked = self.store.get(key_id)
        assert revoked is not None
        return revoked

    def check(self, token: str) -> ApiKey | None:
        """The active key a token belongs to, or None (unknown, malformed, wrong or revoked)."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        key = self._read(match.group(1))
        if key is None or not key.active:
            return None
        return key if hmac.compare_digest(key.secret_hash, _hash(match.group(2))) else None

    def in_memory(self, token: str) -> bool:
        """Whether :meth:`check` can answer for ``token`` without reading the store (a malformed
        token, or a key read less than ``cache_seconds`` ago)."""
        match = _TOKEN.match(token)
        if match is None:
            return True
        cached = self._cache.get(match.group(1))
        return cached is not None and self._now() < cached[1]

    def _read(self, key_id: str) -> ApiKey | None:
        now = self._now()
        cached = self._cache.get(key_id)
        if cached is not None and now < cached[1]:
            return cached[0]
        key = self.store.get(key_id)
        if key is None:
            self._cache.pop(key_id, None)
        else:
            self._cache[key_id] = (key, now + self._cache_for)
        return key
