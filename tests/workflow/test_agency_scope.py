"""Scope follows the agency tree: Pemda admins keep their dinas' reports, liaison officers their
units', a Pemda's admin re-routes inside its tree; zones and routing come from the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.agencies import AgencyRegistry, load_agencies
from sp4n.errors import ComplaintNotVisible, InvalidData, PermissionDenied, UnknownAgency
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock, Scenario
from sp4n.workflow import SYSTEM, Actor, Engine
from sp4n.workflow.views import HIDDEN

REGISTRY = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"


@pytest.fixture(scope="module")
def registry() -> AgencyRegistry:
    return load_agencies(REGISTRY)


def scenario(registry: AgencyRegistry) -> Scenario:
    return Scenario(sops=["national"], agencies=registry, agency="kota_semarang")


def verified(s: Scenario, agency: str = "kota_semarang", **fields: object) -> str:
    cid = s.submit("Antrean puskesmas sangat panjang", agency=agency, **fields)
    s.fire(cid, "verify", s.agency_admin(agency), classification="pengaduan", category="kesehatan")
    return cid


PEMKOT = Actor.agency_admin("admin-semarang", "diskominfo_semarang")
"""The Pemkot's "admin instansi", run by its Diskominfo (admin_for: kota_semarang)."""


def test_a_pemkot_admin_keeps_access_after_distributing_to_its_own_dinas(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    view = s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang", unit="puskesmas_bandarharjo")
    assert (view.agency, view.unit) == ("dinkes_semarang", "puskesmas_bandarharjo")
    assert s.engine.get(cid, PEMKOT).reporter_name == "Warga Satu"  # not anonymous: in scope, seen in full
    assert "extend" in s.engine.allowed_triggers(cid, PEMKOT)
    s.fire(cid, "extend", PEMKOT, extend_by="3 working days", reason="menunggu anggaran")
    # the Pemkot's own admin id works the same as its Diskominfo's
    assert "follow_up" in s.engine.allowed_triggers(cid, Actor.agency_admin("a", "kota_semarang"))


def test_a_pemkot_admin_distributes_only_inside_its_tree(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    message = (
        f"complaint {cid!r}: agency_admin 'admin-semarang'@diskominfo_semarang may not fire 'distribute': "
        "agency 'dinkes_banyumas' is outside the agencies of 'kota_semarang' and below it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "distribute", PEMKOT, agency="dinkes_banyumas")
    with pytest.raises(UnknownAgency, match=re.escape("agency='dinkes_atlantis' is not an agency of the registry")):
        s.fire(cid, "distribute", PEMKOT, agency="dinkes_atlantis")
    with pytest.raises(InvalidData, match=re.escape("unit='puskesmas_sokaraja' is invalid: a unit of agency")):
        s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang", unit="puskesmas_sokaraja")
    assert s.state(cid) == "verified"


def test_a_liaison_officer_cannot_act_outside_its_units(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang", unit="puskesmas_pandanaran")
    other = Actor.liaison_officer("lo-1", "dinkes_semarang", units=("puskesmas_bandarharjo",))
    message = (
        f"complaint {cid!r}: liaison_officer 'lo-1'@dinkes_semarang/puskesmas_bandarharjo may not fire 'follow_up': "
        "the complaint is assigned to unit 'puskesmas_pandanaran', not to puskesmas_bandarharjo"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "follow_up", other, response="sudah ditangani")
    assert s.engine.allowed_triggers(cid, other) == ()
    own = Actor.liaison_officer("lo-2", "dinkes_semarang", units=("puskesmas_pandanaran", "rsud_wongsonegoro"))
    assert s.fire(cid, "follow_up", own, response="sudah ditangani").state == "followed_up"


def test_a_liaison_officer_of_another_dinas_cannot_act(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang")
    officer = Actor.liaison_officer("lo-3", "disdik_semarang")
    message = "the complaint is assigned to agency 'dinkes_semarang', not 'disdik_semarang'"
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "follow_up", officer, response="x")


def test_a_coordinating_admin_reroutes_inside_its_tree_and_not_outside(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang")
    s.fire(cid, "not_authority", Actor.liaison_officer("lo", "dinkes_semarang"), reason="urusan sekolah")
    message = (
        f"complaint {cid!r}: agency_admin 'admin-semarang'@diskominfo_semarang may not fire 'reroute': "
        "agency 'dinkes_banyumas' is outside the agencies of 'kota_semarang' and below it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "reroute", PEMKOT, agency="dinkes_banyumas")
    # the admin of the dinas itself is not the Pemda's admin: its tree is the dinas alone
    with pytest.raises(PermissionDenied, match="agency 'disdik_semarang' is outside the agencies of 'dinkes_semarang'"):
        s.fire(cid, "reroute", s.agency_admin("dinkes_semarang"), agency="disdik_semarang")
    assert s.fire(cid, "reroute", PEMKOT, agency="disdik_semarang").agency == "disdik_semarang"


def test_the_national_admin_reroutes_across_trees(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s)
    s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang")
    s.fire(cid, "not_authority", Actor.liaison_officer("lo", "dinkes_semarang"), reason="kewenangan provinsi")
    view = s.fire(cid, "reroute", s.national_admin, agency="dinkes_kalsel")
    assert (view.agency, view.zone) == ("dinkes_kalsel", "Asia/Makassar")
    # Semarang's admin no longer sees it as its own: outside its tree, it sees what the public sees
    assert s.engine.allowed_triggers(cid, PEMKOT) == ()
    assert s.engine.get(cid, PEMKOT).reporter_id is None


def test_views_follow_the_tree_and_an_anonymous_reporter_stays_hidden(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    cid = verified(s, anonymous=True, confidential=True)
    s.fire(cid, "distribute", PEMKOT, agency="dinkes_semarang", unit="puskesmas_bandarharjo")
    for actor in (PEMKOT, Actor.agency_admin("p", "prov_jateng"), Actor.liaison_officer("l", "dinkes_semarang")):
        view = s.engine.get(cid, actor)
        assert (view.reporter_id, view.reporter_name) == (None, HIDDEN)
    outside = Actor.agency_admin("b", "kab_banyumas")
    with pytest.raises(PermissionDenied, match="outside the agencies of 'kab_banyumas' and below it"):
        s.engine.get(cid, outside)
    with pytest.raises(ComplaintNotVisible):
        s.engine.get(cid)
    assert s.engine.get(cid, s.national_admin).reporter_id == "warga-1"


def test_a_complaints_zone_comes_from_its_agency_in_the_registry(registry: AgencyRegistry) -> None:
    s = scenario(registry)
    assert s.engine.get(s.submit(agency="dpupr_kalsel"), s.national_admin).zone == "Asia/Makassar"
    assert s.engine.get(s.submit(agency="dinkes_semarang"), s.national_admin).zone == "Asia/Jakarta"
    with pytest.raises(UnknownAgency, match=re.escape("agency='pemkot_x' is not an agency of the registry")):
        s.submit(agency="pemkot_x")


def test_agency_zones_still_win_over_the_registry(registry: AgencyRegistry) -> None:
    s = Scenario(sops=["national"], agencies=registry, agency_zones={"dinkes_semarang": "WIT"})
    assert s.engine.get(s.submit(agency="dinkes_semarang"), s.national_admin).zone == "Asia/Jayapura"


def test_a_report_goes_to_the_dinas_handling_its_category_else_waits_in_a_named_queue(
    registry: AgencyRegistry,
) -> None:
    s = scenario(registry)
    routed = s.submit("Sekolah rusak", agency="kota_semarang", category="pendidikan")
    assert s.engine.get(routed, s.national_admin).agency == "disdik_semarang"
    assert s.engine.history(routed, SYSTEM)[0].payload["routed_by"] == "category pendidikan at disdik_semarang"
    waiting = s.submit("Pungutan liar", agency="kota_semarang", category="perizinan")
    first = s.engine.history(waiting, SYSTEM)[0]
    assert (s.engine.get(waiting, s.national_admin).agency, first.payload["queue"]) == (
        "kota_semarang",
        "kota_semarang",
    )
    national = s.submit("Obat langka", category="kesehatan")
    assert s.engine.get(national, s.national_admin).agency == "kemenkes"
    nowhere = s.submit("Lain-lain", category="lainnya")
    assert s.engine.history(nowhere, SYSTEM)[0].payload["queue"] == "national"
    assert s.state(nowhere) == "received"


def test_the_registry_is_shared_through_the_database(registry: AgencyRegistry, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clock = ManualClock("2026-03-02T09:00:00+07:00")
    first = Engine(sops=["national"], clock=clock, store=open_store(url))
    second = Engine(sops=["national"], clock=clock, store=open_store(url))
    try:
        assert len(second.agencies) == 0
        first.apply_agencies(registry)
        second.runtime.refresh()
        assert second.agencies.version == registry.version
        assert second.sub_agencies("kota_semarang") == registry.sub_agencies("kota_semarang")
        third = Engine(sops=["national"], clock=clock, store=open_store(url))
        assert third.agencies.version == registry.version
        assert third.runtime.zones.of("dinkes_kalsel") == "Asia/Makassar"
        third.close()
    finally:
        first.close()
        second.close()
