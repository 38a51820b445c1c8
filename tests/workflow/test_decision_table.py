"""The decision table answers every (state, trigger) exactly as the transitions Machine does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from transitions import MachineError

from sp4n.states import builtin_sop, builtin_sop_ids, load_sop
from sp4n.workflow.compiled import CompiledSop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sop"
SOPS = {sop_id: builtin_sop(sop_id) for sop_id in builtin_sop_ids()} | {
    path.stem: load_sop(path) for path in sorted(EXAMPLES.glob("*.yaml"))
}


def answer(move: Callable[[str, str], str], state: str, trigger: str) -> str | None:
    """The destination, or None when the move is refused."""
    try:
        return move(state, trigger)
    except (MachineError, AttributeError):  # the Machine knows no event of an unknown name
        return None


@pytest.mark.parametrize("sop_id", sorted(SOPS))
def test_the_table_answers_every_pair_as_the_machine_does(sop_id: str) -> None:
    compiled = CompiledSop.compile(SOPS[sop_id])
    triggers = (*compiled.sop.triggers, "teleport", "")
    pairs = [(state.id, trigger) for state in compiled.sop.states for trigger in triggers]
    table = {pair: answer(compiled.move, *pair) for pair in pairs}
    machine = {pair: answer(compiled.machine_move, *pair) for pair in pairs}
    assert table == machine
    allowed = sum(dest is not None for dest in table.values())
    assert allowed == len(compiled.transitions)  # every transition of the SOP, once per source
    assert 0 < allowed < len(pairs)


def test_a_refused_move_names_the_trigger_and_the_state() -> None:
    compiled = CompiledSop.compile(builtin_sop("national"))
    assert compiled.move("received", "verify") == "verified"
    with pytest.raises(MachineError, match="Can't trigger event close from state received!"):
        compiled.move("received", "close")
    with pytest.raises(MachineError, match="Can't trigger event close from state received!"):
        compiled.machine_move("received", "close")
