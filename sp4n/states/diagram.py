"""An SOP drawn as a mermaid state diagram, for documents and reviews with policy staff.

The states and transitions are drawn by ``transitions``' own mermaid backend, so the picture is
what a ``transitions`` machine built from the SOP would show; the clocks, which ``transitions``
knows nothing of, are added as notes on the first state each clock runs in.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import JsonValue
from transitions import State
from transitions.extensions.diagrams import GraphMachine

from sp4n.states.model import ClockDef, LatePolicy, RungDef, RungTiming, Sop


class _LabelledState(State):
    """A state that carries the label the diagram shows (plain ``State`` takes none)."""

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label = label


class _DiagramMachine(GraphMachine):
    state_cls = _LabelledState


def _clean(text: str) -> str:
    """Keep free text from ending a mermaid statement or string early."""
    return " ".join(text.replace('"', "'").replace(";", ",").split())


def _budget(clock: ClockDef) -> str:
    if clock.budget_by is None:
        return str(clock.budget)
    chosen = ", ".join(f"{key} {value}" for key, value in clock.budgets.items())
    fallback = f", otherwise {clock.budget}" if clock.budget is not None else ""
    return f"by {clock.budget_by}: {chosen}{fallback}"


def _value(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _rung(rung: RungDef) -> str:
    if rung.before is not None:
        when = f"{rung.before} before due"
    elif rung.after is not None:
        when = f"{rung.after} after due"
    else:
        when = "at due"
    if rung.timing is RungTiming.OPENING:
        when += ", at opening"
    action = f"fire {rung.trigger}" if rung.trigger is not None else "emit"
    if rung.data:
        action += " with " + ", ".join(f"{key} {_value(value)}" for key, value in rung.data.items())
    late = ", skipped if late" if rung.late is LatePolicy.MISS else ""
    return f"{rung.name}: {when}, {action}{late}"


def _clock_note(clock: ClockDef) -> list[str]:
    lines = [f"clock {clock.name}: {_budget(clock)}", f"runs in {', '.join(clock.runs_in)}"]
    if clock.pauses_in:
        lines.append(f"pauses in {', '.join(clock.pauses_in)}")
    if clock.extension_max is not None:
        lines.append(f"extendable by up to {clock.extension_max}")
    lines.extend(_rung(rung) for rung in clock.rungs)
    return [_clean(line) for line in lines]


def _machine(sop: Sop) -> _DiagramMachine:
    states = [
        {"name": state.id, "label": _clean(f"{state.label_id} ({state.id})"), "final": state.terminal}
        for state in sop.states
    ]
    transitions = [
        {
            "trigger": t.trigger,
            "source": list(t.source),
            "dest": t.dest,
            "label": f"{t.trigger} ({', '.join(t.roles)})",
        }
        for t in sop.transitions
    ]
    return _DiagramMachine(
        model=None,
        states=states,
        initial=sop.initial_state.id,
        transitions=transitions,
        auto_transitions=False,
        graph_engine="mermaid",
    )


def sop_to_mermaid(sop: Sop) -> str:
    """The SOP as mermaid ``stateDiagram-v2`` text, with terminal states and clocks marked."""
    machine = _machine(sop)
    # mermaid front matter is YAML; a JSON string is valid YAML whatever the title holds
    title = f"title: {json.dumps(f'{sop.title} ({sop.id} {sop.version})', ensure_ascii=False)}"
    text = machine.graph_cls(machine).get_graph(title=title).draw(None)  # mermaid: the text, nothing rendered
    if not isinstance(text, str):
        raise TypeError(f"transitions returned {text!r} instead of mermaid text")
    lines = text.rstrip().splitlines()
    lines.append("")
    lines.extend(f"  {state.id} --> [*]" for state in sop.states if state.terminal)
    notes: dict[str, list[str]] = {}
    for clock in sop.clocks:
        if clock.runs_in:
            notes.setdefault(clock.runs_in[0], []).extend(_clock_note(clock))
    for state_id, note in notes.items():
        lines.append(f"  note right of {state_id}")
        lines.extend(f"    {line}" for line in note)
        lines.append("  end note")
    for clock in sop.clocks:
        certainty = f"certainty {clock.certainty}" if clock.certainty else ""
        provenance = ", ".join(part for part in (clock.source, certainty) if part)
        if provenance:
            lines.append(f"  %% clock {clock.name}: {_clean(provenance)}")
    return "\n".join(lines) + "\n"
