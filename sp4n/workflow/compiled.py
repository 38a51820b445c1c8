"""An SOP compiled for the engine: look-up tables and one transitions Machine per SOP version.

Commands move a complaint through a plain decision table, (state, trigger) -> destination,
built from the SOP's transitions. The transitions Machine is built from the same SOP and kept
as the reference: :meth:`CompiledSop.machine_move` asks it, and a test proves for every built-in
SOP and every (state, trigger) pair that both give the same answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from transitions import Machine, MachineError

from sp4n.errors import SopNotFoundError
from sp4n.states.model import ClockDef, RungDef, Sop, TransitionDef

logging.getLogger("transitions").setLevel(logging.WARNING)


class _Subject:
    """What the Machine moves for the length of one command."""

    state: str


@dataclass
class CompiledSop:
    """An SOP with its Machine and the tables the guards, the moves and the clock planner use.

    ``transitions`` is keyed (trigger, source); ``moves`` (source, trigger) -> destination.
    """

    sop: Sop
    machine: Machine
    transitions: dict[tuple[str, str], TransitionDef]
    triggers_from: dict[str, tuple[str, ...]]
    rungs: dict[tuple[str, str], RungDef] = field(default_factory=dict)
    clocks: dict[str, ClockDef] = field(default_factory=dict)
    moves: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def compile(cls, sop: Sop) -> CompiledSop:
        """Build the Machine (auto_transitions off) and the tables of one SOP."""
        machine = Machine(
            model=None,
            states=[s.id for s in sop.states],
            transitions=[{"trigger": t.trigger, "source": list(t.source), "dest": t.dest} for t in sop.transitions],
            initial=sop.initial_state.id,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        table: dict[tuple[str, str], TransitionDef] = {}
        triggers: dict[str, list[str]] = {s.id: [] for s in sop.states}
        for t in sop.transitions:
            for src in t.source:
                table[(t.trigger, src)] = t
                if t.trigger not in triggers[src]:
                    triggers[src].append(t.trigger)
        rungs = {(c.name, r.name): r for c in sop.clocks for r in c.rungs}
        return cls(
            sop=sop,
            machine=machine,
            transitions=table,
            triggers_from={k: tuple(v) for k, v in triggers.items()},
            rungs=rungs,
            clocks={c.name: c for c in sop.clocks},
            moves={(src, trigger): t.dest for (trigger, src), t in table.items()},
        )

    def move(self, state: str, trigger: str) -> str:
        """The state ``trigger`` leads to from ``state`` (MachineError if it cannot fire there)."""
        dest = self.moves.get((state, trigger))
        if dest is None:
            raise MachineError(f"Can't trigger event {trigger} from state {state}!")
        return dest

    def machine_move(self, state: str, trigger: str) -> str:
        """The same answer from the transitions Machine: a subject is added, triggered, removed."""
        subject = _Subject()
        self.machine.add_model(subject, initial=state)
        try:
            getattr(subject, "trigger")(trigger)  # noqa: B009 - added by the Machine at run time
            return subject.state
        finally:
            self.machine.remove_model(subject)


class SopRegistry:
    """Every SOP version the engine knows, each compiled once.

    ``fallback`` finds versions that are not registered, such as the version an older complaint
    is pinned to, kept in the store after the code moved on.
    """

    def __init__(self, fallback: Callable[[str, str], Sop | None] | None = None) -> None:
        self._by_key: dict[tuple[str, str], CompiledSop] = {}
        self._latest: dict[str, str] = {}
        self._fallback = fallback

    def register(self, sop: Sop) -> CompiledSop:
        """Compile and keep an SOP; the last registered version of an id is its default."""
        compiled = self._by_key.get(sop.key)
        if compiled is None:
            compiled = CompiledSop.compile(sop)
            self._by_key[sop.key] = compiled
        self._latest[sop.id] = sop.version
        return compiled

    def get(self, sop_id: str, version: str | None = None) -> CompiledSop:
        """A registered SOP version (the latest of that id when ``version`` is None)."""
        if version is None:
            version = self._latest.get(sop_id)
        compiled = self._by_key.get((sop_id, version or ""))
        if compiled is None and version and self._fallback is not None:
            sop = self._fallback(sop_id, version)
            if sop is not None:
                compiled = self._by_key[sop.key] = CompiledSop.compile(sop)
        if compiled is None:
            known = tuple(f"{i}@{v}" for i, v in self._by_key)
            raise SopNotFoundError(f"{sop_id}@{version}" if version else sop_id, known)
        return compiled

    def activate(self, sop_id: str, version: str) -> bool:
        """Make a known (or stored) version the default of its id; returns whether it changed."""
        if self._latest.get(sop_id) == version:
            return False
        self.get(sop_id, version)  # SopNotFoundError when it is neither registered nor stored
        self._latest[sop_id] = version
        return True

    def latest(self) -> dict[str, str]:
        """The default version of each id."""
        return dict(self._latest)

    def ids(self) -> tuple[str, ...]:
        """The ids of registered SOPs."""
        return tuple(self._latest)

    def versions(self) -> tuple[tuple[str, str], ...]:
        """Every registered (id, version)."""
        return tuple(self._by_key)


__all__ = ["CompiledSop", "MachineError", "SopRegistry"]
