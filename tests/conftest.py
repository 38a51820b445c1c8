"""Shared fixtures. PostgreSQL tests use ``postgres_url``: they skip when SP4N_TEST_POSTGRES_URL
is unset, and FAIL (never skip) when it is set but the server cannot be reached, so CI cannot
pass by silently skipping them."""

from __future__ import annotations

import os

import pytest

POSTGRES_ENV = "SP4N_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a reachable PostgreSQL test database."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL tests skipped")
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"{POSTGRES_ENV}={url!r} is set but PostgreSQL cannot be reached: {exc}")
    finally:
        engine.dispose()
    return url
