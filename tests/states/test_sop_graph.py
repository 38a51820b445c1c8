"""Graph helpers and the list of checks."""

from __future__ import annotations

from sp4n.states import Role, builtin_sop, graph
from sp4n.states.validation import CHECKS

NATIONAL = builtin_sop("national")


def test_successors_and_predecessors() -> None:
    succ = graph.successors(NATIONAL)
    assert succ["received"] == {"verified", "on_hold", "escalated", "archived"}
    assert succ["closed"] == frozenset()
    assert graph.predecessors(NATIONAL)["closed"] == {"followed_up"}


def test_reachability() -> None:
    assert graph.reachable(NATIONAL) == {s.id for s in NATIONAL.states}
    assert graph.reachable(NATIONAL, "followed_up") >= {"closed", "distributed", "referred"}
    assert graph.reachable(NATIONAL, "closed") == {"closed"}
    assert graph.reaching_terminal(NATIONAL) == {s.id for s in NATIONAL.states}


def test_states_without_exit_are_the_terminal_ones() -> None:
    assert graph.without_exit(NATIONAL) == ("referred", "closed", "archived")
    assert graph.terminal_ids(NATIONAL) == {"referred", "closed", "archived"}
    assert graph.initial_ids(NATIONAL) == ("received",)


def test_triggers_and_roles() -> None:
    assert graph.triggers_from(NATIONAL, "followed_up") == ("reply", "close")
    assert graph.trigger_sources(NATIONAL, "escalate") == ("received", "verified", "distributed", "rerouting")
    assert graph.roles_for(NATIONAL, "close", "followed_up") == {Role.REPORTER, Role.SYSTEM}
    assert graph.roles_for(NATIONAL, "close", "received") == frozenset()
    assert graph.transition_for(NATIONAL, "verify", "escalated") is not None
    assert [t.trigger for t in graph.transitions_from(NATIONAL, "on_hold")] == ["resume", "archive"]
    assert sum(1 for _ in graph.edges(NATIONAL)) == sum(len(t.source) for t in NATIONAL.transitions)


def test_every_check_is_a_named_documented_function() -> None:
    names = [check.__name__ for check in CHECKS]
    assert len(set(names)) == len(names)
    assert all(name.startswith("check_") and check.__doc__ for name, check in zip(names, CHECKS, strict=True))
