"""The customer's booking pages: booking each kind of product, my bookings, one booking with
its actions, invoices, calendar files and the feed, and the portfolio on the profile."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.bookings import services
from weconomics.bookings.models import Booking, PortfolioEntry, WaitingListEntry
from weconomics.bookings.tests.helpers import appointments, next_local, rooms, scheduled
from weconomics.catalogue import services as catalogue
from weconomics.contacts import services as contacts
from weconomics.web.booking_views import booking_context

pytestmark = pytest.mark.django_db


def english(account=None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        browser.force_login(account)
    return browser


@pytest.fixture
def as_customer(customer):
    return english(customer)


@pytest.fixture
def training(provider):
    product, occurrence = scheduled(provider, capacity=10)
    return product, occurrence


def key_of(response) -> str:
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


def book_date(browser, product, occurrence, **extra):
    page = browser.get(f"/products/{product.pk}/book/")
    data = {"key": key_of(page), "occurrence": occurrence.pk, "quantity": 1, **extra}
    return browser.post(f"/products/{product.pk}/book/", data)


def made(customer, **filters) -> Booking:
    return Booking.objects.get(customer=customer, **filters)


def actions() -> set[str]:
    return set(AuditRecord.objects.values_list("action", flat=True))


# --- the form on the product page ------------------------------------------------------------

def test_the_booking_context_offers_the_dates_with_places_left(rf, training, customer):
    product, occurrence = training
    request = rf.get(f"/products/{product.pk}/")
    request.user = customer
    context = booking_context(request, product)
    assert context["can_book"] is True
    options = context["booking_options"]
    assert [(d.pk, d.left) for d in options["dates"]] == [(occurrence.pk, 10)]
    assert options["max_quantity"] == 4
    assert options["form"].initial["key"]


def test_the_booking_context_asks_visitors_to_sign_in_and_providers_not_to_book(
        rf, training, provider):
    from django.contrib.auth.models import AnonymousUser

    product, _occurrence = training
    request = rf.get(f"/products/{product.pk}/")
    request.user = AnonymousUser()
    assert booking_context(request, product)["can_book"] is False
    request.user = provider
    context = booking_context(request, product)
    assert context["can_book"] is False and context["booking_options"]["manages"]


def test_a_visitor_is_sent_to_sign_in_before_booking(training):
    product, _occurrence = training
    response = english().get(f"/products/{product.pk}/book/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_provider_cannot_book_their_own_product(training, provider):
    product, occurrence = training
    browser = english(provider)
    response = browser.post(f"/products/{product.pk}/book/",
                            {"key": "k", "occurrence": occurrence.pk, "quantity": 1})
    assert response.status_code == 403
    assert "your own product" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_product_nobody_may_see_is_not_found(provider, customer):
    draft = catalogue.create_product(actor=provider, kind="training", logistics="scheduled",
                                     title="Secret draft", price_cents=100)
    response = english(customer).get(f"/products/{draft.pk}/book/")
    assert response.status_code == 404
    assert english(customer).get("/products/999999/book/").status_code == 404


# --- each way of booking ----------------------------------------------------------------------

def test_a_customer_books_a_date_with_a_guest_and_a_voucher(training, provider, customer,
                                                            as_customer):
    product, occurrence = training
    services.create_voucher(actor=provider, code="SPRING", kind="percent", amount=10,
                            max_uses=5, product_id=product.pk)
    response = book_date(as_customer, product, occurrence, quantity=2, voucher="spring")
    booking = made(customer)
    assert response.status_code == 302 and response["Location"] == f"/bookings/{booking.pk}/"
    assert (booking.state, booking.quantity, booking.occurrence_id) == ("confirmed", 2,
                                                                       occurrence.pk)
    assert (booking.discount_cents, booking.total_cents) == (1000, 9000)
    page = as_customer.get(response["Location"]).content.decode()
    assert "Booked: Facilitation training" in page
    assert "SPRING" in page and "€ 90.00" in page and "You and 1 guest" in page
    assert {"bookings.confirmed"} <= actions()


def test_a_double_submit_books_once(training, customer, as_customer):
    product, occurrence = training
    page = as_customer.get(f"/products/{product.pk}/book/")
    data = {"key": key_of(page), "occurrence": occurrence.pk, "quantity": 1}
    first = as_customer.post(f"/products/{product.pk}/book/", data)
    second = as_customer.post(f"/products/{product.pk}/book/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Booking.objects.filter(customer=customer).count() == 1
    # A new rendering of the form carries a new key.
    assert key_of(as_customer.get(f"/products/{product.pk}/book/")) != data["key"]


def test_a_full_date_offers_the_waiting_list_and_joining_it_shows_in_my_bookings(
        provider, customer, as_customer, outsider):
    product, occurrence = scheduled(provider, capacity=1)
    services.book(actor=outsider, product_id=product.pk, occurrence_id=occurrence.pk)
    page = as_customer.get(f"/products/{product.pk}/book/").content.decode()
    assert "Full: choose it to join the waiting list" in page
    response = book_date(as_customer, product, occurrence)
    assert response.status_code == 409
    body = response.content.decode()
    assert "This date is full. You can join its waiting list." in body
    assert 'name="waitlist" value="1"' in body
    joined = as_customer.post(f"/products/{product.pk}/book/", {
        "key": key_of(response), "occurrence": occurrence.pk, "quantity": 1, "waitlist": "1"})
    assert joined.status_code == 302 and joined["Location"] == "/bookings/"
    entry = WaitingListEntry.objects.get(customer=customer)
    listing = as_customer.get("/bookings/").content.decode()
    assert "Waiting lists" in listing and "Facilitation training" in listing
    left = as_customer.post(f"/bookings/waiting/{entry.pk}/leave/")
    assert left.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "left"
    assert {"bookings.waiting_list_joined", "bookings.waiting_list_left"} <= actions()


def test_an_appointment_is_booked_from_the_free_slots_of_a_day(provider, customer,
                                                              as_customer):
    product = appointments(provider)
    start = next_local(10, days=3)
    slots = as_customer.get(f"/products/{product.pk}/slots/?day={start.date().isoformat()}")
    assert slots.status_code == 200
    assert f'value="{start.isoformat()}"' in slots.content.decode()
    page = as_customer.get(f"/products/{product.pk}/book/?day={start.date().isoformat()}")
    assert f'value="{start.isoformat()}"' in page.content.decode()
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": key_of(page), "slot": start.isoformat(), "quantity": 1})
    assert response.status_code == 302
    booking = made(customer)
    assert booking.starts_at == start and booking.state == "confirmed"
    # The taken slot is no longer offered.
    again = as_customer.get(f"/products/{product.pk}/slots/?day={start.date().isoformat()}")
    assert f'value="{start.isoformat()}"' not in again.content.decode()


def test_a_slot_outside_the_availability_is_refused(provider, customer, as_customer):
    product = appointments(provider)
    night = next_local(3, days=3)
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": "night", "slot": night.isoformat(), "quantity": 1})
    assert response.status_code == 409
    assert "The provider is not available at that time." in response.content.decode()
    assert not Booking.objects.exists()


def test_the_slots_of_a_bad_day_or_of_another_kind_of_product_are_refused(
        provider, as_customer, training):
    product = appointments(provider)
    bad = as_customer.get(f"/products/{product.pk}/slots/?day=tomorrow")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()
    scheduled_product, _occurrence = training
    assert as_customer.get(f"/products/{scheduled_product.pk}/slots/?day=2030-01-01"
                           ).status_code == 404


def test_a_room_is_booked_for_a_date_range(provider, customer, as_customer):
    product = rooms(provider, names=("Room A", "Room B"))
    arrive = timezone.localdate() + dt.timedelta(days=10)
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": "room", "start_date": arrive.isoformat(),
        "end_date": (arrive + dt.timedelta(days=2)).isoformat(), "quantity": 1, "unit": ""})
    assert response.status_code == 302
    booking = made(customer)
    assert (booking.start_date, booking.end_date) == (arrive, arrive + dt.timedelta(days=2))
    assert booking.total_cents == 5000
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "2 nights" in page and "Room A" in page


@pytest.mark.parametrize(("days", "length", "message"), [
    (5, -2, "The departure must come after the arrival."),
    (-3, 1, "The dates lie in the past."),
])
def test_reversed_or_past_dates_are_refused(provider, as_customer, days, length, message):
    product = rooms(provider)
    arrive = timezone.localdate() + dt.timedelta(days=days)
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": "bad", "start_date": arrive.isoformat(),
        "end_date": (arrive + dt.timedelta(days=length)).isoformat(), "quantity": 1})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_a_request_gets_a_proposal_the_customer_accepts(provider, customer, as_customer):
    product = catalogue.create_product(actor=provider, kind="interim", logistics="on_request",
                                       title="Interim project lead", price_cents=0)
    from weconomics.bookings.tests.helpers import publish

    product = publish(provider, product)
    missing = as_customer.post(f"/products/{product.pk}/book/", {"key": "r", "quantity": 1})
    assert missing.status_code == 422
    assert "Tell the provider what you would like." in missing.content.decode()
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": "r", "quantity": 1, "message": "Three months, two days a week."})
    assert response.status_code == 302
    booking = made(customer)
    assert booking.state == "requested"
    start = timezone.now() + dt.timedelta(days=20)
    services.propose(actor=provider, booking_id=booking.pk, starts_at_value=start,
                     ends_at_value=start + dt.timedelta(hours=8), price_cents=120000)
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "The provider's proposal" in page and "€ 1,200.00" in page
    accepted = as_customer.post(f"/bookings/{booking.pk}/proposal/", {"answer": "accept"})
    assert accepted.status_code == 302
    booking.refresh_from_db()
    assert (booking.state, booking.total_cents) == ("confirmed", 120000)
    again = as_customer.post(f"/bookings/{booking.pk}/proposal/", {"answer": "accept"})
    assert again.status_code == 409
    assert "There is no proposal to answer." in again.content.decode()


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("quantity", "message"), [
    (0, "Book at least one place."),
    (5, "Book at most 4 places at once."),
    ("many", "Enter a whole number."),
])
def test_a_wrong_number_of_places_is_refused(training, as_customer, quantity, message):
    product, occurrence = training
    response = book_date(as_customer, product, occurrence, quantity=quantity)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_an_expired_voucher_is_refused(training, provider, as_customer):
    product, occurrence = training
    services.create_voucher(actor=provider, code="OLD", kind="fixed", amount=500,
                            product_id=product.pk,
                            valid_until=timezone.now() + dt.timedelta(hours=1))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = book_date(as_customer, product, occurrence, voucher="OLD")
    assert response.status_code == 422
    assert "This voucher has expired." in response.content.decode()
    assert not Booking.objects.exists()


def test_a_voucher_for_another_product_is_refused(training, provider, as_customer):
    product, occurrence = training
    other = rooms(provider)
    services.create_voucher(actor=provider, code="ROOMS", kind="fixed", amount=500,
                            product_id=other.pk)
    response = book_date(as_customer, product, occurrence, voucher="ROOMS")
    assert response.status_code == 422
    assert "This voucher is for another product." in response.content.decode()


def test_a_missing_date_and_unanswered_questions_are_marked_on_the_form(provider,
                                                                        as_customer):
    product, _occurrence = scheduled(provider, questions=["What is your role?"])
    response = as_customer.post(f"/products/{product.pk}/book/", {"key": "q", "quantity": 1})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choose a date." in body and "Answer this question." in body
    assert "What is your role?" in body


def test_answers_to_the_questions_are_kept_and_shown(provider, customer, as_customer):
    product, occurrence = scheduled(provider, questions=["What is your role?"])
    response = book_date(as_customer, product, occurrence, answer_0="Team lead")
    assert response.status_code == 302
    assert made(customer).answers == {"What is your role?": "Team lead"}
    page = as_customer.get(response["Location"]).content.decode()
    assert "What is your role?" in page and "Team lead" in page


def test_an_unknown_date_is_not_found_on_the_form(training, as_customer):
    product, _occurrence = training
    response = as_customer.post(f"/products/{product.pk}/book/", {
        "key": "x", "occurrence": "999999", "quantity": 1})
    assert response.status_code == 404
    assert "There is no such date for this product." in response.content.decode()


# --- cancelling --------------------------------------------------------------------------------

def test_the_customer_cancels_before_the_deadline(training, customer, as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "You can cancel until" in page
    response = as_customer.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Ill"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Confirmed → Cancelled" in page and "by you" in page and "Ill" in page
    assert "bookings.cancelled" in actions()


def test_after_the_deadline_cancelling_is_too_late(training, customer, as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    with time_machine.travel(occurrence.starts_at - dt.timedelta(hours=2)):
        page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
        assert "The cancellation deadline has passed" in page
        response = as_customer.post(f"/bookings/{booking.pk}/cancel/", {"reason": ""})
    assert response.status_code == 409
    assert "The cancellation deadline has passed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == "confirmed"


# --- reviews ----------------------------------------------------------------------------------

def test_a_review_is_written_once_after_completion(training, provider, customer, as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    early = as_customer.post(f"/bookings/{booking.pk}/review/", {"rating": 5, "text": "Fine"})
    assert early.status_code == 409
    assert "You can review a booking once it is completed." in early.content.decode()
    with time_machine.travel(occurrence.starts_at + dt.timedelta(hours=4)):
        services.complete(actor=provider, booking_id=booking.pk)
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Write a review" in page
    bad = as_customer.post(f"/bookings/{booking.pk}/review/", {"rating": 9})
    assert bad.status_code == 422 and "Give a rating from 1 to 5." in bad.content.decode()
    done = as_customer.post(f"/bookings/{booking.pk}/review/", {"rating": 4, "text": "Useful"})
    assert done.status_code == 302
    page = as_customer.get(f"/bookings/{booking.pk}/").content.decode()
    assert "4 out of 5" in page and "Useful" in page and "Write a review" not in page
    twice = as_customer.post(f"/bookings/{booking.pk}/review/", {"rating": 1})
    assert twice.status_code == 409
    assert "You have reviewed this booking already." in twice.content.decode()
    assert "bookings.reviewed" in actions()


# --- invoices -------------------------------------------------------------------------------

def test_the_invoice_is_there_for_both_sides_once_issued_and_a_receipt_once_paid(
        training, provider, customer, as_customer, outsider):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    assert as_customer.get(f"/bookings/{booking.pk}/invoice/").status_code == 404
    assert as_customer.get(f"/bookings/{booking.pk}/invoice.pdf").status_code == 404
    invoice = services.issue_invoice(actor=provider, booking_id=booking.pk)
    for browser in (as_customer, english(provider)):
        page = browser.get(f"/bookings/{booking.pk}/invoice/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Invoice" in body and invoice.number in body and "€ 50.00" in body
        assert "Receipt" not in body
        pdf = browser.get(f"/bookings/{booking.pk}/invoice.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    services.mark_paid(actor=provider, booking_id=booking.pk)
    body = as_customer.get(f"/bookings/{booking.pk}/invoice/").content.decode()
    assert "Receipt" in body and "Paid on" in body
    assert english(outsider).get(f"/bookings/{booking.pk}/invoice/").status_code == 404


# --- calendars ------------------------------------------------------------------------------

def test_a_booking_and_all_bookings_download_as_calendar_files(provider, customer,
                                                               as_customer):
    product, occurrence = scheduled(provider)
    second, later = scheduled(provider, days=14)
    book_date(as_customer, product, occurrence)
    book_date(as_customer, second, later)
    one = made(customer, product=product)
    single = as_customer.get(f"/bookings/{one.pk}/booking.ics")
    assert single.status_code == 200 and single["Content-Type"].startswith("text/calendar")
    text = single.content.decode()
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Facilitation training" in text
    everything = as_customer.get("/bookings/calendar.ics").content.decode()
    assert everything.startswith("BEGIN:VCALENDAR") and everything.count("BEGIN:VEVENT") == 2
    assert english().get("/bookings/calendar.ics").status_code == 302


def test_the_private_feed_works_without_a_session_and_a_renewed_address_replaces_the_old(
        training, customer, as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    page = as_customer.get("/settings/calendar/")
    assert page.status_code == 200 and "Make a feed address" in page.content.decode()
    made_page = as_customer.post("/settings/calendar/").content.decode()
    url = re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', made_page).group(1)
    path = url.removeprefix("http://testserver")
    feed = english().get(path)
    assert feed.status_code == 200
    assert feed.content.decode().count("BEGIN:VEVENT") == 1
    assert "You have a feed address" in as_customer.get("/settings/calendar/").content.decode()
    as_customer.post("/settings/calendar/")
    assert english().get(path).status_code == 404
    assert english().get("/calendar/not-a-token.ics").status_code == 404
    assert {"bookings.calendar_feed_made", "bookings.calendar_feed_renewed"} <= actions()


# --- the portfolio ------------------------------------------------------------------------------

@pytest.fixture
def completed(training, provider, customer, as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    with time_machine.travel(occurrence.starts_at + dt.timedelta(hours=4)):
        services.complete(actor=provider, booking_id=booking.pk)
    return PortfolioEntry.objects.get(booking=booking)


def test_the_portfolio_follows_the_education_section_and_hiding(completed, customer,
                                                                as_customer, outsider):
    contacts.update_profile(actor=customer, profile_visibility="public",
                            education_visibility="public")
    handle = customer.person.handle
    stranger = english(outsider)
    assert "Facilitation training" in stranger.get(f"/people/{handle}/").content.decode()
    contacts.update_profile(actor=customer, education_visibility="private")
    assert "Facilitation training" not in stranger.get(f"/people/{handle}/").content.decode()
    contacts.update_profile(actor=customer, education_visibility="public")
    settings_page = as_customer.get("/settings/portfolio/").content.decode()
    assert "Facilitation training" in settings_page and "Shown" in settings_page
    hidden = as_customer.post(f"/settings/portfolio/{completed.pk}/", {"hidden": "1"})
    assert hidden.status_code == 302
    assert "Facilitation training" not in stranger.get(f"/people/{handle}/").content.decode()
    own = as_customer.get(f"/people/{handle}/").content.decode()
    assert "Facilitation training" in own and "Hidden from others" in own
    as_customer.post(f"/settings/portfolio/{completed.pk}/", {"hidden": "0"})
    assert "Facilitation training" in stranger.get(f"/people/{handle}/").content.decode()
    assert english(outsider).post(f"/settings/portfolio/{completed.pk}/",
                                  {"hidden": "1"}).status_code == 404
    assert "bookings.portfolio_entry_changed" in actions()


# --- who sees what -------------------------------------------------------------------------------

def test_everything_about_a_booking_is_hidden_from_others_and_visitors(
        training, provider, customer, as_customer, outsider):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    booking = made(customer)
    services.issue_invoice(actor=provider, booking_id=booking.pk)
    reads = ["/", "/booking.ics", "/invoice/", "/invoice.pdf"]
    writes = ["/cancel/", "/proposal/", "/review/"]
    for browser in (english(outsider), english()):
        for suffix in reads:
            assert browser.get(f"/bookings/{booking.pk}{suffix}").status_code == 404, suffix
        for suffix in writes:
            assert browser.post(f"/bookings/{booking.pk}{suffix}",
                                {"rating": 5, "answer": "accept"}).status_code == 404, suffix
    booking.refresh_from_db()
    assert booking.state == "confirmed"
    provider_view = english(provider).get(f"/bookings/{booking.pk}/")
    assert provider_view.status_code == 200
    assert f"/provider/bookings/{booking.pk}/" in provider_view.content.decode()
    assert "Mo Member" in provider_view.content.decode()
    assert as_customer.get("/bookings/abc/").status_code == 404


def test_my_bookings_shows_upcoming_and_past_with_their_state(training, provider, customer,
                                                              as_customer):
    product, occurrence = training
    book_date(as_customer, product, occurrence)
    other, later = scheduled(provider, days=20)
    book_date(as_customer, other, later)
    services.cancel(actor=customer, booking_id=made(customer, product=other).pk)
    page = as_customer.get("/bookings/").content.decode()
    upcoming, past = page.split("Past and cancelled")
    assert "Confirmed" in upcoming and "Cancelled" in past
    assert english().get("/bookings/").status_code == 302


def test_my_bookings_runs_the_same_queries_for_2_and_6_bookings(provider, customer,
                                                                as_customer):
    def grow(count, start):
        for n in range(count):
            product, occurrence = scheduled(provider, days=start + n)
            book_date(as_customer, product, occurrence)

    grow(2, 3)
    as_customer.get("/bookings/")
    with CaptureQueriesContext(connection) as few:
        assert as_customer.get("/bookings/").status_code == 200
    grow(4, 10)
    with CaptureQueriesContext(connection) as many:
        assert as_customer.get("/bookings/").status_code == 200
    assert len(few) == len(many)


def test_the_confirmation_mails_tell_when_and_where_and_carry_the_calendar_file(
        training, provider, customer, as_customer, django_capture_on_commit_callbacks):
    from django.core import mail

    product, occurrence = training
    for account in (customer, provider):
        account.language = "en"
        account.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        book_date(as_customer, product, occurrence, quantity=2)
    [to_customer] = [m for m in mail.outbox if customer.email in m.to]
    assert "Your booking of Facilitation training is confirmed." in to_customer.body
    assert "Places: 2" in to_customer.body and "€ 100.00" in to_customer.body
    assert "When: " in to_customer.body and "/bookings/" in to_customer.body
    assert "The calendar file is attached" in to_customer.body
    [(name, calendar, _type)] = to_customer.attachments
    assert name == "booking.ics" and "BEGIN:VEVENT" in calendar
    [to_provider] = [m for m in mail.outbox if provider.email in m.to]
    assert "Mo Member booked Facilitation training." in to_provider.body
    assert "When: " in to_provider.body


def test_the_start_page_lists_the_coming_bookings(training, customer, as_customer):
    product, occurrence = training
    assert "Courses, coaching and rooms you book show here." in as_customer.get(
        "/").content.decode()
    book_date(as_customer, product, occurrence)
    page = as_customer.get("/").content.decode()
    assert f'href="/bookings/{made(customer).pk}/"' in page and "Facilitation training" in page


def test_a_member_books_for_their_organisation_and_not_for_another(training, customer,
                                                                   as_customer, outsider):
    from weconomics.contacts import organisations

    product, occurrence = training
    mine = organisations.create_organisation(actor=customer, name="Samen Werkt", slug="samen",
                                             kind="cooperative")
    organisations.create_organisation(actor=outsider, name="Elders", slug="elders",
                                      kind="cooperative")
    page = as_customer.get(f"/products/{product.pk}/book/").content.decode()
    assert 'value="samen"' in page and 'value="elders"' not in page
    refused = book_date(as_customer, product, occurrence, organisation="elders")
    assert refused.status_code == 422 and not Booking.objects.exists()
    book_date(as_customer, product, occurrence, organisation="samen")
    assert made(customer).organisation == mine
