"""The catalogue API: products, dates, availability, units, vouchers and publications, and
who may see what of them."""

import datetime as dt

import pytest
import time_machine

from weconomics.api.tests.helpers import (
    API,
    actions,
    assert_problem,
    draft,
    patch_json,
    post_json,
    put_json,
    soon,
    token_client,
    visitor,
)
from weconomics.bookings import services as bookings
from weconomics.bookings.models import Booking, State
from weconomics.bookings.tests.helpers import (
    appointments,
    community_of,
    next_local,
    rooms,
    scheduled,
)
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.models import Occurrence, Product
from weconomics.communities import publications
from weconomics.communities import services as communities
from weconomics.communities.models import Membership
from weconomics.contacts import organisations as orgs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def club(provider):
    """A listed community: only its members see what is published in it."""
    return communities.create_community(
        actor=provider, name="Club", slug="club", kind="professional_network",
        purpose="Members only", audience="Members", visibility="listed",
        review_publications=False, domains=["training"])


# --- reading the catalogue --------------------------------------------------------------

def test_a_visitor_reads_the_public_catalogue_and_a_product_with_its_dates(training):
    product, date = training
    listed = visitor().get(f"{API}/products")
    assert listed.status_code == 200, listed.content
    [item] = listed.json()["items"]
    assert item["id"] == product.pk and item["title"] == "Facilitation training"
    assert item["price_cents"] == 5000 and item["vat_rate"] == 21
    assert item["status"] == "published" and item["logistics"] == "scheduled"

    shown = visitor().get(f"{API}/products/{product.pk}")
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert body["can_manage"] is False and body["online_url"] is None
    [first] = body["dates"]
    assert first["id"] == date.pk and first["capacity"] == 10 and first["places_left"] == 10
    assert body["reviews"] == {"average": None, "count": 0, "latest": []}
    assert body["publications"] == [{"community": {"slug": "market", "name": "Market"},
                                     "domain": "training", "featured": False}]


def test_the_catalogue_filters_by_words_kind_logistics_language_and_community(provider, club):
    scheduled(provider)
    appointments(provider)
    rooms(provider)
    english = draft(provider, title="Pottery in English", language="en")
    publications.publish(actor=provider, content=english, targets=[("market", "training")])
    catalogue.set_status(actor=provider, product_id=english.pk, status="published")
    api = visitor()

    def titles(query):
        answer = api.get(f"{API}/products{query}")
        assert answer.status_code == 200, answer.content
        return sorted(p["title"] for p in answer.json()["items"])

    assert titles("") == ["Career coaching", "Facilitation training", "Meeting room",
                          "Pottery in English"]
    assert titles("?q=coach") == ["Career coaching"]
    assert titles("?kind=accommodation") == ["Meeting room"]
    assert titles("?logistics=scheduled") == ["Facilitation training", "Pottery in English"]
    assert titles("?language=en") == ["Pottery in English"]
    assert titles("?community=club") == []
    assert_problem(api.get(f"{API}/products?kind=spaceship"), 422, "validation_error")
    assert_problem(api.get(f"{API}/products?q=a%00b"), 422, "validation_error")


def test_the_catalogue_list_takes_the_same_queries_however_many_products(
        provider, django_assert_max_num_queries):
    scheduled(provider)
    api = visitor()
    api.get(f"{API}/products")  # content types cached
    with django_assert_max_num_queries(2):
        assert len(api.get(f"{API}/products").json()["items"]) == 1
    for n in range(5):
        rooms(provider, names=(f"R{n}",))
    with django_assert_max_num_queries(2):
        assert len(api.get(f"{API}/products").json()["items"]) == 6


