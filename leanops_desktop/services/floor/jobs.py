"""Job use cases: create and edit (part, quantity, due date, priority)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from leanops_desktop.core.actor import Actor
from leanops_desktop.core.enums import EventType, JobStatus, Priority
from leanops_desktop.core.errors import AlreadyExists, RuleViolation
from leanops_desktop.core.permissions import Action, require
from leanops_desktop.core.rows import JobRow
from leanops_desktop.core.validation import (
    MAX_QTY_TOTAL,
    check_choice,
    check_date,
    check_id,
    check_key,
    check_quantity,
    check_text,
)
from leanops_desktop.db.engine import write_transaction
from leanops_desktop.db.models import Job
from leanops_desktop.services.events import changed_fields, record_event
from leanops_desktop.services.floor import planning_pg
from leanops_desktop.services.floor.locks import lock_job
from leanops_desktop.services.reads import queries


def create_job(
    session: Session,
    actor: Actor,
    *,
    job_id: str,
    part_name: str,
    qty_total: int,
    due_date: date | str,
    priority: Priority | str = Priority.NORMAL,
) -> JobRow:
    """Add a job to the queue (waiting)."""
    require(actor, Action.MANAGE_JOBS)
    job_id = check_id("job id", job_id)
    part_name = check_text("part name", part_name)
    qty_total = check_quantity("quantity", qty_total, maximum=MAX_QTY_TOTAL)
    due = check_date("due date", due_date)
    level = check_choice("priority", priority, Priority)
    if planning_pg.on_postgresql(session):  # the database checks the rules again and writes
        planning_pg.create_job(
            session,
            actor,
            job_id=job_id,
            part_name=part_name,
            qty_total=qty_total,
            due_date=due,
            priority=level.value,
        )
        return queries.get_job(session, job_id)
    with write_transaction(session):
        if session.get(Job, job_id) is not None:
            raise AlreadyExists("job", job_id)
        session.add(
            Job(
                id=job_id,
                part_name=part_name,
                qty_total=qty_total,
                due_date=due,
                priority=level.value,
                status=JobStatus.WAITING.value,
            )
        )
        record_event(
            session,
            actor,
            EventType.JOB_CREATED,
            job_id=job_id,
            new={
                "part_name": part_name,
                "qty_total": qty_total,
                "due_date": due,
                "priority": level.value,
            },
        )
    return queries.get_job(session, job_id)


def update_job(
    session: Session,
    actor: Actor,
    job_id: str,
    *,
    part_name: str | None = None,
    qty_total: int | None = None,
    due_date: date | str | None = None,
    priority: Priority | str | None = None,
) -> JobRow:
    """Edit a job that is not completed; only the fields given change."""
    require(actor, Action.MANAGE_JOBS)
    job_id = check_key("job id", job_id)
    after: dict[str, object] = {}
    if part_name is not None:
        after["part_name"] = check_text("part name", part_name)
    if qty_total is not None:
        after["qty_total"] = check_quantity("quantity", qty_total, maximum=MAX_QTY_TOTAL)
    if due_date is not None:
        after["due_date"] = check_date("due date", due_date)
    if priority is not None:
        after["priority"] = check_choice("priority", priority, Priority).value
    if planning_pg.on_postgresql(session):  # the database checks the rules again and writes
        planning_pg.update_job(session, actor, job_id, after)
        return queries.get_job(session, job_id)
    with write_transaction(session):
        job = lock_job(session, job_id)
        if job.status == JobStatus.COMPLETED.value:
            raise RuleViolation(f"job {job_id} is completed and can no longer be edited")
        before = {
            "part_name": job.part_name,
            "qty_total": job.qty_total,
            "due_date": job.due_date,
            "priority": job.priority,
        }
        old, new = changed_fields(before, after)
        if new:  # an edit that changes nothing writes nothing
            for key, value in new.items():
                setattr(job, key, value)
            record_event(session, actor, EventType.JOB_UPDATED, job_id=job_id, old=old, new=new)
    return queries.get_job(session, job_id)


def set_job_priority(
    session: Session, actor: Actor, job_id: str, priority: Priority | str
) -> JobRow:
    """Change a job's priority."""
    return update_job(session, actor, job_id, priority=priority)


def set_job_due_date(session: Session, actor: Actor, job_id: str, due_date: date | str) -> JobRow:
    """Change a job's due date."""
    return update_job(session, actor, job_id, due_date=due_date)
