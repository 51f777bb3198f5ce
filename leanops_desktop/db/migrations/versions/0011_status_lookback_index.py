"""An index for the status timeline's look-back: events_log (station_id, event_type, timestamp).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The performance view starts each station's timeline from its newest block, activation and
job events before the range. With only ``(station_id, timestamp)`` to go by, finding the
newest event of a rare kind (an activation, a job assignment on a station that keeps one job
for weeks) walked back through every block and report event of the station's history: on a
year of a 50-station floor about 40 ms per look-back, growing with the history. With the
event type in the index each look-back is one short backward index scan per kind.

The index holds no data of its own and needs no grants; it is built like every index of the
schema (owned with its table).
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "ix_events_log_station_id_event_type_timestamp"


def upgrade() -> None:
    op.create_index(NAME, "events_log", ["station_id", "event_type", "timestamp"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="events_log")
