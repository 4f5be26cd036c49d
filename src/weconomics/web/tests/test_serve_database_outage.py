"""A database outage does not stop `weconomics serve`: the task worker it kills is started
again with backoff, and once the database is back the queued mail goes out; started while
the database is away, serve waits for it.

Real processes on PostgreSQL (the suite's PostgreSQL pass), reached through a proxy that
this test cuts and restores (the shared server itself is never touched).
"""

import os
import signal
from urllib.parse import urlparse

import pytest

from weconomics.web.tests.faultproxy import FaultProxy
from weconomics.web.tests.processes import (
    Site,
    child_running,
    free_port,
    healthz,
    kill_tree,
    scratch_site,
    serving,
    wait_for,
)

QUEUE_A_MAIL = """
from django.core.mail import send_mail
send_mail("After the outage", "Hello", None, ["someone@example.org"])
"""


@pytest.fixture
def site(tmp_path):
    with scratch_site(tmp_path) as site:
        yield site


@pytest.mark.skipif(not os.environ.get("WECONOMICS_DATABASE_URL", "").startswith("postgres"),
                    reason="an outage of a database server; SQLite is a file in the process")

def test_serve_outlives_a_database_outage_and_its_worker_comes_back(site):
    parsed = urlparse(site.database_url)
    proxy = FaultProxy(parsed.hostname, parsed.port or 5432)
    user = parsed.netloc.rsplit("@", 1)[0] + "@" if "@" in parsed.netloc else ""
    through_proxy = parsed._replace(netloc=f"{user}127.0.0.1:{proxy.port}").geturl()
    port = free_port()
    try:
        with serving(site, port, WECONOMICS_DATABASE_URL=through_proxy,
                     WECONOMICS_WORKERS="1") as serve:
            worker = wait_for(lambda: child_running(serve.pid, "db_worker"), 30,
                              "a task worker")
            # Past its start (its first heartbeat is written): on a busy machine a worker
            # still importing when the database goes would spend the wait below on that.
            wait_for(lambda: "Starting worker" in (site.data_dir / "serve.log").read_text(),
                     60, "the task worker running")
            proxy.down()
            # The worker loses the database and dies; serve keeps starting it again.
            wait_for(lambda: child_running(serve.pid, "db_worker") not in (None, worker), 30,
                     "the worker started again")
            wait_for(lambda: "task worker stopped" in (site.data_dir / "serve.log").read_text()
                     and (site.data_dir / "serve.log").read_text().count("restarting in") >= 2,
                     30, "restarts with backoff during the outage")
            assert serve.poll() is None
            proxy.up()
            assert healthz(port, 10) == 200
            queued = site.run("shell", "-c", QUEUE_A_MAIL)
            assert queued.returncode == 0, queued.stderr
            wait_for(lambda: list((site.data_dir / "outbox").glob("*.eml")), 60,
                     "the mail delivered after the outage")
            assert serve.poll() is None
    finally:
        proxy.close()


def test_serve_started_while_the_database_is_away_waits_for_it(tmp_path):
    closed = free_port()  # nothing listens there: the database is away
    site = Site(tmp_path, {"WECONOMICS_DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/x"})
    serve = site.start("serve", "--port", str(free_port()), log="serve.log")
    try:
        wait_for(lambda: (tmp_path / "serve.log").read_text().count("trying again") >= 2, 60,
                 "serve retries with backoff")
        assert serve.poll() is None
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
    finally:
        kill_tree(serve.pid)
        serve.wait(timeout=10)
