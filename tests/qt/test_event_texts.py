"""The Events dock speaks in sentences and says how many events it shows of how many."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType
from leanops_desktop.core.rows import EventRow
from leanops_desktop.core.stops import StopEvent
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.docks import EventsDock
from leanops_desktop.qt.models import EventTableModel
from leanops_desktop.qt.models.event_table_model import event_text
from leanops_desktop.qt.models.event_text import SENTENCES
from leanops_desktop.qt.models.row_filter import RowFilter
from leanops_desktop.qt.window.floor_views import EVENTS_LOADED
from leanops_desktop.services.reads import history
from tests.qt.conftest import RecordingMessages
from tests.qt.window_helpers import open_window

WHO = {"actor": "sam@plant.test", "role": "supervisor"}


def event(
    kind: EventType | str,
    meta: dict[str, Any],
    station: str | None = None,
    job: str | None = None,
    minute: int = 0,
) -> EventRow:
    return EventRow(
        id=uuid4(),
        event_type=str(kind),
        station_id=station,
        job_id=job,
        actor="sam@plant.test",
        meta={**WHO, **meta},
        timestamp=datetime(2026, 12, 4, 10, minute, tzinfo=UTC),
    )


#: Each event type with the meta its service (or database function) writes.
CASES: list[tuple[EventRow, str]] = [
    (
        event(EventType.STATION_CREATED, {"new": {"name": "Mill", "line": "Line B",
              "is_active": True}}, "ST-07"),
        "Station ST-07 created: “Mill” on Line B",
    ),
    (
        event(EventType.STATION_UPDATED, {"old": {"name": "Mill"}, "new": {"name": "Mill 2"}},
              "ST-07"),
        "Station ST-07 renamed from “Mill” to “Mill 2”",
    ),
    (
        event(EventType.STATION_ACTIVATED, {"old": {"is_active": False, "status": "idle"},
              "new": {"is_active": True, "status": "idle"}}, "ST-09"),
        "Station ST-09 activated",
    ),
    (
        event(EventType.STATION_DEACTIVATED, {"old": {"is_active": True, "status": "idle"},
              "new": {"is_active": False, "status": "idle"}}, "ST-09"),
        "Station ST-09 deactivated (not in use)",
    ),
    (
        event(EventType.STATION_BLOCKED, {"old": {"status": "running"},
              "new": {"status": "blocked"}, "reason": "tooling: worn punch"}, "ST-05", "JOB-7"),
        "Station ST-05 blocked: tooling: worn punch (job JOB-7 paused)",
    ),
    (
        event(EventType.STATION_UNBLOCKED, {"old": {"status": "blocked", "reason": "tooling"},
              "new": {"status": "running"}}, "ST-05", "JOB-7"),
        "Station ST-05 resumed after tooling; now running",
    ),
    (
        event(EventType.JOB_CREATED, {"new": {"part_name": "Axle spacer", "qty_total": 1200,
              "due_date": "2026-12-07", "priority": "high"}}, job="JOB-7"),
        "Job JOB-7 created: 1,200 × Axle spacer, due 2026-12-07, high priority",
    ),
    (
        event(EventType.JOB_UPDATED, {"old": {"qty_total": 500, "priority": "normal"},
              "new": {"qty_total": 800, "priority": "high"}}, job="JOB-7"),
        "Job JOB-7 changed: quantity from 500 to 800; priority from normal to high",
    ),
    (
        event(EventType.JOB_ASSIGNED, {"old": {"job_status": "waiting", "station_status": "idle"},
              "new": {"job_status": "running", "station_status": "running"},
              "assignment_id": str(uuid4())}, "ST-03", "JOB-7"),
        "Job JOB-7 assigned to station ST-03",
    ),
    (
        event(EventType.JOB_UNASSIGNED, {"old": {"job_status": "running"},
              "new": {"job_status": "waiting", "station_status": "idle"}, "qty_done": 120},
              "ST-03", "JOB-7"),
        "Job JOB-7 taken off station ST-03 with 120 made there; job now waiting",
    ),
    (
        event(EventType.JOB_MOVED, {"old": {"station_id": "ST-01"},
              "new": {"station_id": "ST-02"}, "qty_done_at_source": 120,
              "assignment_id": str(uuid4())}, "ST-02", "JOB-7"),
        "Job JOB-7 moved from station ST-01 to ST-02 (120 made on ST-01)",
    ),
    (
        event(EventType.JOB_COMPLETED, {"old": {"job_status": "running", "stations": ["ST-02"]},
              "new": {"job_status": "completed"}, "qty_done": 980, "qty_total": 1000,
              "short_by": 20}, "ST-02", "JOB-7"),
        "Job JOB-7 completed: 980 of 1,000 made (20 short)",
    ),
    (
        event(EventType.QTY_REPORTED, {"new": {"qty": 12, "job_qty_done": 1593},
              "log_id": str(uuid4()), "over_reported": False,
              "reported_by": "olga@plant.test"}, "ST-03", "JOB-7"),
        "12 reported on station ST-03 for job JOB-7 (job at 1,593), by olga@plant.test",
    ),
    (
        event(EventType.QTY_CORRECTED, {"old": {"qty": 12}, "new": {"qty": 0},
              "log_id": str(uuid4()), "corrects_id": str(uuid4())}, "ST-03", "JOB-7"),
        "Report of 12 on station ST-03 for job JOB-7 taken back",
    ),
    (
        event(EventType.QTY_REPORT_REFUSED, {"reason": "the job was moved", "kind": "report",
              "qty": 5, "operator": "olga@plant.test", "report_id": str(uuid4()),
              "reported_at": "2026-12-04T10:00:00+00:00", "refusal_code": "job_moved"},
              "ST-03", "JOB-7"),
        "Report of 5 on station ST-03 for job JOB-7 refused: the job was moved "
        "(tapped by olga@plant.test)",
    ),
    (
        event(EventType.USER_CREATED, {"new": {"email": "olga@plant.test", "role": "operator"}}),
        "User olga@plant.test created as operator",
    ),
    (
        event(EventType.USER_ROLE_CHANGED, {"old": {"email": "olga@plant.test",
              "role": "operator"}, "new": {"email": "olga@plant.test", "role": "supervisor"}}),
        "User olga@plant.test: role changed from operator to supervisor",
    ),
    (
        event(EventType.USER_DISABLED, {"old": {"email": "olga@plant.test", "is_active": True},
              "new": {"email": "olga@plant.test", "is_active": False}}),
        "User olga@plant.test disabled",
    ),
    (
        event(EventType.USER_ENABLED, {"old": {"email": "olga@plant.test", "is_active": False},
              "new": {"email": "olga@plant.test", "is_active": True}}),
        "User olga@plant.test enabled",
    ),
    (
        event(EventType.USER_PASSWORD_RESET, {"new": {"email": "olga@plant.test"}}),
        "Password of olga@plant.test reset",
    ),
    (
        event(EventType.KIOSK_ENROLLED, {"new": {"device": "kiosk-st07-1a2b@plant",
              "station": "ST-07"}}, "ST-07"),
        "Kiosk of station ST-07 enrolled (login kiosk-st07-1a2b@plant)",
    ),
    (
        event(EventType.KIOSK_REVOKED, {"old": {"device": "kiosk-st07-1a2b@plant",
              "station": "ST-07"}}, "ST-07"),
        "Kiosk of station ST-07 revoked (login kiosk-st07-1a2b@plant)",
    ),
    (
        event(EventType.OPERATOR_PIN_SET, {"new": {"email": "olga@plant.test"}}),
        "Kiosk PIN of olga@plant.test set",
    ),
    (
        event(EventType.OPERATOR_PIN_CLEARED, {"new": {"email": "olga@plant.test"}}),
        "Kiosk PIN of olga@plant.test cleared",
    ),
    (
        event(EventType.OPERATOR_BADGE_SET, {"new": {"email": "olga@plant.test"}}),
        "Badge of olga@plant.test set",
    ),
    (
        event(EventType.OPERATOR_BADGE_CLEARED, {"new": {"email": "olga@plant.test"}}),
        "Badge of olga@plant.test cleared",
    ),
    (
        event(EventType.OPERATOR_LOCKED, {"email": "olga@plant.test", "failed_attempts": 10},
              "ST-07"),
        "Kiosk sign-in of olga@plant.test locked after 10 wrong PINs at station ST-07",
    ),
    (
        event(EventType.BOARD_ENROLLED, {"new": {"board": "board-9f3c@plant"}}),
        "Production board enrolled (login board-9f3c@plant)",
    ),
    (
        event(EventType.ANDON_ACKNOWLEDGED, {"key": "blocked:ST-07:1", "rule": "blocked",
              "alert": "ST-07 blocked for 12 min (material)"}, "ST-07"),
        "Alert acknowledged: ST-07 blocked for 12 min (material)",
    ),
    (
        event(EventType.SCRAP_REPORTED, {"log_id": "5b0c", "qty": 3, "reason": "quality/surface",
              "category": "quality", "device": "kiosk-st07@plant"}, "ST-07", "J-07"),
        "3 scrapped on station ST-07 for job J-07 (quality/surface), at the kiosk by "
        "sam@plant.test",
    ),
    (
        event(EventType.SCRAP_CORRECTED, {"log_id": "6c1d", "corrects_id": "5b0c", "qty": -3,
              "reason": "quality/surface"}, "ST-07", "J-07"),
        "Scrap report of 3 on station ST-07 for job J-07 taken back",
    ),
    (
        event(EventType.DOWNTIME_REASON_SAVED, {"reason": "maintenance/spindle", "old": None,
              "new": {"parent_id": "maintenance", "name": "Spindle",
                      "category": "unplanned_stop", "is_active": True}}),
        "Downtime reason “Spindle” added under maintenance (unplanned stop)",
    ),
    (
        event(EventType.SHIFT_SAVED, {"shift": "1", "new": {"name": "Early",
              "start_minute": 360, "end_minute": 840, "days": "12345",
              "breaks": [{"name": "lunch", "offset_minutes": 240, "duration_minutes": 30}]}}),
        "Shift “Early” saved: 06:00–14:00 on days 12345, 1 break",
    ),
    (
        event(EventType.NON_WORKING_DAY_SET, {"day": "2026-12-25", "off": True,
              "note": "Christmas"}),
        "2026-12-25 set as a non-working day (Christmas)",
    ),
]  # fmt: skip


def test_every_event_type_has_a_sentence() -> None:
    stop_kinds = {kind.value for kind in StopEvent}  # their cases: test_stop_event_texts.py
    assert set(SENTENCES) == {kind.value for kind in EventType} | stop_kinds
    assert {row.event_type for row, _text in CASES} == {kind.value for kind in EventType}


@pytest.mark.parametrize(("row", "text"), CASES, ids=[row.event_type for row, _ in CASES])
def test_event_details_are_sentences(row: EventRow, text: str) -> None:
    assert event_text(row) == text


def test_reason_and_calendar_changes_read_as_changes() -> None:
    retired = event(EventType.DOWNTIME_REASON_SAVED, {"reason": "quality/burr",
                    "old": {"parent_id": "quality", "name": "Burr", "category": "quality",
                            "is_active": True},
                    "new": {"parent_id": "quality", "name": "Burr", "category": "quality",
                            "is_active": False}})
    renamed = event(EventType.DOWNTIME_REASON_SAVED, {"reason": "quality/burr",
                    "old": {"parent_id": "quality", "name": "Burr", "category": "quality",
                            "is_active": True},
                    "new": {"parent_id": "quality", "name": "Burrs", "category": "quality",
                            "is_active": True}})
    worked = event(EventType.NON_WORKING_DAY_SET, {"day": "2026-12-24", "off": False, "note": ""})
    ideal = event(EventType.JOB_UPDATED, {"old": {"ideal_cycle_s": 30.0},
                  "new": {"ideal_cycle_s": 42.5}}, job="J-07")
    assert event_text(retired) == "Downtime reason “Burr” retired"
    assert event_text(renamed) == "Downtime reason quality/burr changed: name from Burr to Burrs"
    assert event_text(worked) == "2026-12-24 is a working day again"
    assert event_text(ideal) == "Job J-07 changed: ideal cycle time (s) from 30 to 42.5"


def test_an_unknown_event_type_lists_its_values() -> None:
    row = event("something_new", {"new": {"colour": "red"}})
    assert event_text(row) == "colour: red"


def test_the_demo_plant_events_read_as_sentences(demo_db: Database) -> None:
    with demo_db.session() as session:
        rows = history.list_events(session, limit=100_000)
    assert {row.event_type for row in rows} >= {"qty_reported", "station_blocked"}
    for row in rows:
        text = event_text(row)
        assert text and "→" not in text and "True" not in text and "False" not in text, text


def test_the_count_says_latest_of_all(qtbot: QtBot) -> None:
    model = EventTableModel(max_rows=3)
    dock = EventsDock(model)
    qtbot.addWidget(dock)
    model.set_rows(
        [event(EventType.STATION_ACTIVATED, {}, f"ST-0{i}", minute=i) for i in (1, 2, 3)]
    )
    assert dock.count_label.text() == "3 events"
    model.set_stored_total(13_261)
    assert dock.count_label.text() == "latest 3 of 13,261 events"
    model.upsert_rows([event(EventType.STATION_DEACTIVATED, {}, "ST-04", minute=9)])
    assert dock.count_label.text() == "latest 3 of 13,262 events"
    dock.set_row_filter(RowFilter(event_type="station_deactivated"))
    assert dock.count_label.text() == "1 shown · latest 3 of 13,262 events"


def test_the_window_counts_the_events_in_the_database(
    qtbot: QtBot, demo_db: Database, supervisor: Actor, messages: RecordingMessages
) -> None:
    with demo_db.session() as session:
        stored = history.count_events(session)
    window = open_window(qtbot, demo_db, supervisor, messages)
    label = window.docks["events"].count_label.text()
    if stored > EVENTS_LOADED:
        assert label == f"latest {EVENTS_LOADED:,} of {stored:,} events"
    else:
        assert label == f"{stored:,} events"
    window.close()
