"""Variants over a base: replace by key, transitions by trigger, key-by-key policies, remove."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sp4n.calendars import Duration, ReceiptDay
from sp4n.errors import SopValidationError
from sp4n.states import build_sop, builtin_sop, load_sop
from sp4n.states.merge import merge_sop_data

NATIONAL = builtin_sop("national")


def variant(**fields: Any) -> dict[str, Any]:
    return {"id": "regional", "title": "Regional", "extends": "national", **fields}


def test_a_variant_with_nothing_new_is_the_base_under_another_id() -> None:
    sop = build_sop(variant())
    assert sop.extends == "national"
    assert sop.states == NATIONAL.states
    assert sop.transitions == NATIONAL.transitions
    assert sop.clocks == NATIONAL.clocks
    assert sop.version != NATIONAL.version  # id, title and extends are content too


def test_an_entry_with_a_base_name_changes_only_the_fields_it_gives_in_place() -> None:
    verification = {"name": "verification", "budget": "2 working days", "runs_in": ["received"]}
    sop = build_sop(variant(clocks=[verification]))
    clock = sop.clock("verification")
    assert clock.budget == Duration.parse("2 working days")
    assert clock.runs_in == ("received",)  # a list given is replaced
    base = NATIONAL.clock("verification")
    assert (clock.rungs, clock.pauses_in, clock.label_en) == (base.rungs, base.pauses_in, base.label_en)
    assert [c.name for c in sop.clocks] == [c.name for c in NATIONAL.clocks]


def test_the_mapping_form_rungs_by_name_and_budgets_key_by_key() -> None:
    sop = build_sop(
        variant(
            clocks={
                "completion": {
                    "budgets": {"pengaduan": "10 working days"},
                    "rungs": {
                        "warning": {"before": "3 working days"},
                        "notice": {"after": "1 working day", "action": "emit"},
                    },
                }
            },
            states={"closed": {"label_en": "Finished"}},
            transitions={"verify": {"roles": ["national_admin"]}},
        )
    )
    completion, base = sop.clock("completion"), NATIONAL.clock("completion")
    assert completion.budgets == {**base.budgets, "pengaduan": Duration.parse("10 working days")}
    assert [r.name for r in completion.rungs] == ["warning", "breach", "notice"]
    assert completion.rungs[0].before == Duration.parse("3 working days")
    assert completion.rungs[0].action == base.rungs[0].action
    assert (sop.state("closed").label_en, sop.state("closed").label_id) == ("Finished", "Selesai")
    verify = next(t for t in sop.transitions if t.trigger == "verify")
    assert verify.roles == ("national_admin",)
    assert verify.requires == ("classification", "category")


def test_every_clock_adds_a_rung_to_each_clock_in_one_line() -> None:
    sop = build_sop(variant(every_clock={"rungs": {"notice": {"before": "1 working day", "action": "emit"}}}))
    assert all(c.rungs[-1].name == "notice" for c in sop.clocks)
    assert len(sop.clock("verification").rungs) == len(NATIONAL.clock("verification").rungs) + 1
    with pytest.raises(SopValidationError, match=r"every_clock\.name: every_clock applies to every clock"):
        build_sop(variant(every_clock={"name": "x"}))


def test_remove_a_rung_by_clock_and_name() -> None:
    sop = build_sop(variant(remove={"rungs": ["verification.warning"]}))
    assert [r.name for r in sop.clock("verification").rungs] == ["breach"]
    with pytest.raises(
        SopValidationError,
        match=r"'verification\.alarm': clock 'verification' has no rung 'alarm' \(it has: warning, breach\)",
    ):
        build_sop(variant(remove={"rungs": ["verification.alarm"]}))
    with pytest.raises(
        SopValidationError, match=r"'verify': write clock\.rung, with a clock of the base SOP \(verification, "
    ):
        build_sop(variant(remove={"rungs": ["verify"]}))


def test_new_entries_are_appended() -> None:
    state = {"id": "reopened", "label_id": "Dibuka kembali", "label_en": "Reopened"}
    transitions = [
        {"trigger": "reopen", "source": "followed_up", "dest": "reopened", "roles": ["reporter"]},
        {"trigger": "resume_work", "source": "reopened", "dest": "distributed", "roles": ["agency_admin"]},
    ]
    sop = build_sop(variant(states=[state], transitions=transitions))
    assert sop.states[-1].id == "reopened"
    assert sop.triggers[-2:] == ("reopen", "resume_work")


def test_transitions_merge_by_trigger() -> None:
    escalate = {"trigger": "escalate", "source": ["received", "verified"], "dest": "escalated", "roles": ["system"]}
    removed = {"rungs": ["completion.breach"]}
    sop = build_sop(variant(transitions=[escalate], remove=removed))
    escalates = [t for t in sop.transitions if t.trigger == "escalate"]
    assert len(escalates) == 1
    assert escalates[0].source == ("received", "verified")
    assert sop.triggers == NATIONAL.triggers  # in the place of the base's escalate


def test_several_variant_transitions_replace_all_base_ones_of_that_trigger() -> None:
    close = [
        {"trigger": "close", "source": "followed_up", "dest": "closed", "roles": ["reporter", "system"]},
        {"trigger": "close", "source": "distributed", "dest": "closed", "roles": ["agency_admin"]},
    ]
    sop = build_sop(variant(transitions=close))
    assert [t.source for t in sop.transitions if t.trigger == "close"] == [("followed_up",), ("distributed",)]


def test_counting_and_calendar_merge_key_by_key() -> None:
    sop = build_sop(variant(counting={"receipt_day": "included"}, calendar={"joint_leave": False}))
    assert sop.counting.receipt_day is ReceiptDay.INCLUDED
    assert sop.counting.after_hours == NATIONAL.counting.after_hours
    assert sop.calendar.joint_leave is False


def test_string_lists_are_appended_without_repeats() -> None:
    sop = build_sop(variant(categories=["kesehatan", "pajak"], legal_sources=["Perda 1/2024"]))
    assert sop.categories == (*NATIONAL.categories, "pajak")
    assert sop.legal_sources == (*NATIONAL.legal_sources, "Perda 1/2024")


def test_scalars_replace() -> None:
    sop = build_sop(variant(description="Lebih singkat."))
    assert (sop.id, sop.title, sop.description) == ("regional", "Regional", "Lebih singkat.")


def test_remove_drops_base_entries_first() -> None:
    sop = build_sop(
        variant(
            remove={
                "clocks": ["first_response", "ombudsman_eligibility"],
                "transitions": ["extend"],
                "states": [],
                "categories": "dana_desa",
            },
        )
    )
    assert [c.name for c in sop.clocks] == ["verification", "completion", "reporter_response"]
    assert "extend" not in sop.triggers
    assert "dana_desa" not in sop.categories


def test_remove_then_add_again_puts_the_entry_last() -> None:
    first_response = NATIONAL.clock("first_response").model_dump(mode="json")
    sop = build_sop(variant(remove={"clocks": ["first_response"]}, clocks=[first_response]))
    assert sop.clocks[-1] == NATIONAL.clock("first_response")


def test_removing_a_state_leaves_its_transitions_to_validation() -> None:
    with pytest.raises(SopValidationError, match=r"transitions\[1\]\.dest: transition 'hold': dest 'on_hold' is not"):
        build_sop(variant(remove={"states": ["on_hold"]}))


def test_variants_chain(tmp_path: Path) -> None:
    (tmp_path / "province.yaml").write_text(
        "id: province\ntitle: Province\nextends: national\nclocks:\n"
        "  - {name: verification, label_id: V, label_en: V, budget: 2 working days, runs_in: [received]}\n",
        encoding="utf-8",
    )
    (tmp_path / "city.yaml").write_text(
        "id: city\ntitle: City\nextends: province.yaml\nremove: {clocks: [first_response]}\n", encoding="utf-8"
    )
    sop = load_sop(tmp_path / "city.yaml")
    assert sop.extends == "province"
    assert sop.clock("verification").budget == Duration.parse("2 working days")
    assert "first_response" not in [c.name for c in sop.clocks]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"states": "x"}, r"<dict>: states: expected a list or a mapping from name to entry, got str"),
        ({"states": {"x": "y"}}, r"<dict>: states\[0\]: expected a mapping, got 'y'"),
        ({"states": ["received"]}, r"states\[0\]: expected a mapping, got 'received'"),
        ({"clocks": [{"label_id": "x"}]}, r"clocks\[0\]\.name: every entry needs a name to be merged by"),
        ({"counting": "included"}, r"counting: expected a mapping, got 'included'"),
        ({"categories": [1]}, r"categories: expected a list of names, got \[1\]"),
        ({"remove": ["clocks"]}, r"remove: expected a mapping with lists of states"),
        ({"remove": {"clocks": [3]}}, r"remove\.clocks: expected a list of names, got \[3\]"),
    ],
)
def test_malformed_variants(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(SopValidationError, match=message):
        build_sop(variant(**fields))


def test_merge_does_not_touch_its_inputs() -> None:
    base = {"id": "a", "states": [{"id": "s"}], "counting": {"receipt_day": "excluded"}}
    over = {"id": "b", "states": [{"id": "t"}], "counting": {"receipt_day": "included"}, "remove": {"states": ["s"]}}
    merged = merge_sop_data(base, over, "over.yaml")
    assert merged == {"id": "b", "states": [{"id": "t"}], "counting": {"receipt_day": "included"}}
    assert base == {"id": "a", "states": [{"id": "s"}], "counting": {"receipt_day": "excluded"}}
