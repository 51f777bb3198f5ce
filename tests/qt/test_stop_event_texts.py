"""The Events view's sentences of the automatic stop events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from leanops_desktop.core.rows import EventRow
from leanops_desktop.qt.models.event_table_model import event_text
from leanops_desktop.qt.models.time_text import local

STARTED = datetime(2026, 12, 4, 13, 25, tzinfo=UTC)
AT = f"{local(STARTED):%H:%M}"
REPORTED = datetime(2026, 12, 4, 13, 40, tzinfo=UTC)
REPORT_AT = f"{local(REPORTED):%H:%M}"


def event(kind: str, meta: dict[str, Any], station: str | None = "ST-02") -> EventRow:
    return EventRow(
        id=uuid4(),
        event_type=kind,
        station_id=station,
        job_id=None,
        actor="sam@plant.test",
        meta=meta,
        timestamp=datetime(2026, 12, 4, 14, 0, tzinfo=UTC),
    )


CASES = [
    (event("stop_detected", {"stop_id": "1", "started_at": STARTED.isoformat(),
                             "quiet_minutes": 20}),
     f"Station ST-02 stopped unexplained at {AT} (no report for 20 min)"),
    (event("stop_classified", {"stop_id": "1", "reason_id": "maintenance/spindle",
                               "previous_reason_id": None, "minutes": 35.4}),
     "Stop of 35 min on station ST-02 classified as maintenance/spindle"),
    (event("stop_classified", {"stop_id": "1", "reason_id": "break",
                               "previous_reason_id": "maintenance/spindle", "minutes": 35}),
     "Stop of 35 min on station ST-02 re-classified from maintenance/spindle to break"),
    (event("stop_withdrawn", {"stop_id": "1", "started_at": "2026-12-04 13:25:00.000000",
                              "report_at": REPORTED.isoformat(), "quiet_minutes": 20}),
     f"Unexplained stop from {AT} on station ST-02 withdrawn: a report at {REPORT_AT} shows"
     " it was working"),
    (event("stop_limit_changed", {"kind": "plant", "key": "", "old": 20, "new": 15}, None),
     "Stop detection for the plant: 15 min (was 20 min)"),
    (event("stop_limit_changed", {"kind": "line", "key": "Line A",  # as PostgreSQL writes it
                                  "old": {"quiet_minutes": 20}, "new": {"quiet_minutes": 30}},
           None),
     "Stop detection for line Line A: 30 min (was 20 min)"),
    (event("stop_limit_changed", {"kind": "line", "key": "Line A", "old": None, "new": 0}, None),
     "Stop detection for line Line A: off"),
    (event("stop_limit_changed", {"kind": "station", "key": "ST-07", "old": 30, "new": None},
           None),
     "Stop detection for station ST-07 follows the line again (was 30 min)"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "text"), CASES, ids=[row.event_type for row, _ in CASES])
def test_stop_events_read_as_sentences(row: EventRow, text: str) -> None:
    assert event_text(row) == text  # as the Events view shows it
