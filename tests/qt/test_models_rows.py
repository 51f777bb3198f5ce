"""RowTableModel behaviour (through the job and station models), with no widget built:
the exact signals of upsert/remove, sorting and filtering in the model."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from leanops_desktop.core.enums import JobStatus, Priority, StationStatus
from leanops_desktop.core.rows import JobRow, StationRow
from leanops_desktop.qt.models import JobTableModel, RowFilter, RowTableModel, StationTableModel
from leanops_desktop.qt.models import job_table_model as jobcols
from leanops_desktop.qt.models import station_table_model as stationcols

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.astimezone().date()
ASC = Qt.SortOrder.AscendingOrder
DESC = Qt.SortOrder.DescendingOrder


def job(
    number: int,
    *,
    due: int = 0,
    part: str = "Bracket",
    priority: str = "normal",
    status: str = "waiting",
    done: int = 0,
    total: int = 100,
) -> JobRow:
    return JobRow(
        id=f"JOB-{number:04d}",
        part_name=part,
        qty_total=total,
        due_date=TODAY + timedelta(days=due),
        priority=Priority(priority),
        status=JobStatus(status),
        created_at=NOW - timedelta(minutes=number),
        qty_done=done,
    )


def station(
    station_id: str, line: str = "Line A", status: str = "idle", active: bool = True
) -> StationRow:
    return StationRow(
        id=station_id,
        name=f"Station {station_id}",
        line=line,
        status=StationStatus(status),
        is_active=active,
        created_at=NOW,
        blocked_reason="tooling" if status == "blocked" else None,
    )


class SignalLog:
    """Records every structural signal of a model as a tuple."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.events: list[tuple[Any, ...]] = []
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.dataChanged.connect(
            lambda top, bottom, _roles=(): self.events.append(("changed", top.row(), bottom.row()))
        )
        model.rowsInserted.connect(
            lambda _parent, first, last: self.events.append(("inserted", first, last))
        )
        model.rowsRemoved.connect(
            lambda _parent, first, last: self.events.append(("removed", first, last))
        )
        model.rowsMoved.connect(
            lambda _p, start, end, _d, row: self.events.append(("moved", start, end, row))
        )
        model.layoutChanged.connect(lambda *_args: self.events.append(("layout",)))

    def clear(self) -> None:
        self.events.clear()


def ids(model: RowTableModel[Any]) -> list[str]:
    return [model.row_at(number).key for number in range(model.rowCount())]


def jobs_model(rows: list[JobRow]) -> JobTableModel:
    model = JobTableModel(clock=lambda: NOW)
    model.set_rows(rows)
    return model


# -- basics ---------------------------------------------------------------------------------


def test_roles_columns_and_lookup_by_key(qapp: object) -> None:
    model = jobs_model([job(1), job(2, due=3)])
    assert model.SortRole == int(Qt.ItemDataRole.UserRole) + 1
    assert model.RowRole == int(Qt.ItemDataRole.UserRole) + 2
    assert model.columnCount() == len(JobTableModel.headers()) == 8
    assert model.headerData(jobcols.COL_DUE, Qt.Orientation.Horizontal) == "Due"
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no children
    index = model.index(1, jobcols.COL_DUE)
    assert index.data(model.RowRole) == job(2, due=3)
    assert index.data(model.SortRole) == (TODAY + timedelta(days=3)).toordinal()
    assert model.row_for_key("JOB-0002") == job(2, due=3)
    assert model.row_for_key("JOB-9999") is None
    assert model.index_for_key("JOB-0002").row() == 1
    assert model.keys() == ["JOB-0001", "JOB-0002"]


def test_set_rows_is_one_reset(qapp: object) -> None:
    model = JobTableModel(clock=lambda: NOW)
    log = SignalLog(model)
    model.set_rows([job(n) for n in range(5)])
    assert log.events == [("reset",)]
    assert model.rowCount() == 5


# -- upsert and remove: exactly one signal per changed row -----------------------------------


