"""A report can be taken back once: a unique index on performance_logs.corrects_id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

The index also makes the "already taken back" check an index lookup instead of a scan.
NULLs are distinct in unique indexes on both backends, so ordinary reports are unaffected.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_performance_logs_corrects_id", "performance_logs", ["corrects_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_performance_logs_corrects_id", table_name="performance_logs")
