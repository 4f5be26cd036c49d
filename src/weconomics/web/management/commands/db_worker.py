"""weconomics db_worker: django-tasks-db's worker, made safe against workers that die.

Each worker writes a heartbeat every few seconds. A task left RUNNING by a worker whose
heartbeat stopped for WECONOMICS_TASK_RECLAIM_AFTER seconds (default 60) is put back
to READY and run again (at worker start, then once per heartbeat), up to
WECONOMICS_TASK_MAX_ATTEMPTS runs (default 5) before it is marked FAILED. Mail sent
by a task run again is not sent twice (weconomics.identity.mail.delivery_scope).
"""

import datetime as dt
import logging
import os
import threading

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from weconomics.identity.mail import delivery_scope, prune_delivery_records
from weconomics.web.models import WorkerHeartbeat
from weconomics.web.supervision import guard_supervised_process

logger = logging.getLogger("weconomics.tasks")


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        number = float(value) if value else default
    except ValueError:
        number = -1
    if number <= 0:
        raise CommandError(f"{name} must be a positive number, not {value!r}")
    return number


def reclaim_after() -> float:
    return _setting("WECONOMICS_TASK_RECLAIM_AFTER", 60.0)


def max_attempts() -> int:
    return int(_setting("WECONOMICS_TASK_MAX_ATTEMPTS", 5))


def reclaim_stale_tasks(timeout: float, attempts: int) -> tuple[int, int]:
    """Put back the RUNNING tasks whose worker has shown no life for `timeout` seconds.

    Returns (tasks made READY again, tasks failed after `attempts` runs). Each row changes
    only if it is still in the state it was read in, so two workers never reclaim one
    task twice.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=timeout)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff)
                .values_list("worker_id", flat=True))
    ready = failed = 0
    for task in (DBTaskResult.objects.running().filter(started_at__lt=cutoff)
                 .only("id", "worker_ids", "started_at")):
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue  # a long task of a live worker
        same = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING,
                                           started_at=task.started_at)
        if len(task.worker_ids) >= attempts:
            failed += same.update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                exception_class_path="weconomics.tasks.WorkerLost",
                traceback=f"The worker died while running this task, {attempts} times.")
        else:
            ready += same.update(status=TaskResultStatus.READY)
    if ready or failed:
        logger.warning("Tasks of workers that died: %d run again, %d failed", ready, failed)
    return ready, failed


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id,
                                             defaults={"seen_at": timezone.now()})


class Worker(db_worker.Worker):
    def run_task(self, db_task_result: DBTaskResult) -> None:
        with delivery_scope(str(db_task_result.id)):
            super().run_task(db_task_result)


class Command(db_worker.Command):
    help = ("Run the background task worker: it runs again the tasks of workers that died "
            "and sends no mail twice.")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay,
               reload, max_tasks, worker_id, exclude_queues, **options):
        guard_supervised_process()
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if reload:
            logger.warning("This worker does not reload on code changes; restart it.")
        timeout, attempts = reclaim_after(), max_attempts()
        # The first heartbeat before the first task: a task is never claimed by a worker
        # that another worker would take for dead.
        beat(worker_id)
        reclaim_stale_tasks(timeout, attempts)
        connections.close_all()
        threading.Thread(target=self._keep_beating, args=(worker_id, timeout, attempts),
                         name="task-worker-heartbeat", daemon=True).start()
        worker = Worker(queue_names=queue_names, interval=interval, batch=batch,
                        backend_name=backend_name, startup_delay=startup_delay,
                        max_tasks=max_tasks, worker_id=worker_id,
                        excluded_queue_names=excluded)
        worker.configure_signals()
        worker.run()

    @staticmethod
    def _keep_beating(worker_id: str, timeout: float, attempts: int) -> None:
        interval = max(0.2, timeout / 4)
        last_prune = 0.0
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                close_old_connections()
                beat(worker_id)
                reclaim_stale_tasks(timeout, attempts)
                now = timezone.now().timestamp()
                if now - last_prune > 3600:
                    last_prune = now
                    WorkerHeartbeat.objects.filter(
                        seen_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
                    prune_delivery_records()
            except DatabaseError:
                logger.warning("task worker heartbeat: the database is not reachable")
            finally:
                connections.close_all()
