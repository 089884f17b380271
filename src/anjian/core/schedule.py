"""Scheduled jobs: the apps declare them (anjian.core.contributions.Job), `anjian
worker` starts them when due — no cron.

Each poll the worker calls `start_due_jobs`: a job whose row is due is claimed by
moving its `next_run_at` one interval on in a conditional UPDATE (only the worker
whose UPDATE changed the row goes on), then queued as an ordinary task, so it runs in
a child process under the task limits like any other. A job that is never declared
again simply stays in its table row; the row of a new job is created due.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from anjian.core import contributions
from anjian.core.models import ScheduledJob

log = logging.getLogger("anjian.worker")


def start_due_jobs(now: datetime | None = None) -> list[str]:
    """Queue every declared job that is due and not claimed by another worker; returns
    the names of the jobs this call queued."""
    now = now or timezone.now()
    started = []
    for job in contributions.jobs():
        _ensure_row(job.name, now)
        claimed = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_started_at=now
        )
        if not claimed:
            continue
        result = run_scheduled_job.enqueue(job.name)
        ScheduledJob.objects.filter(name=job.name).update(last_task_id=str(result.id))
        log.info("scheduled job %s queued (task %s)", job.name, result.id)
        started.append(job.name)
    return started


def _ensure_row(name: str, now: datetime) -> None:
    if ScheduledJob.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            ScheduledJob.objects.create(name=name, next_run_at=now)
    except IntegrityError:
        pass  # another worker created it a moment ago


@task()
def run_scheduled_job(name: str) -> Any:
    """Run one declared job (in the worker's child process)."""
    job = next((j for j in contributions.jobs() if j.name == name), None)
    if job is None:
        log.warning("scheduled job %s is no longer declared", name)
        return None
    if job.command:
        call_command(*job.command)
        return None
    result = import_string(job.call)()
    return result if isinstance(result, (int, str, list, dict, type(None))) else str(result)
