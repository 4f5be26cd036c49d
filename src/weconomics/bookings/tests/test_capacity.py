"""Capacity is never exceeded, whatever the concurrency: many clients on real parallel
database connections against a capacity of 1 and of 10, on SQLite and PostgreSQL alike,
and a twin that shows the race when the lock is skipped."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from weconomics.bookings import locking, services
from weconomics.bookings.errors import BookingError, Full, Invalid, Unavailable
from weconomics.bookings.models import Booking, WaitingListEntry
from weconomics.bookings.tests.helpers import appointments, next_local, rooms, scheduled
from weconomics.conftest import make_account

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 20


def customers(n=CLIENTS):
    return [make_account(f"c{i}@example.org", f"Customer {i}") for i in range(n)]


def race(items, attempt):
    """Attempt for every item (a person, a date) at the same moment, each on its own
    connection; return what each got, in the items' order."""
    barrier = threading.Barrier(len(items))
    results = [None] * len(items)

    def run(index, item):
        try:
            barrier.wait()
            results[index] = attempt(item)
        except BookingError as error:
            results[index] = error
        except Exception as error:  # noqa: BLE001 - any other error fails the test below
            results[index] = ("unexpected", error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("capacity", [1, 10])
def test_exactly_the_capacity_is_confirmed_and_the_rest_hear_it_is_full(capacity):
    provider = make_account("provider@example.org", "Provider")
    _product, occurrence = scheduled(provider, capacity=capacity)
    people = customers()
    results = race(people, lambda p: services.book(actor=p, product_id=occurrence.product_id,
                                                   occurrence_id=occurrence.pk))
    assert not [r for r in results if isinstance(r, tuple)], results
    assert Booking.objects.filter(occurrence=occurrence, state="confirmed").count() == capacity
    assert sum(isinstance(r, Full) for r in results) == CLIENTS - capacity


@pytest.mark.parametrize("capacity", [1, 10])
def test_those_who_ask_for_it_get_a_waiting_list_place_instead(capacity):
    provider = make_account("provider@example.org", "Provider")
    _product, occurrence = scheduled(provider, capacity=capacity)
    results = race(customers(), lambda p: services.book(
        actor=p, product_id=occurrence.product_id, occurrence_id=occurrence.pk, waitlist=True))
    assert not [r for r in results if isinstance(r, tuple | BookingError)], results
    assert Booking.objects.filter(occurrence=occurrence).count() == capacity
    assert WaitingListEntry.objects.filter(occurrence=occurrence,
                                           status="waiting").count() == CLIENTS - capacity


def test_without_the_lock_the_race_oversells(monkeypatch):
    """The twin: the same clients with the lock function swapped for plain reads, and places
    are oversold. On SQLite the IMMEDIATE transaction is the lock, so it goes too."""
    monkeypatch.setattr(locking, "lock_objects", lambda *querysets: [
        list(q.order_by("pk")) if q is not None else [] for q in querysets])
    if connection.vendor == "sqlite":
        monkeypatch.setattr(locking, "atomic", lambda **_kwargs: contextlib.nullcontext())
    # Every client counts before any writes its booking, as happens under load.
    everyone_counted = threading.Barrier(CLIENTS, timeout=5)
    insert = f'INSERT INTO "{Booking._meta.db_table}"'

    def after_everyone_counted(execute, sql, params, many, context):
        if sql.startswith(insert):
            with contextlib.suppress(threading.BrokenBarrierError):
                everyone_counted.wait()
        return execute(sql, params, many, context)

    def attempt(person):
        with connection.execute_wrapper(after_everyone_counted):
            return services.book(actor=person, product_id=occurrence.product_id,
                                 occurrence_id=occurrence.pk)

    provider = make_account("provider@example.org", "Provider")
    _product, occurrence = scheduled(provider, capacity=1)
    race(customers(), attempt)
    assert Booking.objects.filter(occurrence=occurrence, state="confirmed").count() > 1


def test_one_unit_is_never_booked_twice_for_overlapping_dates():
    provider = make_account("provider@example.org", "Provider")
    product = rooms(provider)
    first = next_local(days=5).date()
    results = race(customers(8), lambda p: services.book(
        actor=p, product_id=product.pk, start_date=first,
        end_date=first + dt.timedelta(days=2)))
    assert not [r for r in results if isinstance(r, tuple)], results
    assert Booking.objects.filter(product=product).count() == 1
    assert sum(isinstance(r, Unavailable) for r in results) == 7


def test_one_appointment_slot_is_given_once():
    provider = make_account("provider@example.org", "Provider")
    product = appointments(provider)
    slot = next_local(10, days=4)
    results = race(customers(8), lambda p: services.book(actor=p, product_id=product.pk,
                                                         slot_start=slot))
    assert not [r for r in results if isinstance(r, tuple)], results
    assert Booking.objects.filter(product=product).count() == 1
    assert sum(isinstance(r, Unavailable) for r in results) == 7


def test_a_voucher_is_never_used_past_its_limit():
    provider = make_account("provider@example.org", "Provider")
    _product, occurrence = scheduled(provider, capacity=50)
    services.create_voucher(actor=provider, code="EARLY", kind="percent", amount=10,
                            max_uses=3)
    results = race(customers(12), lambda p: services.book(
        actor=p, product_id=occurrence.product_id, occurrence_id=occurrence.pk,
        voucher_code="early"))
    assert not [r for r in results if isinstance(r, tuple)], results
    assert Booking.objects.filter(voucher__code="EARLY").count() == 3
    assert sum(isinstance(r, Invalid) for r in results) == 9


@pytest.mark.parametrize("capacity", [1, 10])
def test_a_retried_request_with_the_same_key_books_once(capacity):
    # With one place, the retries that waited for the lock find the date full: they must
    # still be answered with the first booking, not "full".
    provider = make_account("provider@example.org", "Provider")
    _product, occurrence = scheduled(provider, capacity=capacity)
    [person] = customers(1)
    found = [getattr(r, "pk", r) for r in race([person] * 6, lambda p: services.book(
        actor=p, product_id=occurrence.product_id, occurrence_id=occurrence.pk,
        idempotency_key="k-1"))]
    assert Booking.objects.filter(customer=person).count() == 1
    assert len(set(found)) == 1, found


def test_one_key_sent_at_once_for_two_products_books_one_and_refuses_the_other():
    provider = make_account("provider@example.org", "Provider")
    _first, one = scheduled(provider)
    _second, other = scheduled(provider)
    [person] = customers(1)
    found = race([one, other], lambda date: services.book(
        actor=person, product_id=date.product_id, occurrence_id=date.pk,
        idempotency_key="k-9"))
    assert Booking.objects.filter(customer=person).count() == 1
    assert sorted(type(r).__name__ for r in found) == ["Booking", "KeyReused"], found
