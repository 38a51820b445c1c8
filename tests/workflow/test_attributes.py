"""Attributes an SOP declares: budgets chosen by them, values checked on submit and on fire."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sp4n.calendars import Duration
from sp4n.errors import InvalidData, SopValidationError
from sp4n.states import build_sop
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM

URGENCY: dict[str, Any] = {
    "name": "urgency",
    "values": ["biasa", "mendesak"],
    "label_id": "Tingkat kepentingan",
    "label_en": "Urgency",
    "labels": {"mendesak": "Mendesak / Urgent"},
}


def urgent_sop(**changes: Any) -> Any:
    data = {
        "id": "by_urgency",
        "title": "By urgency",
        "extends": "national",
        "attributes": [URGENCY, {"name": "affected", "type": "number"}],
        "clocks": {
            "completion": {
                "budget_by": "urgency",
                "budgets": {"biasa": "14 working days", "mendesak": "3 working days"},
            }
        },
        **changes,
    }
    return build_sop(data)


def distributed(s: Scenario, **attributes: Any) -> str:
    cid = s.submit("Banjir di kampung", sop="by_urgency", attributes=attributes)
    s.fire(cid, "verify", classification="pengaduan", category="lingkungan_hidup")
    s.fire(cid, "distribute", agency="dinas_pu")
    return cid


def test_a_clock_chooses_its_budget_by_a_declared_attribute() -> None:
    s = Scenario(sops=[urgent_sop()])
    urgent = distributed(s, urgency="mendesak", affected=120)
    normal = distributed(s, urgency="biasa")
    budgets = {
        cid: {d.clock: d.budget for d in s.engine.deadlines(cid, SYSTEM)}["completion"] for cid in (urgent, normal)
    }
    assert budgets == {urgent: Duration.parse("3 working days"), normal: Duration.parse("14 working days")}


def test_submit_checks_the_declared_attributes() -> None:
    s = Scenario(sops=[urgent_sop()])
    with pytest.raises(InvalidData, match=re.escape("attributes.urgency='segera' is invalid: one of biasa, mendesak")):
        s.submit("x", sop="by_urgency", attributes={"urgency": "segera"})
    with pytest.raises(InvalidData, match=re.escape("attributes.affected='banyak' is invalid: a number")):
        s.submit("x", sop="by_urgency", attributes={"affected": "banyak"})
    message = "attributes.kota='Palu' is invalid: a declared attribute (urgency, affected)"
    with pytest.raises(InvalidData, match=re.escape(message)):
        s.submit("x", sop="by_urgency", attributes={"kota": "Palu"})
    assert len(list(s.engine.store.complaint_ids())) == 0


def test_a_command_sets_a_declared_attribute_and_it_is_checked() -> None:
    s = Scenario(sops=[urgent_sop()])
    cid = s.submit("Banjir", sop="by_urgency")
    with pytest.raises(InvalidData, match=re.escape("data.urgency='darurat' is invalid: one of biasa, mendesak")):
        s.fire(cid, "verify", classification="pengaduan", category="lingkungan_hidup", urgency="darurat")
    s.fire(cid, "verify", classification="pengaduan", category="lingkungan_hidup", urgency="mendesak")
    assert s.engine.store.load(cid).complaint.attributes == {"urgency": "mendesak"}
    s.fire(cid, "distribute", agency="dinas_pu")
    assert {d.clock: d.budget for d in s.engine.deadlines(cid, SYSTEM)}["completion"] == Duration.parse(
        "3 working days"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"clocks": {"completion": {"budget_by": "urgensi"}}},
            "clocks.completion.budget_by: 'urgensi' is neither classification nor category nor a declared attribute "
            "(affected, urgency)",
        ),
        (
            {"attributes": [{**URGENCY, "values": []}]},
            "attributes.urgency.values: attribute 'urgency' is a choice, so it needs values",
        ),
        (
            {"attributes": [{**URGENCY, "labels": {"darurat": "Darurat"}}]},
            "attributes.urgency.labels.darurat: 'darurat' is not one of the values (biasa, mendesak)",
        ),
        (
            {"attributes": [{**URGENCY, "name": "category"}]},
            "attributes.category.name: 'category' is a field of every complaint; name the attribute otherwise",
        ),
        (
            {"clocks": {"completion": {"budget_by": "urgency", "budgets": {"segera": "1 working day"}}}},
            "clocks.completion.budgets.segera: 'segera' is not a declared value of urgency",
        ),
    ],
)
def test_attribute_mistakes_in_an_sop(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SopValidationError, match=re.escape(message)):
        urgent_sop(**changes)
