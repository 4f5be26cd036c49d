"""A real Chromium walks the customer's side of a booking.

Bram signs in, finds a training in the catalogue, books its date for himself and one guest
with a voucher, sees the booking and its price in My bookings, downloads his bookings as a
calendar file and cancels the booking. Everything happens through clicks and typing, and
the browser must not contact another host, log a console error or hit the
Content-Security-Policy.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from weconomics.bookings import services
from weconomics.bookings.models import Booking
from weconomics.bookings.tests.helpers import scheduled
from weconomics.conftest import PASSWORD, make_account
from weconomics.web.tests.browser import heading, nav_link, shot, sign_in_with_password

pytestmark = pytest.mark.browser

TITLE = "Facilitation training"


@pytest.fixture
def market(transactional_db):
    # Made before the browser starts (see test_browser_network: one connection per thread).
    anna = make_account("anna@example.org", "Anna Aalbers")
    bram = make_account("bram@example.org", "Bram Bakker")
    product, occurrence = scheduled(anna, capacity=10, price_cents=12500, max_quantity=3,
                                    venue="De Werkplaats, Utrecht")
    services.create_voucher(actor=anna, code="WELKOM10", kind="percent", amount=10,
                            max_uses=20, product_id=product.pk)
    return bram, product, occurrence


def test_a_customer_books_a_date_with_a_guest_and_a_voucher_and_cancels_it(
        market, live_server, new_page, watch, tmp_path):
    bram, product, _occurrence = market
    base = live_server.url
    page = new_page(accept_downloads=True)

    page.goto(base + "/")
    sign_in_with_password(page, bram.email, PASSWORD)

    # --- find the product in the catalogue ----------------------------------------------
    nav_link(page, "products").click()
    expect(heading(page)).to_have_text("Producten")
    page.locator("form.product-search input[name=q]").fill("facilitation")
    page.locator("form.product-search button[type=submit]").click()
    page.locator(".product-card h3 a", has_text=TITLE).click()
    expect(heading(page)).to_have_text(TITLE)

    # --- book the date for two with a voucher -------------------------------------------
    form = page.locator("form.booking-form")
    expect(form.locator("input[name=occurrence]")).to_be_checked()  # the only date
    form.locator("input[name=quantity]").fill("2")
    form.locator("input[name=voucher]").fill("welkom10")
    shot(page, "bookings-01-book")
    form.locator("button[type=submit]").click()

    booking = Booking.objects.get(customer=bram)
    expect(page).to_have_url(base + reverse("booking", args=[booking.pk]))
    expect(heading(page)).to_have_text(TITLE)
    expect(page.locator(".price-table tr.total td")).to_have_text("€ 225,00")
    expect(page.locator(".price-table")).to_contain_text("WELKOM10")
    expect(page.locator(".booking-head .badge")).to_have_class(re.compile("state-confirmed"))
    shot(page, "bookings-02-booked")

    # --- my bookings, and every booking as a calendar file ------------------------------
    nav_link(page, "bookings").click()
    upcoming = page.locator("section[aria-labelledby=upcoming-heading]")
    expect(upcoming.locator(".booking-row h3 a")).to_have_text(TITLE)
    expect(upcoming.locator(".booking-row")).to_contain_text("2")
    shot(page, "bookings-03-my-bookings")
    with page.expect_download() as download_info:
        page.locator(f"a[href='{reverse('bookings_ics')}']").first.click()
    saved = tmp_path / "bookings.ics"
    download_info.value.save_as(saved)
    calendar = saved.read_text()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") == 1 and f"SUMMARY:{TITLE}" in calendar

    # --- cancel it ------------------------------------------------------------------------
    upcoming.locator(".booking-row h3 a", has_text=TITLE).click()
    cancel = page.locator(f"form[action='{reverse('booking_cancel', args=[booking.pk])}']")
    cancel.locator("input[name=reason]").fill("Toch verhinderd")
    cancel.locator("button[type=submit]").click()
    expect(page.locator(".booking-head .badge")).to_have_class(re.compile("state-cancelled"))
    expect(page.locator(".booking-events")).to_contain_text("Toch verhinderd")
    shot(page, "bookings-04-cancelled")
    booking.refresh_from_db()
    assert booking.state == "cancelled"

    nav_link(page, "bookings").click()
    expect(page.locator("section[aria-labelledby=past-heading] .booking-row")).to_contain_text(
        TITLE)
    page.context.close()
    watch.assert_clean()