def test_a_product_in_a_listed_community_is_not_found_by_non_members(provider, club,
                                                                     customer, stranger):
    product = draft(provider, kind="training", title="Members' training")
    catalogue.add_occurrences(actor=provider, product_id=product.pk, starts_at=soon(),
                              ends_at=soon(hours=2), capacity=5)
    publications.publish(actor=provider, content=product, targets=[("club", "training")])
    catalogue.set_status(actor=provider, product_id=product.pk, status="published")
    Membership.objects.create(community=club, account=customer)

    for api in (visitor(), token_client(stranger)):
        assert api.get(f"{API}/products").json()["items"] == []
        assert_problem(api.get(f"{API}/products/{product.pk}"), 404, "not_found")
        assert_problem(api.get(f"{API}/products/{product.pk}/occurrences"), 404, "not_found")
    member = token_client(customer)
    assert [p["id"] for p in member.get(f"{API}/products").json()["items"]] == [product.pk]
    shown = member.get(f"{API}/products/{product.pk}").json()
    assert shown["publications"][0]["community"]["slug"] == "club"
    assert len(member.get(f"{API}/products/{product.pk}/occurrences").json()) == 1


def test_a_draft_is_seen_only_by_those_who_manage_it(provider, customer):
    product = draft(provider)
    assert_problem(token_client(customer).get(f"{API}/products/{product.pk}"), 404,
                   "not_found")
    assert_problem(visitor().get(f"{API}/products/{product.pk}"), 404, "not_found")
    mine = token_client(provider)
    shown = mine.get(f"{API}/products/{product.pk}")
    assert shown.status_code == 200 and shown.json()["can_manage"] is True
    listed = mine.get(f"{API}/me/products").json()["items"]
    assert [(p["id"], p["status"]) for p in listed] == [(product.pk, "draft")]
    assert_problem(visitor().get(f"{API}/me/products"), 401, "not_authenticated")


# --- offering products ------------------------------------------------------------------

