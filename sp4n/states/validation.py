"""Checks that an SOP holds together, run when it is built.

Each check is a small named function about one concern. It raises
:class:`~sp4n.errors.SopValidationError` with the place in the SOP (``transitions[3].dest``,
``clocks.verification.rungs.breach.trigger``) and a reason a policy writer can act on. The checks
run in the order of :data:`CHECKS`, so later checks may rely on what earlier ones established
(names are unique, references resolve) and stay short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NoReturn

from pydantic import JsonValue

from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.errors import SopValidationError
from sp4n.states import graph
from sp4n.states.attributes import attribute_names, attribute_values, check_attributes
from sp4n.states.bounds import check_bounds
from sp4n.states.lapor import check_lapor_statuses
from sp4n.states.model import Assignable, ClockDef, Role, RungAction, RungTiming, Sop

Check = Callable[[Sop, str], None]
"""A check takes the SOP and the name of its source (for the error) and raises or returns None."""


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


def _listing(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


def _unique(source: str, prefix: str, field: str, keys: Sequence[str], what: str) -> None:
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in first:
            _fail(source, f"{prefix}[{index}].{field}", f"duplicate {what} {key!r} (first at {prefix}[{first[key]}])")
        first[key] = index


def _state_ids(sop: Sop) -> tuple[str, ...]:
    return tuple(state.id for state in sop.states)


# --- states -------------------------------------------------------------------------------------


def check_unique_names(sop: Sop, source: str) -> None:
    """State ids, classifications and categories are each declared once."""
    _unique(source, "states", "id", _state_ids(sop), "state id")
    for field, what, values in (
        ("classifications", "classification", sop.classifications),
        ("categories", "category", sop.categories),
    ):
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                _fail(source, f"{field}[{index}]", f"duplicate {what} {value!r}")
            seen.add(value)


def check_one_initial_state(sop: Sop, source: str) -> None:
    """Exactly one state is where a submitted complaint starts."""
    initial = graph.initial_ids(sop)
    if not initial:
        _fail(source, "states", "no initial state; mark exactly one state with initial: true")
    if len(initial) > 1:
        _fail(source, "states", f"{len(initial)} initial states ({_listing(initial)}); exactly one is allowed")


def check_initial_not_terminal(sop: Sop, source: str) -> None:
    """A complaint must not be finished the moment it arrives."""
    state = sop.initial_state
    if state.terminal:
        _fail(source, f"states.{state.id}", f"the initial state {state.id!r} cannot be terminal")


def check_has_terminal_state(sop: Sop, source: str) -> None:
    """Some state finishes a complaint."""
    if not graph.terminal_ids(sop):
        _fail(source, "states", "no terminal state; mark the states that finish a complaint with terminal: true")


# --- transitions --------------------------------------------------------------------------------


def check_transition_states(sop: Sop, source: str) -> None:
    """Every transition leaves from, and goes to, states that exist."""
    ids = _state_ids(sop)
    ids_text = _listing(ids)
    for index, transition in enumerate(sop.transitions):
        where = f"transitions[{index}]"
        if not transition.source:
            _fail(source, f"{where}.source", f"transition {transition.trigger!r} has no source state")
        for state in transition.source:
            if state not in ids:
                reason = f"transition {transition.trigger!r}: source {state!r} is not a state (states: {ids_text})"
                _fail(source, f"{where}.source", reason)
        if transition.dest not in ids:
            reason = f"transition {transition.trigger!r}: dest {transition.dest!r} is not a state (states: {ids_text})"
            _fail(source, f"{where}.dest", reason)


def check_transition_roles(sop: Sop, source: str) -> None:
    """Someone may fire every transition (a person, ``system``, or both)."""
    for index, transition in enumerate(sop.transitions):
        if not transition.roles:
            reason = f"transition {transition.trigger!r} lists no role, so no one could fire it"
            _fail(source, f"transitions[{index}].roles", reason)


def check_unambiguous_triggers(sop: Sop, source: str) -> None:
    """A trigger leads to one place from a given state: a (trigger, source) pair appears once."""
    first: dict[tuple[str, str], int] = {}
    for index, transition in enumerate(sop.transitions):
        for state in transition.source:
            key = (transition.trigger, state)
            if key in first:
                reason = (
                    f"trigger {transition.trigger!r} from {state!r} is defined twice "
                    f"(also transitions[{first[key]}]), so its destination is ambiguous"
                )
                _fail(source, f"transitions[{index}].source", reason)
            first[key] = index


def check_terminal_states_final(sop: Sop, source: str) -> None:
    """No transition leaves a terminal state."""
    terminal = graph.terminal_ids(sop)
    for index, transition in enumerate(sop.transitions):
        for state in transition.source:
            if state in terminal:
                reason = f"transition {transition.trigger!r} leaves terminal state {state!r}; terminal states are final"
                _fail(source, f"transitions[{index}].source", reason)


def check_all_reachable(sop: Sop, source: str) -> None:
    """Every state can be reached from the initial state."""
    reached = graph.reachable(sop)
    for state in sop.states:
        if state.id not in reached:
            reason = f"state {state.id!r} cannot be reached from the initial state {sop.initial_state.id!r}"
            _fail(source, f"states.{state.id}", reason)


def check_no_dead_end(sop: Sop, source: str) -> None:
    """Every state that is not terminal has a way out."""
    terminal = graph.terminal_ids(sop)
    for state_id in graph.without_exit(sop):
        if state_id not in terminal:
            reason = f"state {state_id!r} has no outgoing transition; add one or mark it terminal: true"
            _fail(source, f"states.{state_id}", reason)


def check_no_trap(sop: Sop, source: str) -> None:
    """From every state some terminal state can still be reached (no loop without an exit)."""
    finishing = graph.reaching_terminal(sop)
    for state in sop.states:
        if state.id not in finishing:
            reason = f"no terminal state can be reached from {state.id!r}; a complaint there could never finish"
            _fail(source, f"states.{state.id}", reason)


# --- clocks -------------------------------------------------------------------------------------


def _budgets(clock: ClockDef) -> list[tuple[str, Duration]]:
    found = [(f"clocks.{clock.name}.budgets.{key}", value) for key, value in clock.budgets.items()]
    if clock.budget is not None:
        found.insert(0, (f"clocks.{clock.name}.budget", clock.budget))
    return found


def check_unique_clock_names(sop: Sop, source: str) -> None:
    """Clock names are unique, and so are rung names within a clock."""
    _unique(source, "clocks", "name", [clock.name for clock in sop.clocks], "clock name")
    for clock in sop.clocks:
        _unique(source, f"clocks.{clock.name}.rungs", "name", [rung.name for rung in clock.rungs], "rung name")


def check_clock_states(sop: Sop, source: str) -> None:
    """A clock runs somewhere, and runs and pauses only in existing, non-terminal states, never both."""
    ids = _state_ids(sop)
    terminal = graph.terminal_ids(sop)
    for clock in sop.clocks:
        where = f"clocks.{clock.name}"
        if not clock.runs_in:
            _fail(source, f"{where}.runs_in", f"clock {clock.name!r} runs in no state; list at least one")
        for field, verb in (("runs_in", "run"), ("pauses_in", "pause")):
            for state in getattr(clock, field):
                if state not in ids:
                    _fail(source, f"{where}.{field}", f"{state!r} is not a state (states: {_listing(ids)})")
                if state in terminal:
                    _fail(source, f"{where}.{field}", f"clock {clock.name!r} cannot {verb} in terminal state {state!r}")
        for state in clock.pauses_in:
            if state in clock.runs_in:
                _fail(source, f"{where}.pauses_in", f"{state!r} is in both runs_in and pauses_in")


def check_clock_budget(sop: Sop, source: str) -> None:
    """A clock has a budget, fixed or chosen by a field, and every budget is positive."""
    for clock in sop.clocks:
        where = f"clocks.{clock.name}"
        if clock.budget_by is None and clock.budgets:
            _fail(source, f"{where}.budget_by", "budgets are given but budget_by does not say which field chooses them")
        if clock.budget_by is not None and not clock.budgets:
            _fail(source, f"{where}.budgets", f"budget_by is {clock.budget_by} but budgets is empty")
        if clock.budget is None and clock.budget_by is None:
            _fail(source, where, f"clock {clock.name!r} has no budget; give budget, or budget_by with budgets")
        for location, budget in _budgets(clock):
            if budget.value <= 0:
                _fail(source, location, f"a budget must be positive, got {budget}")
        if clock.extension_max is not None and clock.extension_max.value <= 0:
            _fail(source, f"{where}.extension_max", f"extension_max must be positive, got {clock.extension_max}")


def check_budget_keys(sop: Sop, source: str) -> None:
    """Budgets chosen by classification or category name declared values, and cover them all."""
    for clock in sop.clocks:
        if clock.budget_by == Assignable.CLASSIFICATION:
            declared, what, values = sop.classifications, "classification", "classification values"
        elif clock.budget_by == Assignable.CATEGORY:
            declared, what, values = sop.categories, "category", "category values"
        elif clock.budget_by in attribute_names(sop):
            declared, what, values = attribute_values(sop, clock.budget_by), f"value of {clock.budget_by}", "values"
        else:
            continue
        if not declared:
            continue
        for key in clock.budgets:
            if key not in declared:
                reason = f"{key!r} is not a declared {what} ({values}: {_listing(declared)})"
                _fail(source, f"clocks.{clock.name}.budgets.{key}", reason)
        missing = [value for value in declared if value not in clock.budgets]
        if missing and clock.budget is None:
            reason = f"no budget for {what} {_listing(missing)}; add them to budgets or give a fallback budget"
            _fail(source, f"clocks.{clock.name}.budgets", reason)


def check_rung_timing(sop: Sop, source: str) -> None:
    """A rung is before, after or at the due instant, a warning comes after the clock starts, and
    a rung at the office's opening names the working day it opens on."""
    for clock in sop.clocks:
        for rung in clock.rungs:
            where = f"clocks.{clock.name}.rungs.{rung.name}"
            if rung.before is not None and rung.after is not None:
                _fail(source, where, "a rung has at most one of before and after")
            offset = rung.before or rung.after
            if offset is not None and offset.value <= 0:
                field = "before" if rung.before is not None else "after"
                _fail(source, f"{where}.{field}", f"{field} must be positive, got {offset}; omit it for a rung at due")
            if rung.at is RungTiming.OPENING and (offset is None or offset.unit is not DurationUnit.WORKING_DAYS):
                given = f"{'before' if rung.before is not None else 'after'} {offset}" if offset else "no offset"
                reason = f"at: opening needs before or after in working days (got {given}); use at: instant"
                _fail(source, f"{where}.at", reason)
            if rung.before is None:
                continue
            for location, budget in _budgets(clock):
                if budget.unit is rung.before.unit and rung.before.value >= budget.value:
                    reason = f"before {rung.before} is not shorter than the budget {budget} at {location}"
                    _fail(source, f"{where}.before", reason)


