"""The connections of one SQL store, and the errors of the database turned into sp4n's on the way out.

A store writes through one SQLAlchemy engine (its pool also serves the driver connections of
the hot path) and, on PostgreSQL, reads through a second pool of autocommit connections. Pooled
connections belong to the process that opened them: in a child forked from that process both
pools are dropped without closing what they hold (``Engine.dispose(close=False)``, see
:mod:`sp4n.persistence.forks`), and the child opens connections of its own when it needs them.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sp4n.errors import StoreError
from sp4n.persistence.connect import READ_ONLY, busy_error, create_read_engine, own_error, translate
from sp4n.persistence.driver import postgres_autocommit
from sp4n.persistence.forks import reset_after_fork

LISTERS_KEPT = 4
"""Idle driver connections a store keeps for lists (:meth:`Pools.lister`); more are closed."""


class Pools:
    """The write pool and the read pool of a store on ``url``."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.reads = create_read_engine(engine) if engine.dialect.name == "postgresql" else engine
        self.dbapi: Any = engine.dialect.loaded_dbapi
        self._listers: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        reset_after_fork(self)

    def close(self) -> None:
        """Close every pooled connection."""
        self._closed = True
        self._close_listers()
        if self.reads is not self.engine:
            self.reads.dispose()
        self.engine.dispose()

    def after_fork_in_child(self) -> None:
        """Forget the parent's connections, without closing them (they are the parent's)."""
        self._listers = queue.SimpleQueue()
        self.engine.dispose(close=False)
        if self.reads is not self.engine:
            self.reads.dispose(close=False)

    @contextmanager
    def lister(self) -> Iterator[Any]:
        """A driver connection that only reads, for a list. On SQLite one the store keeps
        between lists itself (a few, taken out of the pool for good), so that a page costs no
        checkout and check-in of the pool (a rollback among them). On PostgreSQL a pooled one,
        as :meth:`driver`, in autocommit: there the round trip outweighs the pool's work, and a
        server backend per connection is not to be kept beside the pool's."""
        if self.engine.dialect.name != "sqlite":
            with self.driver() as pooled, postgres_autocommit(pooled):
                yield pooled
            return
        try:
            connection = self._listers.get_nowait()
        except queue.Empty:
            connection = self._take_out()
        try:
            yield connection
        except self.dbapi.Error as exc:
            connection.close()  # never kept after an error (it may be the server's restart)
            if self.engine.dialect.is_disconnect(exc, connection, None):
                self._close_listers()
                self.engine.dispose()
            raise busy_error(exc, self.url) or translate(exc, self.url, self.dbapi) from exc
        except BaseException:
            connection.close()
            raise
        if self._closed or self._listers.qsize() >= LISTERS_KEPT:
            connection.close()
        else:
            self._listers.put(connection)

    def _take_out(self) -> Any:
        """A connection of the pool's, set up by it (in autocommit), and then the store's own."""
        pooled = self._checkout()
        connection: Any = pooled.driver_connection
        pooled.detach()
        return connection

    def _close_listers(self) -> None:
        while True:
            try:
                self._listers.get_nowait().close()
            except queue.Empty:
                return

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction through SQLAlchemy; its errors become sp4n's."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except StoreError:
            raise
        except OperationalError as exc:
            raise busy_error(exc, self.url) or translate(exc, self.url) from exc
        except SQLAlchemyError as exc:
            raise own_error(exc) or translate(exc, self.url) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection that only reads (on PostgreSQL, in autocommit)."""
        try:
            with self.reads.connect().execution_options(**{READ_ONLY: True}) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise own_error(exc) or translate(exc, self.url) from exc

    def _checkout(self) -> Any:
        """A connection of the write pool (SQLAlchemy's wrapper); failing to get one is sp4n's error."""
        try:
            return self.engine.raw_connection()
        except SQLAlchemyError as exc:
            raise own_error(exc) or translate(exc, self.url) from exc
        except self.dbapi.Error as exc:  # raised by the driver's connect (the pool does not wrap it)
            raise translate(exc, self.url, self.dbapi) from exc

    @contextmanager
    def driver(self) -> Iterator[Any]:
        """A pooled connection as the driver's own; the driver's errors become sp4n's, but for an
        IntegrityError, which the caller tells apart (it knows what it was writing)."""
        pooled = self._checkout()
        try:
            yield pooled.driver_connection
        except self.dbapi.IntegrityError:
            raise
        except self.dbapi.Error as exc:
            if self.engine.dialect.is_disconnect(exc, pooled.dbapi_connection, None):
                # as SQLAlchemy does on a disconnect: the pool's other connections are as
                # stale as this one (a server restart), so all are replaced, not one per command
                pooled.invalidate(exc)
                self.engine.dispose()
            raise busy_error(exc, self.url) or translate(exc, self.url, self.dbapi) from exc
        finally:
            pooled.close()
