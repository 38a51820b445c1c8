"""Benchmark ``Engine.import_book``: a 100-row manual form book taken in at once vs the same
complaints submitted one by one.

Run ``python benchmarks/bench_import.py [--url postgresql+psycopg://...]``. Each side has a fresh
database; each round takes in a book of new rows (received over the week before the clock, by
WhatsApp, telephone and at the counter, each with its external id):

* sp4n: ``engine.import_book(rows, admin)``: every row checked, known ones looked up (one query),
  likely duplicates looked for (one query for all the book's reporters), the new ones written in
  one transaction;
* baseline: ``engine.submit`` per row with the same data (``received_at``, ``external_id``, ...),
  each in its own transaction.

The two sides' rounds are taken in turn, with the garbage collector off, after a warm-up book of
the same size; the best round of each counts. It prints both rates (complaints per second) and
their ratio per database (target: at least 3x). The exit code is 0 unless ``--check`` is given and a target is missed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor, Engine
from sp4n.workflow.book import BookResult

from lifecycle import timed
from options import bench_parser

TARGET = 3.0
START = "2026-03-09T10:00:00+07:00"  # Monday: the book's rows were received the week before
ADMIN = Actor.agency_admin("admin-kes", "dinas_kesehatan")
CHANNELS = ("whatsapp", "telepon", "tatap_muka", "email")
TITLES = ("Puskesmas tutup pada jam pelayanan", "Obat kosong di apotek puskesmas", "Antrean BPJS terlalu lama")


def book(round_no: int, size: int) -> list[dict[str, str]]:
    """``size`` rows, new in each round (their own external ids and reporters)."""
    start = datetime.fromisoformat(START) - timedelta(days=7)
    return [
        {
            "judul": f"{TITLES[i % len(TITLES)]} ({round_no}-{i})",
            "isi": "Dilaporkan lewat kanal lain dan dicatat petugas.",
            "tanggal_diterima": f"{start + timedelta(hours=i):%d/%m/%Y %H:%M}",
            "kanal": CHANNELS[i % len(CHANNELS)],
            "instansi": "dinas_kesehatan",
            "id_pelapor": f"warga-{round_no}-{i}",
            "id_eksternal": f"BUKU-{round_no}-{i:04d}",
        }
        for i in range(size)
    ]


def as_submit(row: dict[str, str]) -> dict[str, Any]:
    """The same row as ``engine.submit`` arguments."""
    received = datetime.strptime(row["tanggal_diterima"], "%d/%m/%Y %H:%M")
    return {
        "title": row["judul"],
        "description": row["isi"],
        "channel": row["kanal"],
        "agency": row["instansi"],
        "reporter_id": row["id_pelapor"],
        "received_at": received.replace(tzinfo=datetime.fromisoformat(START).tzinfo),
        "external_id": row["id_eksternal"],
    }


def take_in(engine: Engine, rows: list[dict[str, str]], by_book: bool) -> float:
    """Seconds to take ``rows`` in on ``engine``, as a book or one submit at a time (the garbage
    collector off)."""
    if by_book:
        result: list[BookResult] = []
        seconds = timed(lambda: result.append(engine.import_book(rows, ADMIN)))
        if result[0].count("new") != len(rows) or not result[0].written:
            problems = [r.problems for r in result[0].rows if r.problems][:3]
            raise RuntimeError(f"the book was not taken in: {problems}")
        return seconds
    calls = [as_submit(r) for r in rows]
    submit = engine.submit

    def one_by_one() -> None:
        for kwargs in calls:
            submit(ADMIN, **kwargs)

    return timed(one_by_one)


def measure(fresh: Callable[[str], str], size: int, rounds: int) -> tuple[float, float]:
    """Complaints per second (best round) submitted one by one, and as a book: the two sides'
    rounds taken in turn, each on a database of its own."""
    with ExitStack() as stack:
        engines = []
        for label in ("submit", "book"):
            engine = Engine(store=open_store(fresh(label), upgrade=True), clock=ManualClock(START))
            stack.callback(engine.close)
            engines.append(engine)
        for engine, by_book in zip(engines, (False, True), strict=True):
            take_in(engine, book(-1, size), by_book)  # warm-up: caches, statements of this size
        best = [float("inf"), float("inf")]
        for r in range(rounds):
            for side, (engine, by_book) in enumerate(zip(engines, (False, True), strict=True)):
                best[side] = min(best[side], take_in(engine, book(r, size), by_book))
    return size / best[0], size / best[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = bench_parser(__doc__)
    args = parser.parse_args(argv)
    size, rounds = (20, 2) if args.quick else (100, 15)
    directory = tempfile.mkdtemp(prefix="sp4n-bench-import-")
    failed = False
    print(f"sp4n import_book benchmark: a book of {size} rows, complaints taken in per second (best of {rounds})")
    print(f"{'database':11s} {'one by one':>14s} {'book':>14s} {'ratio':>8s}")
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, directory, True)
        backends: list[tuple[str, Callable[[str], str]]] = [
            ("SQLite", lambda label: f"sqlite:///{os.path.join(directory, label + '.db')}")
        ]
        if args.url:
            url = args.url
            backends.append(("PostgreSQL", lambda label: stack.enter_context(postgres_schema(url, prefix=label))))
        for name, fresh in backends:
            one, whole = measure(fresh, size, rounds)
            ratio = whole / one
            ok = ratio >= TARGET
            failed |= not ok
            print(
                f"{name:11s} {one:12,.0f}/s {whole:12,.0f}/s {ratio:7.2f}x "
                f"(target >= {TARGET:.0f}x) {'PASS' if ok else 'FAIL'}"
            )
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