def check_rung_actions(sop: Sop, source: str) -> None:
    """A fire rung names a trigger that ``system`` may fire in every state the clock runs in."""
    for clock in sop.clocks:
        for rung in clock.rungs:
            where = f"clocks.{clock.name}.rungs.{rung.name}.trigger"
            if rung.action is RungAction.EMIT:
                if rung.trigger is not None:
                    _fail(source, where, f"action emit fires no trigger; remove {rung.trigger!r} or use action: fire")
                if rung.data:
                    reason = "action emit fires no trigger, so it has no use for data; remove it or use action: fire"
                    _fail(source, f"clocks.{clock.name}.rungs.{rung.name}.data", reason)
                continue
            if rung.trigger is None:
                _fail(source, where, "action fire needs a trigger")
            if rung.trigger not in sop.triggers:
                _fail(source, where, f"{rung.trigger!r} is not a trigger (triggers: {_listing(sop.triggers)})")
            for state in clock.runs_in:
                if graph.transition_for(sop, rung.trigger, state) is None:
                    fires_from = _listing(graph.trigger_sources(sop, rung.trigger))
                    reason = (
                        f"trigger {rung.trigger!r} cannot fire from {state!r}, where clock {clock.name!r} runs "
                        f"(it fires from: {fires_from})"
                    )
                    _fail(source, where, reason)
                roles = graph.roles_for(sop, rung.trigger, state)
                if Role.SYSTEM not in roles:
                    reason = (
                        f"trigger {rung.trigger!r} from {state!r} does not allow role system "
                        f"(roles: {_listing(sorted(roles))}); only system fires timer-driven triggers"
                    )
                    _fail(source, where, reason)


