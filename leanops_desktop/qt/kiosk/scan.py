"""What a scanned job id means at this station, and how the kiosk words service messages."""

from __future__ import annotations

from dataclasses import dataclass

from leanops_desktop.core.enums import JobStatus
from leanops_desktop.core.rows import JobRow


@dataclass(frozen=True, slots=True)
class ScanVerdict:
    """``current`` (the job here), ``start`` (may be started here) or ``refused`` (why not)."""

    code: str
    kind: str
    text: str
    job: JobRow | None = None


def scan_verdict(
    job: JobRow, station_id: str, current_job_id: str | None, *, may_start: bool
) -> ScanVerdict:
    """Why a scanned job can or cannot be worked at ``station_id``."""
    here = station_id
    if here in job.station_ids or job.id == current_job_id:
        return ScanVerdict(job.id, "current", f"{job.id} is the job on {here}.", job)
    if job.status == JobStatus.COMPLETED:
        return ScanVerdict(job.id, "refused", f"{job.id} is already completed.", job)
    if job.station_ids:
        where = ", ".join(job.station_ids)
        text = f"{job.id} runs on {where}, not on {here}. Ask your supervisor to move it."
        return ScanVerdict(job.id, "refused", text, job)
    if current_job_id is not None:
        text = (
            f"{here} is working on {current_job_id}. Complete it first, then scan {job.id} again."
        )
        return ScanVerdict(job.id, "refused", text, job)
    if not may_start:
        text = f"{job.id} is waiting. A supervisor must start it on {here}."
        return ScanVerdict(job.id, "refused", text, job)
    return ScanVerdict(job.id, "start", f"Start {job.id} ({job.part_name}) on {here}?", job)


def sentence(text: str) -> str:
    """A service message as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
