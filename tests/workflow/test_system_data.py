"""Triggers fired by the system carry the data the SOP gives them, and routing matches words.

The SOP side (validation, ``RungDef.data``, ``RoutingRule.trigger_data``, ``match_rule``) is
tested in tests/states and test_routing_words.py; these tests drive the engine, which passes that
data when a rung or a routing rule fires and routes through ``match_rule``.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from sp4n.states import Sop, build_sop, builtin_sop
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM

START = "2026-03-09T10:00:00+07:00"  # Monday 9 March 2026, 10:00 WIB
ALL_SOURCES = ["received", "on_hold", "verified", "escalated"]


def auto_archive() -> Sop:
    """National, with a verification breach that archives the report with a reason."""
    return build_sop(
        {
            "id": "arsip_otomatis",
            "extends": "national",
            "title": "Arsip otomatis",
            "transitions": [
                {
                    "trigger": "archive",
                    "source": ALL_SOURCES,
                    "dest": "archived",
                    "roles": ["national_admin", "agency_admin", "system"],
                    "requires": ["reason"],
                }
            ],
            "clocks": [
                {
                    "name": "verification",
                    "label_id": "Verifikasi",
                    "label_en": "Verify",
                    "budget": "3 working days",
                    "runs_in": ["received", "verified"],
                    "pauses_in": ["on_hold"],
                    "rungs": [
                        {
                            "name": "breach",
                            "action": "fire",
                            "trigger": "archive",
                            "data": {"reason": "Tidak diverifikasi dalam 3 hari kerja"},
                        }
                    ],
                }
            ],
        }
    )


def routed_disposal() -> Sop:
    """National, with tidal-flood reports routed to a unit of the disaster agency at once."""
    return build_sop(
        {
            "id": "rob",
            "extends": "national",
            "title": "Banjir rob",
            "transitions": [
                {
                    "trigger": "auto_dispose",
                    "source": "received",
                    "dest": "distributed",
                    "roles": ["system"],
                    "requires": ["unit"],
                    "assigns": ["agency", "unit"],
                }
            ],
            "routing": [
                {
                    "name": "tidal_flood",
                    "keywords": ["rob", "banjir rob"],
                    "agency": "bpbd",
                    "trigger": "auto_dispose",
                    "data": {"unit": "seksi_kedaruratan"},
                }
            ],
        }
    )


def test_the_sops_are_valid() -> None:
    rungs = {r.name: r for r in auto_archive().clock("verification").rungs}  # merged by name into the base's
    assert rungs["breach"].data == {"reason": "Tidak diverifikasi dalam 3 hari kerja"}
    assert rungs["warning"] == builtin_sop("national").clock("verification").rungs[0]
    assert routed_disposal().routing[0].trigger_data == {"agency": "bpbd", "unit": "seksi_kedaruratan"}


def test_a_rung_fires_its_trigger_with_the_rungs_data() -> None:
    s = Scenario(sops=[auto_archive()], start=START)
    cid = s.submit(sop="arsip_otomatis")
    s.advance_to(datetime.combine(date(2026, 3, 13), time(0), s.calendar.tzinfo))  # the end of Thursday
    assert s.state(cid) == "archived"
    archived = s.engine.history(cid, SYSTEM)[-1]
    assert (archived.kind, archived.trigger) == ("deadline_transition", "archive")
    assert archived.payload["reason"] == "Tidak diverifikasi dalam 3 hari kerja"


def test_a_routing_rule_fires_its_trigger_with_the_rules_data() -> None:
    s = Scenario(sops=[routed_disposal()], start=START)
    view = s.engine.submit(s.reporter, title="Banjir rob di pesisir Semarang", sop="rob")
    assert (view.state, view.agency, view.unit) == ("distributed", "bpbd", "seksi_kedaruratan")
    routed = s.engine.history(view.id, SYSTEM)[-1]
    assert routed.payload["unit"] == "seksi_kedaruratan"


@pytest.mark.parametrize("title", ["Jalan rusak di Probolinggo", "Tas robek di terminal"])
def test_the_engine_routes_by_words_not_pieces_of_words(title: str) -> None:
    s = Scenario(sops=[routed_disposal()], start=START)
    view = s.engine.submit(s.reporter, title=title, sop="rob")
    assert (view.state, view.agency) == ("received", None)