def check_transition_clocks(sop: Sop, source: str) -> None:
    """``resets`` and ``extends`` name clocks that exist; an extended clock can be extended there."""
    clocks = {clock.name: clock for clock in sop.clocks}
    names = _listing(clocks)
    for index, transition in enumerate(sop.transitions):
        where = f"transitions[{index}]"
        for name in transition.resets:
            if name not in clocks:
                reason = f"transition {transition.trigger!r} resets {name!r}, which is not a clock (clocks: {names})"
                _fail(source, f"{where}.resets", reason)
        if transition.extends is None:
            continue
        clock = clocks.get(transition.extends)
        if clock is None:
            reason = f"transition {transition.trigger!r} extends {transition.extends!r}, not a clock (clocks: {names})"
            _fail(source, f"{where}.extends", reason)
        if clock.extension_max is None:
            reason = f"transition {transition.trigger!r} extends clock {clock.name!r}, which has no extension_max"
            _fail(source, f"{where}.extends", reason)
        if "extend_by" not in transition.requires:
            reason = f"transition {transition.trigger!r} extends clock {clock.name!r}, so it must require extend_by"
            _fail(source, f"{where}.requires", reason)
        for state in transition.source:
            if state not in clock.runs_in and state not in clock.pauses_in:
                reason = (
                    f"transition {transition.trigger!r} extends clock {clock.name!r}, "
                    f"which neither runs nor pauses in {state!r}"
                )
                _fail(source, f"{where}.source", reason)


