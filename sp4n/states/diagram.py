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


def rung_text(rung: RungDef) -> str:
    """A rung in words: when it comes, what it does, and whether it is skipped when late."""
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
    lines.extend(rung_text(rung) for rung in clock.rungs)
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


def _dot_text(text: str) -> str:
    """``text`` as a DOT string (quotes and backslashes escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sop_to_dot(sop: Sop) -> str:
    """The SOP as Graphviz DOT text: states (terminal ones doubled), transitions with their roles,
    and each clock as a note on the first state it runs in. ``dot -Tsvg`` draws it."""
    lines = [
        f"digraph {_dot_text(sop.id)} {{",
        f"  label={_dot_text(f'{sop.title} ({sop.id} {sop.version})')};",
        "  labelloc=t; rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=10];',
        '  "__start" [shape=point, label=""];',
        f"  {_dot_text('__start')} -> {_dot_text(sop.initial_state.id)};",
    ]
    for state in sop.states:
        shape = ", peripheries=2" if state.terminal else ""
        lines.append(f"  {_dot_text(state.id)} [label={_dot_text(f'{state.label_id} ({state.id})')}{shape}];")
    for t in sop.transitions:
        for source in t.source:
            label = _dot_text(f"{t.trigger} ({', '.join(t.roles)})")
            lines.append(f"  {_dot_text(source)} -> {_dot_text(t.dest)} [label={label}];")
    for clock in sop.clocks:
        if not clock.runs_in:
            continue
        note = f"clock_{clock.name}"
        text = "\\l".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in _clock_note(clock)) + "\\l"
        lines.append(f'  {_dot_text(note)} [shape=note, fontsize=9, label="{text}"];')
        lines.append(f"  {_dot_text(note)} -> {_dot_text(clock.runs_in[0])} [style=dashed, arrowhead=none];")
    lines.append("}")
    return "\n".join(lines) + "\n"
