"""Active definitions: the table sp4n_active names the calendar and SOP versions every process uses.

Until 0004 each process kept its own calendar and its own latest SOP versions in memory, so a
decree applied in one process was not seen by a running worker until it restarted. Since 0004
``apply_calendar`` and SOP registration record the active version here, and every process takes
it up at its next refresh. A database upgraded from 0003 has no row yet: the first engine to
start records its own.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sp4n_active."""
    op.create_table(
        "sp4n_active",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("activated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", name="pk_sp4n_active"),
    )


def downgrade() -> None:
    """Drop sp4n_active."""
    op.drop_table("sp4n_active")
