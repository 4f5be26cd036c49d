"""The provider's pages: dates, hours, units and vouchers of a product, the dashboard, the
attendees of a date (with the CSV and a message to all), and one booking."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.bookings import services as bookings
from weconomics.bookings.models import Booking, Invoice, Voucher
from weconomics.bookings.tests import helpers
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Occurrence
from weconomics.conftest import make_account

pytestmark = pytest.mark.django_db


def browser(account=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        client.force_login(account)
    return client


def local(days: int, hour: int = 10) -> str:
    """A datetime-local value `days` from now, at `hour` o'clock."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


@pytest.fixture
def provider(db):
    return make_account("provider@example.org", "Petra Provider")


@pytest.fixture
def customer(db):
    return make_account("customer@example.org", "Cas Customer")


@pytest.fixture
def training(provider):
    """A published training with one date in a week, 10 places."""
    return helpers.scheduled(provider, capacity=10)


def book(account, product, occurrence, **fields):
    return bookings.book(actor=account, product_id=product.pk, occurrence_id=occurrence.pk,
                         **fields)


# --- dates -----------------------------------------------------------------------------------

def test_the_provider_adds_a_date(provider, training):
    product, _occurrence = training
    response = browser(provider).post(f"/products/{product.pk}/dates/", {
        "starts_at": local(10), "ends_at": local(10, 13), "capacity": "12",
        "venue": "Room 1", "repeat": "", "count": "1"})
    assert response.status_code == 302
    added = Occurrence.objects.get(product=product, capacity=12)
    assert added.venue == "Room 1"
    assert timezone.localtime(added.starts_at).hour == 10
    assert AuditRecord.objects.filter(action="catalogue.occurrences_added").count() == 2


def test_the_provider_adds_a_weekly_series_with_a_minimum(provider, training):
    product, _occurrence = training
    browser(provider).post(f"/products/{product.pk}/dates/", {
        "starts_at": local(10), "ends_at": local(10, 12), "capacity": "8",
        "repeat": "weekly", "count": "3", "min_participants": "4"})
    series = list(Occurrence.objects.filter(product=product, capacity=8))
    assert len(series) == 3 and len({o.series for o in series}) == 1
    assert all(o.min_participants == 4 and o.min_deadline for o in series)
    assert (series[1].starts_at - series[0].starts_at) == dt.timedelta(weeks=1)


@pytest.mark.parametrize("data,message", [
    ({"starts_at": local(10, 12), "ends_at": local(10, 10)},
     "The end must come after the start."),
    ({"starts_at": local(-2), "ends_at": local(-2, 12)}, "A new date must lie in the future."),
    ({"starts_at": "tomorrow", "ends_at": local(10)}, "Enter a valid date/time."),
    ({"capacity": "0"}, "greater than or equal to 1"),
    ({"repeat": "hourly"}, "Select a valid choice."),
    ({"min_participants": "20"}, "The minimum must be between 1 and 10."),
])
def test_bad_dates_are_refused_with_a_message(provider, training, data, message):
    product, _occurrence = training
    response = browser(provider).post(f"/products/{product.pk}/dates/", {
        "starts_at": local(10), "ends_at": local(10, 12), "capacity": "10", "count": "1",
        **data})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Occurrence.objects.count() == 1


def test_the_dates_page_lists_places_taken_left_and_waiting(provider, customer, member,
                                                            outsider):
    product, occurrence = helpers.scheduled(provider, capacity=2, max_quantity=2)
    book(customer, product, occurrence, quantity=2)
    bookings.book(actor=member, product_id=product.pk, occurrence_id=occurrence.pk,
                  waitlist=True)
    page = browser(provider).get(f"/products/{product.pk}/dates/").content.decode()
    assert "<td>2</td>" in page  # taken
    assert "Full" in page
    assert "<td>1</td>" in page  # waiting


