"""weconomics serve: migrate, then run granian with WhiteNoise and the task worker alongside.

While the worker runs, this process also enqueues the hourly tasks: the notification
digest (the task decides whose daily or weekly digest is due) and the bookings' chores
(reminders, minimum-participant checks, expired waiting-list offers). Without the worker
(--no-worker, or another task backend), run `weconomics send_digests` and
`weconomics booking_chores` from cron instead.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

logger = logging.getLogger(__name__)
# How often the digest task is enqueued, and how long after start the first time.
DIGEST_EVERY = 3600
DIGEST_FIRST_AFTER = 60


def port_is_free(host: str, port: int) -> bool:
    """Bind without SO_REUSEPORT: granian reuses ports, so a second server would share one.

    SO_REUSEADDR lets the probe bind past connections of a stopped server that are still
    closing (TIME_WAIT, up to a minute after a restart); a server still listening refuses it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def enqueue_digests() -> bool:
    """Hand the hourly tasks to the worker; a failure is logged and tried again next hour."""
    from weconomics.bookings.tasks import run_booking_chores
    from weconomics.notifications.tasks import send_digests

    try:
        send_digests.enqueue()
        run_booking_chores.enqueue()
    except Exception:  # noqa: BLE001 - the web server must keep running
        logger.exception("could not enqueue the hourly tasks")
        return False
    finally:
        # This process only supervises: hold no database connection between runs.
        connections.close_all()
    return True


class Command(BaseCommand):
    help = "Migrate the database, then serve the site with granian and run the task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("WECONOMICS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int,
                            default=int(os.environ.get("WECONOMICS_PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WECONOMICS_WORKERS", "2")),
                            help="Web worker processes (default 2).")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start the background task worker.")

    def handle(self, *args, host, port, workers, no_worker, **options):
        if not port_is_free(host, port):
            raise CommandError(f"{host}:{port} is in use or cannot be bound; "
                               "stop the other server or choose --port.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "weconomics.settings",
               "WECONOMICS_DATA_DIR": str(settings.DATA_DIR)}
        # Threads per worker: a request waiting on the database frees the interpreter.
        threads = os.environ.get("WECONOMICS_THREADS", "8")
        children = []
        schedule_digests = (not no_worker
                            and "django_tasks_db" in settings.TASKS["default"]["BACKEND"])
        if schedule_digests:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "weconomics", "db_worker", "--interval", "1"], env=env))
        server = subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
             "--port", str(port), "--workers", str(workers), "--no-ws",
             "--blocking-threads", threads, "--backpressure", threads,
             "--log-level", "warning", "weconomics.wsgi:application"],
            env=env,
        )
        children.append(server)
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.terminate()

        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        try:
            self._announce_when_up(host, port, server)
            next_digest = time.monotonic() + DIGEST_FIRST_AFTER
            # Supervise: when either child ends, stop the other, so the site never
            # runs without its worker (mail would silently stop) or the reverse.
            while not stopping and all(child.poll() is None for child in children):
                if schedule_digests and time.monotonic() >= next_digest:
                    enqueue_digests()
                    next_digest = time.monotonic() + DIGEST_EVERY
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            failed = [c for c in children if c.poll() not in (None, 0) and not stopping]
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        if failed:
            raise CommandError("A part of the server stopped unexpectedly; see the log above.")

    def _announce_when_up(self, host, port, server):
        url_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        url = f"http://{url_host}:{port}/"
        for _ in range(300):
            if server.poll() is not None:
                return
            try:
                urllib.request.urlopen(url + "healthz", timeout=1)  # noqa: S310 - our own server
            except OSError:
                time.sleep(0.1)
                continue
            self.stdout.write(f"Weconomics is running at {url} (Ctrl+C stops it)")
            return
