"""weconomics serve: migrate, then run granian with WhiteNoise and the task worker alongside."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


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
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "weconomics.settings",
               "WECONOMICS_DATA_DIR": str(settings.DATA_DIR)}
        # Threads per worker: a request waiting on the database frees the interpreter.
        threads = os.environ.get("WECONOMICS_THREADS", "8")
        children = []
        if not no_worker and "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
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
        self.stdout.write(f"Weconomics is running at http://{host}:{port}/ (Ctrl+C stops it)")

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