def test_capacity_cannot_go_below_what_is_booked(provider, customer, member, training):
    product, occurrence = training
    book(customer, product, occurrence)
    book(member, product, occurrence)
    client = browser(provider)
    url = f"/products/{product.pk}/dates/{occurrence.pk}/capacity/"
    response = client.post(url, {"capacity": "1"})
    assert response.status_code == 422
    assert "2 places are booked; the capacity cannot be lower." in response.content.decode()
    assert client.post(url, {"capacity": "zero"}).status_code == 422
    occurrence.refresh_from_db()
    assert occurrence.capacity == 10
    assert client.post(url, {"capacity": "2"}).status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.capacity == 2
    assert AuditRecord.objects.filter(action="bookings.capacity_changed").count() == 1


def test_the_provider_cancels_a_date_with_a_reason(provider, customer, training):
    product, occurrence = training
    booking = book(customer, product, occurrence)
    response = browser(provider).post(
        f"/products/{product.pk}/dates/{occurrence.pk}/cancel/", {"reason": "Teacher ill"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    booking.refresh_from_db()
    assert occurrence.status == "cancelled" and booking.state == "cancelled"
    assert booking.events.last().reason == "Teacher ill"
    response = browser(provider).post(
        f"/products/{product.pk}/dates/{occurrence.pk}/cancel/", {"reason": ""})
    assert response.status_code == 409
    assert "cancelled already" in response.content.decode()


def test_a_date_of_another_product_is_not_found(provider, training):
    product, _occurrence = training
    other = make_account("x@example.org", "X")
    theirs = catalogue.create_product(actor=other, kind="course", logistics="scheduled",
                                      title="Theirs")
    start = timezone.now() + dt.timedelta(days=3)
    [foreign] = catalogue.add_occurrences(actor=other, product_id=theirs.pk, starts_at=start,
                                          ends_at=start + dt.timedelta(hours=1), capacity=5)
    response = browser(provider).post(
        f"/products/{product.pk}/dates/{foreign.pk}/capacity/", {"capacity": "5"})
    assert response.status_code == 404


def test_a_product_of_another_kind_is_sent_to_its_own_logistics_page(provider):
    product = helpers.rooms(provider)
    response = browser(provider).get(f"/products/{product.pk}/dates/")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/units/"


# --- hours and units ---------------------------------------------------------------------------

def test_the_provider_sets_weekly_hours(provider):
    product = catalogue.create_product(actor=provider, kind="coaching",
                                       logistics="appointment", title="Coaching")
    client = browser(provider)
    response = client.post(f"/products/{product.pk}/availability/", {
        "d0_0_start": "09:00", "d0_0_end": "12:00", "d0_1_start": "13:00",
        "d0_1_end": "17:00", "d2_0_start": "10:00", "d2_0_end": "15:00"})
    assert response.status_code == 302
    assert [(a.weekday, a.start_time.hour, a.end_time.hour)
            for a in product.availability.all()] == [(0, 9, 12), (0, 13, 17), (2, 10, 15)]
    page = client.get(f"/products/{product.pk}/availability/").content.decode()
    assert 'value="13:00"' in page
    assert AuditRecord.objects.filter(action="catalogue.availability_set").exists()


@pytest.mark.parametrize("data,message", [
    ({"d1_0_start": "12:00", "d1_0_end": "09:00"}, "Each period must end after it starts."),
    ({"d1_0_start": "12:00"}, "Give Tuesday a start and an end time."),
    ({"d1_0_start": "25:00", "d1_0_end": "26:00"}, "Enter a valid time."),
])
def test_bad_hours_are_refused(provider, data, message):
    product = catalogue.create_product(actor=provider, kind="coaching",
                                       logistics="appointment", title="Coaching")
    response = browser(provider).post(f"/products/{product.pk}/availability/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not product.availability.exists()


def test_the_provider_adds_and_deactivates_units(provider):
    product = helpers.rooms(provider)
    client = browser(provider)
    assert client.post(f"/products/{product.pk}/units/",
                       {"name": "Room B"}).status_code == 302
    response = client.post(f"/products/{product.pk}/units/", {"name": "Room B"})
    assert response.status_code == 422
    assert "There is a unit called Room B already." in response.content.decode()
    unit = product.units.get(name="Room A")
    client.post(f"/products/{product.pk}/units/{unit.pk}/active/", {"active": "0"})
    unit.refresh_from_db()
    assert unit.is_active is False
    assert AuditRecord.objects.filter(action="catalogue.unit_changed").exists()


# --- vouchers ------------------------------------------------------------------------------

def test_the_provider_makes_vouchers_and_sees_their_uses(provider, customer, training):
    product, occurrence = training
    client = browser(provider)
    response = client.post(f"/products/{product.pk}/vouchers/", {
        "code": "spring10", "kind": "percent", "amount": "10", "max_uses": "5"})
    assert response.status_code == 302
    client.post(f"/products/{product.pk}/vouchers/", {
        "code": "FIVER", "kind": "fixed", "amount": "5.00", "max_uses": "1",
        "valid_until": (timezone.localdate() + dt.timedelta(days=30)).isoformat()})
    assert Voucher.objects.get(code="FIVER").amount == 500
    book(customer, product, occurrence, voucher_code="SPRING10")
    page = client.get(f"/products/{product.pk}/vouchers/").content.decode()
    assert "SPRING10" in page and "1 of 5" in page and "€ 5.00" in page
    assert AuditRecord.objects.filter(action="bookings.voucher_created").count() == 2


@pytest.mark.parametrize("data,message,status", [
    ({"code": "FIVER"}, "The code FIVER is taken.", 409),
    ({"code": "x"}, "Ensure this value has at least 3 characters", 422),
    ({"kind": "percent", "amount": "150"}, "A percentage is a whole number from 1 to 100.",
     422),
    ({"amount": "-1"}, "greater than or equal to 0.01", 422),
    ({"valid_until": "2001-01-01"}, "The end of validity lies in the past.", 422),
])
def test_bad_vouchers_are_refused(provider, training, data, message, status):
    product, _occurrence = training
    bookings.create_voucher(actor=provider, code="FIVER", kind="fixed", amount=500)
    response = browser(provider).post(f"/products/{product.pk}/vouchers/", {
        "code": "NEWCODE", "kind": "fixed", "amount": "5", "max_uses": "1", **data})
    assert response.status_code == status
    assert message in response.content.decode()
    assert Voucher.objects.count() == 1


# --- the dashboard -------------------------------------------------------------------------

def test_the_dashboard_shows_dates_requests_appointments_and_products(provider, customer):
    product, occurrence = helpers.scheduled(provider, requires_approval=True)
    book(customer, product, occurrence)
    coaching = helpers.appointments(provider)
    bookings.book(actor=customer, product_id=coaching.pk,
                  slot_start=helpers.next_local(10, days=3))
    page = browser(provider).get("/provider/").content.decode()
    assert "Facilitation training" in page and "1 of 10 booked" in page
    assert "Cas Customer" in page and "asks for approval" in page
    assert "Career coaching" in page


def test_the_dashboard_asks_for_a_decision_on_a_date_below_its_minimum(provider, customer):
    product, _occurrence = helpers.scheduled(provider)
    start = timezone.now() + dt.timedelta(days=10)
    [occurrence] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                             starts_at=start, ends_at=start +
                                             dt.timedelta(hours=2), capacity=10,
                                             min_participants=3)
    book(customer, product, occurrence)
    assert bookings.check_minimums(now=start - dt.timedelta(days=1)) == 1
    client = browser(provider)
    page = client.get("/provider/").content.decode()
    assert "Decide: too few participants" in page and "1 booked, minimum 3" in page
    response = client.post(f"/provider/dates/{occurrence.pk}/minimum/", {"decision": "go"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.min_decision == "go"
    assert "Decide: too few participants" not in client.get("/provider/").content.decode()
    assert AuditRecord.objects.filter(action="bookings.minimum_go_ahead").exists()


def test_cancelling_for_too_few_participants_cancels_the_bookings(provider, customer):
    product, occurrence = helpers.scheduled(provider)
    booking = book(customer, product, occurrence)
    response = browser(provider).post(f"/provider/dates/{occurrence.pk}/minimum/",
                                      {"decision": "cancel", "reason": "Too few"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    assert browser(provider).post(f"/provider/dates/{occurrence.pk}/minimum/",
                                  {"decision": "maybe"}).status_code == 422


def test_the_dashboard_takes_a_fixed_number_of_queries(provider):
    client = browser(provider)
    customers = [make_account(f"c{n}@example.org", f"Customer {n}") for n in range(6)]
    product, occurrence = helpers.scheduled(provider, requires_approval=True)
    book(customers[0], product, occurrence)
    client.get("/provider/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/provider/").status_code == 200
    coaching = helpers.appointments(provider)
    for n, account in enumerate(customers[1:]):
        more, date = helpers.scheduled(provider, requires_approval=True, days=8 + n)
        book(account, more, date)
        bookings.book(actor=account, product_id=coaching.pk,
                      slot_start=helpers.next_local(9 + n, days=3))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/provider/").content.decode()
    assert page.count("asks for approval") == 6
    assert len(many) == len(few)


def test_the_dashboard_needs_signing_in(db):
    response = browser().get("/provider/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the attendees of a date -----------------------------------------------------------------

@pytest.fixture
def attended(provider, customer, member):
    product, occurrence = helpers.scheduled(provider, max_quantity=3,
                                            questions=["Diet?"])
    first = book(customer, product, occurrence, quantity=2, answers={"Diet?": "Vegan"})
    second = book(member, product, occurrence, answers={"Diet?": "=HYPERLINK(\"x\")"})
    return product, occurrence, first, second


def test_the_attendee_list_shows_who_booked_and_who_waits(provider, attended):
    product, occurrence, first, _second = attended
    page = browser(provider).get(f"/provider/dates/{occurrence.pk}/").content.decode()
    assert "Cas Customer" in page and "Mo Member" in page and "Vegan" in page
    assert "3 of 10 places booked, 7 left." in page


@pytest.mark.parametrize("path", ["", "attendees.csv"])
def test_attendee_lists_are_not_found_for_others(provider, customer, outsider, attended,
                                                 path):
    _product, occurrence, _first, _second = attended
    assert browser(outsider).get(f"/provider/dates/{occurrence.pk}/{path}").status_code == 404
    assert browser(customer).get(f"/provider/dates/{occurrence.pk}/{path}").status_code == 404
    assert browser().get(f"/provider/dates/{occurrence.pk}/{path}").status_code == 404


def test_the_provider_checks_people_in_and_htmx_gets_the_row_back(provider, attended):
    _product, occurrence, first, second = attended
    client = browser(provider)
    response = client.post(f"/provider/bookings/{first.pk}/check_in/", {"back": "date"})
    assert response.status_code == 302
    assert response["Location"] == f"/provider/dates/{occurrence.pk}/"
    response = client.post(f"/provider/bookings/{second.pk}/check_in/", {"back": "date"},
                           HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert response.status_code == 200
    assert row.startswith(f'<tr id="attendee-{second.pk}">') and "is checked in." in row
    first.refresh_from_db()
    assert first.checked_in_at is not None
    assert AuditRecord.objects.filter(action="bookings.changed").count() == 2


def test_completing_before_the_start_is_refused_and_after_it_works(provider, attended):
    _product, occurrence, first, second = attended
    client = browser(provider)
    response = client.post(f"/provider/bookings/{first.pk}/complete/", {"back": "date"})
    assert response.status_code == 409
    assert "only once it has started" in response.content.decode()
    with time_machine.travel(occurrence.ends_at + dt.timedelta(hours=1)):
        assert client.post(f"/provider/bookings/{first.pk}/complete/",
                           {"back": "date"}).status_code == 302
        assert client.post(f"/provider/bookings/{second.pk}/no_show/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("completed", "no_show")
    assert first.portfolio.title == "Facilitation training"


def test_the_csv_has_a_header_every_attendee_and_no_formulas(provider, attended):
    _product, occurrence, first, _second = attended
    Booking.objects.filter(pk=first.pk).update(customer_name="+31 6 1234")
    response = browser(provider).get(f"/provider/dates/{occurrence.pk}/attendees.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Organisation", "Places", "State", "Checked in", "Answers"]
    assert ["'+31 6 1234", "", "2", "Confirmed", "", "Diet?: Vegan"] in rows
    assert ["Mo Member", "", "1", "Confirmed", "", "'Diet?: =HYPERLINK(\"x\")"] not in rows
    member_row = next(r for r in rows if r[0] == "Mo Member")
    assert member_row[5] == 'Diet?: =HYPERLINK("x")'  # not at the start: harmless
    Booking.objects.filter(pk=first.pk).update(answers={"Diet?": "x"},
                                               customer_name="@SUM(A1)")
    rows = list(csv.reader(io.StringIO(browser(provider).get(
        f"/provider/dates/{occurrence.pk}/attendees.csv").content.decode())))
    assert rows[1][0] == "'@SUM(A1)" or rows[2][0] == "'@SUM(A1)"


def test_a_formula_in_a_name_or_answer_is_quoted(provider, customer):
    product, occurrence = helpers.scheduled(provider, questions=["Note"])
    book(customer, product, occurrence, answers={"Note": "x"})
    Booking.objects.update(customer_name="=cmd|' /C calc'!A0", answers={"=1+1": "-2"})
    rows = list(csv.reader(io.StringIO(browser(provider).get(
        f"/provider/dates/{occurrence.pk}/attendees.csv").content.decode())))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == "'=1+1: -2"


def test_the_provider_messages_every_confirmed_attendee_after_commit(
        provider, attended, django_capture_on_commit_callbacks):
    _product, occurrence, _first, _second = attended
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(provider).post(f"/provider/dates/{occurrence.pk}/message/", {
            "subject": "Bring a laptop", "text": "See you on Monday."})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["customer@example.org",
                                                    "member@example.org"]
    assert all("See you on Monday." in m.body and "Bring a laptop" in m.subject
               and m.reply_to == ["provider@example.org"] for m in mail.outbox)
    record = AuditRecord.objects.get(action="bookings.attendees_messaged")
    assert record.data["recipients"] == 2


@pytest.mark.parametrize("data,message", [
    ({"subject": "", "text": "Hello"}, "This field is required."),
    ({"subject": "Hi", "text": ""}, "This field is required."),
    ({"subject": "x" * 151, "text": "Hello"}, "at most 150 characters"),
    ({"subject": "Hi", "text": "x" * 5001}, "at most 5000 characters"),
])
def test_a_message_without_subject_or_text_or_too_long_is_refused(provider, attended, data,
                                                                  message):
    _product, occurrence, _first, _second = attended
    response = browser(provider).post(f"/provider/dates/{occurrence.pk}/message/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not mail.outbox
    assert not AuditRecord.objects.filter(action="bookings.attendees_messaged").exists()


def test_messaging_a_date_nobody_booked_says_so(provider, training):
    _product, occurrence = training
    response = browser(provider).post(f"/provider/dates/{occurrence.pk}/message/", {
        "subject": "Hi", "text": "Hello"})
    assert response.status_code == 409
    assert "Nobody has a confirmed place" in response.content.decode()


def test_an_outsider_cannot_message_the_attendees(outsider, attended):
    _product, occurrence, _first, _second = attended
    response = browser(outsider).post(f"/provider/dates/{occurrence.pk}/message/", {
        "subject": "Spam", "text": "Buy now"})
    assert response.status_code == 404
    assert not mail.outbox


# --- one booking ---------------------------------------------------------------------------

def test_the_provider_approves_a_request(provider, customer):
    product, occurrence = helpers.scheduled(provider, requires_approval=True,
                                            questions=["Why?"])
    booking = book(customer, product, occurrence, answers={"Why?": "Curious"},
                   message="Looking forward")
    client = browser(provider)
    page = client.get(f"/provider/bookings/{booking.pk}/").content.decode()
    assert "Curious" in page and "Looking forward" in page and "Approve" in page
    response = client.post(f"/provider/bookings/{booking.pk}/approve/", {"reason": "Welcome"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "confirmed"
    assert AuditRecord.objects.filter(action="bookings.confirmed", actor=provider).exists()
    response = client.post(f"/provider/bookings/{booking.pk}/decline/")
    assert response.status_code == 409
    assert "Only a requested booking can be approved or declined." in (
        response.content.decode())


def test_the_provider_declines_a_request_with_a_reason(provider, customer):
    product, occurrence = helpers.scheduled(provider, requires_approval=True)
    booking = book(customer, product, occurrence)
    browser(provider).post(f"/provider/bookings/{booking.pk}/decline/", {"reason": "Full"})
    booking.refresh_from_db()
    assert booking.state == "declined" and booking.events.last().reason == "Full"


def test_the_provider_proposes_a_date_and_price_for_a_request(provider, customer):
    product = catalogue.create_product(actor=provider, kind="advice", logistics="on_request",
                                       title="Advice")
    helpers.publish(provider, product)
    booking = bookings.book(actor=customer, product_id=product.pk, message="Help")
    client = browser(provider)
    response = client.post(f"/provider/bookings/{booking.pk}/propose/", {
        "starts_at": local(5, 14), "ends_at": local(5, 12), "price": "80"})
    assert response.status_code == 422
    assert "The end must come after the start." in response.content.decode()
    response = client.post(f"/provider/bookings/{booking.pk}/propose/", {
        "starts_at": local(5, 14), "ends_at": local(5, 16), "price": "-1"})
    assert response.status_code == 422
    response = client.post(f"/provider/bookings/{booking.pk}/propose/", {
        "starts_at": local(5, 14), "ends_at": local(5, 16), "price": "80.50"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "proposed" and booking.proposed_price_cents == 8050


def test_the_provider_issues_an_invoice_and_marks_it_paid(provider, customer, training):
    product, occurrence = training
    booking = book(customer, product, occurrence)
    client = browser(provider)
    assert client.post(f"/provider/bookings/{booking.pk}/invoice/").status_code == 302
    invoice = Invoice.objects.get(booking=booking)
    assert invoice.paid_at is None
    assert client.post(f"/provider/bookings/{booking.pk}/paid/").status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_at is not None
    page = client.get(f"/provider/bookings/{booking.pk}/").content.decode()
    assert invoice.number in page and f"/bookings/{booking.pk}/invoice.pdf" in page
    response = client.post(f"/provider/bookings/{booking.pk}/paid/")
    assert response.status_code == 409
    assert "paid already" in response.content.decode()
    assert AuditRecord.objects.filter(action="bookings.paid").count() == 1


def test_a_free_booking_cannot_be_marked_paid(provider, customer):
    product, occurrence = helpers.scheduled(provider, price_cents=0)
    booking = book(customer, product, occurrence)
    response = browser(provider).post(f"/provider/bookings/{booking.pk}/paid/")
    assert response.status_code == 409
    assert "A free booking has nothing to pay." in response.content.decode()


def test_a_booking_page_is_not_found_for_its_customer_and_others(provider, customer,
                                                                 outsider, training):
    product, occurrence = training
    booking = book(customer, product, occurrence)
    for account in (customer, outsider, None):
        client = browser(account)
        assert client.get(f"/provider/bookings/{booking.pk}/").status_code == 404
        assert client.post(f"/provider/bookings/{booking.pk}/approve/").status_code == 404
    assert browser(provider).post(
        f"/provider/bookings/{booking.pk}/explode/").status_code == 404


def test_the_provider_cancels_a_booking(provider, customer, training):
    product, occurrence = training
    booking = book(customer, product, occurrence)
    response = browser(provider).post(f"/provider/bookings/{booking.pk}/cancel/",
                                      {"reason": "Moved"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"
