"""The ``sp4n db`` and ``sp4n audit`` commands: schema migrations and tamper checks."""

from __future__ import annotations

import argparse
from typing import Any

from sp4n.cli_audit import add_audit_commands

EXIT_ERROR = 2


def add_db_commands(groups: Any) -> None:
    """Add ``db upgrade`` and ``db current`` (and the ``audit`` commands) to the top-level parser's groups."""
    db = groups.add_parser("db", help="database schema: upgrade, current revision")
    commands = db.add_subparsers(dest="command", metavar="COMMAND", required=True)
    up = commands.add_parser("upgrade", help="bring a database to the schema this sp4n needs")
    up.add_argument("--url", required=True, help="sqlite:///file.db or postgresql+psycopg://user@host/db")
    up.add_argument("--revision", default="head", help="target revision (default: the newest)")
    up.set_defaults(handler=_upgrade)
    current = commands.add_parser("current", help="the schema revision a database is at")
    current.add_argument("--url", required=True)
    current.set_defaults(handler=_current)
    add_audit_commands(groups)


def _upgrade(args: argparse.Namespace) -> int:
    from sp4n.persistence.migrate import current_revision, upgrade
    from sp4n.persistence.sql import create_sql_engine

    engine = create_sql_engine(args.url)
    try:
        before = current_revision(engine)
        after = upgrade(engine, args.revision)
    finally:
        engine.dispose()
    print(f"{_safe(args.url)}: {before or '(empty)'} -> {after}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from sp4n.persistence.migrate import current_revision
    from sp4n.persistence.sql import create_sql_engine
    from sp4n.persistence.tables import SCHEMA_REVISION

    engine = create_sql_engine(args.url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    state = "up to date" if revision == SCHEMA_REVISION else f"needs `sp4n db upgrade` to {SCHEMA_REVISION}"
    print(f"{_safe(args.url)}: {revision or '(no sp4n schema)'} ({state})")
    return 0


def _safe(url: str) -> str:
    from sp4n.persistence.connect import safe_url

    return safe_url(url)
