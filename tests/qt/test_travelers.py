"""Job travelers: the PDF's pages, read back by poppler and zxing-cpp, give the job ids."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from leanops_desktop.cli.main import main
from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import JobStatus, Priority
from leanops_desktop.core.errors import NotFound, ValidationError
from leanops_desktop.core.rows import JobRow
from leanops_desktop.db.engine import Database
from leanops_desktop.qt.travelers.traveler_output import TravelerError, render_page, write_pdf
from leanops_desktop.services.reads.travelers import traveler_jobs
from leanops_desktop.services.symbols import code128, qr_code
from tests.factories import make_job
from tests.qt.conftest import RecordingMessages
from tests.symbol_reading import pdf_page_size_points, pdf_pages, read_symbols

A4_POINTS = (595.0, 842.0)
LETTER_POINTS = (612.0, 792.0)


def job_row(job_id: str, **changes: object) -> JobRow:
    values: dict[str, object] = {
        "id": job_id,
        "part_name": "Ventilgehäuse Ø40",
        "qty_total": 1200,
        "due_date": date(2026, 12, 18),
        "priority": Priority.HIGH,
        "status": JobStatus.WAITING,
        "created_at": datetime(2026, 12, 1, 13, 5, tzinfo=UTC),
    }
    values.update(changes)
    return JobRow(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("job_id", ["JOB-1004", "A/7.x_9-1", "0123456789", "x"])
def test_a_rendered_page_carries_the_job_id_in_both_symbols(job_id: str) -> None:
    page = render_page(job_row(job_id), dpi=150)
    assert read_symbols(page) == {"Code128": job_id, "QRCode": job_id}


def test_the_longest_id_and_part_name_still_fit_and_scan(tmp_path: Path) -> None:
    job_id = "L" + "0123456789-ABCDEFGHIJ" * 3
    job_id = job_id[:64]
    page = render_page(job_row(job_id, part_name="Gehäuse " * 25), dpi=300)
    assert read_symbols(page) == {"Code128": job_id, "QRCode": job_id}
    shots = os.environ.get("LEANOPS_SHOTS")
    if shots:
        page.save(str(Path(shots) / "traveler-longest.png"))


def test_the_encoders_refuse_what_is_no_job_id() -> None:
    with pytest.raises(ValidationError, match="not a valid id"):
        code128("JOB 1004")
    with pytest.raises(ValidationError, match="not a valid id"):
        qr_code("ÄÖÜ")


def test_a_pdf_from_the_database_has_one_scannable_page_per_job(
    qapp: object, db: Database, supervisor: Actor, tmp_path: Path
) -> None:
    make_job(db, supervisor, "JOB-1004", qty_total=1200)
    make_job(db, supervisor, "JOB-1005", priority="high")
    with db.session() as session:
        jobs = traveler_jobs(session, supervisor, ["JOB-1005", "JOB-1004", "JOB-1005"])
    assert [job.id for job in jobs] == ["JOB-1005", "JOB-1004"]  # as asked, each once

    pdf = tmp_path / "travelers.pdf"
    assert write_pdf(jobs, pdf, paper="letter") == 2

    pages = pdf_pages(pdf, tmp_path)
    assert [read_symbols(page) for page in pages] == [
        {"Code128": "JOB-1005", "QRCode": "JOB-1005"},
        {"Code128": "JOB-1004", "QRCode": "JOB-1004"},
    ]
    assert pdf_page_size_points(pdf) == pytest.approx(LETTER_POINTS, abs=1)
    shots = os.environ.get("LEANOPS_SHOTS")
    if shots:
        pages[0].save(str(Path(shots) / "traveler-page.png"))


def test_unknown_jobs_are_named_and_nothing_is_written(db: Database, supervisor: Actor) -> None:
    make_job(db, supervisor, "JOB-1004")
    with db.session() as session:
        with pytest.raises(NotFound, match=r"^job NOPE-1 does not exist$"):
            traveler_jobs(session, supervisor, ["JOB-1004", "NOPE-1"])
        with pytest.raises(NotFound, match=r"^jobs NOPE-1, NOPE-2 do not exist$"):
            traveler_jobs(session, supervisor, ["NOPE-1", "JOB-1004", "NOPE-2"])


def test_the_command_writes_a4_travelers_and_refuses_unknown_jobs(
    qapp: object,
    db: Database,
    db_url: str,
    supervisor: Actor,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_job(db, supervisor, "JOB-2001")
    make_job(db, supervisor, "JOB-2002")
    pdf = tmp_path / "out.pdf"
    args = ["jobs", "traveler", "JOB-2001", "JOB-2002", "--out", str(pdf), "--database", db_url]

    assert main(args) == 0
    assert capsys.readouterr().out.strip() == f"2 travelers written to {pdf} (a4)"
    pages = pdf_pages(pdf, tmp_path)
    assert [read_symbols(page)["Code128"] for page in pages] == ["JOB-2001", "JOB-2002"]
    assert pdf_page_size_points(pdf) == pytest.approx(A4_POINTS, abs=1)

    missing = tmp_path / "missing.pdf"
    bad = ["jobs", "traveler", "JOB-2001", "NOPE-9", "--out", str(missing), "--database", db_url]
    assert main(bad) == 2
    assert "job NOPE-9 does not exist" in capsys.readouterr().err
    assert not missing.exists()
    nowhere = ["jobs", "traveler", "JOB-2001", "--out", str(tmp_path / "no" / "x.pdf")]
    assert main([*nowhere, "--database", db_url]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_writing_no_jobs_or_an_unknown_paper_is_refused(qapp: object, tmp_path: Path) -> None:
    with pytest.raises(TravelerError, match="no jobs"):
        write_pdf([], tmp_path / "x.pdf")
    with pytest.raises(TravelerError, match="paper 'a3' is not one of: a4, letter"):
        write_pdf([job_row("J-1")], tmp_path / "x.pdf", paper="a3")
    assert not (tmp_path / "x.pdf").exists()


def test_the_dock_saves_and_prints_the_selected_jobs(
    qtbot: QtBot, demo_db: Database, messages: RecordingMessages, tmp_path: Path
) -> None:
    pytest.importorskip("PySide6.QtPrintSupport")
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtPrintSupport import QPrinter

    from leanops_desktop.core.enums import Role
    from leanops_desktop.qt.docks.jobs_dock import JobsDock
    from leanops_desktop.qt.window.traveler_actions import print_travelers, save_travelers_pdf
    from tests.qt.window_helpers import open_window

    supervisor = Actor(email="supervisor@demo.leanops", role=Role.SUPERVISOR)
    window = open_window(qtbot, demo_db, supervisor, messages)
    dock = window.docks["jobs"]
    assert isinstance(dock, JobsDock)
    view, selection = dock.view, dock.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (0, 2):
        selection.select(view.model().index(row, 0), flags)
    chosen = dock.selected_keys()
    assert len(chosen) == 2

    pdf = tmp_path / "picked"
    save_travelers_pdf(window, lambda *_args: str(pdf), paper="a4")
    saved = pdf.with_name("picked.pdf")
    window.runner.wait(10_000)
    pages = pdf_pages(saved, tmp_path)
    assert [read_symbols(page)["QRCode"] for page in pages] == chosen
    assert messages.texts()[-1] == f"Saved 2 travelers to {saved}."

    printed = tmp_path / "printer.pdf"

    def to_file(_parent: object, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    print_travelers(window, to_file)
    (folder := tmp_path / "printed").mkdir()
    assert [read_symbols(page)["Code128"] for page in pdf_pages(printed, folder)] == chosen
    assert messages.texts()[-1] == "Sent 2 travelers to the printer."