def test_upsert_changed_row_emits_one_data_changed(qapp: object) -> None:
    model = jobs_model([job(n) for n in range(5)])
    log = SignalLog(model)
    model.upsert_rows([job(2, done=40)])
    assert log.events == [("changed", 2, 2)]
    assert model.row_at(2).qty_done == 40
    assert model.index(2, jobcols.COL_PROGRESS).data() == "40 / 100"


def test_upsert_unchanged_row_emits_nothing(qapp: object) -> None:
    model = jobs_model([job(n) for n in range(5)])
    log = SignalLog(model)
    model.upsert_rows([job(3)])
    assert log.events == []


def test_upserting_several_rows_emits_one_signal_each(qapp: object) -> None:
    model = jobs_model([job(n) for n in range(5)])
    log = SignalLog(model)
    model.upsert_rows([job(1, done=5), job(7), job(3, done=9), job(8)])
    assert log.events == [
        ("changed", 1, 1),
        ("inserted", 5, 5),
        ("changed", 3, 3),
        ("inserted", 6, 6),
    ]
    assert model.rowCount() == 7


def test_remove_keys_one_remove_per_shown_row(qapp: object) -> None:
    model = jobs_model([job(n, part="Hinge" if n % 2 else "Bracket") for n in range(6)])
    model.set_text_filter("hinge")  # shows JOB-0001, 0003, 0005
    log = SignalLog(model)
    model.remove_keys(["JOB-0003", "JOB-0002", "JOB-9999", "JOB-0005"])
    assert log.events == [("removed", 1, 1), ("removed", 1, 1)]
    assert ids(model) == ["JOB-0001"]
    assert model.row_for_key("JOB-0002") is None  # hidden rows are forgotten too
    assert model.total_count() == 3


# -- sorting ------------------------------------------------------------------------------


def test_sort_by_due_date_in_both_orders(qapp: object) -> None:
    model = jobs_model([job(1, due=5), job(2, due=-2), job(3, due=9), job(4, due=0)])
    log = SignalLog(model)
    model.sort(jobcols.COL_DUE, ASC)
    assert ids(model) == ["JOB-0002", "JOB-0004", "JOB-0001", "JOB-0003"]
    model.sort(jobcols.COL_DUE, DESC)
    assert ids(model) == ["JOB-0003", "JOB-0001", "JOB-0004", "JOB-0002"]
    assert log.events == [("layout",), ("layout",)]
    assert (model.sort_column(), model.sort_order()) == (jobcols.COL_DUE, DESC)


def test_priority_column_sorts_high_first_then_by_due_date(qapp: object) -> None:
    model = jobs_model(
        [
            job(1, due=1),
            job(2, due=5, priority="high"),
            job(3, due=0),
            job(4, due=2, priority="high"),
        ]
    )
    model.sort(jobcols.COL_PRIORITY, ASC)
    assert ids(model) == ["JOB-0004", "JOB-0002", "JOB-0003", "JOB-0001"]


def test_sort_keeps_persistent_indexes_on_their_rows(qapp: object) -> None:
    model = jobs_model([job(1, due=5), job(2, due=-2), job(3, due=9)])
    persistent = QPersistentModelIndex(model.index(0, jobcols.COL_PART))  # JOB-0001
    model.sort(jobcols.COL_DUE, DESC)
    assert persistent.row() == model.row_number("JOB-0001") == 1
    assert persistent.column() == jobcols.COL_PART
    model.set_text_filter("JOB-0003")  # filters JOB-0001 out
    assert not persistent.isValid()


def test_sort_column_minus_one_restores_arrival_order(qapp: object) -> None:
    model = jobs_model([job(3, due=1), job(1, due=3), job(2, due=2)])
    model.sort(jobcols.COL_ID, ASC)
    assert ids(model) == ["JOB-0001", "JOB-0002", "JOB-0003"]
    model.sort(-1, ASC)
    assert ids(model) == ["JOB-0003", "JOB-0001", "JOB-0002"]


