"""The site served for real, by `weconomics serve --no-worker` (granian, production settings).

For tests that need real connections and processes: a database outage, request bodies of
unknown length, bodies larger than anything should read.
"""

import contextlib
import http.client
from pathlib import Path

from django.conf import settings
from django.db import connection

from weconomics.web.tests.processes import Site, free_port, serving


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
    """Serve the site on a free port of 127.0.0.1; yield (port, the path of its log)."""
    site = Site(Path(data_dir), {
        "WECONOMICS_DATABASE_URL": database_url,
        # A test may sign a session in; the server must read it with the same key.
        "WECONOMICS_SECRET_KEY": settings.SECRET_KEY,
        "WECONOMICS_WORKERS": "2", "WECONOMICS_THREADS": "4",
    })
    port = free_port()
    with serving(site, port, "--no-worker", **extra_env):
        yield port, site.data_dir / "serve.log"


def request(port, method, path, body=None, headers=None, *, timeout=15):
    """One request on its own connection: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()
