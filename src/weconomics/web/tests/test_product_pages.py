"""The catalogue and a product's page, offering a product, its status and its publications."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.bookings import services as bookings
from weconomics.bookings.models import Review
from weconomics.bookings.tests import helpers
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Product
from weconomics.communities import publications
from weconomics.communities import services as communities
from weconomics.communities.models import Alliance, Membership, Publication
from weconomics.conftest import make_account
from weconomics.contacts import organisations as org_services
from weconomics.contacts import services as contacts

pytestmark = pytest.mark.django_db


def browser(account=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        client.force_login(account)
    return client


def make_community(steward, slug, visibility="public"):
    return communities.create_community(
        actor=steward, name=f"The {slug.title()}", slug=slug, purpose="Purpose",
        audience="Audience", kind="professional_network", visibility=visibility,
        join_policy="open", domains=["training", "coaching"])


def offer(provider, title="Facilitation training", *, community=None, publish=True,
          **fields):
    """A scheduled product with one date in a week, published in the provider's market."""
    fields = {"kind": "training", "logistics": "scheduled", "price_cents": 5000,
              "vat_rate": "21", **fields}
    product = catalogue.create_product(actor=provider, title=title, **fields)
    if fields["logistics"] == "scheduled":
        start = timezone.now() + dt.timedelta(days=7)
        catalogue.add_occurrences(actor=provider, product_id=product.pk, starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), capacity=10)
    if publish:
        product = helpers.publish(provider, product, community)
    return product


@pytest.fixture
def provider(db):
    return make_account("provider@example.org", "Petra Provider")


@pytest.fixture
def customer(db):
    return make_account("customer@example.org", "Cas Customer")


# --- the catalogue -------------------------------------------------------------------------