def test_station_ids_sort_naturally(qapp: object) -> None:
    model = StationTableModel(clock=lambda: NOW)
    model.set_rows([station("ST-10"), station("ST-2"), station("ST-1")])
    model.sort(stationcols.COL_ID, ASC)
    assert ids(model) == ["ST-1", "ST-2", "ST-10"]


# -- filtering ----------------------------------------------------------------------------


def test_text_filter_matches_every_word_case_insensitively(qapp: object) -> None:
    model = jobs_model(
        [
            job(1, part="Hinge plate"),
            job(2, part="Hinge bolt"),
            job(3, part="Plate", priority="high"),
        ]
    )
    log = SignalLog(model)
    model.set_text_filter("HINGE")
    assert ids(model) == ["JOB-0001", "JOB-0002"]
    model.set_text_filter("plate hinge")
    assert ids(model) == ["JOB-0001"]
    model.set_text_filter("  plate  high ")
    assert ids(model) == ["JOB-0003"]
    model.set_text_filter("")
    assert model.rowCount() == 3
    assert log.events == [("layout",)] * 4
    assert "reset" not in [event[0] for event in log.events]


def test_filter_keeps_the_sort_order(qapp: object) -> None:
    model = jobs_model(
        [job(n, due=(n * 7) % 11, part="Hinge" if n % 3 else "Bolt") for n in range(12)]
    )
    model.sort(jobcols.COL_DUE, DESC)
    model.set_text_filter("hinge")
    dues = [model.row_at(n).due_date for n in range(model.rowCount())]
    assert dues == sorted(dues, reverse=True)
    assert all(model.row_at(n).part_name == "Hinge" for n in range(model.rowCount()))
    model.set_text_filter("")
    dues = [model.row_at(n).due_date for n in range(model.rowCount())]
    assert len(dues) == 12 and dues == sorted(dues, reverse=True)


def test_job_field_filters(qapp: object) -> None:
    rows = [
        job(1, due=-3, status="waiting"),
        job(2, due=-1, status="completed"),
        job(3, due=2, status="running", priority="high"),
        job(4, due=6, status="waiting"),
        job(5, due=30, status="waiting", priority="high"),
    ]
    model = jobs_model(rows)
    model.set_filter(RowFilter(status="waiting"))
    assert ids(model) == ["JOB-0001", "JOB-0004", "JOB-0005"]
    model.set_filter(RowFilter(status=jobcols.OPEN_STATUS))
    assert ids(model) == ["JOB-0001", "JOB-0003", "JOB-0004", "JOB-0005"]
    model.set_filter(RowFilter(priority="high"))
    assert ids(model) == ["JOB-0003", "JOB-0005"]
    # Unfinished work due within N days, overdue included; a completed job never counts.
    model.set_filter(RowFilter(due_within_days=0))
    assert ids(model) == ["JOB-0001"]
    model.set_filter(RowFilter(due_within_days=7))
    assert ids(model) == ["JOB-0001", "JOB-0003", "JOB-0004"]
    model.set_filter(RowFilter(due_within_days=7, priority="high", text="job-0003"))
    assert ids(model) == ["JOB-0003"]


def test_station_field_filters(qapp: object) -> None:
    model = StationTableModel(clock=lambda: NOW)
    model.set_rows(
        [
            station("ST-01", "Line A", "running"),
            station("ST-02", "Line A", "blocked"),
            station("ST-03", "Line B", "idle"),
            station("ST-04", "Line B", "idle", active=False),
        ]
    )
    model.set_filter(RowFilter(line="Line B"))
    assert ids(model) == ["ST-03", "ST-04"]
    model.set_filter(RowFilter(status="idle"))
    assert ids(model) == ["ST-03"]  # the inactive one is "not in use", not idle
    model.set_filter(RowFilter(status="inactive"))
    assert ids(model) == ["ST-04"]
    model.set_filter(RowFilter(text="tooling"))  # blocked reason is searchable
    assert ids(model) == ["ST-02"]
    assert model.lines() == ["Line A", "Line B"]


# -- upserts into a sorted and filtered model -----------------------------------------------


