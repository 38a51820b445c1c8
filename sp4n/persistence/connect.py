"""Connecting to the database: SQLAlchemy engines set up for sp4n, URLs as they may be shown, and
the translation of database errors into sp4n's (the one boundary where foreign errors stop)."""

from __future__ import annotations

import math
import os
import re
from typing import Any

from sqlalchemy import Connection, Engine, UniqueConstraint, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from sp4n.errors import DatabaseBusy, DatabaseUnavailable, InvalidArgumentError, Sp4nError, StoreError
from sp4n.persistence import tables as t

READ_ONLY = "sp4n_read_only"
"""Execution option of the connections that only read."""


POOL_SIZE = 15
"""The most connections a PostgreSQL pool opens, all kept once opened: with SQLAlchemy's default
of 5 kept and 10 more closed on return, a server's 16 busy threads opened a new connection (a
new server backend) about every fourth command."""


def create_sql_engine(url: str) -> Engine:
    """An SQLAlchemy engine for a ``sqlite:///file`` or ``postgresql+psycopg://`` URL, set up for sp4n.

    SQLite gets WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction
    so that writers queue on the lock instead of failing halfway through.
    """
    if not isinstance(url, str):
        raise InvalidArgumentError("database_url", type(url).__name__, "a URL string such as sqlite:///sp4n.db")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        expected = "an SQLAlchemy URL such as sqlite:///sp4n.db"
        raise InvalidArgumentError("database_url", safe_url(url), expected) from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise InvalidArgumentError("database_url", safe_url(url), "a SQLite file (sqlite:///path/to/sp4n.db)")
            busy = _busy_timeout(parsed.query.get("timeout"))
            engine = create_engine(parsed.difference_update_query(["timeout"]), connect_args={"timeout": busy})
            _setup_sqlite(engine, busy)
            return engine
        if backend == "postgresql":
            if parsed.get_driver_name() != "psycopg":
                parsed = parsed.set(drivername="postgresql+psycopg")
            # no pre-ping (a round trip per checkout): a connection the server dropped fails one
            # command with DatabaseUnavailable, the pool replaces it, and the retry goes through
            return create_engine(parsed, pool_size=POOL_SIZE, max_overflow=0, pool_recycle=1800)
    except NoSuchModuleError as exc:
        raise InvalidArgumentError("database_url", safe_url(url), f"a driver that is installed ({exc})") from None
    except ModuleNotFoundError as exc:
        raise InvalidArgumentError(
            "database_url", safe_url(url), f"its driver installed: pip install 'sp4n[postgres]' ({exc})"
        ) from None
    raise InvalidArgumentError("database_url", safe_url(url), "a sqlite:/// or postgresql+psycopg:// URL")


def create_read_engine(engine: Engine) -> Engine:
    """For PostgreSQL reads, a pool of autocommit connections of their own beside ``engine``: no
    BEGIN / ROLLBACK, and no isolation-level switch (a round trip) at every checkout."""
    return create_engine(
        engine.url, isolation_level="AUTOCOMMIT", pool_size=POOL_SIZE, max_overflow=0, pool_recycle=1800
    )


SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection waits for another's write lock (``?timeout=`` in the URL changes it)."""


def _busy_timeout(raw: Any) -> float:
    if raw is None:
        return SQLITE_BUSY_TIMEOUT
    try:
        seconds = float(raw if isinstance(raw, str) else raw[0])
    except (TypeError, ValueError, IndexError):
        seconds = math.nan
    if not 0 <= seconds <= 3600:  # NaN fails this too
        raise InvalidArgumentError("timeout", raw, "seconds from 0 to 3600 (sqlite:///sp4n.db?timeout=30)")
    return seconds


