"""The manual form book: rows checked first, errors by row and column, all or nothing (or
--partial), idempotent re-import, likely duplicates, and bad files; on memory, SQLite, PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sp4n.cli import main
from sp4n.clock import SystemClock
from sp4n.errors import BookError
from sp4n.persistence import Store
from sp4n.persistence.query import ComplaintQuery, Visibility
from sp4n.workflow import SYSTEM, Actor
from sp4n.workflow.book import COLUMNS

from .backends import db_url_fixture, dump, scenario, store_fixture  # noqa: F401

ADMIN = Actor.agency_admin("admin-kes", "dinas_kesehatan")
START = "2026-03-09T10:00:00+07:00"  # Monday


def row(title: str, received: str = "02/03/2026", **more: Any) -> dict[str, Any]:
    return {"judul": title, "tanggal_diterima": received, "kanal": "whatsapp", **more}


def all_complaints(store: Store) -> list[str]:
    return sorted(c.title for c, _ in store.find(ComplaintQuery(Visibility(everything=True), limit=500)))


def test_a_book_is_taken_in_with_backdated_clocks_and_again_changes_nothing(store: Store) -> None:
    s = scenario(store, start=START)
    book = [
        row("Jalan rusak", "02/03/2026 08:15", klasifikasi="Pengaduan", kategori="infrastruktur", id_eksternal="WA-1"),
        row("Puskesmas tutup", "05/03/2026", kategori="KESEHATAN", id_pelapor="warga-9", anonim="ya"),
        row("Lampu mati", "06/03/2026", klasifikasi="permintaan informasi"),
    ]
    result = s.engine.import_book(book, ADMIN)
    assert result.written
    assert [(r.row, r.status) for r in result.rows] == [(2, "new"), (3, "new"), (4, "new")]
    assert all(r.tracking_number for r in result.rows)
    found = s.engine.lookup(ADMIN, external_id="WA-1")
    assert (found.classification, found.category, found.channel) == ("pengaduan", "infrastruktur", "whatsapp")
    assert found.submitted_at.isoformat() == "2026-03-02T01:15:00+00:00"
    assert s.engine.lookup(ADMIN, tracking_number=result.rows[1].tracking_number).anonymous is True
    assert [v.title for v in s.engine.find(ADMIN, breached=True).items] == ["Jalan rusak"]
    before = all_complaints(store)
    again = s.engine.import_book(book, ADMIN)
    assert [r.status for r in again.rows] == ["known", "known", "known"]
    assert not again.written
    assert all_complaints(store) == before
    assert len(s.engine.history(found.id, SYSTEM)) == 1


def test_wrong_rows_are_all_named_and_nothing_is_written(store: Store) -> None:
    s = scenario(store, start=START)
    book = [
        row("baik"),
        row("", "31/02/2026"),
        row("masa depan", "10/03/2026"),
        row("lama", "01/01/2024"),
        row("x", kategori="olahraga", anonim="mungkin"),
        row("dobel", id_eksternal="A"),
        row("dobel lagi", id_eksternal="A"),
    ]
    with pytest.raises(BookError) as raised:
        s.engine.import_book(book, ADMIN)
    assert raised.value.problems == [
        "baris 3, kolom judul: wajib diisi",
        "baris 3, kolom tanggal_diterima: '31/02/2026' bukan tanggal (dd/mm/yyyy, jam HH:MM boleh)",
        "baris 4, kolom tanggal_diterima: '10/03/2026 00:00' belum terjadi (sekarang 09/03/2026 10:00)",
        "baris 5, kolom tanggal_diterima: '01/01/2024 00:00' lebih dari 365 hari yang lalu",
        "baris 6, kolom kategori: 'olahraga' tidak dikenal; pilih salah satu: administrasi_kependudukan, "
        "bantuan_sosial, dana_desa, infrastruktur, kesehatan, ketenagakerjaan, lingkungan_hidup, pendidikan, "
        "perizinan, lainnya",
        "baris 6, kolom anonim: 'mungkin' bukan ya/tidak",
        "baris 8, kolom id_eksternal: sama dengan baris 7",
    ]
    assert str(raised.value).startswith("buku manual ditolak, tidak ada yang disimpan (7 masalah):\n  baris 3, kolom")
    assert all_complaints(store) == []
    partial = s.engine.import_book(book, ADMIN, partial=True)
    assert [r.status for r in partial.rows] == ["new", "wrong", "wrong", "wrong", "wrong", "new", "wrong"]
    assert all_complaints(store) == ["baik", "dobel"]


def test_book_shapes_are_checked_first(store: Store) -> None:
    s = scenario(store, start=START)
    cases = [
        ([], "buku kosong: tidak ada baris data"),
        ([row(f"r{i}") for i in range(101)], "buku berisi 101 baris; paling banyak 100 per buku"),
        ([{"judul": "x"}], "kolom wajib tidak ada: tanggal_diterima"),
        ([{**row("x"), "warna": "merah"}], f"kolom tidak dikenal: warna; kolom yang dikenal: {', '.join(COLUMNS)}"),
    ]
    for rows, problem in cases:
        with pytest.raises(BookError) as raised:
            s.engine.import_book(rows, ADMIN)
        assert raised.value.problems == [problem]
    assert len(s.engine.import_book([row(f"r{i}") for i in range(101)], ADMIN, max_rows=200).rows) == 101


def test_likely_duplicates_are_flagged(store: Store) -> None:
    s = scenario(store, start=START)
    s.engine.submit(
        ADMIN, title="Jalan rusak di Jl. Merdeka", reporter_id="warga-5", received_at=s.clock.now() - timedelta(days=2)
    )
    result = s.engine.import_book(
        [
            row("Jalan rusak di jl merdeka", "08/03/2026", id_pelapor="warga-5"),
            row("Sampah menumpuk", "08/03/2026", nama_pelapor="Ani"),
            row("Sampah menumpuk!", "09/03/2026", nama_pelapor="Ani"),
        ],
        ADMIN,
        dry_run=True,
    )
    assert not result.written
    tracking = s.engine.find(ADMIN).items[0].tracking_number
    assert [r.warnings for r in result.rows] == [
        [f"baris 2: mungkin sama dengan {tracking}"],
        [],
        ["baris 4: mungkin sama dengan baris 3"],
    ]


def test_likely_duplicates_of_every_reporter_are_found_in_one_look(store: Store) -> None:
    s = scenario(store, start=START)
    now = s.clock.now()
    stored = {
        who: s.engine.submit(ADMIN, title=title, reporter_id=who, received_at=now - timedelta(days=ago))
        for who, title, ago in (
            ("warga-1", "Lampu jalan mati", 1),
            ("warga-2", "Air PDAM keruh", 2),
            ("warga-3", "Lampu jalan mati", 25),  # another reporter, and long before
        )
    }
    result = s.engine.import_book(
        [
            row("Lampu jalan mati", "08/03/2026", id_pelapor="warga-1"),
            row("Air PDAM keruh", "07/03/2026", id_pelapor="warga-2"),
            row("Air PDAM keruh", "15/02/2026", id_pelapor="warga-2"),  # more than 7 days before it
            row("Lampu jalan mati", "08/03/2026", id_pelapor="warga-3"),
            row("Air PDAM keruh", "08/03/2026", id_pelapor="warga-4"),  # no report of their own
        ],
        ADMIN,
        dry_run=True,
    )
    assert [r.warnings for r in result.rows] == [
        [f"baris 2: mungkin sama dengan {stored['warga-1'].tracking_number}"],
        [f"baris 3: mungkin sama dengan {stored['warga-2'].tracking_number}"],
        [],
        [],
        [],
    ]


def _today() -> str:
    return f"{SystemClock().now() - timedelta(days=1):%d/%m/%Y}"


def test_the_cli_takes_csv_and_xlsx_and_refuses_bad_files(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "buku.csv"
    assert main(["import", "template", "--output", str(template)]) == 0
    assert template.read_text(encoding="utf-8").strip() == ",".join(COLUMNS)
    with template.open("a", encoding="utf-8") as out:
        out.write(f"Jalan rusak,,{_today()},whatsapp,,,,,,,,WA-9\n")
    assert main(["import", str(template), "--url", db_url, "--dry-run"]) == 0
    assert "baru: 0, sudah ada: 0, salah: 0" in capsys.readouterr().out
    assert main(["import", str(template), "--url", db_url]) == 0
    assert "baru: 1, sudah ada: 0, salah: 0" in capsys.readouterr().out
    assert main(["import", str(template), "--url", db_url]) == 0
    assert "baru: 0, sudah ada: 1, salah: 0" in capsys.readouterr().out
    sheet_path = tmp_path / "buku.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["judul", "tanggal_diterima"])
    sheet.append(["Air mati", SystemClock().now().replace(tzinfo=None) - timedelta(days=2)])
    book.save(sheet_path)
    assert main(["import", str(sheet_path), "--url", db_url]) == 0
    assert "baru: 1, sudah ada: 0, salah: 0" in capsys.readouterr().out
    before = dump(db_url)
    bad = {
        "buku.pdf": (b"%PDF", "berkas 'buku.pdf' bukan CSV atau XLSX (akhiran .csv atau .xlsx)"),
        "latin.csv": (
            "judul,tanggal_diterima\nCafé,01/03/2026\n".encode("latin-1"),
            "berkas 'latin.csv' bukan UTF-8 (byte 0xe9 di posisi 26); simpan ulang sebagai CSV UTF-8",
        ),
        "kosong.csv": (b"", "berkas 'kosong.csv' kosong"),
        "besar.csv": (
            b'judul,tanggal_diterima\n"' + b"a" * 140_000 + b'",01/03/2026\n',
            "berkas 'besar.csv' bukan CSV yang dapat dibaca (baris 2: field larger than field limit (131072))",
        ),
        "palsu.xlsx": (b"bukan zip", "berkas 'palsu.xlsx' bukan XLSX yang dapat dibaca"),
        "kolom.csv": (b"judul,warna\nx,merah\n", "kolom wajib tidak ada: tanggal_diterima"),
    }
    for name, (content, message) in bad.items():
        (tmp_path / name).write_bytes(content)
        assert main(["import", str(tmp_path / name), "--url", db_url]) == 2
        assert message in capsys.readouterr().err
    formula = Workbook()
    fs = formula.active
    assert fs is not None
    fs.append(["judul", "tanggal_diterima"])
    fs.append(['=A1&"x"', _today()])
    formula.save(tmp_path / "rumus.xlsx")
    assert main(["import", str(tmp_path / "rumus.xlsx"), "--url", db_url]) == 2
    assert "baris 2, sel A2: rumus '=A1&\"x\"' tidak diterima; tempel sebagai nilai" in capsys.readouterr().err
    merged = Workbook()
    ms = merged.active
    assert ms is not None
    ms.append(["judul", "tanggal_diterima"])
    ms.append(["a", "b"])
    ms.merge_cells("A2:B2")
    merged.save(tmp_path / "gabung.xlsx")
    assert main(["import", str(tmp_path / "gabung.xlsx"), "--url", db_url]) == 2
    assert "sel gabungan A2:B2 tidak diterima; pisahkan selnya" in capsys.readouterr().err
    many = tmp_path / "banyak.csv"
    many.write_text("judul,tanggal_diterima\n" + "".join(f"r{i},{_today()}\n" for i in range(101)), encoding="utf-8")
    assert main(["import", str(many), "--url", db_url]) == 2
    assert "buku berisi 101 baris; paling banyak 100 per buku" in capsys.readouterr().err
    wrong = tmp_path / "salah.csv"
    wrong.write_text(f"judul,tanggal_diterima\nbaik,{_today()}\nburuk,31/02/2026\n", encoding="utf-8")
    assert main(["import", str(wrong), "--url", db_url]) == 2
    assert re.search(r"baris 3, kolom tanggal_diterima: '31/02/2026' bukan tanggal", capsys.readouterr().err)
    assert dump(db_url) == before
    assert main(["import", str(wrong), "--url", db_url, "--partial"]) == 0
    assert "baru: 1, sudah ada: 0, salah: 1" in capsys.readouterr().out


def test_a_book_enters_the_feed_as_history(store: Store) -> None:
    # A recap of the past reaches only the feed consumers that ask for history (issue 14).
    s = scenario(store)
    live = s.engine.submit(s.reporter, title="Laporan baru").id
    s.engine.import_book([row("Jalan rusak di Pedurungan")], ADMIN)
    store.feed.sequence()  # number what the saves wrote (SQL stores number after commit)
    entries = store.feed.entries(0, 100)
    assert {e.complaint_id: e.historical for e in entries if e.complaint_id == live} == {live: False}
    assert {e.historical for e in entries if e.complaint_id != live} == {True}