def test_a_product_is_offered_as_a_draft_and_audited(provider):
    api = token_client(provider)
    made = post_json(api, f"{API}/products", {
        "kind": "coaching", "logistics": "appointment", "title": "  Career coaching ",
        "summary": "Find your way", "description": "Three *sessions*.", "price_cents": 0,
        "vat_rate": 9, "tags": ["career", "career", "work"], "skills": ["Coaching"],
        "questions": ["What do you want to work on?"], "slot_minutes": 45,
        "online_url": "https://meet.example.org/paula"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["title"] == "Career coaching" and body["status"] == "draft"
    assert body["price_cents"] == 0 and body["vat_rate"] == 9
    assert body["tags"] == ["career", "work"] and body["skills"] == ["Coaching"]
    assert body["online_url"] == "https://meet.example.org/paula"
    assert body["provider_name"] == "Paula Provider" and body["organisation"] is None
    assert "catalogue.product_created" in actions()


def test_a_product_is_offered_for_an_organisation_only_by_its_administrators(provider,
                                                                            customer):
    orgs.create_organisation(actor=provider, name="Clay Coop", kind="cooperative")
    made = post_json(token_client(provider), f"{API}/products", {
        "kind": "workshop", "logistics": "scheduled", "title": "Clay",
        "organisation": "clay-coop"})
    assert made.status_code == 201, made.content
    assert made.json()["organisation"] == {"slug": "clay-coop", "name": "Clay Coop"}
    assert made.json()["provider_name"] == "Clay Coop"
    assert_problem(post_json(token_client(customer), f"{API}/products", {
        "kind": "workshop", "logistics": "scheduled", "title": "Clay",
        "organisation": "clay-coop"}), 403, "not_allowed")


@pytest.mark.parametrize("change", [
    {"price_cents": -1}, {"vat_rate": 20}, {"title": "Two\nlines"}, {"title": "   "},
    {"kind": "spaceship"}, {"max_quantity": 0}, {"tags": ["x" * 41]},
    {"description": "nul \x00"}, {"language": "dutch"}, {"slot_minutes": 2},
])
def test_bad_product_fields_are_refused_clearly(provider, change):
    fields = {"kind": "workshop", "logistics": "scheduled", "title": "Clay", **change}
    body = assert_problem(post_json(token_client(provider), f"{API}/products", fields), 422,
                          "validation_error")
    assert body["errors"]
    assert not Product.objects.exists()


def test_a_product_is_changed_by_its_manager_only(provider, customer, training):
    product, _date = training
    api = token_client(provider)
    changed = patch_json(api, f"{API}/products/{product.pk}",
                         {"price_cents": 6000, "max_quantity": 2, "summary": ""})
    assert changed.status_code == 200, changed.content
    assert changed.json()["price_cents"] == 6000 and changed.json()["max_quantity"] == 2
    assert "catalogue.product_updated" in actions()
    assert_problem(patch_json(api, f"{API}/products/{product.pk}", {"price_cents": -5}),
                   422, "validation_error")
    assert_problem(patch_json(token_client(customer), f"{API}/products/{product.pk}",
                              {"price_cents": 1}), 404, "not_found")
    assert_problem(patch_json(token_client(provider, "read"), f"{API}/products/{product.pk}",
                              {"price_cents": 1}), 403, "read_only_token")


def test_a_product_is_published_and_archived(provider):
    product = draft(provider)
    publications.publish(actor=provider, content=product, targets=[
        (community_of(provider).slug, "training")])
    api = token_client(provider)
    published = post_json(api, f"{API}/products/{product.pk}/status", {"status": "published"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert visitor().get(f"{API}/products/{product.pk}").status_code == 200
    archived = post_json(api, f"{API}/products/{product.pk}/status", {"status": "archived"})
    assert archived.json()["status"] == "archived"
    assert_problem(visitor().get(f"{API}/products/{product.pk}"), 404, "not_found")
    assert "catalogue.product_status_changed" in actions()
    assert_problem(post_json(api, f"{API}/products/{product.pk}/status", {"status": "gone"}),
                   422, "validation_error")


def test_appointments_cannot_be_published_without_hours(provider):
    product = draft(provider, kind="coaching", logistics="appointment")
    body = assert_problem(post_json(token_client(provider),
                                    f"{API}/products/{product.pk}/status",
                                    {"status": "published"}), 422, "invalid")
    assert "available" in body["detail"]


def test_a_product_is_published_to_community_domains(provider):
    product = draft(provider)
    community_of(provider)
    api = token_client(provider)
    made = post_json(api, f"{API}/products/{product.pk}/publications",
                     {"targets": [{"community": "market", "domain": "training"}]})
    assert made.status_code == 201, made.content
    [publication] = made.json()
    assert publication["content_type"] == "product" and publication["content_id"] == product.pk
    listed = api.get(f"{API}/products/{product.pk}/publications").json()
    assert [p["community"]["slug"] for p in listed] == ["market"]
    assert_problem(post_json(api, f"{API}/products/{product.pk}/publications",
                             {"targets": [{"community": "nowhere", "domain": "training"}]}),
                   404, "not_found")


# --- dates ------------------------------------------------------------------------------

def test_a_date_and_a_weekly_series_are_added(provider):
    product = draft(provider)
    api = token_client(provider)
    one = post_json(api, f"{API}/products/{product.pk}/occurrences", {
        "starts_at": soon().isoformat(), "ends_at": soon(hours=2).isoformat(),
        "capacity": 8, "venue": "Studio", "min_participants": 3})
    assert one.status_code == 201, one.content
    [date] = one.json()
    assert date["capacity"] == 8 and date["places_left"] == 8 and date["venue"] == "Studio"
    assert date["min_participants"] == 3 and date["series"] is None

    series = post_json(api, f"{API}/products/{product.pk}/occurrences", {
        "starts_at": soon(days=10).isoformat(), "ends_at": soon(days=10, hours=2).isoformat(),
        "capacity": 4, "repeat": "weekly", "count": 3})
    assert series.status_code == 201, series.content
    made = series.json()
    assert len(made) == 3 and len({d["series"] for d in made}) == 1 and made[0]["series"]
    starts = [dt.datetime.fromisoformat(d["starts_at"]) for d in made]
    assert starts[1] - starts[0] == dt.timedelta(weeks=1)
    assert Occurrence.objects.filter(product=product).count() == 4
    assert "catalogue.occurrences_added" in actions()
    listed = api.get(f"{API}/products/{product.pk}/occurrences").json()
    assert len(listed) == 4 and listed[0]["online_url"] == ""


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"starts_at": "2020-01-01T10:00:00+01:00", "ends_at": "2020-01-01T12:00:00+01:00"},
     422, "invalid"),
    ({"ends_at": "START"}, 422, "invalid"),
    ({"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T12:00:00"},
     422, "validation_error"),
    ({"capacity": 0}, 422, "validation_error"),
    ({"repeat": "hourly"}, 422, "validation_error"),
    ({"count": 500, "repeat": "daily"}, 422, "validation_error"),
])
def test_bad_dates_are_refused_clearly(provider, change, status, code):
    product = draft(provider)
    fields = {"starts_at": soon().isoformat(), "ends_at": soon(hours=2).isoformat(),
              "capacity": 5, **change}
    if fields["ends_at"] == "START":
        fields["ends_at"] = fields["starts_at"]
    assert_problem(post_json(token_client(provider), f"{API}/products/{product.pk}/occurrences",
                             fields), status, code)
    assert not Occurrence.objects.exists()


