"""Dates on the booking pages as each language writes them ("di 1 dec 2026" in Dutch, "Tue 1
Dec 2026" in English), and a proposal over several days shown with both its dates."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from weconomics.bookings import services
from weconomics.bookings.models import Booking
from weconomics.bookings.tests.helpers import publish
from weconomics.catalogue import services as catalogue

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KEYS = itertools.count()


def browser_in(language: str, account) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(account)
    return browser


def text_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def proposal(provider, customer):
    """An on-request product the customer asked for, answered with a proposal from-to."""
    product = publish(provider, catalogue.create_product(
        actor=provider, kind="interim", logistics="on_request", title="Interim project lead",
        price_cents=0))

    def propose(starts_at: dt.datetime, ends_at: dt.datetime) -> Booking:
        key = f"request-{next(KEYS)}"
        asked = browser_in("en", customer).post(f"/products/{product.pk}/book/", {
            "key": key, "quantity": 1, "message": "An interim assignment."})
        assert asked.status_code == 302
        booking = Booking.objects.filter(customer=customer).latest("pk")
        services.propose(actor=provider, booking_id=booking.pk, starts_at_value=starts_at,
                         ends_at_value=ends_at, price_cents=120000)
        return booking

    return propose


@pytest.fixture
def february_2027():
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=AMSTERDAM)):
        yield


# --- month abbreviations ------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "shown", "not_shown"), [
    ("nl", "di 1 dec 2026", "1 Dec"), ("en", "Tue 1 Dec 2026", "1 dec"),
])
def test_the_dates_of_a_product_write_the_month_as_the_language_does(
        provider, customer, language, shown, not_shown):
    product = publish(provider, catalogue.create_product(
        actor=provider, kind="training", logistics="scheduled", title="Facilitation training",
        price_cents=5000, vat_rate="21"))
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=AMSTERDAM)):
        start = dt.datetime(2026, 12, 1, 10, tzinfo=AMSTERDAM)
        catalogue.add_occurrences(actor=provider, product_id=product.pk, starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), capacity=10)
        page = text_of(browser_in(language, customer).get(f"/products/{product.pk}/"))
    assert shown in page
    assert not_shown not in page


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "di 1 dec 2026, 10:00–13:00"), ("en", "Tue 1 Dec 2026, 10:00–13:00"),
])
def test_my_booking_shows_the_month_as_the_language_writes_it(proposal, customer, language,
                                                              shown):
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=AMSTERDAM)):
        booking = proposal(dt.datetime(2026, 12, 1, 10, tzinfo=AMSTERDAM),
                           dt.datetime(2026, 12, 1, 13, tzinfo=AMSTERDAM))
        page = text_of(browser_in(language, customer).get(f"/bookings/{booking.pk}/"))
    assert shown in page


# --- a proposal over several days -------------------------------------------------------------

@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "ma 1 mrt 2027, 09:00 – vr 5 mrt 2027, 17:00"),
    ("en", "Mon 1 Mar 2027, 09:00 – Fri 5 Mar 2027, 17:00"),
])
def test_the_customer_sees_both_dates_of_a_proposal_over_several_days(
        february_2027, proposal, customer, language, shown):
    booking = proposal(dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM),
                       dt.datetime(2027, 3, 5, 17, tzinfo=AMSTERDAM))
    browser = browser_in(language, customer)
    assert text_of(browser.get(f"/bookings/{booking.pk}/")).count(shown) == 2  # proposal, details
    assert shown in text_of(browser.get("/bookings/"))


@pytest.mark.parametrize(("language", "shown", "not_shown"), [
    ("nl", "ma 1 mrt 2027, 09:00–17:00", "vr 5 mrt"),
    ("en", "Mon 1 Mar 2027, 09:00–17:00", "Fri 5 Mar"),
])
def test_the_customer_sees_a_proposal_within_one_day_in_the_short_form(
        february_2027, proposal, customer, language, shown, not_shown):
    booking = proposal(dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM),
                       dt.datetime(2027, 3, 1, 17, tzinfo=AMSTERDAM))
    page = text_of(browser_in(language, customer).get(f"/bookings/{booking.pk}/"))
    assert shown in page and not_shown not in page
    # The history tells who did what: "door jou" in Dutch (not "door jij"), "by you".
    assert ("door jou" if language == "nl" else "by you") in page


@pytest.mark.parametrize(("language", "several_days", "one_day"), [
    ("nl", "maandag 1 maart 2027, 09:00 – vrijdag 5 maart 2027, 17:00",
     "maandag 1 maart 2027, 09:00–17:00"),
    ("en", "Monday 1 March 2027, 09:00 – Friday 5 March 2027, 17:00",
     "Monday 1 March 2027, 09:00–17:00"),
])
def test_the_provider_sees_both_dates_only_of_a_proposal_over_several_days(
        february_2027, proposal, provider, language, several_days, one_day):
    browser = browser_in(language, provider)
    long = proposal(dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM),
                    dt.datetime(2027, 3, 5, 17, tzinfo=AMSTERDAM))
    assert several_days in text_of(browser.get(f"/provider/bookings/{long.pk}/"))
    short = proposal(dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM),
                     dt.datetime(2027, 3, 1, 17, tzinfo=AMSTERDAM))
    page = text_of(browser.get(f"/provider/bookings/{short.pk}/"))
    assert one_day in page and "5 " + ("maart" if language == "nl" else "March") not in page


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "Wanneer: maandag 1 maart 2027, 09:00 – vrijdag 5 maart 2027, 17:00"),
    ("en", "When: Monday 1 March 2027, 09:00 – Friday 5 March 2027, 17:00"),
])
def test_the_proposal_mail_tells_both_dates_of_a_proposal_over_several_days(
        february_2027, proposal, customer, language, shown, django_capture_on_commit_callbacks):
    customer.language = language
    customer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal(dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM),
                 dt.datetime(2027, 3, 5, 17, tzinfo=AMSTERDAM))
    [told] = [m for m in mail.outbox if customer.email in m.to and "/bookings/" in m.body
              and ("proposal" in m.subject.lower() or "voorstel" in m.subject.lower())]
    assert shown in told.body
