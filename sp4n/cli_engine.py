"""The engine a command opens on a database URL, for the commands that need no SOP of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

URL_HELP = "sqlite:///file.db or postgresql+psycopg://user@host/db"


def open_engine(url: str) -> Any:
    """An engine on ``url`` with the SOPs the database has stored."""
    from sp4n.workflow.engine import Engine

    return Engine(sops=(), database_url=url)


@contextmanager
def opened(url: str) -> Iterator[Any]:
    """An engine on ``url`` for one command, closed afterwards."""
    engine = open_engine(url)
    try:
        yield engine
    finally:
        engine.close()
