"""The hot path of the SQL store: statements compiled once by SQLAlchemy, run on the driver's connection.

Every command loads one complaint and saves one change. Through SQLAlchemy's execution layer
each statement costs tens of microseconds of Python before the driver sees it (more than
SQLite takes to run it), and on PostgreSQL each statement is a round trip of its own. So the
statements of those two operations are compiled once from the Core tables, with the engine's
own dialect; their values pass through the columns' own type processors (the rows are exactly
what Core would write, and read back the same); and they run on the pooled DBAPI connection.
On PostgreSQL a save is one psycopg pipeline: the writes go in one round trip, COMMIT in a
second; a load runs on the same pooled connection in autocommit. Everything else in the store
goes through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from json import JSONDecoder
from json.scanner import make_scanner
from typing import Any, cast

from sqlalchemy import JSON, Engine
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.compiler import SQLCompiler

from sp4n.errors import Sp4nError, StoreError

Processor = Callable[[Any], Any] | None


class Prepared:
    """One statement compiled for a dialect, with the bind processor of each of its parameters."""

    __slots__ = ("_constants", "_fast", "_names", "_positional", "_processors", "sql")

    def __init__(self, statement: ClauseElement, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self._positional = bool(dialect.positional)
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        self._names = tuple(compiled.positiontup or ()) if self._positional else tuple(binds)
        # the statement's own constants (status = 'pending'), converted once
        self._constants: dict[str, Any] = {}
        processors: list[Processor] = []
        for name in self._names:
            bind = binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if not bind.required:
                self._constants[name] = bind.value if process is None else process(bind.value)
                process = None
            processors.append(process)
        self._processors = tuple(processors)
        self._fast = self._compile()

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``values`` (keyed by bind name); a value the column type
        cannot convert is a StoreError naming it.

        They are made in one step compiled for the statement (a save makes them for some ten
        rows a complaint); when a processor refuses a value, again one by one, to name it."""
        try:
            return self._fast(values)
        except Sp4nError:
            raise
        except (TypeError, ValueError, OverflowError):
            return self._one_by_one(values)

    def _one_by_one(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        constants = self._constants
        converted = []
        for name, process in zip(self._names, self._processors, strict=True):
            if name in constants:
                converted.append(constants[name])
                continue
            value = values[name]
            if process is None:
                converted.append(value)
                continue
            try:
                converted.append(process(value))
            except Sp4nError:
                raise
            except (TypeError, ValueError, OverflowError) as exc:
                raise StoreError(f"{name}={value!r} cannot be stored: {exc}") from exc
        return converted if self._positional else dict(zip(self._names, converted, strict=True))

    def _compile(self) -> Callable[[Mapping[str, Any]], Sequence[Any] | dict[str, Any]]:
        """:meth:`_one_by_one` as one list (or dict) display, built for this statement."""
        scope: dict[str, Any] = {}
        items = []
        for i, (name, process) in enumerate(zip(self._names, self._processors, strict=True)):
            if name in self._constants:
                scope[f"c{i}"] = self._constants[name]
                items.append(f"c{i}")
            elif process is None:
                items.append(f"values[{name!r}]")
            else:
                scope[f"p{i}"] = process
                items.append(f"p{i}(values[{name!r}])")
        if self._positional:
            body = f"[{', '.join(items)}]"
        else:
            body = "{" + ", ".join(f"{name!r}: {item}" for name, item in zip(self._names, items, strict=True)) + "}"
        source = f"def params(values):\n    return {body}\n"
        exec(compile(source, f"<parameters of {len(items)}>", "exec"), scope)  # the source is built above
        return cast(Callable[[Mapping[str, Any]], Sequence[Any] | dict[str, Any]], scope["params"])


class Query:
    """A SELECT compiled for a dialect, whose rows come back as dicts of decoded values."""

    __slots__ = ("_columns", "_prepared", "readers", "values")

    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        dialect = engine.dialect
        self._prepared = Prepared(statement, engine)
        self._columns: tuple[tuple[str, Processor], ...] = tuple(
            (str(c.key), _reader(c.type, dialect)) for c in statement.selected_columns
        )
        self.readers = tuple(p for _, p in self._columns)
        """The processor of each column (None: its values need none)."""
        self.values: Callable[[Sequence[Any]], tuple[Any, ...]] = _decoder(self.readers)
        """A driver row's values in column order, decoded by their column types: one step
        compiled for this statement, which touches only the columns whose type converts (a
        wide row costs little more than a narrow one)."""

    def run(self, cursor: Any, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute on a DBAPI cursor; the rows as the driver returns them (see :meth:`decode`)."""
        return self.run_bound(cursor, self.bind(values))

    def bind(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for ``values`` (:meth:`Prepared.params`), to run once or again."""
        params = self._prepared.params(values)
        return tuple(params) if isinstance(params, list) else params

    def run_bound(self, cursor: Any, params: Sequence[Any] | dict[str, Any]) -> list[tuple[Any, ...]]:
        """Execute with parameters made by :meth:`bind`; the rows as the driver returns them."""
        cursor.execute(self._prepared.sql, params)
        return list(cursor.fetchall())

    def decode(self, row: Sequence[Any], start: int = 0, stop: int | None = None) -> dict[str, Any]:
        """Columns ``start:stop`` of a driver row, by name, decoded by their column types."""
        columns = self._columns[start:stop]
        return {n: v if p is None or v is None else p(v) for (n, p), v in zip(columns, row[start:stop], strict=True)}

    def index(self, name: str) -> int:
        """The position of a selected column."""
        return [n for n, _ in self._columns].index(name)


_scan_json: Callable[[str, int], tuple[Any, int]] = make_scanner(cast(Any, JSONDecoder()))
"""The C scanner of json.loads, called directly."""


def _reader(type_: Any, dialect: Any) -> Processor:
    """The result processor of a column type; for JSON text on SQLite one that reads it in a
    single call of the C scanner (what json.loads reaches through three Python layers)."""
    process: Processor = type_.dialect_impl(dialect).result_processor(dialect, None)
    if process is None or dialect.name != "sqlite" or not isinstance(type_, JSON):
        return process
    fallback = process

    def read_json(value: Any) -> Any:
        if type(value) is str:
            try:
                decoded, end = _scan_json(value, 0)
            except StopIteration:
                decoded, end = None, -1
            if end == len(value):
                return decoded
        return fallback(value)  # another shape of text (spaces around it), a number, or an error

    return read_json


def _decoder(processors: Sequence[Processor]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A function from a driver row to its decoded values: one tuple built in one step, each
    value that is not None passed through its column's processor (None stays None)."""
    scope: dict[str, Any] = {}
    items = []
    for i, process in enumerate(processors):
        if process is None:
            items.append(f"r[{i}]")
        else:
            scope[f"p{i}"] = process
            items.append(f"(None if (x := r[{i}]) is None else p{i}(x))")
    source = f"def decode(r):\n    return ({', '.join(items)},)\n"
    exec(compile(source, f"<row decoder {len(items)}>", "exec"), scope)  # the source is built above
    return cast(Callable[[Sequence[Any]], tuple[Any, ...]], scope["decode"])


class Transaction:
    """Statements of one save on a DBAPI connection.

    Deferred (PostgreSQL), the statements are only collected while the change is written, and
    :meth:`send` sends them back to back in one pipeline: the server gets them together, not one
    at a time between the client's own work. Row counts are then known once all went through,
    so :meth:`check` runs before COMMIT. Otherwise (SQLite) each statement runs at once and each
    check with it, and the statements after a failed one are not run.
    """

    def __init__(self, connection: Any, *, deferred: bool) -> None:
        self._connection = connection
        self._deferred = deferred
        self._queued: list[tuple[str, list[Any], Callable[[Any], Exception] | None]] = []
        self._checks: list[tuple[Any, int, Callable[[Any], Exception]]] = []

    def execute(
        self,
        statement: Prepared,
        rows: Sequence[Mapping[str, Any]],
        *,
        one_row: Callable[[Any], Exception] | None = None,
    ) -> None:
        """Run ``statement`` once per row (one row: a plain execute). With ``one_row``, the
        transaction fails unless each run affected exactly one row, with the error ``one_row``
        makes (given the connection, to look up what it needs in the same transaction)."""
        params = [statement.params(r) for r in rows]
        if self._deferred:
            self._queued.append((statement.sql, params, one_row))
            return
        self._run(self._connection.cursor(), statement.sql, params, one_row)
        self.check()

    @property
    def checked(self) -> bool:
        """Whether a deferred statement waits for a row-count check (then COMMIT must wait too)."""
        return any(one_row is not None for _, _, one_row in self._queued)

    def send(self) -> None:
        """Send the deferred statements (inside a pipeline, they go out together)."""
        shared = self._connection.cursor()
        queued, self._queued = self._queued, []
        for sql, params, one_row in queued:
            self._run(shared if one_row is None else self._connection.cursor(), sql, params, one_row)

    def _run(self, cursor: Any, sql: str, params: list[Any], one_row: Callable[[Any], Exception] | None) -> None:
        try:
            if len(params) == 1:
                cursor.execute(sql, params[0])
            else:
                cursor.executemany(sql, params)
        except (TypeError, ValueError, OverflowError) as exc:  # the driver could not adapt a value
            if isinstance(exc, Sp4nError):
                raise
            raise StoreError(f"a value for {' '.join(sql.split()[:3])} cannot be stored: {exc}") from exc
        if one_row is not None:
            self._checks.append((cursor, len(params), one_row))

    def check(self) -> None:
        """Raise the first registered error whose statement did not affect one row per run."""
        checks, self._checks = self._checks, []
        for cursor, runs, error in checks:
            if cursor.rowcount != runs:
                raise error(self._connection)


@contextmanager
def sqlite_transaction(connection: Any) -> Iterator[Transaction]:
    """A write transaction on a sqlite3 connection in autocommit mode: BEGIN IMMEDIATE takes the
    write lock up front, so writers queue on it instead of failing halfway through."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        tx = Transaction(connection, deferred=False)
        yield tx
        tx.check()
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


@contextmanager
def postgres_transaction(connection: Any) -> Iterator[Transaction]:
    """A write transaction on a psycopg 3 connection: the statements, collected first, go in one
    pipeline (one round trip, BEGIN included); then the row-count checks, then COMMIT. With no
    check to wait for (a new complaint), COMMIT goes in the same pipeline: one round trip in all.
    A failed statement aborts the pipeline, so that COMMIT is never run after it."""
    try:
        tx = Transaction(connection, deferred=True)
        yield tx
        with connection.pipeline():
            unchecked = not tx.checked
            tx.send()
            if unchecked:
                # as a statement, not connection.commit(), which would wait for its own round trip
                connection.cursor().execute("COMMIT")
        tx.check()
        connection.commit()  # (nothing is sent when the pipeline committed)
    except BaseException:
        connection.rollback()
        raise


@contextmanager
def postgres_autocommit(connection: Any) -> Iterator[None]:
    """Reads without a transaction on a psycopg 3 connection that otherwise runs them (the
    switch is a flag of the client: nothing is sent to the server)."""
    connection.autocommit = True
    try:
        yield
    finally:
        try:
            if not connection.closed:
                connection.autocommit = False
        except Exception:
            # never hand the pool a connection that commits statement by statement: a closed
            # one fails its reset on return, and the pool replaces it
            connection.close()
            raise


@contextmanager
def no_transaction(_connection: Any) -> Iterator[None]:
    """Reads on a sqlite3 connection in autocommit mode: nothing to switch."""
    yield
