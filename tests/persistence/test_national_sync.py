"""Staying in step with the fake national LAPOR! through the feed, on every store: complaints
filed here are created nationally once and linked, their statuses follow by the SOP's mapping,
"not our authority" goes with its reason, and forwarded reports come in backdated, once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sp4n.errors import DuplicateComplaint, InvalidData, PermissionDenied
from sp4n.integration import HttpNationalGateway, NationalSync
from sp4n.persistence import Store
from sp4n.persistence.feed_records import DeliveryStatus
from sp4n.testing import FakeLapor, Scenario

from .backends import ADMIN, scenario, store_fixture  # noqa: F401

WIB = timezone(timedelta(hours=7))
REGISTRY = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"
NAME, NIK = "Siti Rahasia", "nik-3174"


@pytest.fixture
def fake() -> Iterator[FakeLapor]:
    with FakeLapor(slow=1.0) as server:
        yield server


@pytest.fixture
def synced(store: Store, fake: FakeLapor) -> Iterator[tuple[Scenario, NationalSync]]:
    s = scenario(store)
    s.engine.feed.random = lambda: 0.0
    gateway = HttpNationalGateway(fake.config(timeout=0.5))
    sync = NationalSync(s.engine, gateway, institution="2033")
    sync.ensure_consumer()
    try:
        yield s, sync
    finally:
        gateway.close()


def test_a_local_complaint_is_created_once_linked_and_followed(
    synced: tuple[Scenario, NationalSync], fake: FakeLapor
) -> None:
    s, sync = synced
    cid = s.submit(
        "Puskesmas tutup", description="Tutup di jam kerja", reporter_id=NIK, reporter_name=NAME, anonymous=True
    )
    assert sync.push().delivered == 1
    [nid] = fake.complaints
    sent = fake.complaints[nid]
    assert (sent["reference"], sent["title"], sent["content"], sent["is_anonymous"]) == (
        cid, "Puskesmas tutup", "Tutup di jam kerja", True,
    )  # fmt: skip
    assert NAME not in json.dumps(fake.requests())
    assert NIK not in json.dumps(fake.requests())
    assert s.engine.get(cid, ADMIN).external_id == nid
    assert s.engine.lookup(ADMIN, external_id=nid).id == cid
    assert s.engine.history(cid, ADMIN)[-1].kind == "linked"

    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    s.fire(cid, "distribute", agency="dinas_kesehatan")
    s.fire(cid, "not_authority", reason="urusan provinsi")
    result = sync.push()
    assert (result.delivered, result.failed) == (4, 0)  # linked, verify, distribute, not_authority
    assert [x["status"] for x in fake.complaints[nid]["statuses"]] == ["terverifikasi", "didisposisikan"]
    assert fake.complaints[nid]["rejected"] == "urusan provinsi"
    assert len(fake.requests("complaints/complaint")) == 1


def test_a_lost_answer_is_retried_without_a_second_national_complaint(
    synced: tuple[Scenario, NationalSync], fake: FakeLapor
) -> None:
    s, sync = synced
    cid = s.submit()
    fake.script.append("drop")  # LAPOR! files it, but the answer never comes
    result = sync.push()
    assert (result.delivered, result.failed) == (0, 1)
    assert len(fake.complaints) == 1
    s.clock.advance(seconds=10)
    assert sync.push().delivered == 1
    [nid] = fake.complaints
    assert s.engine.get(cid, ADMIN).external_id == nid
    assert [r[1] for r in fake.requests()] == ["complaints/complaint", "complaints/complaint"]


def test_a_crash_after_linking_sends_nothing_twice(synced: tuple[Scenario, NationalSync], fake: FakeLapor) -> None:
    s, sync = synced
    cid = s.submit()
    [item] = s.engine.feed.claim("lapor", owner="crashed")
    sync.send(item)  # created and linked; the process dies before the delivery is recorded
    sync.send(item)  # the lease ran out and another process sends it again
    assert len(fake.requests("complaints/complaint")) == 1
    assert s.engine.get(cid, ADMIN).external_id == next(iter(fake.complaints))


def test_a_refused_complaint_is_parked_at_once(synced: tuple[Scenario, NationalSync], fake: FakeLapor) -> None:
    s, sync = synced
    s.submit()
    fake.script.append(422)
    result = sync.push()
    assert (result.failed, result.parked) == (1, 1)
    [parked] = s.engine.feed.parked("lapor")
    assert parked.status is DeliveryStatus.PARKED
    assert "HTTP 422" in (parked.last_error or "")
    assert s.engine.feed.retry("lapor") == 1
    assert sync.push().delivered == 1


def test_forwarded_reports_come_in_backdated_once_and_report_back(
    synced: tuple[Scenario, NationalSync], fake: FakeLapor, caplog: pytest.LogCaptureFixture
) -> None:
    s, sync = synced
    s.engine.apply_agencies(REGISTRY)
    received = datetime(2026, 2, 26, 8, 30, tzinfo=WIB)
    nid = fake.forward(
        title="Ambulans terlambat", content="Menunggu dua jam", received_at=received, institution_id="2033",
        category="kesehatan", reporter_name=NAME, anonymous=True,
    )  # fmt: skip
    other = fake.forward(title="Bukan untuk kami", content="isi", received_at=received, institution_id="1001")
    bad = fake.forward(
        title="Kategori asing", content="isi", received_at=received, institution_id="2033", category="pariwisata"
    )
    first = sync.pull(limit=1)
    assert (first.filed, first.known) == ([nid], [])
    assert len(first.refused) == 1
    assert first.refused[0][0] == bad
    assert "category='pariwisata' is invalid" in first.refused[0][1]
    assert other not in first.filed
    assert NAME not in caplog.text
    again = sync.pull()
    assert (again.filed, again.known) == ([], [nid])

    view = s.engine.lookup(ADMIN, external_id=nid)
    # institution 2033 is prov_jateng; the registry routes a health report to its dinas
    assert (view.submitted_at, view.agency, view.anonymous) == (received, "dinkes_jateng", True)
    assert sync.push().delivered == 1  # its submission: nothing to create, it came from LAPOR!
    s.fire(view.id, "verify", classification="pengaduan", category="kesehatan")
    assert sync.push().delivered == 1
    assert fake.requests("complaints/complaint") == []  # never filed nationally a second time
    assert [x["status"] for x in fake.complaints[nid]["statuses"]] == ["terverifikasi"]


def test_a_refused_reporter_is_not_named_in_logs_or_results(
    synced: tuple[Scenario, NationalSync], fake: FakeLapor, caplog: pytest.LogCaptureFixture
) -> None:
    s, sync = synced
    s.engine.apply_agencies(REGISTRY)
    received = datetime(2026, 2, 26, 8, 30, tzinfo=WIB)
    too_long = "Siti Rahasia " * 100
    nid = fake.forward(
        title="Ambulans terlambat", content="isi", received_at=received, institution_id="2033",
        category="kesehatan", reporter_name=too_long, anonymous=True,
    )  # fmt: skip
    with caplog.at_level("INFO"):
        result = sync.pull()
    assert [n for n, _ in result.refused] == [nid]
    assert result.refused[0][1].endswith("the field 'reporter_name' is invalid (its value is withheld)")
    assert "Siti" not in result.refused[0][1]
    assert "Siti" not in caplog.text


def test_a_report_made_anonim_and_rahasia_before_it_is_sent_goes_so(
    synced: tuple[Scenario, NationalSync], fake: FakeLapor
) -> None:
    s, sync = synced
    cid = s.submit(reporter_id="nik-1", reporter_name=NAME)
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan", anonymous=True, confidential=True)
    assert sync.push().delivered >= 1
    (created,) = fake.complaints.values()
    assert (created["is_anonymous"], created["is_secret"]) == (True, True)


def test_linking_an_id_is_one_audited_change_and_refuses_what_does_not_fit(store: Store) -> None:
    s = scenario(store)
    a, b = s.submit(), s.submit()
    assert s.engine.link_external(a, "LPR-1", ADMIN).external_id == "LPR-1"
    again = s.engine.link_external(a, "LPR-1", ADMIN)  # the id it carries: nothing written
    assert again.version == 2
    assert [e.kind for e in s.engine.history(a, ADMIN)] == ["submitted", "linked"]
    with pytest.raises(
        InvalidData, match="external_id='LPR-2' is invalid: complaint 'c1' already carries external id 'LPR-1'"
    ):
        s.engine.link_external(a, "LPR-2", ADMIN)
    with pytest.raises(DuplicateComplaint, match="LPR-1"):
        s.engine.link_external(b, "LPR-1", ADMIN)
    with pytest.raises(PermissionDenied, match="only the system or a national_admin links ids"):
        s.engine.link_external(b, "LPR-3", s.reporter)
    with pytest.raises(InvalidData, match="external_id='' is invalid: a non-empty string"):
        s.engine.link_external(b, "", ADMIN)
    assert s.engine.get(b, ADMIN).external_id is None
