"""Report facts, one row per complaint: what KPI reports filter, split and group by.

Since 0013 each change that reaches a milestone or changes a column reports split by also
rewrites the complaint's row of sp4n_report_facts (receipt instant, zone, state, agency, ...;
working days to each step, the steps reached, who verified and who first followed up) from the
stored complaint and milestones, in the same transaction, so a report reads one narrow row per
complaint of its period instead of the complaints' rows and every milestone ever written
(:mod:`sp4n.persistence.report_facts`). The rows of the complaints already stored are folded
here.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.report_facts import backfill_report_facts
from sp4n.persistence.tables import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table, fold every complaint into it, then index it."""
    op.create_table(
        "sp4n_report_facts",
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("submitted_at", UtcDateTime, nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("agency", sa.String(128)),
        sa.Column("category", sa.String(64)),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("classification", sa.String(64)),
        sa.Column("sop_id", sa.String(64), nullable=False),
        sa.Column("verified_days", sa.Integer()),
        sa.Column("distributed_days", sa.Integer()),
        sa.Column("followed_up_days", sa.Integer()),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.Column("referred", sa.Integer(), nullable=False),
        sa.Column("replied", sa.Integer(), nullable=False),
        sa.Column("closed_by_system", sa.Integer(), nullable=False),
        sa.Column("verified_any", sa.Integer(), nullable=False),
        sa.Column("verified_by", sa.String(128)),
        sa.Column("followed_up_by", sa.String(128)),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            ondelete="CASCADE",
            name="fk_sp4n_report_facts_complaint_id_sp4n_complaints",
        ),
        sa.PrimaryKeyConstraint("complaint_id", name="pk_sp4n_report_facts"),
    )
    backfill_report_facts(op.get_bind())
    op.create_index("ix_sp4n_report_facts_zone_submitted_at", "sp4n_report_facts", ["zone", "submitted_at"])


def downgrade() -> None:
    """Drop the table (the milestones it came from stay)."""
    op.drop_table("sp4n_report_facts")
