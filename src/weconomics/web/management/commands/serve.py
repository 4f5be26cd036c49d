"""weconomics serve: migrate, then run granian with WhiteNoise and the task worker alongside.

While the worker runs, this process also enqueues the hourly tasks: the notification
digest (the task decides whose daily or weekly digest is due) and the bookings' chores
(reminders, minimum-participant checks, expired waiting-list offers). Without the worker
(--no-worker, or another task backend), run `weconomics send_digests` and
`weconomics booking_chores` from cron instead.

This process only supervises: a web server or worker that dies is started again with
backoff, and every child ends with this process, even when it is killed with SIGKILL
(see weconomics.web.supervision).
"""

import contextlib
import logging
import os
import resource
import signal
import socket
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from weconomics.web.supervision import SUPERVISOR_ENV, Child

logger = logging.getLogger(__name__)
# How often the digest task is enqueued, and how long after start the first time.
DIGEST_EVERY = 3600
DIGEST_FIRST_AFTER = 60


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        raise CommandError(f"{name} must be a number of seconds, not {value!r}") from None


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


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


def raise_open_files_limit() -> None:
    """Every open connection is a file: allow as many as the system lets this user have."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


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
        backoff = _env_float("WECONOMICS_RESTART_BACKOFF", 1.0)
        backoff_max = _env_float("WECONOMICS_RESTART_BACKOFF_MAX", 30.0)
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        try:
            if not self._prepare(backoff, backoff_max, lambda: stopping):
                return
            children = self._children(host, port, workers, no_worker, backoff, backoff_max)
        except KeyboardInterrupt:
            return
        schedule_digests = any(child.name == "task worker" for child in children)
        web = children[-1]
        try:
            for child in children:
                child.start()
            self._announce_when_up(host, port, web)
            next_digest = time.monotonic() + DIGEST_FIRST_AFTER
            # Supervise: a child that dies is started again after a backoff, so the site
            # and its mail keep going through a crash or a database outage.
            while not stopping:
                now = time.monotonic()
                for child in children:
                    child.check(now)
                if schedule_digests and now >= next_digest:
                    enqueue_digests()
                    next_digest = time.monotonic() + DIGEST_EVERY
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout=10)

    def _prepare(self, backoff, backoff_max, stopping) -> bool:
        """Migrate and collect static files; while the database is unreachable, keep trying."""
        delay = backoff
        while not stopping():
            try:
                call_command("migrate", interactive=False, verbosity=0)
                break
            except DatabaseError as error:
                connections.close_all()
                self.stderr.write(f"The database is not reachable ({error}); "
                                  f"trying again in {delay:.0f} s.")
                until = time.monotonic() + delay
                while not stopping() and time.monotonic() < until:
                    time.sleep(0.1)  # a SIGTERM meanwhile stops at once
                delay = min(delay * 2, backoff_max)
        else:
            return False
        connections.close_all()
        call_command("collectstatic", interactive=False, verbosity=0)
        return True

    def _children(self, host, port, workers, no_worker, backoff, backoff_max) -> list[Child]:
        raise_open_files_limit()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "weconomics.settings",
               "WECONOMICS_DATA_DIR": str(settings.DATA_DIR),
               SUPERVISOR_ENV: str(os.getpid())}
        # Threads per worker bound the work done at once: a request waiting on the
        # database frees the interpreter for another.
        threads = str(_env_int("WECONOMICS_THREADS", 8))
        # Open connections per worker. Granian counts connections here, not requests:
        # idle keep-alive connections (browsers, proxies, client pools) hold a place,
        # so this is far larger than the threads, which are what bounds the work.
        connections_per_worker = str(_env_int("WECONOMICS_CONNECTIONS", 1024))
        # An idle keep-alive connection (or one sending its headers too slowly) is
        # closed after this many seconds.
        keepalive = _env_float("WECONOMICS_KEEPALIVE_TIMEOUT", 5.0)
        stable_after = _env_float("WECONOMICS_RESTART_STABLE_AFTER", 60.0)
        children = []
        if not no_worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
            children.append(Child(
                "task worker",
                [sys.executable, "-m", "weconomics", "db_worker", "--interval", "1",
                 "--no-reload"],
                env, backoff=backoff, backoff_max=backoff_max, stable_after=stable_after))
        children.append(Child(
            "web server",
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
             "--port", str(port), "--workers", str(workers), "--no-ws",
             "--blocking-threads", threads, "--backpressure", connections_per_worker,
             "--backlog", str(max(1024, int(connections_per_worker) * workers)),
             "--http1-header-read-timeout", str(max(1, min(60000, int(keepalive * 1000)))),
             "--respawn-failed-workers", "--respawn-interval", "0.5",
             "--workers-kill-timeout", "10",
             "--log-level", "warning", "weconomics.wsgi:application"],
            env, backoff=backoff, backoff_max=backoff_max, stable_after=stable_after))
        return children

    def _announce_when_up(self, host, port, web: Child):
        url_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        url = f"http://{url_host}:{port}/"
        for _ in range(300):
            if web.process is None or web.process.poll() is not None:
                return
            try:
                urllib.request.urlopen(url + "healthz", timeout=1)  # noqa: S310 - our own server
            except OSError:
                time.sleep(0.1)
                continue
            self.stdout.write(f"Weconomics is running at {url} (Ctrl+C stops it)")
            return
