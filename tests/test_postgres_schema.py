"""sp4n.testing.postgres_schema: a throw-away schema that every connection of its URL lands in."""

from __future__ import annotations

import pytest
import sqlalchemy

from sp4n.errors import DatabaseUnavailable, InvalidArgumentError
from sp4n.testing import postgres_schema

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:5499/test"


def schemas(url: str, prefix: str) -> set[str]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sqlalchemy.text("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :p"),
                {"p": f"{prefix}%"},
            )
            return {r[0] for r in rows}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_schema_is_where_connections_land_and_is_dropped_on_exit(postgres_url: str) -> None:
    with postgres_schema(postgres_url, prefix="sp4n_schema_test") as url:
        (name,) = schemas(postgres_url, "sp4n_schema_test")
        assert name.startswith("sp4n_schema_test_")
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sqlalchemy.text("CREATE TABLE made_here (x int)"))
                assert conn.execute(sqlalchemy.text("SELECT current_schema()")).scalar_one() == name
        finally:
            engine.dispose()
    assert schemas(postgres_url, "sp4n_schema_test") == set()


@pytest.mark.postgres
def test_the_schema_is_dropped_when_the_test_fails(postgres_url: str) -> None:
    with pytest.raises(RuntimeError, match=r"^the test failed$"), postgres_schema(postgres_url, prefix="sp4n_failing"):
        raise RuntimeError("the test failed")
    assert schemas(postgres_url, "sp4n_failing") == set()


@pytest.mark.parametrize("prefix", ["", "Upper", "1st", "with-dash", "x" * 41, None])
def test_a_prefix_that_is_no_plain_identifier_is_refused(prefix: object) -> None:
    expected = r"^prefix=.* is invalid: expected lower-case letters, digits and _"
    with pytest.raises(InvalidArgumentError, match=expected), postgres_schema(UNREACHABLE, prefix=prefix):  # type: ignore[arg-type]
        pass


def test_a_url_of_another_database_is_refused() -> None:
    with (
        pytest.raises(
            InvalidArgumentError,
            match=r"^url='sqlite:///sp4n.db' is invalid: expected a postgresql:// or postgresql\+psycopg:// URL$",
        ),
        postgres_schema("sqlite:///sp4n.db"),
    ):
        pass


def test_an_unreachable_server_is_a_clear_error() -> None:
    expected = r"^database '.*:5499/test' cannot be used: "
    with pytest.raises(DatabaseUnavailable, match=expected), postgres_schema(UNREACHABLE):
        pass
