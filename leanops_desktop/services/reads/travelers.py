"""The jobs a printed traveler shows, read in the order asked for."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.errors import NotFound, ValidationError, preview
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import JobRow
from leanops_desktop.core.validation import check_key
from leanops_desktop.services.reads import queries


class MissingJobs(NotFound):
    """Several of the jobs named do not exist."""

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__("jobs", ", ".join(job_ids))
        self.message = f"jobs {preview(', '.join(job_ids))} do not exist"
        self.args = (self.message,)


#: One print run holds at most this many travelers (one page each).
MAX_TRAVELERS = 1000


def traveler_jobs(session: Session, actor: Actor, job_ids: Iterable[str]) -> list[JobRow]:
    """The jobs ``job_ids`` name, each once, in the order given; all must exist."""
    require(actor, Action.VIEW_FLOOR)
    wanted = list(dict.fromkeys(check_key("job id", job_id) for job_id in job_ids))
    if not wanted:
        raise ValidationError("job ids", "name at least one job")
    if len(wanted) > MAX_TRAVELERS:
        raise ValidationError("job ids", f"at most {MAX_TRAVELERS:,} travelers at once")
    found = {row.id: row for row in queries.jobs_by_keys(session, wanted)}
    missing = [job_id for job_id in wanted if job_id not in found]
    if len(missing) == 1:
        raise NotFound("job", missing[0])
    if missing:
        raise MissingJobs(missing)
    return [found[job_id] for job_id in wanted]
