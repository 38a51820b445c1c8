"""``sp4n import``: a manual form book from a CSV or XLSX file, and ``sp4n import template``.

The file is read whole and checked before anything is written: a file that is not CSV or XLSX,
a CSV that is not UTF-8, an empty one, one of more rows than a book holds, spreadsheet formulas
or merged cells are refused with the reason, as are missing or unknown columns and wrong rows
(see :mod:`sp4n.workflow.book`). A progress bar (rich, which also draws the summary table) shows
while the rows are checked, on a terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sp4n.errors import BookError
from sp4n.workflow.book_files import read_book, write_template


def add_import_command(groups: Any) -> None:
    """``sp4n import FILE --url URL [--dry-run] [--partial]`` and ``sp4n import template``."""
    command = groups.add_parser("import", help="take in a manual form book (CSV or XLSX); `import template` writes one")
    command.add_argument("file", help="the book (.csv or .xlsx), or `template`")
    command.add_argument("--url", help="the database (sqlite:///file.db or postgresql+psycopg://...)")
    command.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    command.add_argument("--partial", action="store_true", help="write the good rows, report the wrong ones")
    command.add_argument("--admin", default="admin-buku", help="id of the admin entering the book")
    command.add_argument("--agency", help="the admin's agency (an agency admin); a national admin without it")
    command.add_argument("--sop", default="national", help="the SOP the complaints follow (default national)")
    command.add_argument("--output", default="buku-manual.csv", help="where `import template` writes (.csv or .xlsx)")
    command.set_defaults(handler=run_import)


def _with_sop(engine: Any, sop: str) -> None:
    """The SOP the database has active, or the built-in one of that name on a database without it."""
    from sp4n.errors import SopNotFoundError
    from sp4n.states.loader import resolve_sop

    engine.runtime.refresh()
    try:
        engine.registry.get(sop)
    except SopNotFoundError:
        engine.register(resolve_sop(sop))


def run_import(args: argparse.Namespace) -> int:
    """Handle ``sp4n import``."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from sp4n.workflow.actor import Actor
    from sp4n.workflow.engine import Engine

    if args.file == "template":
        write_template(Path(args.output))
        print(f"template ditulis: {args.output}")
        return 0
    if not args.url:
        raise BookError(["--url wajib: basis data tempat buku disimpan"])
    rows = read_book(Path(args.file))
    actor = Actor.agency_admin(args.admin, args.agency) if args.agency else Actor.national_admin(args.admin)
    engine = Engine(sops=(), database_url=args.url)
    console = Console()
    try:
        _with_sop(engine, args.sop)
        with Progress(console=Console(stderr=True), transient=True, disable=len(rows) < 20) as bar:
            task = bar.add_task("memeriksa baris", total=len(rows))
            result = engine.import_book(
                rows,
                actor,
                sop=args.sop,
                partial=args.partial,
                dry_run=args.dry_run,
                progress=lambda done: bar.update(task, completed=done),
            )
    finally:
        engine.close()
    table = Table(title="Buku manual" + (" (uji, tidak disimpan)" if args.dry_run else ""))
    for column in ("baris", "judul", "hasil", "nomor pelacakan", "catatan"):
        table.add_column(column)
    words = {"new": "baru" if result.written else "akan dibuat", "known": "sudah ada", "wrong": "salah"}
    for r in result.rows:
        table.add_row(str(r.row), r.title, words[r.status], r.tracking_number or "", "; ".join(r.problems + r.warnings))
    console.print(table)
    new = result.count("new") if result.written else 0
    print(f"baru: {new}, sudah ada: {result.count('known')}, salah: {result.count('wrong')}")
    return 0
