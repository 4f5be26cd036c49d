"""The catalogue through its services: offering products, checking what is offered, their
status and publications, dates (one or a series), availability and units."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from weconomics.audit.models import AuditRecord
from weconomics.bookings.tests.helpers import community_of
from weconomics.catalogue import access, services
from weconomics.catalogue.errors import Invalid, NotAllowed, NotFound
from weconomics.catalogue.models import Occurrence, Product
from weconomics.communities import publications
from weconomics.communities.models import Publication
from weconomics.conftest import make_account
from weconomics.contacts.organisations import create_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def offer(actor, **fields) -> Product:
    values = {"kind": "training", "logistics": "scheduled", "title": "Facilitation",
              "price_cents": 5000, "vat_rate": "21"}
    values.update(fields)
    return services.create_product(actor=actor, **values)


def soon(days=7, hour=10):
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                              microsecond=0)


# --- creating and changing ----------------------------------------------------------------

def test_a_person_offers_a_product_in_their_own_name(owner):
    product = offer(owner, tags=["Facilitation", "facilitation ", "Groups"],
                    skills=["Facilitation"], questions=["Dietary needs?", ""])
    assert product.provider == owner and product.organisation is None
    assert product.provider_name == "Olivia Owner"
    assert product.status == "draft"
    assert product.tags == ["Facilitation", "facilitation", "Groups"]
    assert product.questions == ["Dietary needs?"]
    assert [s.name for s in product.skills.all()] == ["Facilitation"]
    assert AuditRecord.objects.filter(action="catalogue.product_created",
                                      target_id=str(product.pk)).exists()


def test_an_administrator_offers_a_product_for_their_organisation(owner, member):
    organisation = create_organisation(actor=owner, name="Samen Werkt", kind="cooperative")
    product = offer(owner, organisation=organisation.slug)
    assert product.organisation == organisation
    assert product.provider_name == "Samen Werkt"
    with pytest.raises(NotAllowed, match="organisations you administer"):
        offer(member, organisation=organisation.slug)
    with pytest.raises(NotAllowed):
        offer(owner, organisation="no-such-organisation")
    assert Product.objects.count() == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"price_cents": -1}, "below zero"),
    ({"price_cents": "ten"}, "whole number of cents"),
    ({"price_cents": 100_000_001}, "too high"),
    ({"vat_rate": "19"}, "VAT rate"),
    ({"vat_rate": "abc"}, "VAT rate"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "Two\nlines"}, "line breaks"),
    ({"title": "x" * 151}, "at most 150"),
    ({"kind": "spaceship"}, "what kind"),
    ({"logistics": "teleport"}, "how the product is booked"),
    ({"delivery": "moon"}, "online, at a venue"),
    ({"online_url": "javascript:alert(1)"}, "https://"),
    ({"tags": [f"tag{i}" for i in range(21)]}, "at most 20 tags"),
    ({"questions": [f"Question {i}?" for i in range(11)]}, "at most 10 questions"),
    ({"max_quantity": 0}, "between 1 and 100"),
    ({"slot_minutes": 2}, "between 5 and"),
    ({"cancel_hours_before": -3}, "between 0 and"),
    ({"owner": 3}, "cannot be changed"),
])
def test_bad_product_fields_are_refused_with_a_clear_message(owner, fields, message):
    with pytest.raises(Invalid, match=message):
        offer(owner, **fields)
    assert not Product.objects.exists()


def test_a_free_product_is_allowed(owner):
    product = offer(owner, price_cents=0, vat_rate="0")
    assert product.is_free


def test_an_update_checks_the_fields_and_only_managers_may_change_a_product(owner, member):
    product = offer(owner)
    changed = services.update_product(actor=owner, product_id=product.pk, price_cents=6000,
                                      title="Facilitation II")
    assert (changed.price_cents, changed.title) == (6000, "Facilitation II")
    with pytest.raises(Invalid, match="below zero"):
        services.update_product(actor=owner, product_id=product.pk, price_cents=-5)
    with pytest.raises(Invalid, match="title"):
        services.update_product(actor=owner, product_id=product.pk, title="")
    with pytest.raises(NotFound):
        services.update_product(actor=member, product_id=product.pk, title="Mine now")
    product.refresh_from_db()
    assert (product.price_cents, product.title) == (6000, "Facilitation II")
    record = AuditRecord.objects.get(action="catalogue.product_updated")
    assert record.data["fields"] == ["price_cents", "title"]


def test_organisation_administrators_manage_its_products_and_members_do_not(owner, member):
    from weconomics.contacts.models import OrganisationMembership

    organisation = create_organisation(actor=owner, name="Samen Werkt", kind="cooperative")
    OrganisationMembership.objects.create(organisation=organisation, account=member,
                                          role="member")
    product = offer(owner, organisation=organisation.slug)
    assert not access.can_manage(member, product)
    with pytest.raises(NotFound):
        services.update_product(actor=member, product_id=product.pk, title="Taken")
    OrganisationMembership.objects.filter(account=member).update(role="admin")
    assert access.can_manage(member, product)
    services.update_product(actor=member, product_id=product.pk, title="Shared")
    assert Product.objects.get().title == "Shared"


# --- status and publications --------------------------------------------------------------

def test_appointments_cannot_be_published_without_availability(owner):
    product = offer(owner, kind="coaching", logistics="appointment")
    with pytest.raises(Invalid, match="hours you are available"):
        services.set_status(actor=owner, product_id=product.pk, status="published")
    services.set_availability(actor=owner, product_id=product.pk,
                              rules=[{"weekday": 0, "start": "09:00", "end": "12:00"}])
    assert services.set_status(actor=owner, product_id=product.pk,
                               status="published").status == "published"


def test_resources_cannot_be_published_without_a_bookable_unit(owner):
    product = offer(owner, kind="accommodation", logistics="resource")
    with pytest.raises(Invalid, match="at least one unit"):
        services.set_status(actor=owner, product_id=product.pk, status="published")
    unit = services.add_unit(actor=owner, product_id=product.pk, name="Room A")
    services.set_unit_active(actor=owner, product_id=product.pk, unit_id=unit.pk, active=False)
    with pytest.raises(Invalid, match="at least one unit"):
        services.set_status(actor=owner, product_id=product.pk, status="published")
    services.set_unit_active(actor=owner, product_id=product.pk, unit_id=unit.pk, active=True)
    services.set_status(actor=owner, product_id=product.pk, status="published")


def test_an_unknown_status_is_refused(owner):
    product = offer(owner)
    with pytest.raises(Invalid, match="draft, published or archived"):
        services.set_status(actor=owner, product_id=product.pk, status="hidden")


def test_a_publication_goes_live_and_dark_with_the_status(owner, outsider):
    community = community_of(owner)
    product = offer(owner)
    [publication] = publications.publish(actor=owner, content=product,
                                         targets=[(community.slug, "training")])
    assert publication.live is False
    assert not access.catalogue(outsider).exists()
    with pytest.raises(NotFound):
        access.product_for(outsider, product.pk)
    services.set_status(actor=owner, product_id=product.pk, status="published")
    assert Publication.objects.get().live is True
    assert list(access.catalogue(outsider)) == [product]
    assert list(access.catalogue(None, community=community.slug)) == [product]
    assert access.product_for(outsider, product.pk) == product
    services.update_product(actor=owner, product_id=product.pk, title="Renamed")
    assert Publication.objects.get().title == "Renamed"
    services.set_status(actor=owner, product_id=product.pk, status="archived")
    assert Publication.objects.get().live is False
    assert not access.catalogue(outsider).exists()
    with pytest.raises(NotFound):
        access.product_for(outsider, product.pk)
    # The provider still sees it, in every state.
    assert access.product_for(owner, product.pk) == product
    assert AuditRecord.objects.filter(action="catalogue.product_status_changed").count() == 2


def test_only_the_provider_may_publish_a_product(owner, member):
    from weconomics.communities.errors import NotAllowed as NotAllowedToPublish

    community = community_of(owner)
    product = offer(owner)
    with pytest.raises(NotAllowedToPublish):
        publications.publish(actor=member, content=product,
                             targets=[(community.slug, "training")])


def test_the_catalogue_filters_by_kind_logistics_language_and_words(owner, outsider):
    community = community_of(owner)
    training = offer(owner, title="Facilitation", language="en")
    coaching = offer(owner, kind="coaching", logistics="on_request", title="Team coaching")
    for product in (training, coaching):
        publications.publish(actor=owner, content=product,
                             targets=[(community.slug, "training")])
        services.set_status(actor=owner, product_id=product.pk, status="published")
    assert set(access.catalogue(outsider)) == {training, coaching}
    assert list(access.catalogue(outsider, kind="coaching")) == [coaching]
    assert list(access.catalogue(outsider, logistics="scheduled")) == [training]
    assert list(access.catalogue(outsider, language="en")) == [training]
    assert list(access.catalogue(outsider, q="team")) == [coaching]


# --- dates ----------------------------------------------------------------------------------

def test_a_weekly_series_of_four_dates_shares_one_series(owner):
    product = offer(owner)
    start = soon()
    made = services.add_occurrences(actor=owner, product_id=product.pk, starts_at=start,
                                    ends_at=start + dt.timedelta(hours=3), capacity=12,
                                    venue="Utrecht", repeat="weekly", count=4,
                                    min_participants=4)
    assert len(made) == 4
    dates = list(Occurrence.objects.filter(product=product))
    assert [d.starts_at for d in dates] == [start + dt.timedelta(weeks=i) for i in range(4)]
    assert len({d.series for d in dates}) == 1 and dates[0].series is not None
    assert all(d.capacity == 12 and d.venue == "Utrecht" for d in dates)
    assert [d.min_deadline for d in dates] == [d.starts_at - dt.timedelta(days=2)
                                               for d in dates]
    assert AuditRecord.objects.get(action="catalogue.occurrences_added").data["count"] == 4


def test_one_date_has_no_series(owner):
    product = offer(owner)
    start = soon()
    [occurrence] = services.add_occurrences(actor=owner, product_id=product.pk,
                                            starts_at=start, ends_at=start
                                            + dt.timedelta(hours=1), capacity=1)
    assert occurrence.series is None


@pytest.mark.parametrize(("change", "message"), [
    ({"starts_at": -30}, "future"),
    ({"ends_at": -1}, "end must come after"),
    ({"capacity": 0}, "between 1 and"),
    ({"capacity": "many"}, "whole number"),
    ({"repeat": "hourly"}, "daily, weekly or fortnightly"),
    ({"repeat": "weekly", "count": 105}, "between 1 and 104"),
    ({"min_participants": 20}, "between 1 and 10"),
    ({"online_url": "ftp://files"}, "https://"),
    ({"naive": True}, "time zone"),
])
def test_bad_dates_are_refused(owner, change, message):
    product = offer(owner)
    start = soon()
    values = {"starts_at": start, "ends_at": start + dt.timedelta(hours=2), "capacity": 10}
    if "starts_at" in change:
        values["starts_at"] = timezone.now() + dt.timedelta(minutes=change.pop("starts_at"))
        values["ends_at"] = values["starts_at"] + dt.timedelta(hours=1)
    if "ends_at" in change:
        values["ends_at"] = start + dt.timedelta(hours=change.pop("ends_at"))
    if change.pop("naive", False):
        values["starts_at"] = values["starts_at"].replace(tzinfo=None)
    values.update(change)
    with pytest.raises(Invalid, match=message):
        services.add_occurrences(actor=owner, product_id=product.pk, **values)
    assert not Occurrence.objects.exists()


def test_a_minimum_must_be_decided_before_the_start(owner):
    product = offer(owner)
    start = soon()
    with pytest.raises(Invalid, match="before the start"):
        services.add_occurrences(actor=owner, product_id=product.pk, starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), capacity=10,
                                 min_participants=3, min_deadline=start)


def test_only_scheduled_products_have_dates_and_only_managers_add_them(owner, member):
    product = offer(owner, kind="coaching", logistics="appointment")
    start = soon()
    with pytest.raises(Invalid, match="Only scheduled"):
        services.add_occurrences(actor=owner, product_id=product.pk, starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), capacity=1)
    scheduled = offer(owner)
    with pytest.raises(NotFound):
        services.add_occurrences(actor=member, product_id=scheduled.pk, starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), capacity=1)


# --- availability and units -----------------------------------------------------------------

def test_availability_is_replaced_as_a_whole(owner):
    product = offer(owner, kind="coaching", logistics="appointment")
    services.set_availability(actor=owner, product_id=product.pk, rules=[
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "13:00", "end": "17:00"}])
    services.set_availability(actor=owner, product_id=product.pk, rules=[
        {"weekday": 4, "start": "10:00", "end": "11:00"}])
    assert [(a.weekday, a.start_time) for a in product.availability.all()] == [
        (4, dt.time(10))]


@pytest.mark.parametrize(("rule", "message"), [
    ({"weekday": 7, "start": "09:00", "end": "10:00"}, "weekday"),
    ({"weekday": 1, "start": "12:00", "end": "09:00"}, "end after it starts"),
    ({"weekday": 1, "start": "noon", "end": "13:00"}, "weekday and a start"),
    ({"start": "09:00", "end": "10:00"}, "weekday and a start"),
])
def test_bad_availability_is_refused(owner, rule, message):
    product = offer(owner, kind="coaching", logistics="appointment")
    with pytest.raises(Invalid, match=message):
        services.set_availability(actor=owner, product_id=product.pk, rules=[rule])


def test_units_have_unique_names_and_belong_to_resources_only(owner):
    product = offer(owner, kind="accommodation", logistics="resource")
    services.add_unit(actor=owner, product_id=product.pk, name="Room A")
    with pytest.raises(Invalid, match="called Room A already"):
        services.add_unit(actor=owner, product_id=product.pk, name="Room A")
    with pytest.raises(Invalid, match="name"):
        services.add_unit(actor=owner, product_id=product.pk, name=" ")
    scheduled = offer(owner)
    with pytest.raises(Invalid, match="Only products booked by date range"):
        services.add_unit(actor=owner, product_id=scheduled.pk, name="Room B")
    with pytest.raises(Invalid, match="Only appointment products"):
        services.set_availability(actor=owner, product_id=scheduled.pk, rules=[])


def test_the_way_of_booking_cannot_change_once_booked(owner):
    other = make_account("customer@example.org", "Cas Customer")
    from weconomics.bookings import services as bookings
    from weconomics.bookings.tests.helpers import scheduled

    product, occurrence = scheduled(owner)
    bookings.book(actor=other, product_id=product.pk, occurrence_id=occurrence.pk)
    with pytest.raises(Invalid, match="cannot change once it has bookings"):
        services.update_product(actor=owner, product_id=product.pk, logistics="on_request")
