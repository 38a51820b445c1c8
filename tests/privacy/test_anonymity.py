"""Only the reporter may lift their own anonymity or confidentiality; staff and system may only set
them, so the agency a report is about can never unmask the person who made it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sp4n.errors import PermissionDenied, SopValidationError
from sp4n.states import build_sop, builtin_sop, builtin_sop_ids
from sp4n.testing import Scenario

START = "2026-03-09T10:00:00+07:00"  # Monday 9 March 2026, 10:00 WIB
AGENCY = "dinas_kesehatan"


def escalated(s: Scenario, **flags: Any) -> str:
    """An anonymous, confidential report distributed to AGENCY whose completion clock ran out."""
    cid = s.submit(anonymous=True, confidential=True, **flags)
    s.fire(cid, "verify", s.national_admin, classification="aspirasi", category="kesehatan")
    s.fire(cid, "distribute", s.national_admin, agency=AGENCY)
    s.advance(timedelta(days=30))
    assert s.state(cid) == "escalated"
    return cid


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_an_agency_admin_cannot_lift_anonymity_on_re_verification(flag: str) -> None:
    s = Scenario(sops=["national"], start=START)
    cid = escalated(s)
    with pytest.raises(PermissionDenied, match=rf"only the reporter may set {flag} to false"):
        s.fire(cid, "verify", s.agency_admin(), classification="pengaduan", category="kesehatan", **{flag: False})
    stored = s.engine.store.load(cid).complaint
    assert (stored.state, stored.anonymous, stored.confidential) == ("escalated", True, True)
    assert s.engine.get(cid, s.agency_admin()).reporter_id is None


def test_the_covid_fast_track_official_cannot_lift_anonymity_from_received() -> None:
    s = Scenario(sops=["national", "covid19_fasttrack"], start=START)
    view = s.engine.submit(
        s.reporter, title="Antrean vaksin", sop="covid19_fasttrack", category="covid19", anonymous=True
    )
    assert (view.state, view.agency) == ("received", "kemenkes")
    admin = s.agency_admin("kemenkes")
    with pytest.raises(PermissionDenied, match="only the reporter may set anonymous to false"):
        s.fire(view.id, "verify", admin, classification="pengaduan", category="covid19", anonymous=False)
    assert s.engine.get(view.id, admin).reporter_id is None


def test_staff_may_still_protect_a_reporter() -> None:
    s = Scenario(sops=["national"], start=START)
    cid = s.submit()
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan", anonymous=True)
    s.fire(cid, "distribute", s.national_admin, agency=AGENCY)
    assert s.engine.get(cid, s.liaison_officer()).reporter_id is None


def test_staff_setting_false_on_an_unprotected_report_changes_nothing_and_passes() -> None:
    s = Scenario(sops=["national"], start=START)
    cid = s.submit()
    view = s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan", anonymous=False)
    assert view.state == "verified"


def _rung_clearing(flag: str) -> dict[str, Any]:
    return {
        "id": "bocor",
        "extends": "national",
        "title": "Bocor",
        "transitions": [
            {
                "trigger": "verify",
                "source": ["received", "escalated"],
                "dest": "verified",
                "roles": ["national_admin", "agency_admin", "system"],
                "requires": ["classification", "category"],
                "assigns": ["classification", "category", "anonymous", "confidential"],
            }
        ],
        "clocks": [
            {
                "name": "verification",
                "label_id": "Verifikasi",
                "label_en": "Verify",
                "budget": "3 working days",
                "runs_in": ["received"],
                "rungs": [
                    {
                        "name": "breach",
                        "action": "fire",
                        "trigger": "verify",
                        "data": {"classification": "aspirasi", "category": "lainnya", flag: False},
                    }
                ],
            }
        ],
    }


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_an_sop_whose_rung_clears_a_protection_is_refused(flag: str) -> None:
    with pytest.raises(SopValidationError, match=rf"rungs\.breach\.data\.{flag}: {flag}: false would lift"):
        build_sop(_rung_clearing(flag))


def test_an_sop_whose_routing_rule_clears_anonymity_is_refused() -> None:
    document = {
        "id": "bocor_rute",
        "extends": "national",
        "title": "Bocor",
        "transitions": [
            {
                "trigger": "auto_verify",
                "source": "received",
                "dest": "verified",
                "roles": ["system"],
                "requires": ["classification", "category"],
                "assigns": ["classification", "category", "anonymous"],
            }
        ],
        "routing": [
            {
                "name": "semua",
                "categories": ["kesehatan"],
                "agency": AGENCY,
                "trigger": "auto_verify",
                "data": {"classification": "aspirasi", "category": "kesehatan", "anonymous": False},
            }
        ],
    }
    with pytest.raises(SopValidationError, match=r"routing\.semua\.data\.anonymous: anonymous: false would lift"):
        build_sop(document)


def test_the_builtin_sops_comply() -> None:
    for sop_id in builtin_sop_ids():
        builtin_sop(sop_id)  # validation includes check_privacy_kept