def _setup_sqlite(engine: Engine, busy: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sp4n issues BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(busy * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache (2 MB by default): a batch's statements otherwise read pages back
        # from the OS once the tables outgrow the default.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # reads run without a transaction (WAL gives each statement a consistent snapshot, and a
        # save re-checks the complaint's version); writes take the write lock up front
        if not conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


_USERINFO = re.compile(r"(?<=://)([^/@]*?):[^/]*@")


def require_existing(url: str, reader: str) -> None:
    """Refuse a SQLite URL whose file does not exist: opening it would create an empty database,
    a write that a command which only reads (``reader``: a report, a simulation) must not make,
    and an empty answer where a mistyped path deserves an error."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return  # opening the store names the bad URL
    if parsed.get_backend_name() == "sqlite" and parsed.database and not os.path.isfile(parsed.database):
        raise DatabaseUnavailable(safe_url(url), f"no such database file ({reader} reads an existing one)")


def safe_url(url: str) -> str:
    """The URL as it may be shown: its password replaced by ``***``, even when it does not parse."""
    try:
        parsed = make_url(url)
        return url if parsed.password is None and isinstance(url, str) else parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError, AttributeError):
        return _USERINFO.sub(r"\1:***@", url) if isinstance(url, str) else "<not a database URL>"


def redact(text: str, url: str) -> str:
    """``text`` (a driver's message, say) with the password of ``url`` taken out wherever it appears."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError, AttributeError):
        found = _USERINFO.search(url) if isinstance(url, str) else None
        password = found.group(0)[len(found.group(1)) + 1 : -1] if found else None
    if password:
        text = text.replace(str(password), "***")
    return text.replace(url, safe_url(url)) if isinstance(url, str) and url else text


def own_error(exc: SQLAlchemyError) -> Exception | None:
    """An sp4n error that SQLAlchemy wrapped (raised while binding a parameter, say)."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, Sp4nError) else None


def translate(exc: Exception, url: str, dbapi: Any = None) -> StoreError:
    """sp4n's error for a database error that is not a conflict the caller can retry: one that
    SQLAlchemy raised, or (given the driver's module) one the DBAPI driver raised itself, on the
    store's hot path."""
    if isinstance(exc, OperationalError):
        return DatabaseUnavailable(safe_url(url), redact(str(exc.orig) if exc.orig else str(exc), url))
    if dbapi is not None and isinstance(exc, dbapi.OperationalError):
        return DatabaseUnavailable(safe_url(url), redact(str(exc), url))
    return StoreError(f"database error on {safe_url(url)}: {redact(str(exc), url)}")


_SQLITE_KEY = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")
_UNIQUE: list[Any] = [
    key
    for table in t.metadata.sorted_tables
    for key in [
        table.primary_key,
        *(c for c in table.constraints if isinstance(c, UniqueConstraint)),
        *(i for i in table.indexes if i.unique),
    ]
]
_KEYS = {str(key.name): (key.table.name, tuple(c.name for c in key.columns)) for key in _UNIQUE}
"""Every primary and unique key of sp4n's tables by name, as PostgreSQL reports them."""


def violated_key(exc: Exception) -> tuple[str, tuple[str, ...]] | None:
    """(table, columns) of the primary or unique key a driver's IntegrityError reports, or None
    for another constraint (a foreign key, a NOT NULL)."""
    diag = getattr(exc, "diag", None)  # psycopg: the constraint by name
    if diag is not None:
        return _KEYS.get(str(diag.constraint_name or ""))
    found = _SQLITE_KEY.search(str(exc))  # sqlite3: "UNIQUE constraint failed: table.column, ..."
    if found is None:
        return None
    return found.group(1), tuple(c.split(".")[-1] for c in found.group(2).split(", "))


def busy_error(exc: Exception, url: str) -> DatabaseBusy | None:
    """The error to report when SQLite gave up waiting for its write lock (the caller may retry),
    or None for any other error."""
    if "database is locked" not in str(exc) and "database is busy" not in str(exc):
        return None
    timeout = make_url(url).query.get("timeout", SQLITE_BUSY_TIMEOUT)
    return DatabaseBusy(safe_url(url), float(timeout if isinstance(timeout, str | float) else timeout[0]))
