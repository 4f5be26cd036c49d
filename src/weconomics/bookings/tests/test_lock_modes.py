"""Lock modes, on real parallel database connections.

Editing a product or creating a token locks a row FOR NO KEY UPDATE, so bookings (whose
insert takes FOR KEY SHARE on the product and the accounts it refers to) go on meanwhile;
and a booking of an appointment reads the provider's hours after the calendar lock that a
change of those hours also takes, so it never passes on the old hours.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from weconomics.bookings import locking, services
from weconomics.bookings.errors import Unavailable
from weconomics.bookings.models import Booking
from weconomics.bookings.tests.helpers import appointments, next_local, scheduled
from weconomics.catalogue import services as catalogue
from weconomics.conftest import make_account
from weconomics.identity import services as identity

pytestmark = pytest.mark.django_db(transaction=True)

@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


only_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time (IMMEDIATE transactions): lock modes are "
           "PostgreSQL's")


def paused(monkeypatch, module, name):
    """Make module.name (called inside a service's transaction, after its lock) wait; return
    (held, release, done) to drive a call of the service from another thread."""
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    original = getattr(module, name)

    def waiting(*args, **kwargs):
        result = original(*args, **kwargs)
        held.set()
        release.wait(10)
        return result

    monkeypatch.setattr(module, name, waiting)
    return held, release, done


def in_thread(work, done, errors):
    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            done.set()
            close_old_connections()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiting_for_a_lock() -> int:
    """How many other connections of this database wait for a lock (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@only_postgresql
@pytest.mark.parametrize("edit", ["update_product", "set_status"])
def test_a_date_is_booked_while_its_product_is_being_edited(monkeypatch, edit):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 1.0)  # before the fix: Busy after 1 s
    provider = make_account("provider@example.org", "Provider")
    customer = make_account("customer@example.org", "Customer")
    training, date = scheduled(provider)
    held, release, done = paused(monkeypatch, catalogue, "_refresh_publications")
    errors = []
    if edit == "update_product":
        def work():
            catalogue.update_product(actor=provider, product_id=training.pk, title="Renamed")
    else:
        def work():
            catalogue.set_status(actor=provider, product_id=training.pk, status="archived")
    editor = in_thread(work, done, errors)
    try:
        assert held.wait(10)
        booking = services.book(actor=customer, product_id=training.pk,
                                occurrence_id=date.pk)
        assert not done.is_set()  # booked while the edit still held its lock
    finally:
        release.set()
        editor.join()
    assert not errors
    assert Booking.objects.get(pk=booking.pk).occurrence_id == date.pk


@only_postgresql
def test_a_booking_by_an_account_goes_on_while_it_creates_a_token(monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", 1.0)
    provider = make_account("provider@example.org", "Provider")
    customer = make_account("customer@example.org", "Customer")
    training, date = scheduled(provider)
    held, release, done = paused(monkeypatch, identity.audit, "record")
    errors = []
    creator = in_thread(lambda: identity.create_token(actor=customer, name="CLI", scope="read"),
                        done, errors)
    try:
        assert held.wait(10)
        booking = services.book(actor=customer, product_id=training.pk,
                                occurrence_id=date.pk)
        assert not done.is_set()
    finally:
        release.set()
        creator.join()
    assert not errors
    assert booking.customer_id == customer.pk
    assert customer.tokens.count() == 1


def test_a_booking_racing_a_change_of_hours_is_judged_by_the_new_hours(monkeypatch):
    provider = make_account("provider@example.org", "Provider")
    customer = make_account("customer@example.org", "Customer")
    coaching = appointments(provider)  # 09:00 to 17:00 every day
    slot = next_local(10, days=3)
    held, release, done = paused(monkeypatch, catalogue, "record")
    errors = []
    # The provider is no longer available in the mornings.
    change = in_thread(lambda: catalogue.set_availability(
        actor=provider, product_id=coaching.pk,
        rules=[{"weekday": d, "start": "13:00", "end": "17:00"} for d in range(7)]),
        done, errors)
    outcome = []

    def booking():
        try:
            outcome.append(services.book(actor=customer, product_id=coaching.pk,
                                         slot_start=slot))
        except Unavailable as refused:
            outcome.append(refused)
        finally:
            close_old_connections()

    booker = threading.Thread(target=booking)
    try:
        assert held.wait(10)
        booker.start()
        if connection.vendor == "postgresql":
            # Let the change commit only once the booking waits for the calendar lock (or,
            # without that lock, has already finished).
            for _attempt in range(200):
                if outcome or waiting_for_a_lock():
                    break
                threading.Event().wait(0.025)
        else:
            threading.Event().wait(0.2)  # SQLite: the booking waits for the writer at BEGIN
    finally:
        release.set()
        change.join()
        booker.join()
    assert not errors
    assert len(outcome) == 1 and isinstance(outcome[0], Unavailable), outcome
    assert "not available" in str(outcome[0])
    assert not Booking.objects.filter(product=coaching).exists()