def test_upsert_respects_filter_and_sort(qapp: object) -> None:
    model = jobs_model(
        [job(1, due=1, part="Hinge"), job(2, due=5, part="Hinge"), job(3, due=3, part="Bolt")]
    )
    model.sort(jobcols.COL_DUE, ASC)
    model.set_text_filter("hinge")
    assert ids(model) == ["JOB-0001", "JOB-0002"]
    log = SignalLog(model)

    model.upsert_rows([job(4, due=3, part="Hinge")])  # new, matching: at its sorted place
    assert log.events == [("inserted", 1, 1)]
    assert ids(model) == ["JOB-0001", "JOB-0004", "JOB-0002"]

    log.clear()
    model.upsert_rows([job(5, due=0, part="Bolt")])  # new, not matching: kept, not shown
    assert log.events == []
    assert model.row_for_key("JOB-0005") is not None
    assert model.total_count() == 5

    log.clear()
    model.upsert_rows([job(1, due=1, part="Bolt")])  # no longer matches: disappears
    assert log.events == [("removed", 0, 0)]
    assert ids(model) == ["JOB-0004", "JOB-0002"]

    log.clear()
    model.upsert_rows([job(3, due=3, part="Hinge")])  # now matches: appears, sorted
    assert log.events == [("inserted", 1, 1)]
    assert ids(model) == ["JOB-0004", "JOB-0003", "JOB-0002"]

    log.clear()
    model.upsert_rows([job(2, due=-1, part="Hinge")])  # sort value changed: moved + changed
    assert log.events == [("moved", 2, 2, 0), ("changed", 0, 0)]
    assert ids(model) == ["JOB-0002", "JOB-0004", "JOB-0003"]

    log.clear()
    model.upsert_rows([job(4, due=3, part="Hinge", done=50)])  # same sort value: in place
    assert log.events == [("changed", 1, 1)]

    model.set_text_filter("")
    shown = ids(model)
    assert shown[:3] == ["JOB-0002", "JOB-0005", "JOB-0001"]
    assert set(shown[3:]) == {"JOB-0003", "JOB-0004"}  # equal due dates: either order


def test_upsert_in_descending_order_and_after_removals(qapp: object) -> None:
    model = jobs_model([job(n, due=n) for n in range(1, 40)])
    model.sort(jobcols.COL_DUE, DESC)
    model.remove_keys(["JOB-0039", "JOB-0020", "JOB-0001"])
    model.upsert_rows([job(100, due=20), job(101, due=0), job(102, due=50), job(5, due=45)])
    dues = [model.row_at(n).due_date for n in range(model.rowCount())]
    assert dues == sorted(dues, reverse=True)
    for number in range(model.rowCount()):  # row numbers by key stay right after all this
        assert model.row_number(model.row_at(number).key) == number


def test_clearing_a_filter_after_changes_keeps_the_order_right(qapp: object) -> None:
    """Showing rows again reuses the sorted order only while no sort value has changed."""
    model = jobs_model([job(n, due=n % 7, part="Hinge" if n % 2 else "Bolt") for n in range(40)])
    model.sort(jobcols.COL_DUE, ASC)
    model.set_text_filter("hinge")
    model.upsert_rows([job(2, due=6, part="Bolt", done=3)])  # hidden, sort value changed
    model.upsert_rows([job(4, due=4, part="Bolt", done=9)])  # hidden, progress only
    model.upsert_rows([job(41, due=-1, part="Bolt")])  # new and hidden
    model.remove_keys(["JOB-0006"])
    model.set_text_filter("")
    dues = [model.row_at(n).due_date for n in range(model.rowCount())]
    assert len(dues) == 40 and dues == sorted(dues)
    assert model.row_at(0).id == "JOB-0041"
    assert model.row_for_key("JOB-0004").qty_done == 9  # type: ignore[union-attr]
    model.set_text_filter("bolt")
    model.upsert_rows([job(8, due=5, part="Bolt", done=1)])  # shown, moves to its place
    model.set_text_filter("")
    dues = [model.row_at(n).due_date for n in range(model.rowCount())]
    assert len(dues) == 40 and dues == sorted(dues)
    for number in range(model.rowCount()):
        assert model.row_number(model.row_at(number).key) == number


