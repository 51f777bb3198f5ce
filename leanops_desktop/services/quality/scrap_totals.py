"""How much of a job is scrapped, as the server keeps it (``jobs.qty_scrapped``, summed by
the scrap trigger over the job's scrap logs and their corrections)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leanops_desktop.db.engine import read_transaction
from leanops_desktop.db.models import Job


def job_scrapped(session: Session, job_id: str) -> int:
    """The job's scrapped units on the server (0 for a job it does not know)."""
    with read_transaction(session):
        scrapped = session.scalar(select(Job.qty_scrapped).where(Job.id == job_id))
    return int(scrapped or 0)
