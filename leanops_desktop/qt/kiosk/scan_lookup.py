"""Looking up a scanned job id on the kiosk's lane; the verdict reaches the controller's
``scan_resolved`` signal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops_desktop.core.errors import LeanOpsError
from leanops_desktop.core.rows import JobRow
from leanops_desktop.core.validation import check_id
from leanops_desktop.qt.db_runner import KIOSK
from leanops_desktop.qt.kiosk.scan import ScanVerdict
from leanops_desktop.services.reads import queries
from leanops_desktop.services.reporting.report_sender import ErrorKind, classify

if TYPE_CHECKING:
    from leanops_desktop.qt.kiosk.kiosk_controller import KioskController


def look_up(self: KioskController, code: str) -> None:
    """Check ``code`` is a job id, then read the job on the kiosk lane."""
    try:
        job_id = check_id("job id", code)
    except LeanOpsError:
        self.scan_resolved.emit(
            ScanVerdict(code, "refused", f"{code[:40]!r} is not a job id. Scan the job label.")
        )
        return
    signed_in = self.signed_in
    if signed_in is None:
        self.scan_resolved.emit(ScanVerdict(job_id, "refused", "Sign in first, then scan."))
        return

    def task() -> JobRow:
        with signed_in.db.session() as session:
            return queries.get_job(session, job_id)

    def failed(error: BaseException) -> None:
        if classify(error) == ErrorKind.CONNECTION:
            text = f"No connection to the database: cannot look up {job_id} now."
        else:
            text = f"{job_id} is not a job in LeanOps. Check the label."
        self.scan_resolved.emit(ScanVerdict(job_id, "refused", text))

    self.runner.submit(
        task, lambda job: self.scan_resolved.emit(self.verdict(job)), failed, lane=KIOSK
    )
