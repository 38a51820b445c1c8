"""The national LAPOR! connector against the fake LAPOR! server on 127.0.0.1: calls, errors
translated (retryable or not), timeouts, dropped answers, duplicates, a restart, and credentials
kept out of reprs, errors and logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from sp4n.errors import GatewayError, InvalidArgumentError
from sp4n.integration import HttpNationalGateway, NationalComplaint, NationalConfig
from sp4n.integration.national import Attachment
from sp4n.testing import FakeLapor

TOKEN = "tok-7f3a9c1e"
KEY = "key-b2d4e6f8"
WIB = timezone(timedelta(hours=7))


@pytest.fixture
def fake() -> Iterator[FakeLapor]:
    with FakeLapor(token=TOKEN, key=KEY, slow=1.0) as server:
        yield server


@pytest.fixture
def gateway(fake: FakeLapor) -> Iterator[HttpNationalGateway]:
    with HttpNationalGateway(fake.config(timeout=0.5)) as g:
        yield g


def complaint(reference: str = "k1") -> NationalComplaint:
    return NationalComplaint(
        reference=reference,
        title="Jalan berlubang",
        content="Jalan di depan pasar berlubang besar",
        channel="sms",
        classification="pengaduan",
        category="infrastruktur",
        is_anonymous=True,
        attachments=(Attachment("foto.jpg", "https://files.example.go.id/foto.jpg"),),
    )


def test_a_complaint_is_created_and_a_repeat_answers_the_same_id(fake: FakeLapor, gateway: HttpNationalGateway) -> None:
    first = gateway.create_complaint(complaint())
    assert gateway.create_complaint(complaint()) == first
    assert list(fake.complaints) == [first]
    stored = fake.complaints[first]
    assert (stored["title"], stored["channel"], stored["is_anonymous"], stored["is_secret"]) == (
        "Jalan berlubang", "sms", True, False,
    )  # fmt: skip
    assert stored["attachments"] == [{"name": "foto.jpg", "url": "https://files.example.go.id/foto.jpg"}]


def test_master_ids_replace_sp4n_names_when_configured(fake: FakeLapor) -> None:
    with HttpNationalGateway(fake.config(classification_ids={"pengaduan": "2"})) as g:
        nid = g.create_complaint(complaint())
    assert (fake.complaints[nid]["classification_id"], fake.complaints[nid]["category_id"]) == ("2", "infrastruktur")


def test_status_reject_and_institutions(fake: FakeLapor, gateway: HttpNationalGateway) -> None:
    nid = gateway.create_complaint(complaint())
    gateway.update_status(nid, "terverifikasi", reference="k1/2")
    gateway.update_status(nid, "terverifikasi", reference="k1/2")  # a repeat is recognised
    gateway.reject(nid, "urusan pemerintah provinsi")
    assert [s["status"] for s in fake.complaints[nid]["statuses"]] == ["terverifikasi"]
    assert fake.complaints[nid]["rejected"] == "urusan pemerintah provinsi"
    names = {i.id: i.name for i in gateway.institutions()}
    assert names["3374"] == "Pemerintah Kota Semarang"


def test_forwarded_reports_come_page_by_page_with_their_receipt(fake: FakeLapor, gateway: HttpNationalGateway) -> None:
    at = datetime(2026, 3, 2, 8, 15, tzinfo=WIB)
    ids = [fake.forward(title=f"Laporan {n}", content="isi", received_at=at, category="kesehatan") for n in range(3)]
    fake.forward(title="Lain", content="isi", received_at=at, institution_id="1")
    page = gateway.forwarded("3374", limit=2)
    assert [r.national_id for r in page.reports] == ids[:2]
    assert page.reports[0].received_at == at
    assert page.reports[0].category == "kesehatan"
    rest = gateway.forwarded("3374", page.next, limit=2)
    assert ([r.national_id for r in rest.reports], rest.next) == (ids[2:], None)


def test_errors_are_translated_retryable_or_not(fake: FakeLapor, gateway: HttpNationalGateway) -> None:
    fake.script.extend([(503, 30), 422, 500, 401])
    with pytest.raises(GatewayError, match=r"lapor: create k1 failed \(HTTP 503\)") as unavailable:
        gateway.create_complaint(complaint())
    assert (unavailable.value.retryable, unavailable.value.retry_after) == (True, 30.0)
    with pytest.raises(GatewayError, match="HTTP 422") as refused:
        gateway.create_complaint(complaint())
    assert not refused.value.retryable
    with pytest.raises(GatewayError, match="HTTP 500") as failed:
        gateway.update_status("LPR-1", "selesai", reference="k1/9")
    assert failed.value.retryable
    with pytest.raises(GatewayError, match="HTTP 401") as denied:
        gateway.institutions()
    assert denied.value.retryable  # credentials can be fixed: the feed backs off, it does not park
    with pytest.raises(GatewayError, match=r"status LPR-404 failed \(HTTP 404\): no complaint LPR-404") as unknown:
        gateway.update_status("LPR-404", "selesai", reference="x")
    assert not unknown.value.retryable
    assert fake.complaints == {}


def test_a_slow_or_dropped_answer_is_retryable_and_the_retry_makes_no_second_complaint(
    fake: FakeLapor, gateway: HttpNationalGateway
) -> None:
    fake.script.append("slow")
    with pytest.raises(GatewayError, match=r"create k1 failed \(no answer\): timed out") as slow:
        gateway.create_complaint(complaint())
    assert slow.value.retryable
    fake.script.append("drop")
    with pytest.raises(GatewayError, match=r"create k2 failed \(no answer\)"):
        gateway.create_complaint(complaint("k2"))
    again = {gateway.create_complaint(complaint("k1")), gateway.create_complaint(complaint("k2"))}
    assert again == set(fake.complaints)  # both were made once, when first sent
    assert len(fake.complaints) == 2


def test_a_restarted_server_keeps_its_data_and_a_down_one_is_no_answer(fake: FakeLapor) -> None:
    config = fake.config(timeout=0.5)
    with HttpNationalGateway(config) as g:
        nid = g.create_complaint(complaint())
        fake.close()
        with pytest.raises(GatewayError, match=r"no answer\): ConnectError") as down:
            g.create_complaint(complaint())
        assert down.value.retryable
        with FakeLapor(token=TOKEN, key=KEY, port=fake.port, state=fake.state):
            assert g.create_complaint(complaint()) == nid


def test_credentials_stay_out_of_reprs_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeLapor(token="other-token", key=KEY) as fake:
        config = NationalConfig(base_url=fake.base_url, token=TOKEN, key=KEY)
        with HttpNationalGateway(config) as g:
            with pytest.raises(GatewayError, match="invalid key or token") as denied:
                g.create_complaint(complaint())
            shown = [repr(config), repr(g), str(denied.value)]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("sp4n")]
    for text in [*shown, *ours]:
        assert str(fake.port) not in text  # the base URL is configuration too
    for text in [*shown, caplog.text]:  # the HTTP libraries' own debug lines included
        assert TOKEN not in text
        assert KEY not in text


def test_bad_configuration_is_a_clear_error_that_shows_no_secret() -> None:
    with pytest.raises(InvalidArgumentError, match=r"base_url='\(hidden\)' is invalid: expected an http"):
        NationalConfig(base_url="ftp://lapor.go.id", token=TOKEN, key=KEY)
    with pytest.raises(InvalidArgumentError, match=r"token='\(hidden\)' is invalid") as bad:
        NationalConfig(base_url="https://lapor.go.id", token="two words", key=KEY)
    assert "two words" not in str(bad.value)
    with pytest.raises(InvalidArgumentError, match=r"timeout=0 is invalid"):
        NationalConfig(base_url="https://lapor.go.id", token=TOKEN, key=KEY, timeout=0)
    with pytest.raises(InvalidArgumentError, match="SP4N_LAPOR_KEY=None is invalid: expected the national LAPOR! key"):
        NationalConfig.from_env({"SP4N_LAPOR_URL": "https://lapor.go.id", "SP4N_LAPOR_TOKEN": TOKEN})
    config = NationalConfig.from_env(
        {"SP4N_LAPOR_URL": "https://lapor.go.id", "SP4N_LAPOR_TOKEN": TOKEN, "SP4N_LAPOR_KEY": KEY}, timeout=3.0
    )
    assert (config.token, config.timeout) == (TOKEN, 3.0)
    with HttpNationalGateway(config) as g, pytest.raises(InvalidArgumentError, match="national_id='a/b' is invalid"):
        g.reject("a/b", "x")


def test_a_malformed_forwarded_report_is_refused_for_good(fake: FakeLapor, gateway: HttpNationalGateway) -> None:
    fake.state.forwarded.append({"id": "LPR-9", "title": "t", "content": "c", "created_at": "2026-03-02T08:00:00"})
    with pytest.raises(GatewayError, match="report LPR-9: created_at '2026-03-02T08:00:00' is not an instant") as bad:
        gateway.forwarded(None)
    assert not bad.value.retryable
