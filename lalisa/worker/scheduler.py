"""Periodic jobs (DESIGN.md, reliability rule 6).

django-tasks has no periodic jobs, so every worker runs `tick()` every few seconds. A job is
due once per time slot: the current time floored to the job's interval, counted in UTC from
the Unix epoch (a daily job's slot starts at 00:00 UTC, 08:00 WITA). The ScheduledRun row for
(job, slot) and the task row are written in one transaction, so with any number of workers a
job is enqueued exactly once per slot, and never recorded without being enqueued.

Jobs register where they are defined, usually an app's `tasks.py` (imported by `tick()`):

    @periodic("sla.warnings", timedelta(minutes=5))
    @task()
    def send_sla_warnings(): ...
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import task
from django_tasks.base import Task

from lalisa.worker.models import ScheduledRun

log = logging.getLogger(__name__)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# How long ScheduledRun rows are kept after their slot (longer for jobs with longer slots).
KEEP_RUNS = dt.timedelta(days=3)
JOB_NAME_MAX = ScheduledRun._meta.get_field("job").max_length


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Task

    def slot(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot `now` falls in (UTC)."""
        return EPOCH + ((now - EPOCH) // self.every) * self.every


registry: dict[str, PeriodicJob] = {}


def register(name: str, every: dt.timedelta, task_: Task) -> PeriodicJob:
    """Run `task_` (with no arguments) once per `every`. Registering a name again replaces it."""
    if not isinstance(task_, Task):
        raise TypeError(f"{name}: a periodic job needs a django_tasks Task, got {task_!r}")
    if not 0 < len(name) <= JOB_NAME_MAX:
        raise ValueError(f"job name must be 1-{JOB_NAME_MAX} characters: {name!r}")
    if every < dt.timedelta(seconds=1):
        raise ValueError(f"{name}: interval must be at least one second")
    job = PeriodicJob(name, every, task_)
    registry[name] = job
    return job


def unregister(name: str) -> None:
    registry.pop(name, None)


def periodic(name: str, every: dt.timedelta) -> Callable[[Task | Callable], Task]:
    """Decorator form of `register`; a plain function is made a task with `@task()`."""

    def decorate(func: Task | Callable) -> Task:
        task_ = func if isinstance(func, Task) else task()(func)
        register(name, every, task_)
        return task_

    return decorate


_discovered = False


def autodiscover() -> None:
    """Import every installed app's `tasks` module, where periodic jobs register."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def _already_run(slots: dict[str, dt.datetime]) -> set[str]:
    """Names of the jobs whose current slot already has its row (one cheap query)."""
    if not slots:
        return set()
    taken = Q()
    for name, slot in slots.items():
        taken |= Q(job=name, slot=slot)
    return set(ScheduledRun.objects.filter(taken).values_list("job", flat=True))


def tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job due in the current slot; return the names enqueued."""
    autodiscover()
    now = now or timezone.now()
    jobs = list(registry.values())
    slots = {job.name: job.slot(now) for job in jobs}
    # The pre-check spares a failed insert per job per tick; the unique key decides races.
    done = _already_run(slots)
    enqueued = []
    for job in jobs:
        if job.name in done:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slots[job.name], enqueued_at=now)
                job.task.enqueue()
        except IntegrityError:
            # Another worker's scheduler took this slot between our check and our insert.
            continue
        log.info("scheduled %s for slot %s", job.name, slots[job.name].isoformat())
        enqueued.append(job.name)
    return enqueued


def cleanup(now: dt.datetime | None = None, keep: dt.timedelta = KEEP_RUNS) -> int:
    """Delete ScheduledRun rows older than `keep`, but never a job's current slot (deleting
    it would let the job run again in that slot). Returns the number of rows deleted."""
    now = now or timezone.now()
    cutoff = now - keep
    stale = Q(slot__lt=cutoff) & ~Q(job__in=list(registry))
    for job in registry.values():
        stale |= Q(job=job.name, slot__lt=min(cutoff, job.slot(now)))
    deleted, _ = ScheduledRun.objects.filter(stale).delete()
    return deleted


@periodic("worker.cleanup_scheduled_runs", dt.timedelta(hours=6))
@task()
def cleanup_scheduled_runs() -> int:
    return cleanup()
