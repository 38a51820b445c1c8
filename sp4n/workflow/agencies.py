"""The agency registry an engine works with, shared through the store like the active calendar.

``Engine(agencies=...)`` or ``sp4n agencies apply`` stores a registry and makes it the active one
of every process sharing the database; the others take it up at their next refresh. An engine
given none works with the active one, or with none (every agency then stands alone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sp4n.agencies.loader import build_agencies
from sp4n.agencies.model import EMPTY, AgencyRegistry
from sp4n.persistence.base import Store

log = logging.getLogger("sp4n.engine")

ACTIVE = ("agencies", "default")
"""Where the active registry's version is kept among the store's active definitions."""


class AgencyBook:
    """The active agency registry of a store."""

    def __init__(self, store: Store, given: AgencyRegistry | None, now: Callable[[], datetime]) -> None:
        """Make ``given`` the active registry of every process sharing ``store``; with none given,
        work with the registry active in the store (or none)."""
        self._store = store
        self._now = now
        self.active = EMPTY
        if given is not None:
            self.activate(given)
        else:
            self.refresh()

    def activate(self, registry: AgencyRegistry) -> None:
        """Store ``registry`` and make it the active one of every process sharing the store."""
        now = self._now()
        self._store.save_definition("agencies", (registry.version,), "agencies", registry.to_data(), now)
        self._store.activate(*ACTIVE, registry.version, now)
        self.active = registry

    def refresh(self) -> bool:
        """Take up the registry another process made active; returns whether it changed."""
        version = self._store.active(ACTIVE[0]).get(ACTIVE[1])
        if version is None or version == self.active.version:
            return False
        content = self._store.load_definition("agencies", (version,))
        if content is None:
            log.warning("the active agency registry %s is not stored; keeping %s", version, self.active.version)
            return False
        self.active = build_agencies(content, source=f"stored agency registry {version}")
        return True
