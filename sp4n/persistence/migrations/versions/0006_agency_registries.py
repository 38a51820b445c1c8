"""Agency registries: the table sp4n_agency_registries keeps each version of the agency tree.

The active version is named in sp4n_active (kind "agencies"), as the active calendar is, so
every process scopes, routes and zones complaints on the same registry.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sp4n_agency_registries."""
    op.create_table(
        "sp4n_agency_registries",
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_sp4n_agency_registries"),
    )


def downgrade() -> None:
    """Drop sp4n_agency_registries."""
    op.drop_table("sp4n_agency_registries")