# --- routing ------------------------------------------------------------------------------------


def check_routing(sop: Sop, source: str) -> None:
    """A routing rule can match, and its trigger is one ``system`` may fire on a new complaint."""
    _unique(source, "routing", "name", [rule.name for rule in sop.routing], "routing rule name")
    initial = sop.initial_state.id
    for rule in sop.routing:
        where = f"routing.{rule.name}"
        if not rule.categories and not rule.keywords:
            _fail(source, where, "a routing rule needs categories or keywords to match")
        if any(not keyword.strip() for keyword in rule.keywords):
            _fail(source, f"{where}.keywords", "an empty keyword would match every complaint")
        for keyword in rule.keywords:
            if not any(char.isalnum() for char in keyword):
                reason = f"keyword {keyword!r} has no letter or digit, so it could never match"
                _fail(source, f"{where}.keywords", reason)
        for category in rule.categories:
            if sop.categories and category not in sop.categories:
                reason = f"{category!r} is not a declared category (categories: {_listing(sop.categories)})"
                _fail(source, f"{where}.categories", reason)
        if rule.trigger is None:
            if rule.data:
                _fail(source, f"{where}.data", "the rule fires no trigger, so it has no use for data; add a trigger")
            continue
        if rule.trigger not in sop.triggers:
            _fail(source, f"{where}.trigger", f"{rule.trigger!r} is not a trigger (triggers: {_listing(sop.triggers)})")
        roles = graph.roles_for(sop, rule.trigger, initial)
        if not roles:
            reason = f"trigger {rule.trigger!r} cannot fire from the initial state {initial!r}"
            _fail(source, f"{where}.trigger", reason)
        if Role.SYSTEM not in roles:
            allowed = _listing(sorted(roles))
            reason = f"trigger {rule.trigger!r} from {initial!r} does not allow role system (roles: {allowed})"
            _fail(source, f"{where}.trigger", reason)


# --- data of system-fired triggers ---------------------------------------------------------------


