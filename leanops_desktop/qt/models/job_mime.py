"""The drag format of job rows: dragged from the jobs table, dropped on stations.

A drag carries ``application/x-leanops-job-id`` (one id), ``application/x-leanops-job-ids``
(ids one per line, what the plant overview's tiles read) and the id as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData

JOB_ID_MIME = "application/x-leanops-job-id"
JOB_IDS_MIME = "application/x-leanops-job-ids"
MIME_TYPES: tuple[str, ...] = (JOB_ID_MIME, JOB_IDS_MIME, "text/plain")


def job_mime_data(job_ids: Sequence[str]) -> QMimeData:
    """Mime data for dragging ``job_ids`` (the first is the one a single drop acts on)."""
    mime = QMimeData()
    if job_ids:
        mime.setData(JOB_ID_MIME, job_ids[0].encode("utf-8"))
        mime.setData(JOB_IDS_MIME, "\n".join(job_ids).encode("utf-8"))
        mime.setText("\n".join(job_ids))
    return mime


def job_id_from_mime(mime: QMimeData | None) -> str | None:
    """The job id a drag carries (None when it carries none of our formats)."""
    if mime is None:
        return None
    for fmt in (JOB_ID_MIME, JOB_IDS_MIME):
        if mime.hasFormat(fmt):
            text = bytes(mime.data(fmt).data()).decode("utf-8", "replace").strip()
            first = text.splitlines()[0].strip() if text else ""
            return first or None
    return None
