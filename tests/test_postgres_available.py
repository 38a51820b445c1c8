"""CI runs against a real PostgreSQL: this check fails when the configured server is down."""

from __future__ import annotations

import pytest
import sqlalchemy


@pytest.mark.postgres
def test_configured_postgres_answers_and_is_recent(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sqlalchemy.text("SHOW server_version_num")).scalar_one()
    finally:
        engine.dispose()
    assert int(version) >= 130000
