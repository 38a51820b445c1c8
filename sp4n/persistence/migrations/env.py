"""Alembic environment of sp4n: runs on the connection that ``sp4n.persistence.migrate`` passes in."""

from __future__ import annotations

from alembic import context

from sp4n.persistence.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
