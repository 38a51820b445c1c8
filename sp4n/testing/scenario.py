"""Scenario: an engine on a ManualClock with ready-made actors, for ten-line SOP tests.

Time moves through :meth:`Scenario.advance` and friends, which step the clock from one due
timer to the next and fire it, so chained deadlines start when the previous one fired, just as
they would in production with a worker that never sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.due import Due
from sp4n.persistence.base import Store
from sp4n.persistence.memory import MemoryStore
from sp4n.states.model import Role, Sop
from sp4n.testing.clock import ManualClock, as_instant
from sp4n.workflow.actor import SYSTEM, Actor
from sp4n.workflow.engine import Engine
from sp4n.workflow.views import ComplaintView, Firing

DEFAULT_START = "2026-03-02T09:00:00+07:00"
"""Monday 2 March 2026, 09:00 WIB: a plain working week before the Nyepi and Idul Fitri holidays."""


def run_until(
    engine: Engine,
    clock: ManualClock,
    instant: datetime | str,
    sweep: Callable[[], list[Firing]] | None = None,
) -> list[Firing]:
    """Move ``clock`` to ``instant``, stopping at every due timer on the way to fire it.

    ``sweep`` fires what is due (``engine.run_due`` by default; a DeadlineWorker's ``sweep`` to
    go through the worker's leases, as production does).
    """
    instant = as_instant(instant, "instant")
    fire = sweep if sweep is not None else engine.run_due
    fired: list[Firing] = []
    while True:
        nxt = engine.next_due_at()
        if nxt is None or nxt > instant:
            break
        clock.set(max(nxt, clock.now()))
        fired.extend(fire())
    clock.set(instant)
    fired.extend(fire())
    return fired


class Scenario:
    """An engine, its ManualClock, and one actor of each role."""

    def __init__(
        self,
        *,
        sops: Iterable[Sop | str | Path] | None = None,
        start: datetime | str = DEFAULT_START,
        calendar: WorkingCalendar | None = None,
        store: Store | None = None,
        agency: str = "dinas_kesehatan",
        **engine_options: Any,
    ) -> None:
        from sp4n.states.loader import builtin_sop_ids

        self.clock = ManualClock(start)
        self.engine = Engine(
            sops=builtin_sop_ids() if sops is None else sops,
            calendar=calendar,
            clock=self.clock,
            store=store if store is not None else MemoryStore(),
            **engine_options,
        )
        self.calendar = self.engine.calendar
        self.agency = agency
        self.reporter = Actor.reporter("warga-1", name="Warga Satu")
        self.national_admin = Actor.national_admin("admin-nasional")
        self.ombudsman = Actor.ombudsman("ombudsman-1")
        self.firings: list[Firing] = []

    def agency_admin(self, agency: str | None = None) -> Actor:
        """An admin of ``agency`` (the scenario's default agency if None)."""
        agency = agency or self.agency
        return Actor.agency_admin(f"admin-{agency}", agency)

    def liaison_officer(self, agency: str | None = None) -> Actor:
        """A liaison officer of ``agency``."""
        agency = agency or self.agency
        return Actor.liaison_officer(f"penghubung-{agency}", agency)

    def submit(self, title: str = "Jalan rusak di depan sekolah", **fields: Any) -> str:
        """Submit as the scenario's reporter (or ``reporter=``); returns the complaint id."""
        actor = fields.pop("reporter", self.reporter)
        return self.engine.submit(actor, title=title, **fields).id

    def fire(self, complaint_id: str, trigger: str, actor: Actor | None = None, **data: Any) -> ComplaintView:
        """Fire a trigger, as ``actor`` or as a fitting actor of the first role the SOP allows."""
        return self.engine.fire(complaint_id, trigger, actor or self.actor_for(complaint_id, trigger), **data)

    def actor_for(self, complaint_id: str, trigger: str) -> Actor:
        """An actor whose role the SOP allows for ``trigger`` in the complaint's current state."""
        complaint = self.engine.store.load(complaint_id).complaint
        compiled = self.engine.registry.get(complaint.sop_id, complaint.sop_version)
        definition = compiled.transitions.get((trigger, complaint.state))
        roles = definition.roles if definition else ()
        for role in roles:
            if role is Role.REPORTER and complaint.reporter_id:
                return Actor.reporter(complaint.reporter_id)
            if role is Role.NATIONAL_ADMIN:
                return self.national_admin
            if role is Role.AGENCY_ADMIN and complaint.agency:
                return self.agency_admin(complaint.agency)
            if role is Role.LIAISON_OFFICER and complaint.agency:
                return self.liaison_officer(complaint.agency)
            if role is Role.OMBUDSMAN:
                return self.ombudsman
        return self.national_admin

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> list[Firing]:
        """Let time pass, firing every timer when it comes due."""
        step = delta if delta is not None else timedelta(**kwargs)
        return self.advance_to(self.clock.now() + step)

    def advance_working_days(self, n: int, calendar: WorkingCalendar | None = None) -> list[Firing]:
        """Let ``n`` working days pass (same local time, on ``calendar``, by default the engine's),
        firing timers as they come due. Same arguments as :meth:`ManualClock.advance_working_days`."""
        probe = ManualClock(self.clock.now())
        target = probe.advance_working_days(n, calendar if calendar is not None else self.calendar)
        return self.advance_to(target)

    def advance_to(self, instant: datetime | str) -> list[Firing]:
        """Let time pass up to ``instant``, firing timers as they come due."""
        fired = run_until(self.engine, self.clock, instant)
        self.firings.extend(fired)
        return fired

    def state(self, complaint_id: str) -> str:
        """The complaint's current state."""
        return self.engine.store.load(complaint_id).complaint.state

    def due(self, complaint_id: str, clock: str) -> Due:
        """The Due of a running clock (KeyError if that clock is not running)."""
        for deadline in self.engine.deadlines(complaint_id, SYSTEM):
            if deadline.clock == clock and deadline.due is not None:
                return deadline.due
        raise KeyError(f"clock {clock!r} of complaint {complaint_id!r} is not running")

    def events(self, complaint_id: str, kind: str | None = None) -> list[str]:
        """A compact history: ``kind:trigger-or-event`` per event, optionally of one kind."""
        out = []
        for e in self.engine.history(complaint_id, SYSTEM):
            if kind is None or e.kind == kind:
                label = e.trigger or e.payload.get("event") or e.dest or ""
                out.append(f"{e.kind}:{label}")
        return out
