"""A provider, a public community and products of each kind, ready to book."""

import datetime as dt

from django.utils import timezone

from weconomics.catalogue import services as catalogue
from weconomics.communities import publications
from weconomics.communities import services as communities


def community_of(provider, slug="market"):
    from weconomics.communities.models import Community

    found = Community.objects.filter(slug=slug).first()
    if found is not None:
        return found
    return communities.create_community(actor=provider, name="Market", slug=slug,
                                        purpose="Trade", audience="Everyone",
                                        kind="professional_network", domains=["training",
                                                                              "coaching"])


def publish(provider, product, community=None):
    community = community or community_of(provider)
    publications.publish(actor=provider, content=product,
                         targets=[(community.slug, "training")])
    return catalogue.set_status(actor=provider, product_id=product.pk, status="published")


def scheduled(provider, *, capacity=10, price_cents=5000, days=7, **fields):
    product = catalogue.create_product(actor=provider, kind="training", logistics="scheduled",
                                       title="Facilitation training", price_cents=price_cents,
                                       vat_rate="21", max_quantity=fields.pop("max_quantity", 4),
                                       **fields)
    start = timezone.now() + dt.timedelta(days=days)
    [occurrence] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                             starts_at=start,
                                             ends_at=start + dt.timedelta(hours=3),
                                             capacity=capacity)
    product = publish(provider, product)
    return product, occurrence


def appointments(provider, **fields):
    product = catalogue.create_product(actor=provider, kind="coaching",
                                       logistics="appointment", title="Career coaching",
                                       price_cents=9000, slot_minutes=60, min_notice_hours=2,
                                       **fields)
    catalogue.set_availability(actor=provider, product_id=product.pk, rules=[
        {"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)])
    return publish(provider, product)


def rooms(provider, names=("Room A",)):
    product = catalogue.create_product(actor=provider, kind="accommodation",
                                       logistics="resource", title="Meeting room",
                                       price_cents=2500)
    for name in names:
        catalogue.add_unit(actor=provider, product_id=product.pk, name=name)
    return publish(provider, product)


def next_local(weekday_hour=10, days=3):
    from zoneinfo import ZoneInfo

    from django.conf import settings

    zone = ZoneInfo(settings.TIME_ZONE)
    day = (timezone.now() + dt.timedelta(days=days)).astimezone(zone).date()
    return dt.datetime.combine(day, dt.time(weekday_hour), zone)
