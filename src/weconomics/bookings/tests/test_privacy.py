"""Bookings and products in the account's export and deletion, and the audit trail of every
change of state: neither side's deletion removes what the other side and the books need."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from weconomics.audit.models import AuditRecord
from weconomics.bookings import services
from weconomics.bookings.models import (
    Booking,
    BookingEvent,
    Invoice,
    PortfolioEntry,
    Review,
    Voucher,
    WaitingListEntry,
)
from weconomics.bookings.tests.helpers import community_of, publish
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Product
from weconomics.communities import services as communities
from weconomics.communities.models import Publication
from weconomics.conftest import make_account
from weconomics.contacts.models import OrganisationMembership
from weconomics.contacts.organisations import create_organisation
from weconomics.identity import services as identity
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    """A steward's public community, a provider in it, and two customers."""
    steward = make_account("steward@example.org", "Stella Steward")
    provider = make_account("provider@example.org", "Pia Provider")
    customer = make_account("customer@example.org", "Cas Customer")
    other = make_account("other@example.org", "Oda Other")
    community = community_of(steward)
    communities.join(actor=provider, community=community)
    return steward, provider, customer, other


def offer(provider, title, *, days=10, capacity=5, price_cents=5000, kind="training",
          organisation=None, **fields):
    product = catalogue.create_product(actor=provider, kind=kind, logistics="scheduled",
                                       title=title, price_cents=price_cents,
                                       organisation=organisation, **fields)
    start = timezone.now() + dt.timedelta(days=days)
    [occurrence] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                             starts_at=start,
                                             ends_at=start + dt.timedelta(hours=2),
                                             capacity=capacity)
    return publish(provider, product), occurrence


def history(provider, customer, other):
    """A completed, reviewed, paid course; an upcoming booking with answers; a waiting
    place; a voucher. Returns the bookings (past, upcoming) and the waiting entry."""
    done, done_date = offer(provider, "Data basics", days=1)
    upcoming, upcoming_date = offer(provider, "Advanced data", days=20,
                                    questions=["Your role?"])
    full, full_date = offer(provider, "Popular", capacity=1)
    services.create_voucher(actor=provider, code="WELCOME", kind="fixed", amount=500)
    past = services.book(actor=customer, product_id=done.pk, occurrence_id=done_date.pk,
                         voucher_code="welcome", message="See you there")
    with time_machine.travel(done_date.ends_at, tick=False):
        services.complete(actor=provider, booking_id=past.pk)
        services.mark_paid(actor=provider, booking_id=past.pk)
        services.review(actor=customer, booking_id=past.pk, rating=5, text="Clear")
    coming = services.book(actor=customer, product_id=upcoming.pk,
                           occurrence_id=upcoming_date.pk, answers={"Your role?": "Analyst"},
                           message="Call me on 06-12345678")
    services.book(actor=other, product_id=full.pk, occurrence_id=full_date.pk)
    entry = services.book(actor=customer, product_id=full.pk, occurrence_id=full_date.pk,
                          waitlist=True)
    return past, coming, entry


def test_the_export_holds_bookings_with_events_invoices_reviews_and_the_rest(world):
    _steward, provider, customer, other = world
    past, coming, _entry = history(provider, customer, other)
    data = identity.export_account(actor=customer)
    by_id = {row["id"]: row for row in data["bookings"]}
    assert set(by_id) == {past.pk, coming.pk}
    done = by_id[past.pk]
    assert done["state"] == "completed" and done["discount_cents"] == 500
    assert [(e["from"], e["to"]) for e in done["events"]] == [("", "confirmed"),
                                                            ("confirmed", "completed")]
    assert done["invoice"]["number"].endswith("-00001")
    assert done["invoice"]["paid_at"] is not None
    assert done["review"] == {"rating": 5, "text": "Clear"}
    assert by_id[coming.pk]["answers"] == {"Your role?": "Analyst"}
    extras = data["booking_extras"]
    assert [w["product"] for w in extras["waiting_lists"]] == ["Popular"]
    assert [p["title"] for p in extras["portfolio"]] == ["Data basics"]
    assert extras["reviews_written"] == [{"product": "Data basics", "rating": 5,
                                          "text": "Clear"}]
    offered = identity.export_account(actor=provider)
    assert {p["title"] for p in offered["products"]} == {"Data basics", "Advanced data",
                                                         "Popular"}
    assert all(len(p["dates"]) == 1 for p in offered["products"])
    assert [v["code"] for v in offered["booking_extras"]["vouchers"]] == ["WELCOME"]
    assert {b["customer"] for b in offered["bookings_provided"]} == {"Cas Customer",
                                                                     "Oda Other"}


