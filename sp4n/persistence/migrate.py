"""Schema migrations, shipped in the package and run with Alembic (``sp4n db upgrade``)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from sp4n.errors import InvalidArgumentError
from sp4n.persistence.connect import READ_ONLY, translate


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("sp4n.persistence") / "migrations"))
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has no sp4n schema)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect().execution_options(**{READ_ONLY: True}) as conn:  # no write lock on SQLite
            if not inspect(conn).has_table("alembic_version"):
                return None
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise translate(exc, engine.url.render_as_string(hide_password=False)) from exc


def _known(config: Config, revision: str) -> None:
    """Refuse a revision that no migration has, naming the ones there are."""
    scripts = ScriptDirectory.from_config(config)
    known = [script.revision for script in scripts.walk_revisions()]
    if not isinstance(revision, str) or (revision not in ("head", "base") and revision not in known):
        raise InvalidArgumentError("revision", revision, f"head, base or one of {', '.join(sorted(known))}")


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database up to ``revision`` (the newest by default); returns the new revision."""
    config = _config(engine)
    _known(config, revision)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Take the database back to ``revision`` ("base" removes the sp4n schema)."""
    config = _config(engine)
    _known(config, revision)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    return current_revision(engine)
