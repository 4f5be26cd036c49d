"""Bookings of dates, slots and units of one provider, all with one voucher, at the same
moment through the API on real parallel database connections: no server error, nothing
oversold, the voucher's uses right; and a lock that cannot be had in time answers a clear
409 `busy`, never a 500."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from weconomics.api.tests.helpers import API, assert_problem, post_json
from weconomics.bookings import services
from weconomics.bookings.models import Booking
from weconomics.bookings.queries import vouchers_of
from weconomics.bookings.tests.helpers import appointments, next_local, rooms, scheduled
from weconomics.catalogue import services as catalogue
from weconomics.conftest import make_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def signed_in(account) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(account)
    return client


def at_once(requests):
    """Send every (client, body) at the same moment, each from its own thread with its own
    database connection; return the responses in order."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def run(index, client, body):
        try:
            barrier.wait()
            answers[index] = post_json(client, f"{API}/bookings", body)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, *pair)) for i, pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_dates_slots_and_units_booked_at_once_with_one_voucher_never_fail_or_oversell():
    provider = make_account("provider@example.org", "Provider")
    training, first = scheduled(provider, capacity=1)
    start = first.starts_at
    dates = [first, *catalogue.add_occurrences(
        actor=provider, product_id=training.pk, starts_at=start + dt.timedelta(days=1),
        ends_at=start + dt.timedelta(days=1, hours=3), capacity=1, repeat="daily", count=5)]
    coaching = appointments(provider)
    slots = [next_local(9 + n, days=4) for n in range(6)]
    room = rooms(provider, names=("Room A", "Room B", "Room C"))
    arrival = next_local(days=6).date()
    # A voucher for all of the provider's products, as in the report: POST /vouchers with
    # no product.
    voucher = services.create_voucher(actor=provider, code="ALL300", kind="fixed",
                                      amount=300, max_uses=1000)
    people = [make_account(f"c{i}@example.org", f"Customer {i}") for i in range(30)]
    clients = [signed_in(p) for p in people]
    wanted = ([{"product_id": training.pk, "occurrence_id": d.pk} for d in dates] * 2
              + [{"product_id": coaching.pk, "slot_start": s.isoformat()} for s in slots] * 2
              + [{"product_id": room.pk, "start_date": arrival.isoformat(),
                  "end_date": (arrival + dt.timedelta(days=2)).isoformat()}] * 6)
    answers = at_once([(c, {**body, "voucher_code": "all300"})
                       for c, body in zip(clients, wanted, strict=True)])

    statuses = [a.status_code for a in answers]
    assert not [a.content for a in answers if a.status_code >= 500], statuses
    assert statuses.count(201) == 6 + 6 + 3, statuses
    assert all(s == 409 for s in statuses if s != 201), statuses
    for date in dates:
        assert Booking.objects.filter(occurrence=date).count() == 1
    for slot in slots:
        assert Booking.objects.filter(product=coaching, starts_at=slot).count() == 1
    assert sorted(Booking.objects.filter(product=room).values_list("unit__name", flat=True)) \
        == ["Room A", "Room B", "Room C"]
    assert Booking.objects.filter(voucher=voucher).count() == 15
    assert vouchers_of(provider).get(pk=voucher.pk).uses == 15
    assert all(b.discount_cents == 300 for b in Booking.objects.all())


def hold_lock(sql, held, release):
    """Keep a row locked from another connection until `release` is set."""
    from django.db import transaction

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
            held.set()
            release.wait(10)
    finally:
        close_old_connections()


def test_a_lock_not_had_in_time_answers_busy_not_a_server_error(monkeypatch):
    from weconomics.bookings import locking

    provider = make_account("provider@example.org", "Provider")
    training, date = scheduled(provider)
    client = signed_in(make_account("c@example.org", "Customer"))
    client.get(f"{API}/me")  # the session's tracking is written now, not under the lock
    table = date._meta.db_table
    if connection.vendor == "postgresql":
        monkeypatch.setattr(locking, "LOCK_TIMEOUT", 0.2)
        sql = f"SELECT id FROM {table} WHERE id = {date.pk} FOR UPDATE"  # noqa: S608
    else:
        # SQLite: another writer holds the database; the busy timeout, shortened here.
        sql = f"UPDATE {table} SET capacity = capacity WHERE id = {date.pk}"  # noqa: S608
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 200")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock, args=(sql, held, release))
    holder.start()
    try:
        assert held.wait(10)
        answer = post_json(client, f"{API}/bookings",
                           {"product_id": training.pk, "occurrence_id": date.pk})
    finally:
        release.set()
        holder.join()
        if connection.vendor == "sqlite":
            connection.connection.execute("PRAGMA busy_timeout = 20000")
    body = assert_problem(answer, 409, "busy")
    assert "try again" in body["detail"].lower()
    assert not Booking.objects.exists()


def test_invoices_issued_at_once_get_every_number_once():
    from weconomics.bookings.tests.test_capacity import race

    provider = make_account("provider@example.org", "Provider")
    training, date = scheduled(provider, capacity=20)
    people = [make_account(f"c{i}@example.org", f"Customer {i}") for i in range(8)]
    made = [services.book(actor=p, product_id=training.pk, occurrence_id=date.pk)
            for p in people]
    services.issue_invoice(actor=provider, booking_id=made[0].pk)  # the year's counter exists
    found = race(made[1:], lambda b: services.mark_paid(actor=provider, booking_id=b.pk))
    assert not [r for r in found if isinstance(r, tuple)], found
    year = timezone.localdate().year
    assert sorted(r.number for r in found) == [f"{year}-{n:05d}" for n in range(2, 9)]