def _blank(value: JsonValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _check_data(
    sop: Sop, source: str, where: str, trigger: str, states: Iterable[str], data: Mapping[str, JsonValue], whose: str
) -> None:
    """``data`` holds what ``trigger`` requires from each of ``states``, and declared values for
    the classification or category it assigns; ``whose`` names the data's owner in the message."""
    declared = {Assignable.CLASSIFICATION: sop.classifications, Assignable.CATEGORY: sop.categories}
    for state in states:
        transition = graph.transition_for(sop, trigger, state)
        if transition is None:
            continue  # reported by check_rung_actions / check_routing
        missing = [name for name in transition.requires if _blank(data.get(name))]
        if missing:
            reason = (
                f"trigger {trigger!r} from {state!r} requires {_listing(missing)}; give it in {whose} data "
                f"(data: {{{missing[0]}: ...}})"
            )
            _fail(source, f"{where}.data", reason)
        for name in transition.assigns:
            values = declared.get(name, ())
            value = data.get(name.value)
            if name.value in data and values and value not in values:
                reason = f"{name.value} {value!r} is not a declared {name.value} ({_listing(values)})"
                _fail(source, f"{where}.data.{name.value}", reason)


def check_system_data(sop: Sop, source: str) -> None:
    """A trigger fired by a rung or a routing rule gets the data its transition requires there."""
    for clock in sop.clocks:
        for rung in clock.rungs:
            if rung.action is RungAction.FIRE and rung.trigger is not None:
                where = f"clocks.{clock.name}.rungs.{rung.name}"
                _check_data(sop, source, where, rung.trigger, clock.runs_in, rung.data, "the rung's")
    for rule in sop.routing:
        if rule.trigger is not None:
            where = f"routing.{rule.name}"
            _check_data(sop, source, where, rule.trigger, (sop.initial_state.id,), rule.trigger_data, "the rule's")


def check_privacy_kept(sop: Sop, source: str) -> None:
    """No rung or routing rule clears anonymity or confidentiality: only the reporter may lift them."""
    owners = [(f"clocks.{c.name}.rungs.{r.name}", r.data) for c in sop.clocks for r in c.rungs]
    owners += [(f"routing.{rule.name}", rule.trigger_data) for rule in sop.routing]
    for where, data in owners:
        for flag in (Assignable.ANONYMOUS, Assignable.CONFIDENTIAL):
            if data.get(flag.value) is False:
                reason = f"{flag.value}: false would lift the reporter's protection; only the reporter may do that"
                _fail(source, f"{where}.data.{flag.value}", reason)


CHECKS: tuple[Check, ...] = (
    check_unique_names,
    check_one_initial_state,
    check_initial_not_terminal,
    check_has_terminal_state,
    check_transition_states,
    check_transition_roles,
    check_unambiguous_triggers,
    check_terminal_states_final,
    check_all_reachable,
    check_no_dead_end,
    check_no_trap,
    check_unique_clock_names,
    check_clock_states,
    check_clock_budget,
    check_bounds,
    check_attributes,
    check_budget_keys,
    check_rung_timing,
    check_rung_actions,
    check_transition_clocks,
    check_routing,
    check_system_data,
    check_privacy_kept,
    check_lapor_statuses,
)
"""Every check, in the order they run."""


def all_problems(sop: Sop, source: str) -> list[SopValidationError]:
    """The first mistake each check finds, in the order of :data:`CHECKS`.

    A check may rely on what an earlier one established, so after a mistake a later check may
    stumble on the same mistake in another way (a KeyError): that is not reported twice.
    """
    found: list[SopValidationError] = []
    for check in CHECKS:
        try:
            check(sop, source)
        except SopValidationError as exc:
            found.append(exc)
        except (KeyError, StopIteration, ValueError):
            if not found:
                raise
    return found


def validate_sop(sop: Sop, source: str) -> None:
    """Raise :class:`~sp4n.errors.SopValidationError` naming every rule the SOP breaks (the
    first one, then the others, each on its own line)."""
    found = all_problems(sop, source)
    if found:
        first = found[0]
        raise SopValidationError(first.source, first.location, first.reason, found[1:])
