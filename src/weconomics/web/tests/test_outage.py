"""A database outage, over real processes: the site answers 503 and comes back by itself.

The site runs as `weconomics serve --no-worker` (granian, production settings) with its
database behind a fault-injection proxy (faultproxy.py) in front of the real PostgreSQL.
While clients book through the API and open pages, the proxy refuses new connections and
resets open ones, then lets them through again.
"""

import collections
import datetime as dt
import json
import sqlite3
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from weconomics.bookings.models import Booking
from weconomics.bookings.tests.helpers import scheduled
from weconomics.catalogue import services as catalogue
from weconomics.conftest import make_account
from weconomics.identity import services as identity
from weconomics.web.tests.faultproxy import FaultProxy
from weconomics.web.tests.served import request, served, url_of_test_database

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a TCP outage needs PostgreSQL; on SQLite, the locked-database test stands for it")
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's lock; on PostgreSQL, the outage through the proxy stands for it")

UP_BEFORE = 2.0      # seconds of normal service before the outage
OUTAGE = 4.0         # seconds the database is away
RECOVERY_LIMIT = 10  # seconds after the database is back by which every kind must answer 2xx
AFTER = 2.0          # seconds of service watched after recovery
CLIENT_TIMEOUT = 15  # a request not answered by then counts as dropped


@pytest.fixture
def site(tmp_path):
    """The site served by granian on the test database; on PostgreSQL behind a proxy that
    can fail, on SQLite with a busy timeout of one second."""
    proxy = None
    if connection.vendor == "postgresql":
        found = connection.settings_dict
        proxy = FaultProxy(found["HOST"] or "127.0.0.1", int(found["PORT"] or 5432))
    url = url_of_test_database("127.0.0.1", proxy.port) if proxy else url_of_test_database()
    try:
        with served(tmp_path, url, WECONOMICS_DATABASE_BUSY_TIMEOUT="1") as (port, log):
            yield port, proxy, log
    finally:
        if proxy is not None:
            proxy.close()


def _request(port, method, path, body=None, headers=None):
    return request(port, method, path, body, headers, timeout=CLIENT_TIMEOUT)


def _get(port, path, headers=None):
    return _request(port, "GET", path, headers=headers)


class Load:
    """Clients booking and reading pages until told to stop, every answer recorded."""

    def __init__(self, port, customers, occurrences, product_id, session_cookie):
        self.port = port
        self.customers = customers  # [(account, raw token)]
        self.occurrences = occurrences
        self.product_id = product_id
        self.session_cookie = session_cookie
        self.answers = []  # (monotonic time, kind, status or exception name)
        self.booked = {}  # idempotency key -> booking id, for every 2xx booking answer
        self.bad_503s = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def note(self, kind, outcome):
        with self.lock:
            self.answers.append((time.monotonic(), kind, outcome))

    def book(self, index):
        _, token = self.customers[index]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        for number, occurrence in enumerate(self.occurrences):
            key = f"outage-{index}-{number}"
            body = json.dumps({"product_id": self.product_id, "occurrence_id": occurrence.pk})
            # As a careful client: after a 503 or a lost answer, retry with the same key.
            while not self.stop.is_set():
                try:
                    status, found, content = _request(
                        self.port, "POST", "/api/v1/bookings", body,
                        {**headers, "Idempotency-Key": key})
                except OSError as error:
                    self.note("booking", type(error).__name__)
                    time.sleep(0.1)
                    continue
                self.note("booking", status)
                if status in (200, 201):
                    with self.lock:
                        self.booked[key] = json.loads(content)["id"]
                    break
                if status == 503:
                    self.check_503(found, content, api=True)
                    time.sleep(0.1)
                    continue
                break
            if self.stop.is_set():
                return

    def read(self, kind, path, headers):
        while not self.stop.is_set():
            try:
                status, found, content = _get(self.port, path, headers)
            except OSError as error:
                self.note(kind, type(error).__name__)
            else:
                self.note(kind, status)
                if status == 503:
                    self.check_503(found, content, api=path.startswith("/api/"))
            time.sleep(0.02)

    def check_503(self, headers, content, *, api):
        """A problem document for the API, a page for people; both say when to retry."""
        if api:
            good = (headers["Content-Type"] == "application/problem+json"
                    and json.loads(content)["code"] == "database_unavailable")
        else:
            good = headers["Content-Type"].startswith("text/html") and b"<h1>" in content
        if not (good and int(headers.get("Retry-After") or 0) > 0):
            with self.lock:
                self.bad_503s.append((dict(headers), content[:300]))

    def threads(self):
        made = [threading.Thread(target=self.book, args=(i,)) for i in range(
            len(self.customers))]
        token = self.customers[0][1]
        for kind, path, headers in (
                ("page", "/", {}),
                ("product page", f"/products/{self.product_id}/", {}),
                ("signed-in page", "/", {"Cookie": self.session_cookie}),
                ("api read", "/api/v1/me", {"Authorization": f"Bearer {token}"})):
            made.append(threading.Thread(target=self.read, args=(kind, path, headers)))
        return made


