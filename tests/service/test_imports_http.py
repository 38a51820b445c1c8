"""POST /v1/imports against a live server: a manual form book as CSV or XLSX, a dry run, then
taken in; every wrong row named; only admins enter books."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from sp4n.clock import SystemClock
from sp4n.service.imports import XLSX

from .conftest import Live

CSV = {"Content-Type": "text/csv; charset=utf-8"}


def yesterday() -> str:
    return (SystemClock().now().astimezone(ZoneInfo("Asia/Jakarta")) - timedelta(days=1)).strftime("%d/%m/%Y")


def book(*rows: str) -> str:
    return "judul,tanggal_diterima,kanal,id_eksternal\n" + "".join(f"{r}\n" for r in rows)


def test_a_dry_run_writes_nothing_then_the_book_is_taken_in_once(live: Live) -> None:
    csv = book(f"Jalan rusak,{yesterday()},whatsapp,HTTP-BUKU-1", f"Lampu mati,{yesterday()},telepon,HTTP-BUKU-2")
    status, _, checked = live.server.request("POST", "/v1/imports?dry_run=true", csv, {**live.dinas(), **CSV})
    assert (status, checked["written"], checked["new"]) == (200, False, 2), checked
    assert [r["status"] for r in checked["rows"]] == ["new", "new"]
    lookup = "/v1/complaints/lookup?external_id=HTTP-BUKU-1"
    assert live.server.request("GET", lookup, headers=live.dinas())[0] == 404  # nothing written
    status, _, taken = live.server.request("POST", "/v1/imports", csv, {**live.dinas(), **CSV})
    assert (status, taken["written"], taken["new"]) == (201, True, 2), taken
    assert all(r["tracking_number"].startswith("SP4N-") for r in taken["rows"])
    status, _, view = live.server.request("GET", lookup, headers=live.dinas())
    assert (status, view["channel"], view["title"]) == (200, "whatsapp", "Jalan rusak")
    status, _, again = live.server.request("POST", "/v1/imports", csv, {**live.dinas(), **CSV})
    assert (status, again["written"], again["known"]) == (200, False, 2)


def test_an_xlsx_book(live: Live) -> None:
    sheet_book = Workbook()
    sheet = sheet_book.active
    assert sheet is not None
    sheet.append(["judul", "tanggal_diterima", "id_eksternal"])
    sheet.append(["Air mati", yesterday(), "HTTP-XLSX-1"])
    data = io.BytesIO()
    sheet_book.save(data)
    headers = {**live.dinas(), "Content-Type": XLSX}
    status, _, taken = live.server.request("POST", "/v1/imports", data.getvalue(), headers)
    assert (status, taken["new"]) == (201, 1), taken


def test_wrong_rows_are_all_named_and_partial_writes_the_good_ones(live: Live) -> None:
    csv = book(f"Baik,{yesterday()},sms,HTTP-PARSIAL-1", "Buruk,31/02/2026,sms,HTTP-PARSIAL-2")
    status, got, problem = live.server.request("POST", "/v1/imports", csv, {**live.dinas(), **CSV})
    assert (status, got["content-type"], problem["error"]) == (422, "application/problem+json", "BookError")
    assert len(problem["problems"]) == 1
    assert problem["problems"][0].startswith("baris 3, kolom tanggal_diterima: '31/02/2026' bukan tanggal")
    lookup = "/v1/complaints/lookup?external_id=HTTP-PARSIAL-1"
    assert live.server.request("GET", lookup, headers=live.dinas())[0] == 404
    status, _, taken = live.server.request("POST", "/v1/imports?partial=true", csv, {**live.dinas(), **CSV})
    assert (status, taken["new"], taken["wrong"]) == (201, 1, 1)
    assert live.server.request("GET", lookup, headers=live.dinas())[0] == 200


def test_bad_files_are_problems(live: Live) -> None:
    cases = [
        (b"", "text/csv", "berkas 'buku.csv' kosong"),
        ("judul,tanggal_diterima\nCaf\u00e9,01/03/2026\n".encode("latin-1"), "text/csv", "bukan UTF-8"),
        (b"bukan zip", XLSX, "berkas 'buku.xlsx' bukan XLSX yang dapat dibaca"),
        (b"judul,warna\nx,merah\n", "text/csv", "kolom wajib tidak ada: tanggal_diterima"),
    ]
    for body, media, message in cases:
        status, _, problem = live.server.request("POST", "/v1/imports", body, {**live.dinas(), "Content-Type": media})
        assert (status, problem["error"]) == (422, "BookError"), problem
        assert any(message in p for p in problem["problems"]), (message, problem["problems"])
    status, _, problem = live.server.request("POST", "/v1/imports", b"%PDF", {**live.dinas(), "Content-Type": "a/b"})
    assert (status, problem["error"], problem["field"], problem["value"]) == (
        415,
        "UnsupportedMediaType",
        "Content-Type",
        "a/b",
    )


def test_only_admins_with_a_key_enter_books(live: Live) -> None:
    csv = book(f"Jalan rusak,{yesterday()},whatsapp,HTTP-TOLAK-1")
    status, _, problem = live.server.request("POST", "/v1/imports", csv, CSV)
    assert (status, problem["error"]) == (401, "Unauthenticated")
    status, _, problem = live.server.request("POST", "/v1/imports", csv, {**live.citizen(), **CSV})
    assert (status, problem["field"], problem["value"]) == (403, "Sp4n-Actor-Role", "reporter")
    revoked = {**live.citizen(), "Authorization": f"Bearer {live.tokens['revoked']}", **CSV}
    assert live.server.request("POST", "/v1/imports", csv, revoked)[0] == 401
    national = live.headers("national", "nas-1", "national_admin")
    lookup = "/v1/complaints/lookup?external_id=HTTP-TOLAK-1"
    assert live.server.request("GET", lookup, headers=national)[0] == 404  # none of them wrote


@pytest.mark.postgres
def test_a_book_on_postgresql(live_postgres: Live) -> None:
    test_a_dry_run_writes_nothing_then_the_book_is_taken_in_once(live_postgres)
