"""Schema migrations, shipped in the package and run with Alembic (``sp4n db upgrade``)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from sp4n.errors import DatabaseUnavailable


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("sp4n.persistence") / "migrations"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has no sp4n schema)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        url = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(url, str(getattr(exc, "orig", None) or exc)) from exc


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database up to ``revision`` (the newest by default); returns the new revision."""
    config = _config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Take the database back to ``revision`` ("base" removes the sp4n schema)."""
    config = _config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    return current_revision(engine)
