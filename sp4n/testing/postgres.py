"""Throw-away PostgreSQL schemas, for tests and benchmarks that need the real server.

A host application testing its integration against PostgreSQL wants a clean database per test,
and its worker processes must see that database too. A schema of its own per test does both: the
URL carries the schema as ``search_path``, so every connection made from it (in any process)
lands there, and dropping the schema removes every row and table the test made.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sp4n.errors import InvalidArgumentError

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,39}")


@contextmanager
def postgres_schema(url: str, *, prefix: str = "sp4n_test") -> Iterator[str]:
    """A URL on a new, empty schema of the PostgreSQL database at ``url``; on exit the schema is
    dropped with everything in it. Its name is ``prefix`` and a random suffix."""
    import sqlalchemy
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from sp4n.persistence.connect import create_sql_engine, translate

    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise InvalidArgumentError("prefix", prefix, "lower-case letters, digits and _, starting with a letter")
    admin = create_sql_engine(url)
    if admin.dialect.name != "postgresql":
        admin.dispose()
        raise InvalidArgumentError("url", url, "a postgresql:// or postgresql+psycopg:// URL")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        try:
            with admin.begin() as conn:
                conn.execute(sqlalchemy.text(f"CREATE SCHEMA {name}"))
        except SQLAlchemyError as exc:
            raise translate(exc, url) from exc
        schema_url = make_url(url).set(drivername="postgresql+psycopg")
        schema_url = schema_url.update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield schema_url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                conn.execute(sqlalchemy.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
    finally:
        admin.dispose()