def test_others_cannot_add_dates(provider, customer, training):
    product, _date = training
    assert_problem(post_json(token_client(customer), f"{API}/products/{product.pk}/occurrences",
                             {"starts_at": soon().isoformat(),
                              "ends_at": soon(hours=1).isoformat(), "capacity": 5}),
                   404, "not_found")


def test_a_dates_capacity_changes_but_never_below_what_is_booked(provider, customer,
                                                                 training):
    product, date = training
    bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk, quantity=3)
    api = token_client(provider)
    changed = patch_json(api, f"{API}/occurrences/{date.pk}", {"capacity": 4})
    assert changed.status_code == 200, changed.content
    assert changed.json()["capacity"] == 4 and changed.json()["places_left"] == 1
    assert "bookings.capacity_changed" in actions()
    assert_problem(patch_json(api, f"{API}/occurrences/{date.pk}", {"capacity": 2}), 422,
                   "invalid")
    assert_problem(patch_json(token_client(customer), f"{API}/occurrences/{date.pk}",
                              {"capacity": 20}), 404, "not_found")


def test_cancelling_a_date_cancels_its_bookings(provider, customer, training):
    product, date = training
    booking = bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk)
    api = token_client(provider)
    cancelled = post_json(api, f"{API}/occurrences/{date.pk}/cancel", {"reason": "Ill"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED
    assert "bookings.occurrence_cancelled" in actions()
    assert_problem(post_json(api, f"{API}/occurrences/{date.pk}/cancel"), 409, "conflict")
    # Cancelled dates show to the manager, not to customers.
    assert api.get(f"{API}/products/{product.pk}").json()["dates"][0]["status"] == "cancelled"
    assert visitor().get(f"{API}/products/{product.pk}").json()["dates"] == []


def test_the_provider_goes_ahead_below_the_minimum(provider):
    product = draft(provider)
    [date] = catalogue.add_occurrences(actor=provider, product_id=product.pk,
                                       starts_at=soon(days=5), ends_at=soon(days=5, hours=2),
                                       capacity=10, min_participants=4)
    answer = post_json(token_client(provider), f"{API}/occurrences/{date.pk}/minimum",
                       {"go_ahead": True})
    assert answer.status_code == 200, answer.content
    assert answer.json()["min_decision"] == "go"
    assert "bookings.minimum_go_ahead" in actions()
    cancelled = post_json(token_client(provider), f"{API}/occurrences/{date.pk}/minimum",
                          {"go_ahead": False, "reason": "Too few"})
    assert cancelled.json()["status"] == "cancelled"


def test_attendees_are_messaged(provider, customer, training):
    product, date = training
    bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk)
    answer = post_json(token_client(provider), f"{API}/occurrences/{date.pk}/message",
                       {"subject": "Bring an apron", "text": "See you!"})
    assert answer.status_code == 202, answer.content
    assert answer.json() == {"recipients": 1}
    assert_problem(post_json(token_client(customer), f"{API}/occurrences/{date.pk}/message",
                             {"subject": "Hi", "text": "x"}), 404, "not_found")


# --- appointments and resources -----------------------------------------------------------

def test_availability_is_set_and_free_slots_are_read(provider, customer):
    product = draft(provider, kind="coaching", logistics="appointment", slot_minutes=60,
                    min_notice_hours=2)
    api = token_client(provider)
    rules = put_json(api, f"{API}/products/{product.pk}/availability", [
        {"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)])
    assert rules.status_code == 200, rules.content
    assert len(rules.json()) == 7 and rules.json()[0]["start"] == "09:00:00"
    assert "catalogue.availability_set" in actions()
    publications.publish(actor=provider, content=product,
                         targets=[(community_of(provider).slug, "coaching")])
    catalogue.set_status(actor=provider, product_id=product.pk, status="published")

    day = next_local(9).date()
    free = visitor().get(f"{API}/products/{product.pk}/slots?day={day.isoformat()}")
    assert free.status_code == 200, free.content
    assert len(free.json()) == 3
    bookings.book(actor=customer, product_id=product.pk, slot_start=next_local(10))
    assert len(visitor().get(f"{API}/products/{product.pk}/slots?day={day}").json()) == 2
    assert_problem(visitor().get(f"{API}/products/{product.pk}/slots?day=tomorrow"), 422,
                   "validation_error")
    assert_problem(put_json(api, f"{API}/products/{product.pk}/availability",
                            [{"weekday": 1, "start": "12:00", "end": "09:00"}]),
                   422, "validation_error")
    assert_problem(put_json(api, f"{API}/products/{product.pk}/availability",
                            [{"weekday": 7, "start": "09:00", "end": "12:00"}]),
                   422, "validation_error")


def test_slots_belong_to_appointments_only(training):
    product, _date = training
    assert_problem(visitor().get(f"{API}/products/{product.pk}/slots?day=2030-01-01"), 422,
                   "invalid")


def test_units_are_added_and_switched_off(provider, customer):
    product = draft(provider, kind="accommodation", logistics="resource")
    api = token_client(provider)
    added = post_json(api, f"{API}/products/{product.pk}/units", {"name": "Room A"})
    assert added.status_code == 201, added.content
    unit = added.json()
    assert unit["name"] == "Room A" and unit["active"] is True
    assert_problem(post_json(api, f"{API}/products/{product.pk}/units", {"name": "Room A"}),
                   422, "invalid")
    off = patch_json(api, f"{API}/products/{product.pk}/units/{unit['id']}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert {"catalogue.unit_added", "catalogue.unit_changed"} <= set(actions())
    assert_problem(patch_json(token_client(customer),
                              f"{API}/products/{product.pk}/units/{unit['id']}",
                              {"active": True}), 404, "not_found")


# --- vouchers ---------------------------------------------------------------------------

def test_vouchers_are_made_and_listed_with_their_uses(provider, customer, training):
    product, date = training
    api = token_client(provider)
    made = post_json(api, f"{API}/vouchers", {"code": "spring-10", "kind": "percent",
                                               "amount": 10, "max_uses": 5,
                                               "product_id": product.pk})
    assert made.status_code == 201, made.content
    assert made.json()["code"] == "SPRING-10" and made.json()["uses"] == 0
    bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk,
                  voucher_code="spring-10")
    [listed] = api.get(f"{API}/vouchers").json()
    assert listed["uses"] == 1 and listed["product_id"] == product.pk
    assert token_client(customer).get(f"{API}/vouchers").json() == []
    assert "bookings.voucher_created" in actions()
    assert_problem(post_json(api, f"{API}/vouchers", {"code": "SPRING-10", "kind": "fixed",
                                                       "amount": 500}), 409, "conflict")
    assert_problem(post_json(api, f"{API}/vouchers", {"code": "BIG", "kind": "percent",
                                                       "amount": 150}), 422, "invalid")
    assert_problem(post_json(api, f"{API}/vouchers", {"code": "no spaces", "kind": "fixed",
                                                       "amount": 5}), 422, "validation_error")
    assert_problem(post_json(token_client(customer), f"{API}/vouchers", {
        "code": "MINE", "kind": "fixed", "amount": 5, "product_id": product.pk}),
        404, "not_found")


# --- the product page's parts -----------------------------------------------------------

def test_a_product_shows_places_left_and_its_reviews(provider, customer, stranger, training):
    product, date = training
    booking = bookings.book(actor=customer, product_id=product.pk, occurrence_id=date.pk,
                            quantity=2)
    assert token_client(stranger).get(f"{API}/products/{product.pk}").json()["dates"][0][
        "places_left"] == 8
    with time_machine.travel(date.starts_at + dt.timedelta(hours=4)):
        bookings.complete(actor=provider, booking_id=booking.pk)
        bookings.review(actor=customer, booking_id=booking.pk, rating=4, text="Useful")
        body = token_client(stranger).get(f"{API}/products/{product.pk}").json()
        mine = token_client(provider).get(f"{API}/products/{product.pk}/occurrences?past=true")
    assert body["dates"] == []  # the date has passed
    assert body["reviews"]["average"] == 4.0 and body["reviews"]["count"] == 1
    [latest] = body["reviews"]["latest"]
    assert latest["text"] == "Useful" and latest["author_name"] == "Carl Customer"
    [past] = mine.json()
    assert past["places_left"] == 10  # a completed booking no longer holds places
    assert Booking.objects.get().state == State.COMPLETED


def test_the_openapi_document_describes_the_catalogue_and_bookings(client):
    answer = client.get(f"{API}/openapi.json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for path in ("/api/v1/products", "/api/v1/products/{product_id}/occurrences",
                 "/api/v1/bookings", "/api/v1/bookings/{booking_id}/invoice.pdf",
                 "/api/v1/me/waiting-list", "/api/v1/people/{handle}/portfolio"):
        assert path in paths, path
    header = paths["/api/v1/bookings"]["post"]["parameters"][0]
    assert header["in"] == "header" and header["name"] == "Idempotency-Key"


def test_an_archived_product_is_counted_nowhere_in_its_domains(provider):
    """The API's domain counts, the channel's home page and the publications list agree."""
    from weconomics.communities import queries as community_queries
    from weconomics.communities.access import access_to

    kept, _date = scheduled(provider)
    archived, _other = scheduled(provider)
    catalogue.set_status(actor=provider, product_id=archived.pk, status="archived")
    community = community_of(provider)
    api = visitor()
    detail = api.get(f"{API}/communities/{community.slug}").json()
    counted = {d["kind"]: d["published"] for d in detail["domains"]}
    listed = api.get(f"{API}/communities/{community.slug}/publications").json()
    home = community_queries.channel_home(access_to(None, community))
    on_the_page = {d.kind.slug: d.published for d in home["domains"]}
    assert counted["training"] == 1 == len(listed["items"]) == on_the_page["training"]
    assert counted == on_the_page
    page = api.get(f"/c/{community.slug}/")
    assert page.status_code == 200 and "1 item" in page.content.decode()
