"""The built-in SOPs and the Kalsel example: they load, validate, and say what the sources say."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp4n.calendars import Duration
from sp4n.errors import SopNotFoundError
from sp4n.states import Role, RungAction, Sop, build_sop, builtin_sop, builtin_sop_ids, load_sop
from sp4n.states.loader import _builtin_data

KALSEL = Path(__file__).resolve().parents[2] / "examples" / "sop" / "kalsel-shorter.yaml"


def wd(n: int) -> Duration:
    return Duration.parse(f"{n} working days")


def test_builtin_ids() -> None:
    assert builtin_sop_ids() == ("batam_24h", "covid19_fasttrack", "national")


@pytest.mark.parametrize("sop_id", builtin_sop_ids())
def test_each_builtin_loads_with_sources_and_certainty(sop_id: str) -> None:
    sop = builtin_sop(sop_id)
    assert sop.id == sop_id
    assert sop.legal_sources
    assert sop.notes
    for clock in sop.clocks:
        assert clock.source, clock.name
        assert clock.certainty, clock.name
    assert builtin_sop(sop_id) is sop  # cached


def test_unknown_builtin_lists_the_known_ones() -> None:
    with pytest.raises(SopNotFoundError, match=r"SOP 'nasional' is not known; known: batam_24h, covid19_fasttrack"):
        builtin_sop("nasional")


def test_national_states_and_transitions() -> None:
    sop = builtin_sop("national")
    assert [s.id for s in sop.states] == [
        "received",
        "on_hold",
        "verified",
        "distributed",
        "rerouting",
        "followed_up",
        "escalated",
        "referred",
        "closed",
        "archived",
    ]
    assert sop.initial_state.id == "received"
    assert {s.id for s in sop.states if s.terminal} == {"referred", "closed", "archived"}
    assert sop.classifications == ("aspirasi", "pengaduan", "pengaduan_pengawasan", "permintaan_informasi")
    by_trigger = {t.trigger: t for t in sop.transitions}
    assert by_trigger["escalate"].roles == (Role.SYSTEM,)
    assert by_trigger["escalate"].source == ("received", "verified", "distributed", "rerouting")
    assert set(by_trigger["close"].roles) == {Role.REPORTER, Role.SYSTEM}
    assert by_trigger["extend"].extends == "completion"
    assert by_trigger["reroute"].dest == "distributed"
    assert by_trigger["verify"].requires == ("classification", "category")


def test_national_clocks() -> None:
    sop = builtin_sop("national")
    assert [c.name for c in sop.clocks] == [
        "verification",
        "first_response",
        "completion",
        "reporter_response",
        "ombudsman_eligibility",
    ]
    assert sop.clock("verification").budget == wd(3)
    assert sop.clock("first_response").budget == wd(5)
    completion = sop.clock("completion")
    assert completion.budgets == {
        "aspirasi": wd(5),
        "permintaan_informasi": wd(5),
        "pengaduan": wd(14),
        "pengaduan_pengawasan": wd(60),
    }
    assert completion.budget == wd(14)
    assert completion.runs_in == ("distributed", "rerouting")
    assert completion.extension_max == wd(14)
    auto_close = sop.clock("reporter_response").rungs[-1]
    assert (auto_close.action, auto_close.trigger) == (RungAction.FIRE, "close")
    eligibility = sop.clock("ombudsman_eligibility")
    non_terminal = {s.id for s in sop.states if not s.terminal}
    assert set(eligibility.runs_in) == non_terminal - {"on_hold"}
    assert eligibility.pauses_in == ("on_hold",)


def test_covid_fast_track() -> None:
    sop = builtin_sop("covid19_fasttrack")
    assert sop.extends == "national"
    assert [c.name for c in sop.clocks] == ["reporter_response", "ombudsman_eligibility", "disposition", "follow_up"]
    assert sop.clock("disposition").budget == wd(1)
    assert sop.clock("follow_up").budget == wd(2)
    assert "extend" not in sop.triggers
    assert "covid19" in sop.categories
    assert all(rule.official for rule in sop.routing)
    assert [rule.agency for rule in sop.routing] == ["kemenkes", "kemensos", "satgas_covid19"]
    dispose = next(t for t in sop.transitions if t.trigger == "dispose")
    assert (dispose.source, dispose.dest) == (("received",), "distributed")


def test_batam_adds_a_24_hour_clock() -> None:
    sop = builtin_sop("batam_24h")
    clock = sop.clock("initial_response")
    assert clock.budget == Duration.parse("24 hours")
    assert [c.name for c in sop.clocks][:5] == [c.name for c in builtin_sop("national").clocks]


def test_kalsel_example() -> None:
    sop = load_sop(KALSEL)
    assert (sop.id, sop.extends) == ("kalsel_shorter", "national")
    assert sop.clock("verification").budget == wd(2)
    assert sop.clock("completion").budgets["pengaduan_pengawasan"] == wd(30)
    assert sop.clock("reporter_response").budget == wd(5)
    assert sop.clock("first_response") == builtin_sop("national").clock("first_response")
    assert "illustrative" in KALSEL.read_text(encoding="utf-8")


@pytest.mark.parametrize("sop_id", builtin_sop_ids())
def test_version_is_stable_across_loads(sop_id: str) -> None:
    data, source = _builtin_data(sop_id)
    first, again = build_sop(data, source=source), build_sop(data, source="elsewhere")
    assert first.version == again.version == builtin_sop(sop_id).version
    assert len(first.version) == 16


def test_version_survives_a_dump_and_model_validate() -> None:
    # a resolved SOP is rebuilt from its dump with model_validate: build_sop would resolve extends again
    sop = load_sop(KALSEL)
    assert load_sop(KALSEL).version == sop.version
    assert Sop.model_validate(sop.model_dump(mode="json")).version == sop.version
    assert Sop.model_validate_json(sop.model_dump_json()) == sop


def test_version_changes_when_a_number_changes() -> None:
    data, _ = _builtin_data("national")
    base = build_sop(data)
    changed = dict(data)
    changed["clocks"] = [
        {**clock, "budget": "4 working days"} if clock["name"] == "verification" else clock for clock in data["clocks"]
    ]
    assert build_sop(changed).version != base.version
    assert build_sop(dict(data)).version == base.version


def test_builtin_files_are_named_as_their_ids() -> None:
    folder = Path(__file__).resolve().parents[2] / "sp4n" / "states" / "builtin"
    for path in folder.glob("*.yaml"):
        assert path.read_text(encoding="utf-8").count(f"\nid: {path.stem}\n") == 1, path.name
    assert builtin_sop("covid19_fasttrack").id == "covid19_fasttrack"
