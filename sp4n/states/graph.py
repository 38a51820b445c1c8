"""Pure graph helpers over an SOP's states and transitions.

The validation checks and the diagram are written on top of these, so each check reads as one
sentence about the graph. Nothing here assumes the SOP is valid: unknown states are kept as they
are named, and an SOP without an initial state simply reaches nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from sp4n.states.model import Role, Sop, TransitionDef


def edges(sop: Sop) -> Iterator[tuple[str, str, TransitionDef]]:
    """Every (source, dest, transition), one per source of each transition."""
    for transition in sop.transitions:
        for source in transition.source:
            yield source, transition.dest, transition


def successors(sop: Sop) -> dict[str, frozenset[str]]:
    """For each state id, the states one transition away (states without transitions map to ∅)."""
    found: dict[str, set[str]] = {state.id: set() for state in sop.states}
    for source, dest, _ in edges(sop):
        found.setdefault(source, set()).add(dest)
    return {state: frozenset(dests) for state, dests in found.items()}


def predecessors(sop: Sop) -> dict[str, frozenset[str]]:
    """For each state id, the states one transition before it."""
    found: dict[str, set[str]] = {state.id: set() for state in sop.states}
    for source, dest, _ in edges(sop):
        found.setdefault(dest, set()).add(source)
    return {state: frozenset(sources) for state, sources in found.items()}


def _closure(start: frozenset[str], step: dict[str, frozenset[str]]) -> frozenset[str]:
    seen = set(start)
    queue = deque(start)
    while queue:
        for nxt in step.get(queue.popleft(), frozenset()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return frozenset(seen)


def initial_ids(sop: Sop) -> tuple[str, ...]:
    """The ids of the states marked initial (a valid SOP has exactly one)."""
    return tuple(state.id for state in sop.states if state.initial)


def terminal_ids(sop: Sop) -> frozenset[str]:
    """The ids of the terminal states."""
    return frozenset(state.id for state in sop.states if state.terminal)


def reachable(sop: Sop, start: str | None = None) -> frozenset[str]:
    """The states reachable from ``start`` (default: the initial states), ``start`` included."""
    origin = frozenset((start,)) if start is not None else frozenset(initial_ids(sop))
    return _closure(origin, successors(sop))


def reaching_terminal(sop: Sop) -> frozenset[str]:
    """The states from which some terminal state can be reached (terminal states included)."""
    return _closure(terminal_ids(sop), predecessors(sop))


def without_exit(sop: Sop) -> tuple[str, ...]:
    """The states, in declaration order, that no transition leaves."""
    leaving = {source for source, _, _ in edges(sop)}
    return tuple(state.id for state in sop.states if state.id not in leaving)


def transitions_from(sop: Sop, state_id: str) -> tuple[TransitionDef, ...]:
    """The transitions that may leave ``state_id``, in declaration order."""
    return tuple(t for t in sop.transitions if state_id in t.source)


def triggers_from(sop: Sop, state_id: str) -> tuple[str, ...]:
    """The trigger names that may fire in ``state_id``, each once."""
    return tuple(dict.fromkeys(t.trigger for t in transitions_from(sop, state_id)))


def trigger_sources(sop: Sop, trigger: str) -> tuple[str, ...]:
    """The states a trigger may fire from, each once, in declaration order."""
    return tuple(dict.fromkeys(s for t in sop.transitions if t.trigger == trigger for s in t.source))


def transition_for(sop: Sop, trigger: str, state_id: str) -> TransitionDef | None:
    """The transition ``trigger`` takes from ``state_id`` (the first if the SOP is ambiguous)."""
    return next((t for t in sop.transitions if t.trigger == trigger and state_id in t.source), None)


def roles_for(sop: Sop, trigger: str, state_id: str) -> frozenset[Role]:
    """The roles that may fire ``trigger`` from ``state_id`` (empty if it cannot fire there)."""
    transition = transition_for(sop, trigger, state_id)
    return frozenset(transition.roles) if transition is not None else frozenset()
