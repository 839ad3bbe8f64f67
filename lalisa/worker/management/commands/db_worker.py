"""`lalisa db_worker`: django-tasks-db's worker with the periodic-job scheduler added.

Every worker ticks the scheduler (lalisa.worker.scheduler) at start and then at most once per
`--tick-interval` seconds; the unique (job, slot) key keeps that safe with many workers.
`--batch` ticks once, runs what is due, then exits.
"""

import logging
import os
import random
import signal
import time
from argparse import ArgumentParser

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections
from django.db.utils import OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as BaseCommand
from django_tasks_db.management.commands.db_worker import Worker, valid_interval
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from lalisa.worker import drains, scheduler

logger = logging.getLogger("django_tasks_db")


class SchedulingWorker(Worker):
    def __init__(self, *, tick_interval: float, **kwargs):
        super().__init__(**kwargs)
        self.tick_interval = tick_interval
        self.next_tick = 0.0

    def tick(self) -> None:
        if time.monotonic() < self.next_tick:
            return
        self.next_tick = time.monotonic() + self.tick_interval
        # Marked as a task so that SIGTERM lets the tick's transaction finish first.
        self.running_task = True
        try:
            scheduler.tick()
        except DatabaseError:
            # A locked or unreachable database must not stop the worker; the next tick retries.
            logger.exception("Scheduler tick failed")
        finally:
            self.running_task = False

    def drain(self) -> int:
        """Empty the drained tables (webhook deliveries); how many items were taken."""
        self.running_task = True
        try:
            return drains.run_all()
        except DatabaseError:
            logger.exception("Drain failed")
            return 0
        finally:
            self.running_task = False

    def claim(self) -> tuple[bool, DBTaskResult | None]:
        """Claim the next ready task; (False, None) when the database was locked."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as e:
                if is_locked_database_exception(e):
                    return False, None
                raise
        return True, task_result

    def run(self) -> None:
        # The package's Worker.run (django-tasks-db 0.13) with a scheduler tick at the top of
        # each round; it has no hook for that, so its loop is restated here.
        logger.info(
            "Starting worker worker_id=%s queues=%s",
            self.worker_id,
            ",".join(self.queue_names),
        )
        close_old_connections()
        self.tick()
        if self.startup_delay and self.interval and not self.batch:
            # Spread workers started together (the package does the same).
            time.sleep(random.random())

        while self.running:
            close_old_connections()
            if not self.batch:
                self.tick()
            if not self.running:
                break

            drained = self.drain()
            retrieved, task_result = self.claim()
            if task_result is not None:
                started = time.monotonic()
                self.run_task(task_result)
                if not self.batch:
                    drains.after_task(time.monotonic() - started)

            if self.batch and retrieved and task_result is None and not drained:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran maximum tasks (%d) on worker_id=%s - exiting.",
                    self._run_tasks,
                    self.worker_id,
                )
                return

            close_old_connections()
            if self.running and task_result is None and not drained:
                time.sleep(self.interval)


class Command(BaseCommand):
    help = (
        "Run the background worker: tasks from the database and the periodic-job scheduler. "
        "--batch ticks the scheduler once, runs what is due, then exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--tick-interval",
            default=5.0,
            type=valid_interval,
            help="Seconds between scheduler ticks (default: %(default)r)",
        )
        # All queues by default, and no autoreload unless asked (the package ties it to DEBUG).
        # A citizen is waiting on what the worker does: poll twice a second when idle.
        parser.set_defaults(queue_name="*", reload=False, interval=0.5)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = "Reload the worker on code changes; for development (default: off)"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        tick_interval: float,
        **options,
    ) -> None:
        # Restates the package's handle() to build a SchedulingWorker instead of its Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together; not reloading.")
            reload = False

        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = SchedulingWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            tick_interval=tick_interval,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
            return
        # Restore the caller's handlers afterwards, so that the command can run in-process
        # (tests, `--batch` from another command) without leaving the worker's behind.
        signums = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)]
        previous = {s: signal.getsignal(s) for s in signums if s is not None}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for signum, handler in previous.items():
                if handler is not None:  # None: not set from Python, nothing to restore
                    signal.signal(signum, handler)
