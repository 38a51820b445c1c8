"""sop_to_mermaid: every state and trigger, terminal states and clocks marked."""

from __future__ import annotations

import pytest

from sp4n.states import build_sop, builtin_sop, builtin_sop_ids
from sp4n.states.diagram import sop_to_mermaid


@pytest.mark.parametrize("sop_id", builtin_sop_ids())
def test_diagram_has_every_state_and_trigger(sop_id: str) -> None:
    sop = builtin_sop(sop_id)
    text = sop_to_mermaid(sop)
    assert "stateDiagram-v2" in text
    for state in sop.states:
        assert f"as {state.id}\n" in text
    for trigger in sop.triggers:
        assert f": {trigger} (" in text or f"| {trigger} (" in text
    for clock in sop.clocks:
        assert f"clock {clock.name}: " in text
    assert f"[*] --> {sop.initial_state.id}" in text


def test_terminal_states_and_clock_details() -> None:
    text = sop_to_mermaid(builtin_sop("national"))
    for terminal in ("referred", "closed", "archived"):
        assert f"{terminal} --> [*]" in text
    assert "received --> [*]" not in text
    assert "clock verification: 3 working days" in text
    assert "breach: at due, fire escalate" in text
    assert "warning: 1 working day before due, at opening, emit" in text
    assert "by classification: aspirasi 5 working days" in text
    assert "reminder: 2 working days before due, at opening, emit, skipped if late" in text
    assert "%% clock ombudsman_eligibility: Ombudsman Kepri" in text
    assert 'title: "SP4N-LAPOR! nasional (national ' in text


def test_diagram_is_deterministic() -> None:
    sop = builtin_sop("covid19_fasttrack")
    assert sop_to_mermaid(sop) == sop_to_mermaid(sop)


def test_rung_data_and_timing_are_drawn() -> None:
    rungs = [
        {"name": "warning", "before": "1 working day", "action": "emit", "at": "instant"},
        {"name": "breach", "action": "fire", "trigger": "archive", "data": {"reason": "kedaluwarsa", "days": 3}},
    ]
    sop = build_sop(
        {
            "id": "mini",
            "title": "Mini",
            "states": [
                {"id": "received", "label_id": "Diterima", "label_en": "Received", "initial": True},
                {"id": "archived", "label_id": "Diarsipkan", "label_en": "Archived", "terminal": True},
            ],
            "transitions": [
                {
                    "trigger": "archive",
                    "source": "received",
                    "dest": "archived",
                    "roles": ["system"],
                    "requires": "reason",
                }
            ],
            "clocks": [
                {
                    "name": "response",
                    "label_id": "Respons",
                    "label_en": "Response",
                    "budget": "3 working days",
                    "runs_in": "received",
                    "rungs": rungs,
                }
            ],
        }
    )
    text = sop_to_mermaid(sop)
    assert "warning: 1 working day before due, emit" in text
    assert "breach: at due, fire archive with reason kedaluwarsa, days 3" in text