def test_model_stays_consistent_for_qt(
    qapp: object, qtlog: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    """Qt's model tester checks every signal against rowCount/data (it prints "FAIL!")."""
    model = JobTableModel(clock=lambda: NOW)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    model.set_rows([job(n, due=n % 5, part="Hinge" if n % 2 else "Bolt") for n in range(30)])
    model.sort(jobcols.COL_DUE, DESC)
    model.set_text_filter("hinge")
    model.upsert_rows(
        [job(3, due=4, part="Hinge"), job(40, due=2, part="Hinge"), job(5, part="Bolt")]
    )
    model.remove_keys(["JOB-0007", "JOB-0040"])
    model.set_filter(RowFilter(priority="normal"))
    model.sort(-1, ASC)
    model.refresh_clock(NOW + timedelta(days=1))
    assert tester is not None
    assert [record.message for record in qtlog.records if "FAIL!" in record.message] == []
    assert "FAIL!" not in capfd.readouterr().err
    assert model.rowCount() == 29


def test_prepared_rows_give_the_same_model(qapp: object) -> None:
    rows = [job(n, part="Hinge" if n % 2 else "Bolt") for n in range(10)]
    prepared = JobTableModel.prepare_rows(rows)
    assert prepared.search["JOB-0001"] == JobTableModel.search_text(rows[1])
    first, second = jobs_model([]), jobs_model([])
    for model in (first, second):
        model.set_text_filter("hinge")
    first.set_rows(rows)
    second.set_rows(prepared)
    assert ids(first) == ids(second) == [f"JOB-{n:04d}" for n in range(1, 10, 2)]


def test_invalid_index_has_no_data(qapp: object) -> None:
    model = jobs_model([job(1)])
    assert model.data(QModelIndex()) is None
    assert model.index(5, 0).data() is None
    assert model.data(model.index(0, 0), int(Qt.ItemDataRole.UserRole) + 99) is None


@pytest.mark.parametrize("column", range(len(JobTableModel.headers())))
def test_every_job_column_sorts(qapp: object, column: int) -> None:
    rows = [
        dataclasses.replace(job(n, due=n % 4, done=n * 3), station_ids=(f"ST-{n % 3}",))
        for n in range(1, 9)
    ]
    model = jobs_model(rows)
    model.sort(column, ASC)
    values = [model.index(n, column).data(model.SortRole) for n in range(model.rowCount())]
    assert values == sorted(values)


@pytest.mark.parametrize("sort", [(-1, ASC), (jobcols.COL_DUE, DESC), (jobcols.COL_DUE, ASC)])
def test_row_numbers_stay_right_through_inserts_removes_and_moves(
    qapp: object, sort: tuple[int, Qt.SortOrder]
) -> None:
    """Lookups after many single-row changes (found near a stale number, at the end, or by
    re-indexing) always give the row's real number: checked against the shown keys."""
    import random

    rng = random.Random(7)
    model = JobTableModel(clock=lambda: NOW)
    model.sort(*sort)
    model.set_rows([job(number, due=number % 9) for number in range(1, 301)])
    next_number = 301
    for _step in range(400):
        action = rng.random()
        if action < 0.4:
            model.upsert_rows([job(next_number, due=rng.randrange(-3, 12))])
            next_number += 1
        elif action < 0.7:
            keys = model.keys()
            # Mostly the oldest rows (at one end), sometimes any row.
            victims = keys[:3] if rng.random() < 0.5 else keys[-3:]
            model.remove_keys([rng.choice(keys)] if rng.random() < 0.3 else victims)
        else:
            key = rng.choice(model.keys())
            number = int(key.split("-")[1])
            model.upsert_rows([job(number, due=rng.randrange(-3, 12), done=rng.randrange(50))])
        shown = model.keys()
        for key in rng.sample(shown, min(20, len(shown))):
            assert model.row_number(key) == shown.index(key)
            assert model.row_at(shown.index(key)).id == key
