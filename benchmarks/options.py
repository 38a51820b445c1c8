"""The options the database benchmarks share: --quick, --check and --url."""

from __future__ import annotations

import argparse


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with a small run for the test suite
    (--quick), a failing exit on a missed target (--check) and a PostgreSQL database (--url);
    a benchmark adds its own options to it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--quick", action="store_true", help="a small run, for the test suite")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--url", help="a PostgreSQL database to measure too (a schema of its own is used)")
    return parser
