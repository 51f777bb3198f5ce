"""A printed traveler, scanned at the kiosk: the decoded text goes through the kiosk's own
scan handling (keystrokes of a scanner, then Enter) and the kiosk answers for that job."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from leanops_desktop.db.engine import Database
from leanops_desktop.qt.kiosk.kiosk_window import KioskWindow
from leanops_desktop.qt.travelers.traveler_output import write_pdf
from leanops_desktop.services.reads.travelers import traveler_jobs
from tests.qt.test_kiosk import ADMIN, Plant, kiosk, plant, scan, sign_in  # noqa: F401
from tests.symbol_reading import pdf_pages, read_symbols


def test_scanning_a_printed_traveler_at_the_kiosk(
    qtbot: QtBot,
    kiosk: KioskWindow,  # noqa: F811 - the kiosk tests' fixture
    plant: Plant,  # noqa: F811 - the kiosk tests' fixture
    tmp_path: Path,
) -> None:
    db: Database = plant.db
    with db.session() as session:
        jobs = traveler_jobs(session, ADMIN, ["JOB-1001", "JOB-2001"])
    pdf = tmp_path / "travelers.pdf"
    write_pdf(jobs, pdf)
    decoded = [read_symbols(page) for page in pdf_pages(pdf, tmp_path)]
    assert [symbols["Code128"] for symbols in decoded] == ["JOB-1001", "JOB-2001"]
    assert [symbols["QRCode"] for symbols in decoded] == ["JOB-1001", "JOB-2001"]

    sign_in(qtbot, kiosk)
    assert scan(qtbot, kiosk, decoded[0]["Code128"]) == "JOB-1001 is the job on ST-01."
    assert scan(qtbot, kiosk, decoded[1]["QRCode"]) == (
        "JOB-2001 runs on ST-02, not on ST-01. Ask your supervisor to move it."
    )
