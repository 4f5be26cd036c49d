"""One rule, one function: the places left on a date, what is still to come, and how a
booking is cancelled are each decided in one place, and the pages, the API and the services
agree on them (near midnight in UTC too); an account's deletion cancels through the
bookings service like anyone else's cancellation."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from weconomics.api.tests.helpers import API
from weconomics.bookings import queries, services
from weconomics.bookings.errors import Full
from weconomics.bookings.models import Booking, BookingEvent, WaitingListEntry
from weconomics.bookings.tests.helpers import appointments, next_local, rooms, scheduled
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Occurrence
from weconomics.conftest import make_account
from weconomics.identity.services import delete_account
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _english_in_amsterdam(settings):
    settings.LANGUAGE_CODE = "en"
    settings.TIME_ZONE = "Europe/Amsterdam"


def signed_in(account) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(account)
    return client


def section(html: str, heading_id: str) -> str:
    """The part of a page under one heading, up to the end of its section."""
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def kinds_for(account) -> list[str]:
    return list(Notification.objects.filter(recipient=account).values_list("kind", flat=True))


# --- places left --------------------------------------------------------------------------

def test_the_pages_the_api_and_the_service_agree_on_the_places_left():
    provider = make_account("provider@example.org", "Provider")
    training, date = scheduled(provider, capacity=2)
    first, second, waiter, other = (make_account(f"{n}@example.org", n.title())
                                    for n in ("first", "second", "waiter", "other"))
    services.book(actor=first, product_id=training.pk, occurrence_id=date.pk)
    cancelled = services.book(actor=second, product_id=training.pk, occurrence_id=date.pk)
    services.book(actor=waiter, product_id=training.pk, occurrence_id=date.pk, waitlist=True)
    # The freed place is offered to the waiter: one booked, one held for them.
    services.cancel(actor=second, booking_id=cancelled.pk)
    assert WaitingListEntry.objects.get(customer=waiter).status == "offered"

    def api_left(client):
        return client.get(f"{API}/products/{training.pk}").json()["dates"][0]["places_left"]

    # Nobody but the waiter may take the held place: 0 left for everyone else.
    assert services.places_left(date) == 0 == services.places_left(date, for_account=other)
    assert api_left(signed_in(other)) == 0 == api_left(Client()) == api_left(
        signed_in(provider))
    product_page = signed_in(other).get(f"/products/{training.pk}/").content.decode()
    assert "Full: choose it to join the waiting list" in product_page
    dates_page = signed_in(provider).get(f"/products/{training.pk}/dates/")
    assert re.search(r'<td>1</td>\s*<td><span class="badge warning">Full</span></td>',
                     dates_page.content.decode())
    date_page = signed_in(provider).get(f"/provider/dates/{date.pk}/").content.decode()
    assert "1 of 2 places booked, 0 left." in date_page
    assert [d.left for d in queries.upcoming_dates(provider)] == [0]
    with pytest.raises(Full):
        services.book(actor=other, product_id=training.pk, occurrence_id=date.pk)
    # The waiter sees their own offer as free, everywhere, and books it.
    assert services.places_left(date, for_account=waiter) == 1 == api_left(signed_in(waiter))
    waiter_page = signed_in(waiter).get(f"/products/{training.pk}/").content.decode()
    assert "1 place left" in waiter_page
    services.book(actor=waiter, product_id=training.pk, occurrence_id=date.pk)
    assert Booking.objects.filter(occurrence=date, state="confirmed").count() == 2


# --- what is still to come ------------------------------------------------------------------

def test_the_pages_the_api_and_deletion_agree_on_what_is_still_to_come_near_midnight():
    provider = make_account("provider@example.org", "Provider")
    customer = make_account("customer@example.org", "Customer")
    with time_machine.travel(dt.datetime(2027, 1, 8, 12, 0, tzinfo=ZONE), tick=False) as clock:
        training, _first = scheduled(provider)
        [today] = catalogue.add_occurrences(
            actor=provider, product_id=training.pk,
            starts_at=dt.datetime(2027, 1, 11, 10, 0, tzinfo=ZONE),
            ends_at=dt.datetime(2027, 1, 11, 12, 0, tzinfo=ZONE), capacity=5)
        room = rooms(provider, names=("Room A", "Room B"))
        later_today = services.book(actor=customer, product_id=training.pk,
                                    occurrence_id=today.pk)
        arriving_today = services.book(actor=customer, product_id=room.pk,
                                       start_date=dt.date(2027, 1, 11),
                                       end_date=dt.date(2027, 1, 13))
        arrived_yesterday = services.book(actor=customer, product_id=room.pk,
                                          start_date=dt.date(2027, 1, 10),
                                          end_date=dt.date(2027, 1, 12))
        # 23:30 in UTC on the 10th is 00:30 on the 11th in Amsterdam: the date and the stay
        # that begin on the 11th are still to come, the stay that began on the 10th is not
        # (in UTC it is still the 10th).
        clock.move_to(dt.datetime(2027, 1, 10, 23, 30, tzinfo=dt.UTC))
        coming = {later_today.pk, arriving_today.pk}

        assert {b.pk for b in queries.my_bookings(customer, upcoming=True)} == coming
        assert {b.pk for b in queries.my_bookings(customer, upcoming=False)} == {
            arrived_yesterday.pk}
        answer = signed_in(customer).get(f"{API}/bookings?upcoming=true").json()
        assert {b["id"] for b in answer["items"]} == coming
        page = signed_in(customer).get("/bookings/").content.decode()
        shown = set(map(int, re.findall(r'href="/bookings/(\d+)/"',
                                        section(page, "upcoming-heading"))))
        assert shown == coming
        dashboard = signed_in(provider).get("/provider/").content.decode()
        listed = set(map(int, re.findall(r'href="/provider/bookings/(\d+)/"',
                                         section(dashboard, "appointments-heading"))))
        assert listed == {arriving_today.pk}

        delete_account(actor=customer)
        assert set(Booking.objects.filter(state="cancelled").values_list("pk", flat=True)) \
            == coming
        assert Booking.objects.get(pk=arrived_yesterday.pk).state == "confirmed"


# --- one way to cancel ------------------------------------------------------------------------

def test_a_deleted_customers_place_goes_to_the_waiting_list_and_the_provider_is_told():
    provider = make_account("provider@example.org", "Provider")
    leaving = make_account("leaving@example.org", "Leaving")
    waiter = make_account("waiter@example.org", "Waiter")
    training, date = scheduled(provider, capacity=1)
    booking = services.book(actor=leaving, product_id=training.pk, occurrence_id=date.pk)
    services.book(actor=waiter, product_id=training.pk, occurrence_id=date.pk, waitlist=True)
    coaching = appointments(provider)
    slot = next_local(10, days=5)
    appointment = services.book(actor=leaving, product_id=coaching.pk, slot_start=slot)
    Notification.objects.all().delete()

    delete_account(actor=leaving)

    for cancelled in (booking, appointment):
        cancelled.refresh_from_db()
        assert cancelled.state == "cancelled" and cancelled.customer_id is None
        event = BookingEvent.objects.filter(booking=cancelled).order_by("-pk").first()
        assert (event.to_state, event.actor_id, event.data["by"], event.reason) == (
            "cancelled", None, "system", "customer deleted their account")
    assert WaitingListEntry.objects.get(customer=waiter).status == "offered"
    assert "bookings.place_offered" in kinds_for(waiter)
    assert kinds_for(provider).count("bookings.cancelled") == 2
    # The freed slot can be booked again.
    assert slot in [start for start, _end in services.free_slots(coaching, slot.date())]


def test_a_deleted_provider_cancels_their_dates_and_tells_every_customer():
    provider = make_account("provider@example.org", "Provider")
    customer = make_account("customer@example.org", "Customer")
    waiter = make_account("waiter@example.org", "Waiter")
    training, date = scheduled(provider, capacity=1)
    booking = services.book(actor=customer, product_id=training.pk, occurrence_id=date.pk)
    services.book(actor=waiter, product_id=training.pk, occurrence_id=date.pk, waitlist=True)
    Notification.objects.all().delete()

    delete_account(actor=provider)

    assert Occurrence.objects.get(pk=date.pk).status == "cancelled"
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    event = BookingEvent.objects.filter(booking=booking).order_by("-pk").first()
    assert (event.actor_id, event.data["by"], event.reason) == (
        None, "system", "provider deleted their account")
    assert kinds_for(customer) == ["bookings.cancelled"]
    # Nobody is offered a place on a date that will not take place.
    assert WaitingListEntry.objects.get(customer=waiter).status == "left"
    assert kinds_for(waiter) == []
