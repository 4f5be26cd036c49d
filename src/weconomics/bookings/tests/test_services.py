"""Bookings through their services: the life cycle for each way of booking, cancelling,
waiting lists, minimum participants, commerce (frozen prices, vouchers, invoices),
reviews, portfolio entries, reminders and calendar files. Capacity under concurrency is
proved in test_capacity.py."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from weconomics.audit.models import AuditRecord
from weconomics.bookings import ics, queries, services
from weconomics.bookings.errors import (
    Conflict,
    Full,
    Invalid,
    NotAllowed,
    NotFound,
    TooLate,
    Unavailable,
)
from weconomics.bookings.invoices import render_pdf
from weconomics.bookings.models import (
    Booking,
    BookingEvent,
    Invoice,
    PortfolioEntry,
    Review,
    WaitingListEntry,
)
from weconomics.bookings.tests.helpers import (
    appointments,
    community_of,
    next_local,
    publish,
    rooms,
    scheduled,
)
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Occurrence
from weconomics.conftest import make_account
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def person(email, name):
    account = make_account(email, name)
    account.language = "en"
    account.save(update_fields=["language"])
    return account


@pytest.fixture
def provider(db):
    return person("provider@example.org", "Pia Provider")


@pytest.fixture
def customer(db):
    return person("customer@example.org", "Cas Customer")


@pytest.fixture
def other(db):
    return person("other@example.org", "Oda Other")


def consistent(booking) -> bool:
    """The state column and the events tell the same story."""
    booking.refresh_from_db()
    return services.derived_state(booking) == booking.state


def states(booking) -> list[tuple[str, str]]:
    return list(BookingEvent.objects.filter(booking=booking).order_by("at", "pk")
                .values_list("from_state", "to_state"))


def kinds_for(account) -> list[str]:
    return list(Notification.objects.filter(recipient=account).order_by("created_at", "pk")
                .values_list("kind", flat=True))


def subjects_to(email) -> list[str]:
    return [m.subject for m in mail.outbox if email in m.to]


def on_request(provider, **fields):
    product = catalogue.create_product(actor=provider, kind="interim", logistics="on_request",
                                       title="Interim project lead", price_cents=0, **fields)
    return publish(provider, product)


def add_date(provider, product, *, days=14, capacity=10, **fields):
    start = timezone.now() + dt.timedelta(days=days)
    [occurrence] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                             starts_at=start, ends_at=start
                                             + dt.timedelta(hours=2), capacity=capacity,
                                             **fields)
    return occurrence


# --- scheduled dates ------------------------------------------------------------------------

def test_a_scheduled_date_is_confirmed_at_once_and_both_sides_hear_of_it(
        provider, customer, django_capture_on_commit_callbacks):
    product, occurrence = scheduled(provider, price_cents=5000)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.book(actor=customer, product_id=product.pk,
                                occurrence_id=occurrence.pk, quantity=2)
    assert booking.state == "confirmed" and consistent(booking)
    assert states(booking) == [("", "confirmed")]
    assert (booking.unit_price_cents, booking.total_cents) == (5000, 10000)
    assert booking.customer_name == "Cas Customer" and booking.provider == provider
    assert services.places_left(occurrence) == 8
    assert kinds_for(provider) == ["bookings.new"]
    assert subjects_to(customer.email) == ["[Weconomics] Your booking of Facilitation training"]
    assert subjects_to(provider.email) == ["[Weconomics] New booking: Facilitation training"]
    [sent] = [m for m in mail.outbox if customer.email in m.to]
    assert [a[2].split(";")[0] for a in sent.attachments] == ["text/calendar"]
    assert AuditRecord.objects.filter(action="bookings.confirmed",
                                      target_id=str(booking.pk)).exists()


def test_with_the_database_task_backend_the_mail_task_is_written_with_the_booking(
        provider, customer, settings):
    """A transactional outbox: the task row commits with the booking or not at all."""
    from django_tasks_db.models import DBTaskResult

    from weconomics.bookings.tasks import enqueue_on_commit, send_booking_mail

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    product, occurrence = scheduled(provider)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    [task] = DBTaskResult.objects.filter(
        task_path="weconomics.bookings.tasks.send_booking_mail")
    assert task.args_kwargs["kwargs"] == {"booking_id": booking.pk, "kind": "created"}
    # A change that rolls back after enqueueing leaves no task behind for the worker.
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(send_booking_mail, booking_id=booking.pk, kind="cancelled")
        raise RuntimeError("the change failed after its mail was enqueued")
    assert DBTaskResult.objects.count() == 1


def test_who_holds_a_place_is_told_so_even_when_the_date_is_full(provider, customer):
    product, occurrence = scheduled(provider, capacity=1)
    services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    for waitlist in (False, True):
        # Not "full", and not a place in the line for a date they have a place on.
        with pytest.raises(Conflict, match="booked this date already"):
            services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=waitlist)
    assert not WaitingListEntry.objects.exists()


def test_a_date_that_needs_approval_is_requested_then_approved_or_declined(
        provider, customer, other):
    product, occurrence = scheduled(provider, requires_approval=True, capacity=2)
    first = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    second = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
    assert first.state == second.state == "requested"
    # A request holds its place until it is answered.
    assert services.places_left(occurrence) == 0
    services.decide(actor=provider, booking_id=first.pk, approve=True)
    services.decide(actor=provider, booking_id=second.pk, approve=False, reason="Too junior")
    assert consistent(first) and first.state == "confirmed"
    assert consistent(second) and second.state == "declined"
    assert states(first) == [("", "requested"), ("requested", "confirmed")]
    assert BookingEvent.objects.filter(booking=second).last().reason == "Too junior"
    assert services.places_left(occurrence) == 1
    assert kinds_for(customer) == ["bookings.confirmed"]
    assert kinds_for(other) == ["bookings.declined"]
    with pytest.raises(Conflict, match="Only a requested booking"):
        services.decide(actor=provider, booking_id=first.pk, approve=False)
    # Only the provider decides; the customer does not find it as theirs to decide.
    third = services.book(actor=person("t@example.org", "Tess"), product_id=product.pk,
                          occurrence_id=occurrence.pk)
    with pytest.raises(NotFound):
        services.decide(actor=customer, booking_id=third.pk, approve=True)


def test_past_cancelled_draft_and_invisible_dates_cannot_be_booked(provider, customer):
    product, occurrence = scheduled(provider, days=2)
    with time_machine.travel(occurrence.starts_at + dt.timedelta(minutes=1), tick=False), \
            pytest.raises(Invalid, match="has passed"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    later = add_date(provider, product)
    services.cancel_occurrence(actor=provider, occurrence_id=later.pk)
    with pytest.raises(Invalid, match="cancelled"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=later.pk)
    with pytest.raises(Invalid, match="Choose a date"):
        services.book(actor=customer, product_id=product.pk, occurrence_id="soon")
    with pytest.raises(NotFound):
        services.book(actor=customer, product_id=product.pk, occurrence_id=999_999)
    catalogue.set_status(actor=provider, product_id=product.pk, status="draft")
    with pytest.raises(NotFound):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    catalogue.set_status(actor=provider, product_id=product.pk, status="archived")
    with pytest.raises(NotFound):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    assert not Booking.objects.exists()


def test_a_product_only_published_in_a_hidden_community_is_not_bookable_by_outsiders(
        provider, customer):
    from weconomics.communities import services as communities

    hidden = communities.create_community(actor=provider, name="Secret", slug="secret",
                                          purpose="Quiet", audience="Few",
                                          kind="neighbourhood", visibility="hidden",
                                          domains=["training"])
    product = catalogue.create_product(actor=provider, kind="training", logistics="scheduled",
                                       title="Quiet training", price_cents=0)
    occurrence = add_date(provider, product)
    publish(provider, product, community=hidden)
    with pytest.raises(NotFound):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(NotAllowed, match="Sign in"):
        services.book(actor=None, product_id=product.pk, occurrence_id=occurrence.pk)


def test_one_person_books_a_date_once(provider, customer):
    product, occurrence = scheduled(provider)
    services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(Conflict, match="booked this date already"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)


@pytest.mark.parametrize(("quantity", "message"), [
    (0, "at least one"), (-1, "at least one"), (5, "at most 4"), ("two", "whole number")])
def test_the_number_of_places_is_checked(provider, customer, quantity, message):
    product, occurrence = scheduled(provider)
    with pytest.raises(Invalid, match=message):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                      quantity=quantity)
    assert not Booking.objects.exists()


def test_a_provider_cannot_book_their_own_product(provider):
    product, occurrence = scheduled(provider)
    with pytest.raises(NotAllowed, match="your own product"):
        services.book(actor=provider, product_id=product.pk, occurrence_id=occurrence.pk)


def test_booking_for_an_organisation_needs_membership(provider, customer, other):
    from weconomics.contacts.organisations import create_organisation

    organisation = create_organisation(actor=customer, name="Acme Care", kind="company")
    product, occurrence = scheduled(provider)
    with pytest.raises(NotAllowed, match="organisations you belong to"):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                      organisation=organisation.slug)
    with pytest.raises(NotAllowed):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                      organisation="nowhere")
    booking = services.book(actor=customer, product_id=product.pk,
                            occurrence_id=occurrence.pk, organisation=organisation.slug)
    assert booking.organisation == organisation
    invoice = services.issue_invoice(actor=provider, booking_id=booking.pk)
    assert invoice.buyer_name == "Acme Care"


def test_the_providers_questions_must_be_answered(provider, customer):
    product, occurrence = scheduled(provider, questions=["Dietary needs?", "Your role?"])
    with pytest.raises(Invalid, match="Dietary needs"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(Invalid, match="Your role"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                      answers={"Dietary needs?": "None", "Your role?": "  "})
    with pytest.raises(Invalid):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                      answers=["None", "Lead"])
    booking = services.book(actor=customer, product_id=product.pk,
                            occurrence_id=occurrence.pk,
                            answers={"Dietary needs?": "Vegan", "Your role?": "Lead",
                                     "Extra": "ignored"})
    assert booking.answers == {"Dietary needs?": "Vegan", "Your role?": "Lead"}


def test_a_retried_booking_with_the_same_key_returns_the_first(provider, customer):
    product, occurrence = scheduled(provider)
    first = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                          idempotency_key="abc")
    again = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                          idempotency_key="abc")
    assert again.pk == first.pk and Booking.objects.count() == 1
    other_product, other_date = scheduled(provider)
    with pytest.raises(Conflict, match="idempotency key"):
        services.book(actor=customer, product_id=other_product.pk,
                      occurrence_id=other_date.pk, idempotency_key="abc")


# --- appointments -----------------------------------------------------------------------------

def test_an_appointment_inside_the_availability_is_confirmed(provider, customer):
    product = appointments(provider)
    slot = next_local(10, days=3)
    booking = services.book(actor=customer, product_id=product.pk, slot_start=slot)
    assert booking.state == "confirmed" and consistent(booking)
    assert (booking.starts_at, booking.ends_at) == (slot, slot + dt.timedelta(hours=1))
    # A time given as text in local time is understood too.
    later = services.book(actor=person("b@example.org", "Bo"), product_id=product.pk,
                          slot_start=next_local(14, days=3).replace(tzinfo=None).isoformat())
    assert later.starts_at == next_local(14, days=3)


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (16, 30), (17, 0), (10, 30), (22, 0)])
def test_a_time_outside_the_availability_or_off_the_grid_is_unavailable(
        provider, customer, hour, minute):
    product = appointments(provider)
    slot = next_local(hour, days=3).replace(minute=minute)
    with pytest.raises(Unavailable, match="not available"):
        services.book(actor=customer, product_id=product.pk, slot_start=slot)


def test_appointments_respect_notice_and_window(provider, customer):
    product = appointments(provider, window_days=10)
    catalogue.update_product(actor=provider, product_id=product.pk, min_notice_hours=48)
    with pytest.raises(Unavailable, match="at least 48 hours ahead"):
        services.book(actor=customer, product_id=product.pk, slot_start=next_local(10, days=1))
    with pytest.raises(Unavailable, match="at most 10 days ahead"):
        services.book(actor=customer, product_id=product.pk, slot_start=next_local(10, days=12))
    with pytest.raises(Invalid, match="not a date"):
        services.book(actor=customer, product_id=product.pk, slot_start="tomorrow")
    assert not Booking.objects.exists()


def test_a_buffer_keeps_time_free_between_appointments_of_any_product(provider, customer,
                                                                     other):
    long = appointments(provider, buffer_minutes=30)
    short = catalogue.create_product(actor=provider, kind="advice", logistics="appointment",
                                     title="Quick advice", price_cents=0, slot_minutes=30,
                                     buffer_minutes=30, min_notice_hours=2)
    catalogue.set_availability(actor=provider, product_id=short.pk, rules=[
        {"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)])
    short = publish(provider, short)
    services.book(actor=customer, product_id=long.pk, slot_start=next_local(9, days=3))
    # 09:00-10:00 is taken; with 30 minutes between appointments 10:00 is too close.
    with pytest.raises(Unavailable, match="taken"):
        services.book(actor=other, product_id=short.pk, slot_start=next_local(10, days=3))
    booking = services.book(actor=other, product_id=short.pk, slot_start=next_local(11, days=3))
    assert booking.state == "confirmed"
    # The same time of the provider is never given twice, whichever product.
    with pytest.raises(Unavailable):
        services.book(actor=person("x@example.org", "X"), product_id=long.pk,
                      slot_start=next_local(9, days=3))


def test_free_slots_leave_out_taken_and_too_soon_ones(provider, customer):
    product = appointments(provider)
    day = next_local(10, days=3).date()
    slots = [s.astimezone(next_local().tzinfo).hour for s, _e in services.free_slots(product,
                                                                                      day)]
    assert slots == list(range(9, 17))
    services.book(actor=customer, product_id=product.pk, slot_start=next_local(10, days=3))
    slots = [s.astimezone(next_local().tzinfo).hour for s, _e in services.free_slots(product,
                                                                                      day)]
    assert slots == [9, *range(11, 17)]
    past = (timezone.now() - dt.timedelta(days=1)).date()
    assert services.free_slots(product, past) == []


# --- resources --------------------------------------------------------------------------------

def test_a_room_is_booked_by_date_range_and_priced_per_night(provider, customer):
    product = rooms(provider)
    first = next_local(days=5).date()
    booking = services.book(actor=customer, product_id=product.pk, start_date=first,
                            end_date=first + dt.timedelta(days=3), quantity=1)
    assert booking.state == "confirmed" and consistent(booking)
    assert booking.unit.name == "Room A"
    assert booking.total_cents == 3 * 2500


def test_adjacent_ranges_share_a_unit_and_overlapping_ones_are_refused(provider, customer,
                                                                       other):
    product = rooms(provider)
    first = next_local(days=5).date()
    services.book(actor=customer, product_id=product.pk, start_date=first,
                  end_date=first + dt.timedelta(days=2))
    adjacent = services.book(actor=other, product_id=product.pk,
                             start_date=first + dt.timedelta(days=2),
                             end_date=first + dt.timedelta(days=4))
    assert adjacent.unit.name == "Room A"
    with pytest.raises(Unavailable, match="Nothing is free"):
        services.book(actor=person("x@example.org", "X"), product_id=product.pk,
                      start_date=first + dt.timedelta(days=1),
                      end_date=first + dt.timedelta(days=3))


def test_the_first_free_unit_is_chosen_and_a_unit_can_be_asked_for(provider, customer, other):
    product = rooms(provider, names=("Room A", "Room B", "Room C"))
    first = next_local(days=5).date()
    units = {u.name: u for u in product.units.all()}
    one = services.book(actor=customer, product_id=product.pk, start_date=first,
                        end_date=first + dt.timedelta(days=1))
    two = services.book(actor=other, product_id=product.pk, start_date=first,
                        end_date=first + dt.timedelta(days=2))
    assert (one.unit.name, two.unit.name) == ("Room A", "Room B")
    three = services.book(actor=person("x@example.org", "X"), product_id=product.pk,
                          unit_id=units["Room C"].pk, start_date=first,
                          end_date=first + dt.timedelta(days=1))
    assert three.unit.name == "Room C"
    with pytest.raises(Unavailable):
        services.book(actor=person("y@example.org", "Y"), product_id=product.pk,
                      unit_id=units["Room B"].pk, start_date=first,
                      end_date=first + dt.timedelta(days=1))
    # A cancelled booking frees its unit.
    services.cancel(actor=customer, booking_id=one.pk)
    again = services.book(actor=person("z@example.org", "Z"), product_id=product.pk,
                          start_date=first, end_date=first + dt.timedelta(days=1))
    assert again.unit.name == "Room A"


@pytest.mark.parametrize(("start", "end", "message"), [
    (-2, -1, "in the past"), (3, 1, "departure must come after"),
    (3, 3, "departure must come after"), (1, 400, "at most 366"),
])
def test_bad_date_ranges_are_refused(provider, customer, start, end, message):
    product = rooms(provider)
    today = timezone.localdate()
    with pytest.raises(Invalid, match=message):
        services.book(actor=customer, product_id=product.pk,
                      start_date=today + dt.timedelta(days=start),
                      end_date=today + dt.timedelta(days=end))
    with pytest.raises(Invalid, match="not a date"):
        services.book(actor=customer, product_id=product.pk, start_date="soon",
                      end_date="later")
    assert not Booking.objects.exists()


# --- on request -------------------------------------------------------------------------------

def test_a_request_gets_a_proposal_and_accepting_it_freezes_the_price(provider, customer):
    product = on_request(provider)
    booking = services.book(actor=customer, product_id=product.pk,
                            message="Three months, two days a week")
    assert booking.state == "requested" and booking.total_cents == 0
    with pytest.raises(Conflict, match="proposal"):
        services.decide(actor=provider, booking_id=booking.pk, approve=True)
    start = timezone.now() + dt.timedelta(days=20)
    services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                     ends_at_value=start + dt.timedelta(days=90), price_cents=1_250_000,
                     message="Let's start in a month")
    assert consistent(booking) and booking.state == "proposed"
    assert kinds_for(customer) == ["bookings.proposed"]
    with pytest.raises(Conflict, match="answered already"):
        services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                         ends_at_value=start + dt.timedelta(days=1), price_cents=1)
    with pytest.raises(NotFound):
        services.answer_proposal(actor=provider, booking_id=booking.pk, accept=True)
    services.answer_proposal(actor=customer, booking_id=booking.pk, accept=True)
    assert consistent(booking) and booking.state == "confirmed"
    assert (booking.unit_price_cents, booking.total_cents) == (1_250_000, 1_250_000)
    assert booking.starts_at == start
    assert states(booking) == [("", "requested"), ("requested", "proposed"),
                               ("proposed", "confirmed")]
    catalogue.update_product(actor=provider, product_id=product.pk, price_cents=99)
    booking.refresh_from_db()
    assert booking.total_cents == 1_250_000


def test_a_declined_proposal_cancels_and_a_declined_request_is_declined(provider, customer,
                                                                        other):
    product = on_request(provider)
    booking = services.book(actor=customer, product_id=product.pk)
    start = timezone.now() + dt.timedelta(days=20)
    services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                     ends_at_value=start + dt.timedelta(hours=8), price_cents=80_000)
    services.answer_proposal(actor=customer, booking_id=booking.pk, accept=False)
    assert consistent(booking) and booking.state == "cancelled"
    with pytest.raises(Conflict, match="no proposal"):
        services.answer_proposal(actor=customer, booking_id=booking.pk, accept=True)
    request = services.book(actor=other, product_id=product.pk)
    services.decide(actor=provider, booking_id=request.pk, approve=False)
    assert consistent(request) and request.state == "declined"


@pytest.mark.parametrize(("days", "hours", "price", "message"), [
    (-1, 2, 100, "in the future"), (5, -2, 100, "end must come after"),
    (5, 2, -1, "below zero"), (5, 2, "lots", "whole number"),
])
def test_a_bad_proposal_is_refused(provider, customer, days, hours, price, message):
    product = on_request(provider)
    booking = services.book(actor=customer, product_id=product.pk)
    start = timezone.now() + dt.timedelta(days=days)
    with pytest.raises(Invalid, match=message):
        services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                         ends_at_value=start + dt.timedelta(hours=hours), price_cents=price)
    assert consistent(booking) and booking.state == "requested"


def test_only_requests_get_proposals(provider, customer):
    product, occurrence = scheduled(provider)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(Conflict, match="Only requests"):
        services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                         ends_at_value=start + dt.timedelta(hours=1), price_cents=1)


# --- events -----------------------------------------------------------------------------------

def test_every_change_appends_an_event_that_cannot_be_changed(provider, customer):
    product, occurrence = scheduled(provider, days=1)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with time_machine.travel(occurrence.starts_at + dt.timedelta(minutes=5), tick=False):
        services.check_in(actor=provider, booking_id=booking.pk)
        services.check_in(actor=provider, booking_id=booking.pk)  # once is enough
        services.complete(actor=provider, booking_id=booking.pk)
        assert consistent(booking) and booking.state == "completed"
        assert booking.checked_in_at is not None
        assert states(booking) == [("", "confirmed"), ("confirmed", "confirmed"),
                                   ("confirmed", "completed")]
        with pytest.raises(Conflict, match="cannot become"):
            services.complete(actor=provider, booking_id=booking.pk, no_show=True)
        with pytest.raises(Conflict):
            services.cancel(actor=provider, booking_id=booking.pk)
    event = BookingEvent.objects.filter(booking=booking).first()
    event.reason = "rewritten"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        BookingEvent.objects.filter(booking=booking).update(to_state="cancelled")
    assert set(BookingEvent.objects.values_list("reason", flat=True)) == {"", "checked in"}
    assert consistent(booking)


def test_a_booking_is_completed_only_once_it_has_started(provider, customer):
    product, occurrence = scheduled(provider, days=3)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(Conflict, match="once it has started"):
        services.complete(actor=provider, booking_id=booking.pk)
    with pytest.raises(NotFound):
        services.complete(actor=customer, booking_id=booking.pk)
    with time_machine.travel(occurrence.starts_at + dt.timedelta(hours=1), tick=False):
        services.complete(actor=provider, booking_id=booking.pk, no_show=True)
        assert consistent(booking) and booking.state == "no_show"
    assert not PortfolioEntry.objects.exists()


# --- cancelling -------------------------------------------------------------------------------

def test_a_customer_cancels_within_the_policy_and_the_provider_is_told(provider, customer):
    product, occurrence = scheduled(provider, days=3, cancel_hours_before=48)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    assert services.cancellation_deadline(booking) == occurrence.starts_at - dt.timedelta(
        hours=48)
    services.cancel(actor=customer, booking_id=booking.pk, reason="Ill")
    assert consistent(booking) and booking.state == "cancelled"
    assert BookingEvent.objects.filter(booking=booking).last().data == {"by": "customer"}
    assert "bookings.cancelled" in kinds_for(provider)
    assert services.places_left(occurrence) == 10
    with pytest.raises(Conflict, match="cannot be cancelled"):
        services.cancel(actor=customer, booking_id=booking.pk)


def test_after_the_deadline_only_the_provider_cancels(provider, customer, other):
    product, occurrence = scheduled(provider, days=3, cancel_hours_before=24)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with time_machine.travel(occurrence.starts_at - dt.timedelta(hours=12), tick=False):
        with pytest.raises(TooLate, match="24 hours"):
            services.cancel(actor=customer, booking_id=booking.pk)
        with pytest.raises(NotFound):
            services.cancel(actor=other, booking_id=booking.pk)
        services.cancel(actor=provider, booking_id=booking.pk, reason="Trainer ill")
        assert consistent(booking) and booking.state == "cancelled"
        assert BookingEvent.objects.filter(booking=booking).last().data == {"by": "provider"}
    assert kinds_for(customer) == ["bookings.cancelled"]


def test_a_request_can_be_withdrawn_after_the_deadline(provider, customer):
    product, occurrence = scheduled(provider, days=3, requires_approval=True)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with time_machine.travel(occurrence.starts_at - dt.timedelta(hours=1), tick=False):
        services.cancel(actor=customer, booking_id=booking.pk)
    assert consistent(booking) and booking.state == "cancelled"


def test_cancelling_a_date_cancels_its_bookings_and_tells_every_customer(
        provider, customer, other, django_capture_on_commit_callbacks):
    product, occurrence = scheduled(provider, capacity=2)
    bookings = [services.book(actor=p, product_id=product.pk, occurrence_id=occurrence.pk)
                for p in (customer, other)]
    waiting = person("w@example.org", "Wim Waiting")
    entry = services.book(actor=waiting, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_occurrence(actor=provider, occurrence_id=occurrence.pk,
                                   reason="Venue flooded")
    occurrence.refresh_from_db()
    assert occurrence.status == "cancelled"
    for booking, account in zip(bookings, (customer, other), strict=True):
        assert consistent(booking) and booking.state == "cancelled"
        assert BookingEvent.objects.filter(booking=booking).last().reason == "Venue flooded"
        assert kinds_for(account) == ["bookings.cancelled"]
        assert subjects_to(account.email) == ["[Weconomics] Cancelled: Facilitation training"]
    entry.refresh_from_db()
    assert entry.status == "left"
    with pytest.raises(Conflict, match="cancelled already"):
        services.cancel_occurrence(actor=provider, occurrence_id=occurrence.pk)
    with pytest.raises(NotFound):
        services.cancel_occurrence(actor=customer, occurrence_id=add_date(provider, product).pk)


# --- the waiting list -------------------------------------------------------------------------

def test_a_freed_place_is_offered_to_the_first_in_line_who_books_it(
        provider, customer, other, django_capture_on_commit_callbacks):
    product, occurrence = scheduled(provider, capacity=1)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    third = person("t@example.org", "Tess Third")
    with pytest.raises(Full, match="waiting list"):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
    first = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=True)
    assert isinstance(first, WaitingListEntry) and first.status == "waiting"
    with pytest.raises(Conflict, match="already"):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                      waitlist=True)
    second = services.book(actor=third, product_id=product.pk, occurrence_id=occurrence.pk,
                           waitlist=True)
    assert [e.customer for e in queries.waiting_list(occurrence)] == [other, third]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(actor=customer, booking_id=booking.pk)
    first.refresh_from_db()
    assert first.status == "offered"
    expected = timezone.now() + dt.timedelta(hours=services.OFFER_HOURS)
    assert abs(first.offered_until - expected) < dt.timedelta(minutes=1)
    assert kinds_for(other) == ["bookings.place_offered"]
    assert subjects_to(other.email) == [
        "[Weconomics] A place is free for you: Facilitation training"]
    # The held place is not for anyone else.
    assert services.places_left(occurrence) == 0
    assert services.places_left(occurrence, for_account=other) == 1
    with pytest.raises(Full):
        services.book(actor=third, product_id=product.pk, occurrence_id=occurrence.pk)
    won = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
    assert won.state == "confirmed"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.booking) == ("booked", won)
    assert second.status == "waiting"


def test_an_offer_expires_and_passes_to_the_next_in_line(provider, customer, other):
    product, occurrence = scheduled(provider, capacity=1, days=10)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    third = person("t@example.org", "Tess Third")
    first = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=True)
    second = services.book(actor=third, product_id=product.pk, occurrence_id=occurrence.pk,
                           waitlist=True)
    services.cancel(actor=customer, booking_id=booking.pk)
    later = timezone.now() + dt.timedelta(hours=services.OFFER_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert services.expire_waiting_list_offers() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == ("expired", "offered")
        assert "bookings.place_offered" in kinds_for(third)
        with pytest.raises(Full):
            services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
        assert services.book(actor=third, product_id=product.pk,
                             occurrence_id=occurrence.pk).state == "confirmed"
        assert services.expire_waiting_list_offers() == 0


def test_leaving_the_list_passes_an_offer_on(provider, customer, other):
    product, occurrence = scheduled(provider, capacity=1)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    third = person("t@example.org", "Tess Third")
    first = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=True)
    second = services.book(actor=third, product_id=product.pk, occurrence_id=occurrence.pk,
                           waitlist=True)
    services.cancel(actor=customer, booking_id=booking.pk)
    with pytest.raises(NotFound):
        services.leave_waiting_list(actor=third, entry_id=first.pk)
    services.leave_waiting_list(actor=other, entry_id=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("left", "offered")
    assert list(queries.my_waiting_list(other)) == []
    assert [e.pk for e in queries.my_waiting_list(third)] == [second.pk]
    with pytest.raises(NotFound):
        services.leave_waiting_list(actor=other, entry_id=first.pk)


def test_more_places_go_to_the_waiting_list(provider, customer, other):
    product, occurrence = scheduled(provider, capacity=1)
    services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    entry = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                          waitlist=True)
    with pytest.raises(Invalid, match="cannot be lower"):
        services.change_capacity(actor=provider, occurrence_id=occurrence.pk, capacity=0)
    with pytest.raises(NotFound):
        services.change_capacity(actor=customer, occurrence_id=occurrence.pk, capacity=5)
    services.change_capacity(actor=provider, occurrence_id=occurrence.pk, capacity=2)
    entry.refresh_from_db()
    assert entry.status == "offered"


# --- the minimum ------------------------------------------------------------------------------

def test_a_missed_minimum_prompts_the_provider_and_warns_the_customers(
        provider, customer, django_capture_on_commit_callbacks):
    product, occurrence = scheduled(provider, days=10)
    low = add_date(provider, product, days=10, min_participants=3)
    met = add_date(provider, product, days=11, min_participants=1)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=low.pk)
    services.book(actor=customer, product_id=product.pk, occurrence_id=met.pk)
    assert services.check_minimums() == 0  # the deadline has not come
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.check_minimums(now=met.min_deadline + dt.timedelta(minutes=1)) == 1
    low.refresh_from_db()
    met.refresh_from_db()
    assert low.min_prompted_at is not None and low.min_decision == ""
    assert met.min_decision == "go"
    assert kinds_for(provider).count("bookings.minimum_not_reached") == 1
    assert "bookings.minimum_at_risk" in kinds_for(customer)
    assert subjects_to(customer.email) == [
        "[Weconomics] Facilitation training may not go ahead"]
    assert AuditRecord.objects.filter(action="bookings.minimum_not_reached").count() == 1
    # Prompted once only.
    assert services.check_minimums(now=met.min_deadline + dt.timedelta(hours=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_minimum(actor=provider, occurrence_id=low.pk, go_ahead=True)
    low.refresh_from_db()
    assert low.min_decision == "go" and low.status == "scheduled"
    assert subjects_to(customer.email)[-1] == "[Weconomics] Facilitation training goes ahead"
    assert consistent(booking) and booking.state == "confirmed"


def test_the_provider_may_cancel_a_date_below_its_minimum(provider, customer):
    product, _occurrence = scheduled(provider)
    low = add_date(provider, product, min_participants=3)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=low.pk)
    services.check_minimums(now=low.min_deadline + dt.timedelta(minutes=1))
    with pytest.raises(NotFound):
        services.decide_minimum(actor=customer, occurrence_id=low.pk, go_ahead=False)
    services.decide_minimum(actor=provider, occurrence_id=low.pk, go_ahead=False)
    low.refresh_from_db()
    assert (low.status, low.min_decision) == ("cancelled", "cancelled")
    assert consistent(booking) and booking.state == "cancelled"
    assert BookingEvent.objects.filter(booking=booking).last().reason == "too few participants"


# --- commerce ---------------------------------------------------------------------------------

def test_price_and_vat_are_frozen_when_booking(provider, customer):
    product, occurrence = scheduled(provider, price_cents=12100)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                            quantity=2)
    catalogue.update_product(actor=provider, product_id=product.pk, price_cents=50000,
                             vat_rate="9")
    booking.refresh_from_db()
    assert (booking.unit_price_cents, booking.vat_rate, booking.total_cents) == (
        12100, Decimal("21"), 24200)
    assert booking.vat_cents == 4200


@pytest.mark.parametrize(("kind", "amount", "quantity", "discount"), [
    ("fixed", 1000, 1, 1000), ("percent", 10, 2, 1000), ("fixed", 99999, 1, 5000),
    ("percent", 100, 1, 5000), ("percent", 33, 1, 1650),
])
def test_vouchers_take_off_a_fixed_amount_or_a_percentage(provider, customer, kind, amount,
                                                          quantity, discount):
    product, occurrence = scheduled(provider, price_cents=5000)
    services.create_voucher(actor=provider, code="Spring 25", kind=kind, amount=amount)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                            quantity=quantity, voucher_code=" spring25 ")
    assert booking.discount_cents == discount
    assert booking.total_cents == 5000 * quantity - discount
    assert booking.voucher.code == "SPRING25"


def test_a_voucher_that_does_not_apply_is_refused(provider, customer, other):
    product, occurrence = scheduled(provider)
    other_product, _date = scheduled(provider)
    rival = person("rival@example.org", "Rita Rival")
    services.create_voucher(actor=provider, code="OTHER", kind="fixed", amount=100,
                            product_id=other_product.pk)
    services.create_voucher(actor=rival, code="RIVAL", kind="fixed", amount=100)
    services.create_voucher(actor=provider, code="ONCE", kind="percent", amount=50)
    services.create_voucher(actor=provider, code="SOON", kind="fixed", amount=100,
                            valid_until=timezone.now() + dt.timedelta(days=1))
    for code, message in (("NOPE", "no voucher"), ("other", "another product"),
                          ("RIVAL", "another provider")):
        with pytest.raises(Invalid, match=message):
            services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                          voucher_code=code)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False), \
            pytest.raises(Invalid, match="expired"):
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                      voucher_code="soon")
    first = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                          voucher_code="once")
    with pytest.raises(Invalid, match="used up"):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                      voucher_code="ONCE")
    # A cancelled booking gives its use back.
    services.cancel(actor=customer, booking_id=first.pk)
    assert services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                         voucher_code="ONCE").discount_cents == 2500
    assert Booking.objects.filter(state="confirmed").count() == 1


def test_a_voucher_for_all_products_covers_the_organisations_its_maker_administers(
        provider, customer, other):
    from weconomics.contacts.models import OrganisationMembership
    from weconomics.contacts.organisations import create_organisation

    organisation = create_organisation(actor=provider, name="Learning Coop", kind="cooperative")
    colleague = person("colleague@example.org", "Cor Colleague")
    OrganisationMembership.objects.create(organisation=organisation, account=colleague,
                                          role=OrganisationMembership.Role.ADMIN)
    # Offered for the organisation by the other administrator, not by the voucher's maker.
    product, occurrence = scheduled(colleague, organisation=organisation.slug)
    services.create_voucher(actor=provider, code="COOP10", kind="percent", amount=10,
                            max_uses=5)
    booking = services.book(actor=customer, product_id=product.pk,
                            occurrence_id=occurrence.pk, voucher_code="coop10")
    assert booking.discount_cents == 500
    # Not for products of people outside the organisation, nor once its maker has left it.
    outsider = person("out@example.org", "Olaf Outside")
    outsider_product = catalogue.create_product(
        actor=outsider, kind="training", logistics="scheduled", title="Outside training",
        price_cents=5000, vat_rate="21")
    outsider_date = add_date(outsider, outsider_product)
    publish(outsider, outsider_product, community_of(outsider, slug="outside"))
    with pytest.raises(Invalid, match="another provider"):
        services.book(actor=customer, product_id=outsider_product.pk,
                      occurrence_id=outsider_date.pk, voucher_code="COOP10")
    OrganisationMembership.objects.filter(account=provider).update(
        role=OrganisationMembership.Role.MEMBER)
    with pytest.raises(Invalid, match="another provider"):
        services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk,
                      voucher_code="COOP10")


@pytest.mark.parametrize(("fields", "error", "message"), [
    ({"code": "ab"}, Invalid, "3 to 40"),
    ({"code": "line\nbreak"}, Invalid, "3 to 40"),
    ({"kind": "gift"}, Invalid, "fixed amount or a percentage"),
    ({"kind": "percent", "amount": 101}, Invalid, "at most 100"),
    ({"amount": 0}, Invalid, "at least 1"),
    ({"amount": "lots"}, Invalid, "whole numbers"),
    ({"max_uses": 0}, Invalid, "1 to 100,000"),
    ({"valid_until": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}, Invalid, "past"),
    ({"code": "taken"}, Conflict, "TAKEN is taken"),
    ({"product_id": 999_999}, NotFound, "no such product"),
])
def test_bad_vouchers_are_refused(provider, fields, error, message):
    services.create_voucher(actor=provider, code="TAKEN", kind="fixed", amount=1)
    values = {"code": "NEW", "kind": "fixed", "amount": 500}
    values.update(fields)
    with pytest.raises(error, match=message):
        services.create_voucher(actor=provider, **values)


def test_invoices_are_numbered_per_provider_and_year_without_gaps(
        provider, customer, other, django_capture_on_commit_callbacks):
    second_provider = person("p2@example.org", "Piet Provider")
    product, occurrence = scheduled(provider, price_cents=10000)
    product2 = catalogue.create_product(actor=second_provider, kind="workshop",
                                        logistics="scheduled", title="Pottery",
                                        price_cents=2000)
    occurrence2 = add_date(second_provider, product2)
    publish(second_provider, product2, community=community_of(second_provider, "potters"))
    one = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    two = services.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
    three = services.book(actor=customer, product_id=product2.pk,
                          occurrence_id=occurrence2.pk)
    year = timezone.localdate().year
    first = services.issue_invoice(actor=provider, booking_id=one.pk)
    assert services.issue_invoice(actor=provider, booking_id=one.pk).number == first.number
    with django_capture_on_commit_callbacks(execute=True):
        second = services.mark_paid(actor=provider, booking_id=two.pk)
    third = services.mark_paid(actor=second_provider, booking_id=three.pk)
    assert [first.number, second.number, third.number] == [
        f"{year}-00001", f"{year}-00002", f"{year}-00001"]
    assert first.paid_at is None and second.paid_at is not None
    assert (second.buyer_name, second.seller_name) == ("Oda Other", "Pia Provider")
    assert (second.total_cents, second.vat_cents) == (10000, 1736)
    assert subjects_to(other.email)[-1] == "[Weconomics] Receipt for Facilitation training"
    with pytest.raises(Conflict, match="paid already"):
        services.mark_paid(actor=provider, booking_id=two.pk)
    with pytest.raises(NotFound):
        services.mark_paid(actor=customer, booking_id=one.pk)
    invoice = services.mark_paid(actor=provider, booking_id=one.pk)
    assert invoice.number == first.number and invoice.paid_at is not None
    assert AuditRecord.objects.filter(action="bookings.paid").count() == 3
    # A new year starts again at one.
    with time_machine.travel(dt.datetime(year + 1, 1, 2, 12, tzinfo=dt.UTC), tick=False):
        late, _date = scheduled(provider, price_cents=500)
        four = services.book(actor=other, product_id=late.pk, occurrence_id=_date.pk)
        assert services.issue_invoice(actor=provider, booking_id=four.pk).number == (
            f"{year + 1}-00001")


def test_free_and_unconfirmed_bookings_get_no_invoice(provider, customer, other):
    free, date = scheduled(provider, price_cents=0)
    booking = services.book(actor=customer, product_id=free.pk, occurrence_id=date.pk)
    with pytest.raises(Conflict, match="free booking"):
        services.issue_invoice(actor=provider, booking_id=booking.pk)
    with pytest.raises(Conflict, match="nothing to pay"):
        services.mark_paid(actor=provider, booking_id=booking.pk)
    paid, paid_date = scheduled(provider, requires_approval=True)
    request = services.book(actor=other, product_id=paid.pk, occurrence_id=paid_date.pk)
    with pytest.raises(Conflict, match="confirmed"):
        services.mark_paid(actor=provider, booking_id=request.pk)
    assert not Invoice.objects.exists()


def test_invoices_and_receipts_render_as_pdf(provider, customer):
    product, occurrence = scheduled(provider, price_cents=9900)
    catalogue.update_product(actor=provider, product_id=product.pk,
                             title="Cursus “Data” € – Ünïcode")
    services.create_voucher(actor=provider, code="TEN", kind="fixed", amount=1000)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                            voucher_code="TEN")
    invoice = services.issue_invoice(actor=provider, booking_id=booking.pk)
    pdf = render_pdf(invoice)
    assert pdf.startswith(b"%PDF") and len(pdf) > 500
    receipt = services.mark_paid(actor=provider, booking_id=booking.pk)
    assert render_pdf(receipt).startswith(b"%PDF")


def test_one_review_per_completed_booking(provider, customer, other):
    product, occurrence = scheduled(provider, days=1)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(Conflict, match="once it is completed"):
        services.review(actor=customer, booking_id=booking.pk, rating=5)
    with time_machine.travel(occurrence.ends_at, tick=False):
        services.complete(actor=provider, booking_id=booking.pk)
    for rating in (0, 6, "great"):
        with pytest.raises(Invalid, match="1 to 5"):
            services.review(actor=customer, booking_id=booking.pk, rating=rating)
    with pytest.raises(NotFound):
        services.review(actor=other, booking_id=booking.pk, rating=1)
    with pytest.raises(NotFound):
        services.review(actor=provider, booking_id=booking.pk, rating=5)
    review = services.review(actor=customer, booking_id=booking.pk, rating=4, text="Useful")
    assert (review.product, review.author) == (product, customer)
    with pytest.raises(Conflict, match="reviewed this booking already"):
        services.review(actor=customer, booking_id=booking.pk, rating=5)
    reviews, summary = queries.reviews_of(product)
    assert list(reviews) == [review] and summary == {"average": 4.0, "count": 1}
    assert Review.objects.count() == 1


@pytest.mark.parametrize(("kind", "portfolio"), [
    ("course", True), ("training", True), ("assessment", True), ("coaching", False),
])
def test_completing_a_course_training_or_assessment_adds_a_portfolio_entry(
        provider, customer, other, kind, portfolio):
    product = catalogue.create_product(actor=provider, kind=kind, logistics="scheduled",
                                       title="Data basics", price_cents=0)
    occurrence = add_date(provider, product, days=1)
    publish(provider, product)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    with time_machine.travel(occurrence.ends_at, tick=False):
        services.complete(actor=provider, booking_id=booking.pk)
    entry = PortfolioEntry.objects.filter(account=customer).first()
    assert (entry is not None) is portfolio
    if not portfolio:
        return
    assert (entry.title, entry.kind, entry.attested_by) == ("Data basics", kind,
                                                           "Pia Provider")
    assert list(queries.portfolio_of(customer)) == [entry]
    with pytest.raises(NotFound):
        services.hide_portfolio_entry(actor=other, entry_id=entry.pk, hidden=True)
    services.hide_portfolio_entry(actor=customer, entry_id=entry.pk, hidden=True)
    assert list(queries.portfolio_of(customer)) == []
    assert list(queries.portfolio_of(customer, include_hidden=True)) == [entry]
    from weconomics.contacts.services import ensure_person

    profile = ensure_person(customer)
    assert queries.visible_portfolio(customer, profile) == [entry]
    assert queries.visible_portfolio(other, profile) == []


# --- reads ------------------------------------------------------------------------------------

def test_each_side_reads_only_its_own_bookings(provider, customer, other):
    product, occurrence = scheduled(provider)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    assert queries.booking_for(customer, booking.pk) == booking
    assert queries.booking_for(provider, booking.pk) == booking
    for viewer in (other, None):
        with pytest.raises(NotFound):
            queries.booking_for(viewer, booking.pk)
    assert list(queries.my_bookings(customer, upcoming=True)) == [booking]
    assert list(queries.my_bookings(customer, upcoming=False)) == []
    assert list(queries.my_bookings(other)) == []
    assert list(queries.provided_bookings(provider)) == [booking]
    assert list(queries.provided_bookings(customer)) == []
    [date] = queries.upcoming_dates(provider)
    assert (date.taken, date.waiting) == (1, 0)
    found, people = queries.attendees(provider, occurrence.pk)
    assert list(people) == [booking]
    with pytest.raises(NotFound):
        queries.attendees(customer, occurrence.pk)


def test_the_providers_dates_count_places_and_people_waiting_apart(provider, customer, other):
    product, occurrence = scheduled(provider, capacity=3)
    for account in (customer, other):
        services.book(actor=account, product_id=product.pk, occurrence_id=occurrence.pk)
    services.book(actor=person("t@example.org", "Tess"), product_id=product.pk,
                  occurrence_id=occurrence.pk, quantity=1)
    for i in range(2):
        services.book(actor=person(f"w{i}@example.org", f"W {i}"), product_id=product.pk,
                      occurrence_id=occurrence.pk, waitlist=True)
    empty = add_date(provider, product)
    dates = {d.pk: d for d in queries.upcoming_dates(provider)}
    assert (dates[occurrence.pk].taken, dates[occurrence.pk].waiting) == (3, 2)
    assert (dates[empty.pk].taken, dates[empty.pk].waiting) == (0, 0)


# --- reminders and calendars ------------------------------------------------------------------

def test_reminders_are_sent_once_with_the_calendar_file(provider, customer, other,
                                                        django_capture_on_commit_callbacks):
    product, occurrence = scheduled(provider, days=2)
    booking = services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    room = rooms(provider)
    when = occurrence.starts_at - dt.timedelta(hours=20)
    stay = services.book(actor=other, product_id=room.pk,
                         start_date=timezone.localdate(when) + dt.timedelta(days=1),
                         end_date=timezone.localdate(when) + dt.timedelta(days=2))
    mail.outbox.clear()
    assert services.send_reminders() == 0  # two days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_reminders(now=when)
    assert sent == 2
    assert subjects_to(customer.email) == ["[Weconomics] Reminder: Facilitation training"]
    assert subjects_to(other.email) == ["[Weconomics] Reminder: Meeting room"]
    for message in mail.outbox:
        [(name, content, mimetype)] = message.attachments
        assert name == "booking.ics" and mimetype.startswith("text/calendar")
        assert "BEGIN:VEVENT" in content
    assert services.send_reminders(now=occurrence.starts_at - dt.timedelta(hours=19)) == 0
    booking.refresh_from_db()
    stay.refresh_from_db()
    assert booking.reminded_at is not None and stay.reminded_at is not None


def test_the_calendar_has_an_event_per_booking_folded_and_escaped(provider, customer):
    title = "Workshop: plan, do; check\\act — " + "long words " * 8
    product, occurrence = scheduled(provider, venue="Utrecht, Room 1")
    catalogue.update_product(actor=provider, product_id=product.pk, title=title.strip())
    coaching = appointments(provider)
    room = rooms(provider)
    bookings = [
        services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk),
        services.book(actor=customer, product_id=coaching.pk,
                      slot_start=next_local(10, days=3)),
        services.book(actor=customer, product_id=room.pk,
                      start_date=timezone.localdate() + dt.timedelta(days=4),
                      end_date=timezone.localdate() + dt.timedelta(days=6)),
    ]
    services.cancel(actor=customer, booking_id=bookings[1].pk)
    text = ics.calendar(Booking.objects.filter(pk__in=[b.pk for b in bookings])
                        .select_related("product", "occurrence", "unit"), name="My, calendar")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 3 == unfolded.count("END:VEVENT")
    assert "X-WR-CALNAME:My\\, calendar" in unfolded
    assert ("SUMMARY:Workshop: plan\\, do\\; check\\\\act — " + "long words " * 7
            + "long words\r\n") in unfolded
    assert "LOCATION:Utrecht\\, Room 1" in unfolded
    assert "STATUS:CANCELLED" in unfolded
    first = bookings[2].start_date
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}" in unfolded
    assert occurrence.starts_at.astimezone(dt.UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in unfolded
    assert f"UID:booking-{bookings[0].pk}@" in unfolded


def test_calendar_feed_tokens_are_kept_hashed_and_can_be_renewed(customer):
    token = services.calendar_feed_token(actor=customer)
    assert token and queries.account_for_feed(token) == customer
    assert services.calendar_feed_token(actor=customer) is None
    renewed = services.calendar_feed_token(actor=customer, renew=True)
    assert queries.account_for_feed(token) is None
    assert queries.account_for_feed(renewed) == customer
    assert queries.account_for_feed("") is None
    assert list(queries.calendar_bookings(customer)) == []


def test_many_bookings_can_be_listed_in_few_queries(provider, customer,
                                                    django_assert_max_num_queries):
    product, occurrence = scheduled(provider, capacity=50, max_quantity=1)
    for i in range(5):
        services.book(actor=person(f"p{i}@example.org", f"P {i}"), product_id=product.pk,
                      occurrence_id=occurrence.pk)
    with django_assert_max_num_queries(2):
        assert len([b.product.title for b in queries.provided_bookings(provider)]) == 5
    with django_assert_max_num_queries(2):
        assert [d.taken for d in queries.upcoming_dates(provider)] == [5]
    assert community_of(provider).slug == "market"


# --- demo data ----------------------------------------------------------------------------------

def test_the_demo_has_every_kind_and_state_and_runs_twice_without_duplicates():
    from collections import Counter

    from weconomics.bookings import demo as bookings_demo
    from weconomics.catalogue import demo as catalogue_demo
    from weconomics.catalogue.models import Product
    from weconomics.communities import demo as communities_demo
    from weconomics.contacts import demo as contacts_demo
    from weconomics.identity import demo as identity_demo

    def run():
        accounts = identity_demo.populate()
        contacts_demo.populate(accounts)
        communities_demo.populate(accounts)
        products = catalogue_demo.populate(accounts)
        return bookings_demo.populate(accounts, products)

    def counts():
        return [model.objects.count() for model in (
            Product, Booking, BookingEvent, WaitingListEntry, Invoice, Review, PortfolioEntry,
            Notification, AuditRecord)]

    assert run()["skipped"] == []
    before = counts()
    assert run()["skipped"] == []
    assert counts() == before
    assert set(Product.objects.values_list("kind", flat=True)) == set(Product.Kind.values)
    assert set(Product.objects.values_list("logistics", flat=True)) == set(
        Product.Logistics.values)
    assert set(Booking.objects.values_list("state", flat=True)) == {
        "requested", "proposed", "confirmed", "completed", "cancelled", "declined", "no_show"}
    assert all(services.derived_state(b) == b.state for b in Booking.objects.all())
    [full] = {e.occurrence for e in WaitingListEntry.objects.filter(status="waiting")}
    assert services.places_left(full) == 0
    assert WaitingListEntry.objects.filter(occurrence=full, status="waiting").count() == 2
    low = Occurrence.objects.get(min_participants__isnull=False)
    assert services.places_taken(low) < low.min_participants
    assert low.min_deadline > timezone.now()
    assert Counter(i.paid_at is None for i in Invoice.objects.all()) == {True: 1, False: 1}
    assert Booking.objects.filter(state="proposed", proposed_price_cents__gt=0).exists()
    assert Review.objects.count() >= 3 and PortfolioEntry.objects.count() >= 2
