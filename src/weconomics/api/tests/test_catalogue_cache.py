"""Visitors' catalogue pages are cached briefly, and any change to publications drops them."""

import pytest
from django.test import Client

from weconomics.bookings.tests.helpers import scheduled
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Product

pytestmark = pytest.mark.django_db


def titles(client=None):
    response = (client or Client()).get("/api/v1/products")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return sorted(item["title"] for item in response.json()["items"])


def test_a_visitor_gets_the_cached_page_until_a_publication_changes(owner, member):
    first, _date = scheduled(owner)
    assert titles() == ["Facilitation training"]
    # A change behind the services' back is not seen while the page is cached...
    Product.objects.filter(pk=first.pk).update(title="Renamed quietly")
    assert titles() == ["Facilitation training"]
    # ...but a signed-in member, whose page is never cached, sees it at once,
    signed_in = Client()
    signed_in.force_login(member)
    assert titles(signed_in) == ["Renamed quietly"]
    # and any change through the services drops the visitors' cached pages.
    catalogue.set_status(actor=owner, product_id=first.pk, status="archived")
    assert titles() == []
