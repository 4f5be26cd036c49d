"""The site served for real, by `weconomics serve --no-worker` (granian, production settings).

For tests that need real connections and processes: a database outage, request bodies of
unknown length, bodies larger than anything should read.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def url_of_test_database(host: str | None = None, port: int | None = None) -> str:
    """A URL of the test database, optionally reached through another host and port."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{found['NAME']}"
    user = found["USER"] or "postgres"
    password = f":{found['PASSWORD']}" if found["PASSWORD"] else ""
    return (f"postgres://{user}{password}@{host or found['HOST'] or '127.0.0.1'}:"
            f"{port or found['PORT'] or 5432}/{found['NAME']}")


@contextlib.contextmanager
def served(data_dir, database_url: str, **extra_env):
    """Serve the site on a free port of 127.0.0.1; yield (port, lines of its log)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECONOMICS_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "weconomics.settings",
        "WECONOMICS_DATA_DIR": str(data_dir),
        "WECONOMICS_DATABASE_URL": database_url,
        # A test may sign a session in; the server must read it with the same key.
        "WECONOMICS_SECRET_KEY": settings.SECRET_KEY,
        "WECONOMICS_WORKERS": "2", "WECONOMICS_THREADS": "4",
        **extra_env,
    })
    server = subprocess.Popen(
        [sys.executable, "-m", "weconomics", "serve", "--no-worker", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(server.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if request(port, "GET", "/healthz", timeout=5)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, "".join(log)
        yield port, log
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def request(port, method, path, body=None, headers=None, *, timeout=15):
    """One request on its own connection: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()