def test_the_catalogue_shows_published_products_to_visitors_with_their_facts(provider):
    offer(provider, summary="Lead a group well", price_cents=12550, venue="Utrecht")
    offer(provider, "Free intro", price_cents=0, delivery="online")
    draft = catalogue.create_product(actor=provider, kind="course", logistics="on_request",
                                     title="Secret draft")
    response = browser().get("/products/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Facilitation training" in page and "Lead a group well" in page
    assert "Petra Provider" in page
    assert "€ 125.50" in page and "Free" in page
    assert "Utrecht" in page and "Online" in page
    assert "Next date" in page
    assert draft.title not in page


def test_the_catalogue_filters_by_words_kind_logistics_language_and_community(provider):
    other_place = make_community(provider, "elsewhere")
    offer(provider, "Python course", kind="course")
    offer(provider, "English coaching", kind="coaching", language="en",
          community=other_place)
    helpers.appointments(provider)
    client = browser()
    assert "English coaching" not in client.get("/products/?q=python").content.decode()
    page = client.get("/products/?kind=coaching").content.decode()
    assert "English coaching" in page and "Python course" not in page
    page = client.get("/products/?logistics=appointment").content.decode()
    assert "Career coaching" in page and "Python course" not in page
    page = client.get("/products/?language=en").content.decode()
    assert "English coaching" in page and "Python course" not in page
    page = client.get("/products/?community=elsewhere").content.decode()
    assert "English coaching" in page and "Python course" not in page


def test_an_unknown_filter_value_is_ignored_not_an_error(provider):
    offer(provider)
    response = browser().get("/products/?kind=spaceship&page=abc")
    assert response.status_code == 200
    assert "Facilitation training" in response.content.decode()


def test_htmx_searching_answers_with_the_results_only(provider):
    offer(provider)
    response = browser().get("/products/?q=facil", HTTP_HX_REQUEST="true",
                             HTTP_HX_TARGET="catalogue-results")
    page = response.content.decode()
    assert "Facilitation training" in page
    assert "<html" not in page


def test_the_catalogue_is_paginated(provider):
    for n in range(25):
        offer(provider, f"Product {n:02d}", publish=False)
    community = helpers.community_of(provider)
    for product in Product.objects.all():
        helpers.publish(provider, product, community)
    client = browser()
    first = client.get("/products/").content.decode()
    second = client.get("/products/?page=2").content.decode()
    assert 'rel="next"' in first
    assert second.count('class="card product-card"') == 1


def test_the_catalogue_takes_a_fixed_number_of_queries(provider, customer):
    client = browser(customer)
    offer(provider, "First")
    client.get("/products/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/products/").status_code == 200
    for n in range(8):
        offer(provider, f"More {n}", community=make_community(provider, f"place-{n}"))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/products/").content.decode()
    assert "More 7" in page
    assert len(many) == len(few)
    # The session, the account, its unread counts; then the filter's communities and the
    # products with their next date: two queries of the catalogue's own.
    assert len(many) <= 11


def test_a_product_in_a_listed_community_is_seen_by_its_members_only(provider, customer,
                                                                    outsider):
    club = make_community(provider, "club", "listed")
    product = offer(provider, "Members only", community=club)
    Membership.objects.create(community=club, account=customer)
    assert "Members only" not in browser(outsider).get("/products/").content.decode()
    assert "Members only" not in browser().get("/products/").content.decode()
    assert browser(outsider).get(f"/products/{product.pk}/").status_code == 404
    assert browser().get(f"/products/{product.pk}/").status_code == 404
    assert "Members only" in browser(customer).get("/products/").content.decode()
    assert browser(customer).get(f"/products/{product.pk}/").status_code == 200


@pytest.mark.parametrize("allies_may_see", [True, False])
def test_an_allied_member_sees_a_product_only_when_the_publisher_allows(provider, customer,
                                                                       allies_may_see):
    club = make_community(provider, "club", "listed")
    friends = make_community(customer, "friends", "listed")
    Alliance.objects.create(proposer=club, partner=friends, status=Alliance.Status.ACTIVE)
    product = catalogue.create_product(actor=provider, kind="advice", logistics="on_request",
                                       title="Ask the expert")
    publications.publish(actor=provider, content=product, targets=[("club", "training")],
                         allies_may_see=allies_may_see)
    catalogue.set_status(actor=provider, product_id=product.pk, status="published")
    client = browser(customer)
    assert ("Ask the expert" in client.get("/products/").content.decode()) is allies_may_see
    assert client.get(f"/products/{product.pk}/").status_code == (
        200 if allies_may_see else 404)


# --- a product's page ----------------------------------------------------------------------

def test_a_product_page_shows_the_description_policy_price_provider_and_dates(provider,
                                                                             customer):
    product = offer(provider, description="Learn **to lead**. <script>alert(1)</script>",
                    skills=["Facilitation"], tags=["groups"], prerequisites="None at all",
                    cancellation_policy="Free until a day before.", venue="Utrecht",
                    max_quantity=4)
    person = contacts.ensure_person(provider)
    occurrence = product.occurrences.get()
    bookings.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk,
                  quantity=3)
    response = browser().get(f"/products/{product.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>to lead</strong>" in page and "<script>alert" not in page
    assert "Facilitation" in page and "#groups" in page
    assert "None at all" in page and "Free until a day before." in page
    assert "€ 50.00" in page and "incl. 21% VAT" in page
    assert f'href="/people/{person.handle}/"' in page
    assert "Market / " in page
    assert "<td>7</td>" in page  # 10 places, 3 booked
    assert "Sign in to book" in page


def test_a_product_page_shows_reviews_with_their_average(provider, customer, member):
    product = offer(provider)
    occurrence = product.occurrences.get()
    for account, rating in ((customer, 5), (member, 4)):
        booking = bookings.book(actor=account, product_id=product.pk,
                                occurrence_id=occurrence.pk)
        Review.objects.create(booking=booking, product=product, author=account,
                              rating=rating, text=f"Rated {rating}")
    page = browser().get(f"/products/{product.pk}/").content.decode()
    assert "4.5" in page and "2 reviews" in page and "Rated 4" in page


def test_an_appointment_product_shows_its_next_free_times(provider):
    product = helpers.appointments(provider)
    page = browser().get(f"/products/{product.pk}/").content.decode()
    assert "Next free times" in page
    assert page.count("<time datetime=") >= 5


def test_a_room_product_shows_its_units(provider):
    product = helpers.rooms(provider, names=("Room A", "Room B"))
    page = browser().get(f"/products/{product.pk}/").content.decode()
    assert "Room A" in page and "Room B" in page and "per night" in page


def test_a_draft_is_seen_by_its_provider_only(provider, outsider):
    product = offer(provider, publish=False)
    assert browser(outsider).get(f"/products/{product.pk}/").status_code == 404
    assert browser().get(f"/products/{product.pk}/").status_code == 404
    page = browser(provider).get(f"/products/{product.pk}/").content.decode()
    assert "This is a draft" in page


def test_a_product_that_does_not_exist_is_not_found(customer):
    assert browser(customer).get("/products/999999/").status_code == 404


# --- offering a product --------------------------------------------------------------------

def product_data(**changes):
    data = {"kind": "workshop", "title": "Clay workshop", "summary": "Make a pot",
            "description": "Bring **old clothes**", "skills": "Pottery, Glazing",
            "tags": "clay, craft", "language": "nl", "delivery": "venue",
            "venue": "Atelier, Delft", "online_url": "", "prerequisites": "",
            "cancellation_policy": "Until two days before", "cancel_hours_before": "48",
            "price": "12.50", "vat_rate": "9", "max_quantity": "2",
            "questions": "Any allergies?\n\nYour experience?", "logistics": "scheduled",
            "slot_minutes": "60", "buffer_minutes": "0", "min_notice_hours": "24",
            "window_days": "60"}
    data.update(changes)
    return data


def test_a_member_offers_a_product_as_a_draft_and_is_sent_on_to_its_dates(provider):
    response = browser(provider).post("/products/new/", product_data())
    product = Product.objects.get(title="Clay workshop")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/dates/"
    assert product.status == "draft" and product.provider == provider
    assert product.price_cents == 1250 and str(product.vat_rate) == "9.0"
    assert product.tags == ["clay", "craft"]
    assert product.questions == ["Any allergies?", "Your experience?"]
    assert sorted(s.name for s in product.skills.all()) == ["Glazing", "Pottery"]
    assert product.cancel_hours_before == 48 and product.max_quantity == 2
    assert AuditRecord.objects.filter(action="catalogue.product_created",
                                      actor=provider).exists()


def test_a_free_product_is_allowed(provider):
    browser(provider).post("/products/new/", product_data(price="0"))
    assert Product.objects.get().price_cents == 0


@pytest.mark.parametrize("changes,message", [
    ({"price": "-5"}, "greater than or equal to 0"),
    ({"price": "ten"}, "Enter a number."),
    ({"title": ""}, "This field is required."),
    ({"title": "   "}, "This field is required."),
    ({"title": "Two\nlines"}, "Use no line breaks or control characters."),
    ({"kind": "spaceship"}, "Select a valid choice."),
    ({"max_quantity": "0"}, "greater than or equal to 1"),
    ({"online_url": "javascript:alert(1)"}, "Enter a valid URL."),
])
def test_bad_product_input_is_refused_with_a_message(provider, changes, message):
    response = browser(provider).post("/products/new/", product_data(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Product.objects.exists()


def test_a_product_is_offered_on_behalf_of_an_organisation_the_member_administers(provider,
                                                                                 outsider):
    org = org_services.create_organisation(actor=provider, name="Clay Coop", kind="cooperative")
    page = browser(provider).get("/products/new/").content.decode()
    assert "Clay Coop" in page
    browser(provider).post("/products/new/", product_data(organisation=org.slug))
    product = Product.objects.get()
    assert product.organisation == org and product.provider_name == "Clay Coop"
    org_services.create_organisation(actor=outsider, name="Other Coop", kind="cooperative")
    response = browser(outsider).post("/products/new/", product_data(organisation=org.slug))
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert Product.objects.count() == 1


def test_offering_needs_signing_in(db):
    response = browser().get("/products/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_provider_edits_a_product_and_channels_follow(provider):
    product = offer(provider)
    client = browser(provider)
    page = client.get(f"/products/{product.pk}/edit/").content.decode()
    assert 'value="50.00"' in page
    response = client.post(f"/products/{product.pk}/edit/", product_data(
        title="Better facilitation", kind="training"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.title == "Better facilitation" and product.price_cents == 1250
    assert Publication.objects.get().title == "Better facilitation"
    assert AuditRecord.objects.filter(action="catalogue.product_updated").exists()


def test_editing_with_a_negative_price_changes_nothing(provider):
    product = offer(provider)
    response = browser(provider).post(f"/products/{product.pk}/edit/",
                                      product_data(price="-1"))
    assert response.status_code == 422
    product.refresh_from_db()
    assert product.price_cents == 5000


@pytest.mark.parametrize("path", ["edit/", "publish/", "dates/", "availability/", "units/",
                                  "vouchers/"])
def test_management_pages_are_not_found_for_others(provider, outsider, path):
    product = offer(provider)
    assert browser(outsider).get(f"/products/{product.pk}/{path}").status_code == 404
    assert browser().get(f"/products/{product.pk}/{path}").status_code == 404
    assert browser(outsider).post(f"/products/{product.pk}/{path}", {}).status_code == 404


# --- status and publishing -----------------------------------------------------------------

def test_only_the_provider_changes_the_status(provider, outsider):
    product = offer(provider)
    for client in (browser(outsider), browser()):
        response = client.post(f"/products/{product.pk}/status/", {"status": "archived"})
        assert response.status_code == 404
    product.refresh_from_db()
    assert product.status == "published"


def test_publishing_appointments_without_hours_is_refused_clearly(provider):
    product = catalogue.create_product(actor=provider, kind="coaching",
                                       logistics="appointment", title="Coaching")
    response = browser(provider).post(f"/products/{product.pk}/status/",
                                      {"status": "published"})
    assert response.status_code == 422
    assert "Add the hours you are available" in response.content.decode()
    product.refresh_from_db()
    assert product.status == "draft"


def test_the_provider_publishes_archives_and_returns_a_product_to_draft(provider):
    product = offer(provider, publish=False)
    client = browser(provider)
    for status in ("published", "archived", "draft"):
        response = client.post(f"/products/{product.pk}/status/", {"status": status})
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.status == status
    assert AuditRecord.objects.filter(action="catalogue.product_status_changed").count() == 3
    assert client.post(f"/products/{product.pk}/status/",
                       {"status": "gone"}).status_code == 422


def test_the_provider_publishes_a_product_in_the_domains_of_their_communities(provider):
    make_community(provider, "guild")
    product = offer(provider, publish=False)
    client = browser(provider)
    page = client.get(f"/products/{product.pk}/publish/").content.decode()
    assert "The Guild" in page and 'value="guild:training"' in page
    response = client.post(f"/products/{product.pk}/publish/",
                           {"target": ["guild:training", "guild:coaching"]})
    assert response.status_code == 302
    assert Publication.objects.filter(object_id=product.pk).count() == 2
    assert AuditRecord.objects.filter(action="communities.published").count() == 2


def test_publishing_in_a_community_one_does_not_belong_to_is_refused(provider, outsider):
    make_community(outsider, "strangers")
    product = offer(provider, publish=False)
    response = browser(provider).post(f"/products/{product.pk}/publish/",
                                      {"target": ["strangers:training"]})
    assert response.status_code == 403
    assert "You are not a member of The Strangers." in response.content.decode()
    assert not Publication.objects.exists()


def test_a_made_up_target_is_refused(provider):
    product = offer(provider, publish=False)
    response = browser(provider).post(f"/products/{product.pk}/publish/",
                                      {"target": ["nonsense"]})
    assert response.status_code == 422


def test_the_provider_unpublishes_from_one_community(provider, outsider):
    product = offer(provider)
    publication = Publication.objects.get()
    assert browser(outsider).post(
        f"/products/{product.pk}/publications/{publication.pk}/unpublish/").status_code == 404
    response = browser(provider).post(
        f"/products/{product.pk}/publications/{publication.pk}/unpublish/")
    assert response.status_code == 302
    assert not Publication.objects.exists()
    assert browser().get(f"/products/{product.pk}/").status_code == 404


# --- the start page and the menu -----------------------------------------------------------

def test_the_start_page_lists_the_members_offers(provider):
    offer(provider, "My own offer", publish=False)
    page = browser(provider).get("/").content.decode()
    assert "My own offer" in page and 'href="/products/new/"' in page


def test_the_menu_links_to_the_products_for_everyone(provider):
    assert 'href="/products/"' in browser().get("/").content.decode()
    assert 'href="/products/"' in browser(provider).get("/").content.decode()