def test_a_deleted_customer_leaves_anonymous_bookings_and_their_upcoming_ones_cancelled(
        world):
    _steward, provider, customer, other = world
    past, coming, entry = history(provider, customer, other)
    invoice_number = Invoice.objects.get(booking=past).number
    events_before = BookingEvent.objects.count()
    identity.delete_account(actor=customer)
    past.refresh_from_db()
    coming.refresh_from_db()
    for booking in (past, coming):
        assert booking.customer is None
        assert (booking.customer_name, booking.customer_email) == ("Deleted user", "")
        assert booking.answers == {} and booking.message == ""
        assert services.derived_state(booking) == booking.state
    assert past.state == "completed"
    assert coming.state == "cancelled"
    last = BookingEvent.objects.filter(booking=coming).last()
    assert (last.from_state, last.actor_id) == ("confirmed", None)
    assert "deleted" in last.reason
    assert BookingEvent.objects.count() == events_before + 1
    invoice = Invoice.objects.get(booking=past)
    assert (invoice.number, invoice.buyer_name) == (invoice_number, "Cas Customer")
    review = Review.objects.get(booking=past)
    assert review.author is None and review.text == "Clear"
    assert not WaitingListEntry.objects.filter(pk=entry.pk).exists()
    assert not PortfolioEntry.objects.exists()
    # The provider's side is untouched.
    assert Booking.objects.filter(customer=other).get().state == "confirmed"


def test_a_deleted_provider_leaves_booked_products_archived_and_removes_the_rest(world):
    steward, provider, customer, other = world
    organisation = create_organisation(actor=provider, name="Samen Werkt", kind="cooperative")
    OrganisationMembership.objects.create(organisation=organisation, account=steward,
                                          role="owner")
    past, coming, _entry = history(provider, customer, other)
    team, team_date = offer(provider, "Team day", organisation=organisation.slug)
    team_booking = services.book(actor=customer, product_id=team.pk,
                                 occurrence_id=team_date.pk)
    unbooked, _date = offer(provider, "Nobody came")
    org_unbooked, _date2 = offer(provider, "Org, unbooked", organisation=organisation.slug)
    identity.delete_account(actor=provider)
    # What the person offered alone goes, or stays archived where it was booked.
    assert not Product.objects.filter(pk=unbooked.pk).exists()
    kept = {p.title: p for p in Product.objects.all()}
    assert set(kept) == {"Data basics", "Advanced data", "Popular", "Team day",
                         "Org, unbooked"}
    assert all(p.provider is None for p in kept.values())
    for title in ("Data basics", "Advanced data", "Popular"):
        assert (kept[title].status, kept[title].provider_name) == ("archived", "—")
    assert not Publication.objects.filter(live=True, object_id__in=[
        kept[t].pk for t in ("Data basics", "Advanced data", "Popular")]).exists()
    # What was offered for the organisation stays the organisation's, still on offer.
    for title in ("Team day", "Org, unbooked"):
        assert (kept[title].status, kept[title].provider_name) == ("published", "Samen Werkt")
    # Bookings, their events, invoices and reviews stay for the customers.
    past.refresh_from_db()
    assert past.provider is None and past.state == "completed"
    assert Invoice.objects.get(booking=past).seller_name == "Pia Provider"
    assert Review.objects.filter(booking=past).exists()
    # Nobody is left to provide the personal booking still to come: it is cancelled, told.
    coming.refresh_from_db()
    assert coming.state == "cancelled"
    assert BookingEvent.objects.filter(booking=coming, to_state="cancelled",
                                       reason="provider deleted their account").exists()
    assert Notification.objects.filter(recipient=customer, kind="bookings.cancelled").exists()
    team_booking.refresh_from_db()
    assert team_booking.state == "confirmed" and team_booking.customer == customer
    assert not Voucher.objects.exists()
    # The organisation's remaining owner still manages its products.
    assert catalogue.update_product(actor=steward, product_id=team.pk,
                                    summary="Kept").summary == "Kept"


def test_every_change_of_state_is_audited(world):
    _steward, provider, customer, other = world
    approval, approval_date = offer(provider, "Needs approval", requires_approval=True,
                                    days=1)
    asked = catalogue.create_product(actor=provider, kind="interim", logistics="on_request",
                                     title="Interim")
    asked = publish(provider, asked)
    one = services.book(actor=customer, product_id=approval.pk,
                        occurrence_id=approval_date.pk)
    two = services.book(actor=other, product_id=approval.pk, occurrence_id=approval_date.pk)
    services.decide(actor=provider, booking_id=one.pk, approve=True)
    services.decide(actor=provider, booking_id=two.pk, approve=False)
    request = services.book(actor=customer, product_id=asked.pk)
    start = timezone.now() + dt.timedelta(days=3)
    services.propose(actor=provider, booking_id=request.pk, starts_at_value=start,
                     ends_at_value=start + dt.timedelta(days=1), price_cents=100)
    services.answer_proposal(actor=customer, booking_id=request.pk, accept=False)
    third = services.book(actor=make_account("t@example.org", "Tess"),
                          product_id=approval.pk, occurrence_id=approval_date.pk)
    services.decide(actor=provider, booking_id=third.pk, approve=True)
    with time_machine.travel(approval_date.ends_at, tick=False):
        services.complete(actor=provider, booking_id=one.pk)
        services.complete(actor=provider, booking_id=third.pk, no_show=True)
    actions = set(AuditRecord.objects.filter(action__startswith="bookings.")
                  .values_list("action", flat=True))
    assert {f"bookings.{state}" for state in ("requested", "proposed", "confirmed",
                                              "completed", "cancelled", "declined",
                                              "no_show")} <= actions
    # One audit record per event, naming the booking.
    for booking in (one, two, request, third):
        assert AuditRecord.objects.filter(
            target_type="bookings.booking", target_id=str(booking.pk)).count() == (
            BookingEvent.objects.filter(booking=booking).count())
    assert AuditRecord.objects.get(action="bookings.declined").actor == provider
