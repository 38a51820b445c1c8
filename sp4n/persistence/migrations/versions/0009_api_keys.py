"""API keys: the table sp4n_api_keys holds the keys of ``sp4n serve``, stored hashed.

Each key is bound to the agencies and roles it may act for; a revoked key keeps its row (with
``revoked_at``) so that the events it caused still name a key that can be looked up.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sp4n_api_keys."""
    op.create_table(
        "sp4n_api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sp4n_api_keys"),
    )


def downgrade() -> None:
    """Drop sp4n_api_keys."""
    op.drop_table("sp4n_api_keys")
