"""The bookings API: booking with an Idempotency-Key, the life cycle, the waiting list,
invoices, reviews, calendars and portfolios, and that a booking is only its customer's and
its provider's business."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weconomics.api.tests.helpers import (
    API,
    actions,
    assert_problem,
    draft,
    patch_json,
    post_json,
    soon,
    token_client,
    visitor,
)
from weconomics.bookings import services as bookings
from weconomics.bookings.models import Booking, BookingEvent, PortfolioEntry, State
from weconomics.bookings.tests.helpers import (
    appointments,
    next_local,
    publish,
    rooms,
    scheduled,
)
from weconomics.catalogue import services as catalogue
from weconomics.conftest import make_account
from weconomics.contacts import organisations as orgs
from weconomics.contacts import services as contacts
from weconomics.contacts.models import OrganisationMembership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def book(client, product, **fields):
    return post_json(client, f"{API}/bookings", {"product_id": product.pk, **fields})


def book_date(client, product, date, key=None, **fields):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return post_json(client, f"{API}/bookings",
                     {"product_id": product.pk, "occurrence_id": date.pk, **fields}, **headers)


def confirmed(customer, product, date, **fields):
    return bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk, **fields)


# --- booking ----------------------------------------------------------------------------

def test_a_place_is_booked_with_a_guest_and_answers(provider, customer):
    product, date = scheduled(provider, questions=["Dietary wishes?"])
    answer = book_date(token_client(customer), product, date, quantity=2,
                       answers={"Dietary wishes?": "Vegetarian"}, message="Looking forward")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "confirmed" and body["role"] == "customer"
    assert body["quantity"] == 2 and body["unit_price_cents"] == 5000
    assert body["total_cents"] == 10000 and body["vat_rate"] == 21
    assert body["vat_cents"] == 1736
    assert body["occurrence"]["id"] == date.pk and body["product"]["id"] == product.pk
    assert body["cancellation_deadline"]
    booking = Booking.objects.get()
    assert booking.answers == {"Dietary wishes?": "Vegetarian"}
    assert "bookings.confirmed" in actions()
    left = visitor().get(f"{API}/products/{product.pk}").json()["dates"][0]["places_left"]
    assert left == 8


def test_booking_takes_a_fixed_number_of_queries(provider, customer, training):
    product, date = training
    api = token_client(customer)
    with CaptureQueriesContext(connection) as first:
        assert book_date(api, product, date).status_code == 201
    other = token_client(make_account("olga@example.org", "Olga Other"))
    with CaptureQueriesContext(connection) as second:
        assert book_date(other, product, date, key="k-1").status_code == 201
    # The answer is built from what the booking loaded: nothing is read to serialise it.
    # A key is looked up once before the work; once the date is locked it is checked in
    # the same query that counts the places.
    assert len(second) == len(first) + 1
    assert len(first) <= 12, [q["sql"][:120] for q in first.captured_queries]


def test_the_same_idempotency_key_books_once_and_replays_the_answer(customer, training):
    product, date = training
    api = token_client(customer)
    first = book_date(api, product, date, key="retry-7f3a")
    assert first.status_code == 201, first.content
    again = book_date(api, product, date, key="retry-7f3a")
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert Booking.objects.count() == 1
    assert BookingEvent.objects.count() == 1


def test_an_idempotency_key_reused_for_another_product_is_refused(provider, customer,
                                                                  training):
    product, date = training
    other = appointments(provider)
    api = token_client(customer)
    assert book_date(api, product, date, key="k1").status_code == 201
    body = assert_problem(post_json(api, f"{API}/bookings", {
        "product_id": other.pk, "slot_start": next_local(10).isoformat()},
        HTTP_IDEMPOTENCY_KEY="k1"), 409, "idempotency_key_reused")
    assert "idempotency" in body["detail"].lower()
    assert Booking.objects.count() == 1
    assert_problem(book_date(api, product, date, key="bad key"), 422, "validation_error")
    assert_problem(book_date(api, product, date, key="k" * 101), 422, "validation_error")


def test_a_full_date_answers_full_or_a_waiting_list_place(provider, customer, stranger):
    product, date = scheduled(provider, capacity=1)
    confirmed(stranger, product, date)
    api = token_client(customer)
    body = assert_problem(book_date(api, product, date), 409, "full")
    assert "waiting list" in body["detail"]
    waiting = book_date(api, product, date, waitlist=True)
    assert waiting.status_code == 202, waiting.content
    entry = waiting.json()
    assert entry["status"] == "waiting" and entry["occurrence"]["id"] == date.pk
    assert "bookings.waiting_list_joined" in actions()
    [mine] = api.get(f"{API}/me/waiting-list").json()
    assert mine["id"] == entry["id"] and mine["product"]["title"] == product.title
    assert api.delete(f"{API}/me/waiting-list/{entry['id']}").status_code == 204
    assert api.get(f"{API}/me/waiting-list").json() == []
    assert_problem(api.delete(f"{API}/me/waiting-list/{entry['id']}"), 404, "not_found")
    # Whoever waits is seen by the provider.
    book_date(api, product, date, waitlist=True)
    listed = token_client(provider).get(f"{API}/occurrences/{date.pk}/attendees").json()
    assert [w["name"] for w in listed["waiting_list"]] == ["Carl Customer"]


def test_an_appointment_and_a_room_are_booked(provider, customer, stranger):
    coaching = appointments(provider)
    room = rooms(provider)
    api = token_client(customer)
    slot = book(api, coaching, slot_start=next_local(10).isoformat())
    assert slot.status_code == 201, slot.content
    assert slot.json()["ends_at"] and slot.json()["starts_at"]
    assert_problem(book(token_client(stranger), coaching,
                        slot_start=next_local(10).isoformat()), 409, "unavailable")
    first = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    last = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    stay = book(api, room, start_date=first, end_date=last)
    assert stay.status_code == 201, stay.content
    assert stay.json()["unit"]["name"] == "Room A" and stay.json()["total_cents"] == 5000
    assert_problem(book(token_client(stranger), room, start_date=first, end_date=last),
                   409, "unavailable")


def test_booking_for_an_organisation_needs_membership(provider, customer, stranger, training):
    product, date = training
    orgs.create_organisation(actor=customer, name="Acme", kind="cooperative")
    made = book_date(token_client(customer), product, date, organisation="acme")
    assert made.status_code == 201, made.content
    assert made.json()["organisation"] == {"slug": "acme", "name": "Acme"}
    assert_problem(book_date(token_client(stranger), product, date, organisation="acme"),
                   403, "not_allowed")


# --- bad input --------------------------------------------------------------------------

def test_a_draft_or_archived_product_cannot_be_booked(provider, customer, training):
    product, date = training
    api = token_client(customer)
    unpublished = draft(provider)
    assert_problem(book(api, unpublished), 404, "not_found")
    catalogue.set_status(actor=provider, product_id=product.pk, status="archived")
    assert_problem(book_date(api, product, date), 404, "not_found")
    assert not Booking.objects.exists()


def test_a_past_or_cancelled_date_cannot_be_booked(provider, customer, stranger, training):
    product, date = training
    api = token_client(customer)
    with time_machine.travel(date.starts_at + dt.timedelta(minutes=5)):
        body = assert_problem(book_date(api, product, date), 422, "invalid")
        assert "passed" in body["detail"]
    bookings.cancel_occurrence(actor=provider, occurrence_id=date.pk)
    body = assert_problem(book_date(api, product, date), 422, "invalid")
    assert "cancelled" in body["detail"]
    assert_problem(book(api, product), 422, "invalid")  # no date chosen
    assert_problem(book(api, product, occurrence_id=999_999), 404, "not_found")
    assert not Booking.objects.exists()


def test_a_slot_outside_the_availability_is_refused(provider, customer):
    coaching = appointments(provider)
    catalogue.set_availability(actor=provider, product_id=coaching.pk, rules=[
        {"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)])
    api = token_client(customer)
    body = assert_problem(book(api, coaching, slot_start=next_local(15).isoformat()), 409,
                          "unavailable")
    assert "not available" in body["detail"]
    assert_problem(book(api, coaching, slot_start=next_local(10, days=-2).isoformat()), 409,
                   "unavailable")
    assert_problem(book(api, coaching, slot_start="2030-01-01T10:00:00"), 422,
                   "validation_error")  # no time zone


def test_a_reversed_or_past_date_range_is_refused(provider, customer):
    room = rooms(provider)
    api = token_client(customer)
    today = timezone.localdate()
    body = assert_problem(book(api, room, start_date=str(today + dt.timedelta(days=5)),
                               end_date=str(today + dt.timedelta(days=3))), 422, "invalid")
    assert "after the arrival" in body["detail"]
    body = assert_problem(book(api, room, start_date=str(today - dt.timedelta(days=3)),
                               end_date=str(today - dt.timedelta(days=1))), 422, "invalid")
    assert "past" in body["detail"]
    assert_problem(book(api, room, start_date="03/04/2030", end_date="2030-04-05"), 422,
                   "validation_error")
    assert not Booking.objects.exists()


def test_quantity_zero_or_above_the_limit_is_refused(customer, training):
    product, date = training  # at most 4 places per booking
    api = token_client(customer)
    assert_problem(book_date(api, product, date, quantity=0), 422, "validation_error")
    body = assert_problem(book_date(api, product, date, quantity=5), 422, "invalid")
    assert "at most 4" in body["detail"]
    assert_problem(book_date(api, product, date, quantity="many"), 422, "validation_error")
    assert not Booking.objects.exists()


def test_missing_answers_are_refused(provider, customer):
    product, date = scheduled(provider, questions=["Your level?"])
    body = assert_problem(book_date(token_client(customer), product, date), 422, "invalid")
    assert "Your level?" in body["detail"]
    assert_problem(book_date(token_client(customer), product, date,
                             answers={"Your level?": "x" * 1001}), 422, "validation_error")


def test_an_expired_voucher_or_one_for_another_product_is_refused(provider, customer,
                                                                  training):
    product, date = training
    other = appointments(provider)
    bookings.create_voucher(actor=provider, code="OTHER", kind="fixed", amount=500,
                            product_id=other.pk)
    bookings.create_voucher(actor=provider, code="SOON", kind="fixed", amount=500,
                            valid_until=timezone.now() + dt.timedelta(days=1))
    api = token_client(customer)
    body = assert_problem(book_date(api, product, date, voucher_code="OTHER"), 422, "invalid")
    assert "another product" in body["detail"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        body = assert_problem(book_date(api, product, date, voucher_code="SOON"), 422,
                              "invalid")
        assert "expired" in body["detail"]
    assert_problem(book_date(api, product, date, voucher_code="NOPE"), 422, "invalid")
    assert not Booking.objects.exists()
    good = book_date(api, product, date, voucher_code="soon")
    assert good.status_code == 201 and good.json()["discount_cents"] == 500
    assert good.json()["total_cents"] == 4500


def test_a_provider_cannot_book_their_own_product(provider, training):
    product, date = training
    assert_problem(book_date(token_client(provider), product, date), 403, "not_allowed")


def test_booking_needs_a_write_credential(customer, training):
    product, date = training
    assert_problem(book_date(visitor(), product, date), 401, "not_authenticated")
    assert_problem(book_date(token_client(customer, "read"), product, date), 403,
                   "read_only_token")


# --- reading bookings -------------------------------------------------------------------

def test_a_booking_is_seen_by_its_customer_and_provider_only(provider, customer, stranger,
                                                             training):
    product, date = training
    booking = confirmed(customer, product, date)
    mine = token_client(customer).get(f"{API}/bookings/{booking.pk}")
    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert body["role"] == "customer" and body["customer_email"] == "carl@example.org"
    assert [e["to_state"] for e in body["events"]] == ["confirmed"]
    assert body["events"][0]["by"] == "customer" and body["invoice"] is None
    theirs = token_client(provider).get(f"{API}/bookings/{booking.pk}")
    assert theirs.status_code == 200 and theirs.json()["role"] == "provider"
    for api in (token_client(stranger),):
        assert_problem(api.get(f"{API}/bookings/{booking.pk}"), 404, "not_found")
        assert_problem(api.get(f"{API}/bookings/{booking.pk}/calendar.ics"), 404, "not_found")
        assert_problem(post_json(api, f"{API}/bookings/{booking.pk}/cancel"), 404, "not_found")
        assert_problem(api.get(f"{API}/occurrences/{date.pk}/attendees"), 404, "not_found")
    assert_problem(visitor().get(f"{API}/bookings/{booking.pk}"), 401, "not_authenticated")
    assert_problem(token_client(customer).get(f"{API}/occurrences/{date.pk}/attendees"), 404,
                   "not_found")
    assert_problem(post_json(token_client(customer), f"{API}/bookings/{booking.pk}/approve"),
                   404, "not_found")


def test_my_bookings_and_the_providers_list_take_fixed_queries(
        provider, customer, django_assert_max_num_queries):
    products = [scheduled(provider) for _n in range(3)]
    for product, date in products:
        confirmed(customer, product, date)
    room = rooms(provider)
    bookings.book(actor=customer, product_id=room.pk,
                  start_date=timezone.localdate() + dt.timedelta(days=2),
                  end_date=timezone.localdate() + dt.timedelta(days=3))
    api = token_client(customer)
    api.get(f"{API}/bookings")
    with django_assert_max_num_queries(4):
        listed = api.get(f"{API}/bookings").json()["items"]
    assert len(listed) == 4
    assert len(api.get(f"{API}/bookings?upcoming=true").json()["items"]) == 4
    assert api.get(f"{API}/bookings?upcoming=false").json()["items"] == []
    mine = token_client(provider)
    mine.get(f"{API}/provider/bookings")
    with django_assert_max_num_queries(4):
        provided = mine.get(f"{API}/provider/bookings").json()["items"]
    assert len(provided) == 4 and provided[0]["role"] == "provider"
    first = products[0][0]
    assert len(mine.get(f"{API}/provider/bookings?product={first.pk}").json()["items"]) == 1
    assert mine.get(f"{API}/provider/bookings?state=requested").json()["items"] == []
    assert token_client(customer).get(f"{API}/provider/bookings").json()["items"] == []


def test_the_provider_sees_a_dates_attendees(provider, customer, training):
    product, date = training
    orgs.create_organisation(actor=customer, name="Acme", kind="cooperative")
    confirmed(customer, product, date, quantity=2, organisation="acme")
    listed = token_client(provider).get(f"{API}/occurrences/{date.pk}/attendees")
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert body["capacity"] == 10 and body["places_booked"] == 2
    [person] = body["attendees"]
    assert person["customer_name"] == "Carl Customer" and person["organisation"] == "Acme"


def test_a_booking_comes_as_a_calendar_file(customer, training):
    product, date = training
    booking = confirmed(customer, product, date)
    answer = token_client(customer).get(f"{API}/bookings/{booking.pk}/calendar.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    text = answer.content.decode()
    assert text.startswith("BEGIN:VCALENDAR") and "SUMMARY:Facilitation training" in text


# --- the life cycle ---------------------------------------------------------------------

def test_the_customer_cancels_before_the_deadline_but_not_after(customer, training):
    product, date = training  # customers may cancel until 24 hours before
    api = token_client(customer)
    early = confirmed(customer, product, date)
    cancelled = post_json(api, f"{API}/bookings/{early.pk}/cancel", {"reason": "Ill"})
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert body["state"] == "cancelled" and body["events"][-1]["reason"] == "Ill"
    assert "bookings.cancelled" in actions()
    assert_problem(post_json(api, f"{API}/bookings/{early.pk}/cancel"), 409, "conflict")

    late = confirmed(customer, product, date)
    with time_machine.travel(date.starts_at - dt.timedelta(hours=2)):
        body = assert_problem(post_json(api, f"{API}/bookings/{late.pk}/cancel"), 409,
                              "too_late")
        assert "deadline" in body["detail"]
    late.refresh_from_db()
    assert late.state == State.CONFIRMED
    assert_problem(post_json(api, f"{API}/bookings/{late.pk}/cancel", {"reason": "x" * 501}),
                   422, "validation_error")


def test_the_provider_approves_or_declines_requests(provider, customer, stranger):
    product, date = scheduled(provider, requires_approval=True)
    first = book_date(token_client(customer), product, date)
    assert first.status_code == 201 and first.json()["state"] == "requested"
    second = confirmed(stranger, product, date)
    api = token_client(provider)
    approved = post_json(api, f"{API}/bookings/{first.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "confirmed"
    declined = post_json(api, f"{API}/bookings/{second.pk}/decline", {"reason": "Full up"})
    assert declined.json()["state"] == "declined"
    assert declined.json()["events"][-1]["by"] == "provider"
    assert_problem(post_json(api, f"{API}/bookings/{second.pk}/approve"), 409, "conflict")
    assert {"bookings.confirmed", "bookings.declined"} <= set(actions())


def test_a_request_gets_a_proposal_that_the_customer_accepts(provider, customer):
    product = publish(provider, catalogue.create_product(
        actor=provider, kind="advice", logistics="on_request", title="Advice", max_quantity=1))
    api = token_client(customer)
    asked = book(api, product, message="Can you help with our books?")
    assert asked.status_code == 201 and asked.json()["state"] == "requested"
    booking_id = asked.json()["id"]
    mine = token_client(provider)
    assert_problem(post_json(mine, f"{API}/bookings/{booking_id}/propose", {
        "starts_at": soon().isoformat(), "ends_at": soon(hours=2).isoformat(),
        "price_cents": -100}), 422, "validation_error")
    assert_problem(post_json(mine, f"{API}/bookings/{booking_id}/propose", {
        "starts_at": soon(hours=2).isoformat(), "ends_at": soon().isoformat(),
        "price_cents": 100}), 422, "invalid")
    proposed = post_json(mine, f"{API}/bookings/{booking_id}/propose", {
        "starts_at": soon().isoformat(), "ends_at": soon(hours=2).isoformat(),
        "price_cents": 30000, "message": "Two hours"})
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["state"] == "proposed"
    assert proposed.json()["proposed_price_cents"] == 30000
    accepted = post_json(api, f"{API}/bookings/{booking_id}/accept-proposal")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "confirmed" and accepted.json()["total_cents"] == 30000
    assert_problem(post_json(api, f"{API}/bookings/{booking_id}/decline-proposal"), 409,
                   "conflict")


def test_a_proposal_can_be_turned_down(provider, customer):
    product = publish(provider, catalogue.create_product(
        actor=provider, kind="advice", logistics="on_request", title="Advice"))
    booking = bookings.book(actor=customer, product_id=product.pk)
    bookings.propose(actor=provider, booking_id=booking.pk, starts_at_value=soon(),
                     ends_at_value=soon(hours=1), price_cents=100)
    answer = post_json(token_client(customer), f"{API}/bookings/{booking.pk}/decline-proposal")
    assert answer.status_code == 200 and answer.json()["state"] == "cancelled"


def test_a_course_is_checked_in_completed_reviewed_and_lands_in_the_portfolio(
        provider, customer, stranger, training):
    product, date = training
    booking = confirmed(customer, product, date)
    api, mine = token_client(customer), token_client(provider)
    body = assert_problem(post_json(api, f"{API}/bookings/{booking.pk}/review",
                                    {"rating": 5}), 409, "conflict")
    assert "completed" in body["detail"]
    checked = post_json(mine, f"{API}/bookings/{booking.pk}/check-in")
    assert checked.status_code == 200 and checked.json()["checked_in_at"]
    assert_problem(post_json(mine, f"{API}/bookings/{booking.pk}/complete"), 409, "conflict")
    with time_machine.travel(date.ends_at):
        done = post_json(mine, f"{API}/bookings/{booking.pk}/complete")
    assert done.status_code == 200 and done.json()["state"] == "completed"
    assert_problem(post_json(api, f"{API}/bookings/{booking.pk}/review", {"rating": 6}),
                   422, "validation_error")
    reviewed = post_json(api, f"{API}/bookings/{booking.pk}/review",
                         {"rating": 5, "text": "Excellent"})
    assert reviewed.status_code == 201, reviewed.content
    assert reviewed.json()["rating"] == 5 and reviewed.json()["author_name"] == "Carl Customer"
    assert_problem(post_json(api, f"{API}/bookings/{booking.pk}/review", {"rating": 4}),
                   409, "conflict")
    assert_problem(post_json(mine, f"{API}/bookings/{booking.pk}/review", {"rating": 1}),
                   404, "not_found")
    assert api.get(f"{API}/bookings/{booking.pk}").json()["review"]["text"] == "Excellent"
    assert {"bookings.completed", "bookings.reviewed"} <= set(actions())

    [entry] = api.get(f"{API}/me/portfolio").json()
    assert entry["title"] == "Facilitation training"
    assert entry["attested_by"] == "Paula Provider" and entry["hidden"] is False
    contacts.ensure_person(customer)
    contacts.update_profile(actor=customer, profile_visibility="public",
                            education_visibility="public")
    handle = customer.person.handle
    contacts.ensure_person(stranger)
    seen = token_client(stranger).get(f"{API}/people/{handle}/portfolio")
    assert seen.status_code == 200 and [e["title"] for e in seen.json()] == [
        "Facilitation training"]
    hidden = patch_json(api, f"{API}/me/portfolio/{entry['id']}", {"hidden": True})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert token_client(stranger).get(f"{API}/people/{handle}/portfolio").json() == []
    assert len(api.get(f"{API}/people/{handle}/portfolio").json()) == 1  # your own, all
    assert_problem(patch_json(token_client(stranger), f"{API}/me/portfolio/{entry['id']}",
                              {"hidden": False}), 404, "not_found")
    assert "bookings.portfolio_entry_changed" in actions()


def test_a_no_show_is_marked(provider, customer, training):
    product, date = training
    booking = confirmed(customer, product, date)
    with time_machine.travel(date.starts_at + dt.timedelta(minutes=30)):
        answer = post_json(token_client(provider), f"{API}/bookings/{booking.pk}/no-show")
    assert answer.status_code == 200 and answer.json()["state"] == "no_show"
    assert not PortfolioEntry.objects.exists()


# --- commerce ---------------------------------------------------------------------------

def test_an_invoice_is_issued_paid_and_read_as_json_and_pdf(provider, customer, stranger,
                                                            training):
    product, date = training
    booking = confirmed(customer, product, date, quantity=2)
    api, mine = token_client(customer), token_client(provider)
    assert_problem(api.get(f"{API}/bookings/{booking.pk}/invoice"), 404, "not_found")
    assert_problem(post_json(api, f"{API}/bookings/{booking.pk}/invoice"), 404, "not_found")
    issued = post_json(mine, f"{API}/bookings/{booking.pk}/invoice")
    assert issued.status_code == 200, issued.content
    invoice = issued.json()
    assert invoice["kind"] == "invoice" and invoice["total_cents"] == 10000
    assert invoice["number"] == f"{timezone.localdate().year}-00001"
    assert post_json(mine, f"{API}/bookings/{booking.pk}/invoice").json() == invoice
    paid = post_json(mine, f"{API}/bookings/{booking.pk}/paid")
    assert paid.status_code == 200 and paid.json()["kind"] == "receipt"
    assert paid.json()["number"] == invoice["number"]
    assert_problem(post_json(mine, f"{API}/bookings/{booking.pk}/paid"), 409, "conflict")
    assert {"bookings.invoice_issued", "bookings.paid"} <= set(actions())

    read = api.get(f"{API}/bookings/{booking.pk}/invoice")
    assert read.status_code == 200 and read.json()["paid_at"]
    pdf = api.get(f"{API}/bookings/{booking.pk}/invoice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert api.get(f"{API}/bookings/{booking.pk}").json()["invoice"] == {
        "number": invoice["number"], "paid": True}
    assert_problem(token_client(stranger).get(f"{API}/bookings/{booking.pk}/invoice.pdf"),
                   404, "not_found")


def test_a_free_booking_gets_no_invoice(provider, customer):
    product, date = scheduled(provider, price_cents=0)
    booking = confirmed(customer, product, date)
    assert_problem(post_json(token_client(provider), f"{API}/bookings/{booking.pk}/invoice"),
                   409, "conflict")


def test_unknown_ids_are_not_found_not_errors(customer):
    api = token_client(customer)
    assert_problem(api.get(f"{API}/bookings/{2**63}"), 422, "validation_error")
    assert_problem(api.get(f"{API}/bookings/123456"), 404, "not_found")
    assert_problem(post_json(api, f"{API}/bookings", {"product_id": 123456}), 404, "not_found")
    assert_problem(api.get(f"{API}/people/nobody-here/portfolio"), 404, "not_found")


def test_read_tokens_read_bookings_but_cannot_change_them(customer, training):
    product, date = training
    booking = confirmed(customer, product, date)
    reader = token_client(customer, "read")
    assert reader.get(f"{API}/bookings").json()["items"][0]["id"] == booking.pk
    assert reader.get(f"{API}/bookings/{booking.pk}").status_code == 200
    assert reader.get(f"{API}/products/{product.pk}").status_code == 200
    assert_problem(post_json(reader, f"{API}/bookings/{booking.pk}/cancel"), 403,
                   "read_only_token")
    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED


def test_an_organisations_administrators_manage_its_products_bookings(provider, customer,
                                                                     stranger):
    orgs.create_organisation(actor=provider, name="Clay Coop", kind="cooperative")
    product = catalogue.create_product(actor=provider, organisation="clay-coop",
                                       kind="workshop", logistics="scheduled", title="Clay")
    [date] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                       starts_at=soon(), ends_at=soon(hours=2), capacity=5)
    publish(provider, product)
    booking = confirmed(customer, product, date)
    OrganisationMembership.objects.create(organisation=product.organisation, account=stranger,
                                          role=OrganisationMembership.Role.ADMIN)
    admin = token_client(stranger)
    seen = admin.get(f"{API}/bookings/{booking.pk}")
    assert seen.status_code == 200 and seen.json()["role"] == "provider"
    assert [b["id"] for b in admin.get(f"{API}/provider/bookings").json()["items"]] == [
        booking.pk]
    assert admin.get(f"{API}/occurrences/{date.pk}/attendees").status_code == 200