def _customer(n=0):
    account = make_account(f"customer{n}@example.org", f"Customer {n}")
    return account, identity.create_token(actor=account, name="load", scope="write")[1]


@postgresql_only
def test_a_database_outage_answers_503_and_the_site_recovers_by_itself(site):
    port, proxy, log = site
    provider = make_account("paula@example.org", "Paula Provider")
    product, first = scheduled(provider, capacity=50)
    start = timezone.now() + dt.timedelta(days=30)
    occurrences = [first, *catalogue.add_occurrences(
        actor=provider, product_id=product.pk, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity=50, repeat="daily", count=100)]
    customers = [_customer(n) for n in range(3)]
    browser = Client()
    browser.force_login(customers[0][0])
    cookie = f"sessionid={browser.cookies['sessionid'].value}"

    load = Load(port, customers, occurrences, product.pk, cookie)
    threads = load.threads()
    for thread in threads:
        thread.start()
    kinds = {"booking", "page", "product page", "signed-in page", "api read"}
    try:
        # Every kind answers once (the workers have loaded everything), then the clock runs.
        warm_until = time.monotonic() + 60
        while time.monotonic() < warm_until:
            with load.lock:
                if {kind for _, kind, outcome in load.answers if outcome in (200, 201)} >= kinds:
                    break
            time.sleep(0.05)
        time.sleep(UP_BEFORE)
        outage_at = time.monotonic()
        proxy.down()
        time.sleep(OUTAGE / 2)
        health = _get(port, "/healthz")
        time.sleep(OUTAGE / 2)
        back_at = time.monotonic()
        proxy.up()
        # Recovered when every kind of request has answered 2xx since the database came back.
        recovered_at = None
        while time.monotonic() < back_at + RECOVERY_LIMIT:
            with load.lock:
                ok = {kind for at, kind, outcome in load.answers
                      if at > back_at and outcome in (200, 201)}
            if ok >= kinds:
                recovered_at = time.monotonic()
                break
            time.sleep(0.05)
        time.sleep(AFTER if recovered_at else 0)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)
    end = time.monotonic()

    by_phase = collections.defaultdict(collections.Counter)
    for at, kind, outcome in load.answers:
        phase = ("warming up" if at < outage_at - UP_BEFORE else "up" if at < outage_at
                 else "outage" if at < back_at
                 else "recovering" if recovered_at is None or at < recovered_at
                 else "recovered")
        by_phase[phase][(kind, outcome)] += 1
    figures = {phase: dict(sorted(counts.items(), key=str)) for phase, counts in
               by_phase.items()}
    print(f"\nrequests: {len(load.answers)} in {end - outage_at + UP_BEFORE:.1f} s; "
          f"bookings answered 2xx: {len(load.booked)}; healthz during the outage: "
          f"{health[0]}; recovered "
          f"{'after %.2f s' % (recovered_at - back_at) if recovered_at else 'NOT'}")
    for phase, counts in figures.items():
        print(f"  {phase}: {counts}")

    outcomes = collections.Counter(outcome for _, _, outcome in load.answers)
    assert recovered_at is not None, (figures, log.read_text()[-5000:])
    # Never a 500, never a dropped connection: only answers the client can act on.
    assert set(outcomes) <= {200, 201, 503}, (figures, log.read_text()[-5000:])
    assert any(kind == "booking" and outcome == 503 for _, kind, outcome in load.answers)
    assert health[0] == 503
    assert not load.bad_503s, load.bad_503s[:3]
    # After recovery, everything answers again.
    assert all(outcome in (200, 201) for at, _, outcome in load.answers
               if at >= recovered_at), figures
    assert _get(port, "/healthz")[0] == 200
    # Every booking answered 2xx is in the database, exactly once.
    for key, booking_id in load.booked.items():
        assert list(Booking.objects.filter(idempotency_key=key).values_list(
            "pk", flat=True)) == [booking_id]
    keys = list(Booking.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))


@sqlite_only
def test_a_write_that_waits_past_sqlites_busy_timeout_answers_503(site):
    port, _, log = site
    product, occurrence = scheduled(make_account("paula@example.org", "Paula Provider"))
    _, token = _customer()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Idempotency-Key": "while-locked"}
    body = json.dumps({"product_id": product.pk, "occurrence_id": occurrence.pk})
    assert _get(port, "/")[0] == 200

    # Another process holds the write lock for longer than the site's busy timeout (1 s).
    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        status, found, content = _request(port, "POST", "/api/v1/bookings", body, headers)
        assert status == 503, content
        assert found["Content-Type"] == "application/problem+json"
        assert json.loads(content)["code"] == "database_unavailable"
        assert int(found["Retry-After"]) > 0
        # Reading goes on meanwhile (WAL): only writers wait.
        assert _get(port, "/")[0] == 200
        assert _get(port, f"/products/{product.pk}/")[0] == 200
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    # The same request again, once the lock is free, books exactly once.
    status, _, content = _request(port, "POST", "/api/v1/bookings", body, headers)
    assert status == 201, content
    assert Booking.objects.filter(idempotency_key="while-locked").count() == 1
