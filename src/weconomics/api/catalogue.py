"""The catalogue API: products, their dates, availability and units, vouchers, and where
products are published.

Every read of a product goes through `catalogue.access`: a product is seen by its managers in
every state, and by others only while published and only through a publication they may see
(a product published only in a listed community is 404 to non-members, never 403). Visitors
without credentials read the public catalogue (`read_auth`). Every write calls a service of
`catalogue.services`, `bookings.services` (what changes booked dates) or
`communities.publications`; its refusals become problem documents with their status and code.
"""

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, StrictBool, field_validator, model_validator

from weconomics.api.api import ERRORS, required_line
from weconomics.api.choices import values_of
from weconomics.api.communities import (
    PAGE_QUERY,
    SLUG,
    WRITE_ERRORS,
    CommunityRefOut,
    display_name,
    read_auth,
    ref,
)
from weconomics.api.community_posts import PublicationOut, PublishIn
from weconomics.api.community_posts import _publications as publications_out
from weconomics.api.people import Id, no_nul, optional_line, search_text
from weconomics.bookings import queries as booking_queries
from weconomics.bookings import services as bookings
from weconomics.bookings.models import State, Voucher
from weconomics.catalogue import access
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.errors import Invalid
from weconomics.catalogue.models import Occurrence, Product
from weconomics.communities import publications as published
from weconomics.communities.models import Publication
from weconomics.contacts.queries import page_of

CATALOGUE_CACHE_SECONDS = 10

router = Router(tags=["catalogue"])

Kind = values_of(Product.Kind)
Logistics = values_of(Product.Logistics)
ProductStatus = values_of(Product.Status)
Delivery = values_of(Product.Delivery)
OccurrenceStatus = values_of(Occurrence.Status)
VoucherKind = values_of(Voucher.Kind)
MinimumDecision = values_of(Occurrence.MinimumDecision)
VatRate = Literal[0, 9, 21]
Repeat = Literal["", "daily", "weekly", "fortnightly"]
Tag = Annotated[str, Field(max_length=40)]
SkillName = Annotated[str, Field(max_length=60)]
Question = Annotated[str, Field(max_length=200)]
REVIEWS_SHOWN = 5
DATES_SHOWN = 50
DAY_QUERY = Query(..., description="The local day, YYYY-MM-DD.")


# --- schemas ----------------------------------------------------------------------------

class OrganisationRefOut(Schema):
    slug: str
    name: str


class ProductCardOut(Schema):
    id: int
    kind: Kind
    logistics: Logistics
    status: ProductStatus
    title: str
    summary: str
    provider_name: str = Field(..., description="Who offers it: a person or an organisation.")
    organisation: OrganisationRefOut | None = Field(
        ..., description="The organisation it is offered for, if any.")
    language: str
    delivery: Delivery
    venue: str
    price_cents: int = Field(..., description="Price per place (per night for a resource), "
                                              "VAT included, in euro cents.")
    vat_rate: VatRate
    tags: list[str]
    requires_approval: bool
    created_at: dt.datetime


class ProductPage(Schema):
    items: list[ProductCardOut]
    page: int
    has_next: bool


class OccurrenceOut(Schema):
    id: int
    product_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    online_url: str | None = Field(
        ..., description="The online link; shown to the product's managers only (customers "
                         "find it with their booking).")
    capacity: int
    places_left: int = Field(..., description="Free places now: capacity less what bookings "
                                              "and open waiting-list offers hold.")
    status: OccurrenceStatus
    min_participants: int | None
    min_deadline: dt.datetime | None
    min_decision: MinimumDecision
    series: str | None = Field(..., description="Shared by the dates of one series.")


class AvailabilityRule(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 is Monday, 6 is Sunday.")
    start: dt.time = Field(..., description="Local time, such as 09:00.")
    end: dt.time

    @model_validator(mode="after")
    def _in_order(self):
        if self.end <= self.start:
            raise ValueError("end must come after start")
        return self


class UnitOut(Schema):
    id: int
    name: str
    active: bool


class ReviewOut(Schema):
    id: int
    booking_id: int
    product_id: int
    rating: int
    text: str
    author_name: str
    created_at: dt.datetime


class ReviewSummaryOut(Schema):
    average: float | None = Field(..., description="Null while there are no reviews.")
    count: int
    latest: list[ReviewOut]


class ProductPublicationOut(Schema):
    community: CommunityRefOut
    domain: str = Field(..., description="The domain kind's short name.")
    featured: bool


class ProductOut(ProductCardOut):
    description: str
    prerequisites: str
    cancellation_policy: str
    cancel_hours_before: int = Field(..., description="Customers may cancel a confirmed "
                                                      "booking until this many hours before.")
    online_url: str | None = Field(..., description="Shown to the product's managers only.")
    max_quantity: int = Field(..., description="Places per booking: the customer and guests.")
    questions: list[str] = Field(..., description="Answer each when booking.")
    skills: list[str]
    slot_minutes: int
    buffer_minutes: int
    min_notice_hours: int
    window_days: int
    can_manage: bool = Field(..., description="You offer it, or administer its organisation.")
    dates: list[OccurrenceOut] = Field(..., description="Coming dates (scheduled products).")
    units: list[UnitOut] = Field(..., description="Units booked by date range (resources); "
                                                  "only bookable ones unless you manage it.")
    availability: list[AvailabilityRule] = Field(..., description="Weekly hours (appointments).")
    reviews: ReviewSummaryOut
    publications: list[ProductPublicationOut] = Field(
        ..., description="Where it is published, as far as you may see.")
    updated_at: dt.datetime


class ProductFields(Schema):
    kind: Kind
    logistics: Logistics
    title: str = Field(..., max_length=150)
    summary: str = Field("", max_length=300)
    description: str = Field("", max_length=20_000, description="Markdown.")
    tags: list[Tag] = Field([], max_length=catalogue.MAX_TAGS)
    skills: list[SkillName] = Field([], max_length=catalogue.MAX_TAGS)
    language: str = Field("nl", pattern=r"^[a-zA-Z]{2,3}$")
    delivery: Delivery = Product.Delivery.VENUE
    venue: str = Field("", max_length=300)
    online_url: str = Field("", max_length=500, description="An https:// address.")
    prerequisites: str = Field("", max_length=20_000)
    cancellation_policy: str = Field("", max_length=20_000)
    cancel_hours_before: int = Field(24, ge=0, le=24 * 365)
    price_cents: int = Field(0, ge=0, le=catalogue.MAX_PRICE_CENTS,
                             description="VAT included; 0 is free.")
    vat_rate: VatRate = 21
    requires_approval: StrictBool = False
    max_quantity: int = Field(1, ge=1, le=100)
    questions: list[Question] = Field([], max_length=catalogue.MAX_QUESTIONS)
    slot_minutes: int = Field(60, ge=5, le=24 * 60)
    buffer_minutes: int = Field(0, ge=0, le=24 * 60)
    min_notice_hours: int = Field(24, ge=0, le=24 * 90)
    window_days: int = Field(60, ge=1, le=730)

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("summary", "venue", "online_url")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("tags", "skills", "questions")
    @classmethod
    def _lines(cls, value):
        return None if value is None else [optional_line(v) for v in value]

    @field_validator("description", "prerequisites", "cancellation_policy")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class ProductIn(ProductFields):
    organisation: str | None = Field(None, max_length=80, pattern=SLUG,
                                     description="Offer it for this organisation (you "
                                                 "administer it).")


class ProductPatch(ProductFields):
    """Only the fields you send change."""

    kind: Kind = None
    logistics: Logistics = None
    title: str = Field(None, max_length=150)
    summary: str = Field(None, max_length=300)
    description: str = Field(None, max_length=20_000)
    tags: list[Tag] = Field(None, max_length=catalogue.MAX_TAGS)
    skills: list[SkillName] = Field(None, max_length=catalogue.MAX_TAGS)
    language: str = Field(None, pattern=r"^[a-zA-Z]{2,3}$")
    delivery: Delivery = None
    venue: str = Field(None, max_length=300)
    online_url: str = Field(None, max_length=500)
    prerequisites: str = Field(None, max_length=20_000)
    cancellation_policy: str = Field(None, max_length=20_000)
    cancel_hours_before: int = Field(None, ge=0, le=24 * 365)
    price_cents: int = Field(None, ge=0, le=catalogue.MAX_PRICE_CENTS)
    vat_rate: VatRate = None
    requires_approval: StrictBool = None
    max_quantity: int = Field(None, ge=1, le=100)
    questions: list[Question] = Field(None, max_length=catalogue.MAX_QUESTIONS)
    slot_minutes: int = Field(None, ge=5, le=24 * 60)
    buffer_minutes: int = Field(None, ge=0, le=24 * 60)
    min_notice_hours: int = Field(None, ge=0, le=24 * 90)
    window_days: int = Field(None, ge=1, le=730)


class StatusIn(Schema):
    status: ProductStatus


class OccurrencesIn(Schema):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(..., ge=1, le=100_000)
    venue: str = Field("", max_length=300, description="Empty: the product's venue.")
    online_url: str = Field("", max_length=500, description="Empty: the product's link.")
    min_participants: int | None = Field(None, ge=1, le=100_000)
    min_deadline: AwareDatetime | None = Field(
        None, description="When to decide on the minimum; two days before the start if empty.")
    repeat: Repeat = Field("", description="Add a series: daily, weekly or fortnightly.")
    count: int = Field(1, ge=1, le=catalogue.MAX_SERIES, description="Dates in the series.")

    @field_validator("venue", "online_url")
    @classmethod
    def _line(cls, value):
        return optional_line(value)


class CapacityIn(Schema):
    capacity: int = Field(..., ge=1, le=100_000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)

    @field_validator("reason")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class MinimumIn(ReasonIn):
    go_ahead: StrictBool = Field(..., description="True: the date goes ahead with fewer "
                                                  "participants; false: it is cancelled.")


class AttendeesMessageIn(Schema):
    subject: str = Field(..., max_length=150)
    text: str = Field(..., min_length=1, max_length=5000)

    @field_validator("subject")
    @classmethod
    def _subject(cls, value):
        return required_line(value)

    @field_validator("text")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class MessagedOut(Schema):
    recipients: int


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class UnitIn(Schema):
    name: str = Field(..., max_length=100)

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return required_line(value)


class UnitPatch(Schema):
    active: StrictBool


class VoucherIn(Schema):
    code: str = Field(..., min_length=3, max_length=40, pattern=r"^[-A-Za-z0-9_]+$")
    kind: VoucherKind
    amount: int = Field(..., ge=1, le=catalogue.MAX_PRICE_CENTS,
                        description="Cents off (fixed), or a percentage from 1 to 100.")
    max_uses: int = Field(1, ge=1, le=100_000)
    product_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                   description="Only this product; empty: all you manage, your "
                                               "own and your organisations'.")
    valid_until: AwareDatetime | None = None


class VoucherOut(Schema):
    id: int
    code: str
    kind: VoucherKind
    amount: int
    max_uses: int
    uses: int = Field(..., description="Bookings that used it (not cancelled or declined).")
    product_id: int | None
    valid_until: dt.datetime | None
    active: bool
    created_at: dt.datetime


# --- building answers -------------------------------------------------------------------

def _org(organisation) -> dict | None:
    return {"slug": organisation.slug, "name": organisation.name} if organisation else None


def card(product: Product) -> dict:
    return {"id": product.pk, "kind": product.kind, "logistics": product.logistics,
            "status": product.status, "title": product.title, "summary": product.summary,
            "provider_name": product.provider_name, "organisation": _org(product.organisation),
            "language": product.language, "delivery": product.delivery, "venue": product.venue,
            "price_cents": product.price_cents, "vat_rate": int(product.vat_rate),
            "tags": list(product.tags or []), "requires_approval": product.requires_approval,
            "created_at": product.created_at}


def occurrence_out(date: Occurrence, *, manager: bool, places_left: int | None = None) -> dict:
    """A date; its places left from `bookings.queries.with_places` unless given."""
    if places_left is None:
        places_left = date.left
    return {"id": date.pk, "product_id": date.product_id, "starts_at": date.starts_at,
            "ends_at": date.ends_at, "venue": date.venue,
            "online_url": date.online_url if manager else None, "capacity": date.capacity,
            "places_left": places_left, "status": date.status,
            "min_participants": date.min_participants, "min_deadline": date.min_deadline,
            "min_decision": date.min_decision, "series": str(date.series) if date.series else None}


def _fresh_occurrence(viewer, occurrence_id: int) -> dict:
    date = booking_queries.with_places(Occurrence.objects.filter(pk=occurrence_id),
                                       for_account=viewer).get()
    return occurrence_out(date, manager=True)


def _dates(product: Product, viewer, *, manager: bool, past: bool = False) -> list[dict]:
    """Coming dates; managers see cancelled ones too, and past ones when they ask."""
    dates = Occurrence.objects.filter(product=product)
    if not manager:
        dates = dates.filter(status=Occurrence.Status.SCHEDULED)
    if not (manager and past):
        dates = dates.filter(booking_queries.coming_dates())
    dates = booking_queries.with_places(dates, for_account=viewer).order_by(
        "starts_at", "pk")[:DATES_SHOWN if not past else 500]
    return [occurrence_out(d, manager=manager) for d in dates]


def review_out(found) -> dict:
    return {"id": found.pk, "booking_id": found.booking_id, "product_id": found.product_id,
            "rating": found.rating, "text": found.text, "author_name": display_name(found.author),
            "created_at": found.created_at}


def _detail(viewer, product: Product) -> dict:
    manager = access.can_manage(viewer, product)
    reviews, summary = booking_queries.reviews_of(product)
    units = product.units.all() if manager else product.units.filter(is_active=True)
    shown = (published.visible_publications(viewer)
             .filter(content_type=ContentType.objects.get_for_model(Product),
                     object_id=product.pk)
             .select_related("community", "domain__kind").order_by("community__name", "pk"))
    average = summary["average"]
    return {
        **card(product),
        "description": product.description, "prerequisites": product.prerequisites,
        "cancellation_policy": product.cancellation_policy,
        "cancel_hours_before": product.cancel_hours_before,
        "online_url": product.online_url if manager else None,
        "max_quantity": product.max_quantity, "questions": list(product.questions or []),
        "skills": [s.name for s in product.skills.order_by("name")],
        "slot_minutes": product.slot_minutes, "buffer_minutes": product.buffer_minutes,
        "min_notice_hours": product.min_notice_hours, "window_days": product.window_days,
        "can_manage": manager,
        "dates": (_dates(product, viewer, manager=manager)
                  if product.logistics == Product.Logistics.SCHEDULED else []),
        "units": [{"id": u.pk, "name": u.name, "active": u.is_active} for u in units]
        if product.logistics == Product.Logistics.RESOURCE else [],
        "availability": [{"weekday": r.weekday, "start": r.start_time, "end": r.end_time}
                         for r in product.availability.all()]
        if product.logistics == Product.Logistics.APPOINTMENT else [],
        "reviews": {"average": round(float(average), 2) if average is not None else None,
                    "count": summary["count"],
                    "latest": [review_out(r) for r in reviews[:REVIEWS_SHOWN]]},
        "publications": [{"community": ref(p.community), "domain": p.domain.kind.slug,
                          "featured": p.featured} for p in shown],
        "updated_at": product.updated_at,
    }


def _fresh_detail(viewer, product_id: int) -> dict:
    return _detail(viewer, access.product_for(viewer, product_id))


def _voucher(voucher: Voucher, uses: int | None = None) -> dict:
    return {"id": voucher.pk, "code": voucher.code, "kind": voucher.kind,
            "amount": voucher.amount, "max_uses": voucher.max_uses,
            "uses": getattr(voucher, "uses", 0) if uses is None else uses,
            "product_id": voucher.product_id, "valid_until": voucher.valid_until,
            "active": voucher.is_active, "created_at": voucher.created_at}


# --- products ---------------------------------------------------------------------------

@router.get("/products", response={200: ProductPage, **ERRORS}, auth=read_auth,
            summary="The catalogue: published products you may see")
def products(request, q: str = search_text(100, "Words of the title, summary or provider."),
             kind: Kind | None = None, logistics: Logistics | None = None,
             language: str = Query("", max_length=3, pattern=r"^[a-zA-Z]{0,3}$"),
             community: str = Query("", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$",
                                    description="Only products published in this community."),
             page: int = PAGE_QUERY):
    """Newest first. A product shows here through a publication you may see: in a public
    community, a community you belong to, or an allied one where the publisher allows it."""
    anonymous = not request.user.is_authenticated
    if anonymous:
        # Visitors all see the same public catalogue: its pages are cached for a few
        # seconds, and dropped at once when any publication changes (published.changed).
        key = "catalogue:{}:{}".format(published.version(), urlencode(sorted(
            (k, v) for k, v in (("q", q), ("kind", kind or ""), ("logistics", logistics or ""),
                                ("language", language.lower()), ("community", community),
                                ("page", page)))))
        cached = cache.get(key)
        if cached is not None:
            return HttpResponse(cached, content_type="application/json; charset=utf-8")
    found = access.catalogue(request.user, q=q, kind=kind or "", logistics=logistics or "",
                             language=language.lower(), community=community)
    rows, has_next = page_of(found.select_related("organisation"), page)
    result = {"items": [card(p) for p in rows], "page": page, "has_next": has_next}
    if not anonymous:
        return result
    from weconomics.api.api import api

    content = api.renderer.render(request, ProductPage.model_validate(result).model_dump(),
                                  response_status=200)
    cache.set(key, content, CATALOGUE_CACHE_SECONDS)
    return HttpResponse(content, content_type="application/json; charset=utf-8")


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS},
             summary="Offer a product (a draft until you publish it)")
def create_product(request, payload: ProductIn):
    created = catalogue.create_product(actor=request.user, request=request,
                                       **payload.model_dump())
    return Status(201, _detail(request.user, access.managed_product(request.user, created.pk)))


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, auth=read_auth,
            summary="A product with its dates, places left, reviews and publications")
def product(request, product_id: Id):
    return _fresh_detail(request.user, product_id)


@router.patch("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS},
              summary="Change a product you manage")
def patch_product(request, product_id: Id, payload: ProductPatch):
    """Bookings already made keep the price and VAT they were made with."""
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    catalogue.update_product(actor=request.user, product_id=product_id, request=request,
                             **fields)
    return _fresh_detail(request.user, product_id)


@router.post("/products/{product_id}/status", response={200: ProductOut, **WRITE_ERRORS},
             summary="Publish, archive, or return a product to draft")
def set_status(request, product_id: Id, payload: StatusIn):
    """Only a published product shows in channels and can be booked. Appointments need
    availability and resources a bookable unit before they can be published (422)."""
    catalogue.set_status(actor=request.user, product_id=product_id, status=payload.status,
                         request=request)
    return _fresh_detail(request.user, product_id)


@router.get("/me/products", response={200: ProductPage, **ERRORS}, tags=["me"],
            summary="The products you manage, in every state")
def my_products(request, page: int = PAGE_QUERY):
    found = (Product.objects.filter(access.managed_by(request.user))
             .select_related("organisation").order_by("-created_at", "-pk"))
    rows, has_next = page_of(found, page)
    return {"items": [card(p) for p in rows], "page": page, "has_next": has_next}


# --- publications -----------------------------------------------------------------------

@router.post("/products/{product_id}/publications",
             response={201: list[PublicationOut], **WRITE_ERRORS},
             summary="Publish a product you manage to domains of your communities")
def publish(request, product_id: Id, payload: PublishIn):
    """All or nothing. It shows in channels while the product is published."""
    created = published.publish(
        actor=request.user, content=access.managed_product(request.user, product_id),
        targets=[(t.community, t.domain) for t in payload.targets],
        allies_may_see=payload.allies_may_see, request=request)
    rows = (Publication.objects.filter(pk__in=[p.pk for p in created])
            .select_related("community", "domain__kind", "published_by__person")
            .order_by("pk"))
    return Status(201, publications_out(request.user, rows))


@router.get("/products/{product_id}/publications",
            response={200: list[PublicationOut], **ERRORS},
            summary="Where a product you manage is published (every status)")
def product_publications(request, product_id: Id):
    found = published.publications_of(access.managed_product(request.user, product_id))
    return publications_out(request.user, found.select_related(
        "community", "domain__kind", "published_by__person").order_by("community__name", "pk"))


# --- dates ------------------------------------------------------------------------------

@router.get("/products/{product_id}/occurrences", response={200: list[OccurrenceOut], **ERRORS},
            auth=read_auth, tags=["dates"], summary="A scheduled product's dates")
def occurrences(request, product_id: Id,
                past: bool = Query(False, description="Managers: include past dates.")):
    """Coming dates with the places left; managers also see cancelled dates."""
    found = access.product_for(request.user, product_id)
    return _dates(found, request.user, manager=access.can_manage(request.user, found), past=past)


@router.post("/products/{product_id}/occurrences",
             response={201: list[OccurrenceOut], **WRITE_ERRORS}, tags=["dates"],
             summary="Add a date, or a series of dates")
def add_occurrences(request, product_id: Id, payload: OccurrencesIn):
    made = catalogue.add_occurrences(actor=request.user, product_id=product_id,
                                     request=request, **payload.model_dump())
    return Status(201, [occurrence_out(d, manager=True, places_left=d.capacity) for d in made])


@router.patch("/occurrences/{occurrence_id}", response={200: OccurrenceOut, **WRITE_ERRORS},
              tags=["dates"], summary="Change a date's capacity")
def patch_occurrence(request, occurrence_id: Id, payload: CapacityIn):
    """Never below the places booked (422). Freed places go to the waiting list first."""
    bookings.change_capacity(actor=request.user, occurrence_id=occurrence_id,
                             capacity=payload.capacity, request=request)
    return _fresh_occurrence(request.user, occurrence_id)


@router.post("/occurrences/{occurrence_id}/cancel", response={200: OccurrenceOut, **WRITE_ERRORS},
             tags=["dates"], summary="Cancel a date; its bookings are cancelled and told")
def cancel_occurrence(request, occurrence_id: Id, payload: ReasonIn | None = None):
    bookings.cancel_occurrence(actor=request.user, occurrence_id=occurrence_id,
                               reason=payload.reason if payload else "", request=request)
    return _fresh_occurrence(request.user, occurrence_id)


@router.post("/occurrences/{occurrence_id}/minimum",
             response={200: OccurrenceOut, **WRITE_ERRORS}, tags=["dates"],
             summary="Go ahead with too few participants, or cancel the date")
def decide_minimum(request, occurrence_id: Id, payload: MinimumIn):
    bookings.decide_minimum(actor=request.user, occurrence_id=occurrence_id,
                            go_ahead=payload.go_ahead, reason=payload.reason, request=request)
    return _fresh_occurrence(request.user, occurrence_id)


@router.post("/occurrences/{occurrence_id}/message", response={202: MessagedOut, **WRITE_ERRORS},
             tags=["dates"], summary="Email everyone with a confirmed place on a date")
def message_attendees(request, occurrence_id: Id, payload: AttendeesMessageIn):
    """The emails go out in the background; the answer tells how many people get one."""
    told = bookings.message_attendees(actor=request.user, occurrence_id=occurrence_id,
                                      subject=payload.subject, text=payload.text,
                                      request=request)
    return Status(202, {"recipients": told})


# --- appointments and resources -----------------------------------------------------------

@router.put("/products/{product_id}/availability",
            response={200: list[AvailabilityRule], **WRITE_ERRORS}, tags=["dates"],
            summary="Replace the weekly hours in which appointments can be booked")
def put_availability(request, product_id: Id,
                     payload: Body[Annotated[list[AvailabilityRule], Field(max_length=50)]]):
    made = catalogue.set_availability(actor=request.user, product_id=product_id,
                                      rules=[r.model_dump() for r in payload], request=request)
    return [{"weekday": r.weekday, "start": r.start_time, "end": r.end_time} for r in made]


@router.get("/products/{product_id}/slots", response={200: list[SlotOut], **ERRORS},
            auth=read_auth, tags=["dates"], summary="Free appointment slots on one day")
def slots(request, product_id: Id, day: dt.date = DAY_QUERY):
    found = access.product_for(request.user, product_id)
    if found.logistics != Product.Logistics.APPOINTMENT:
        raise Invalid(_("Only appointment products have slots."))
    return [{"starts_at": start, "ends_at": end} for start, end in bookings.free_slots(found, day)]


@router.post("/products/{product_id}/units", response={201: UnitOut, **WRITE_ERRORS},
             tags=["dates"], summary="Add a unit (a room, a workplace) to a resource")
def add_unit(request, product_id: Id, payload: UnitIn):
    unit = catalogue.add_unit(actor=request.user, product_id=product_id, name=payload.name,
                              request=request)
    return Status(201, {"id": unit.pk, "name": unit.name, "active": unit.is_active})


@router.patch("/products/{product_id}/units/{unit_id}", response={200: UnitOut, **WRITE_ERRORS},
              tags=["dates"], summary="Make a unit bookable or not")
def patch_unit(request, product_id: Id, unit_id: Id, payload: UnitPatch):
    """Bookings already made for the unit stay."""
    unit = catalogue.set_unit_active(actor=request.user, product_id=product_id,
                                     unit_id=unit_id, active=payload.active, request=request)
    return {"id": unit.pk, "name": unit.name, "active": unit.is_active}


# --- vouchers ---------------------------------------------------------------------------

@router.post("/vouchers", response={201: VoucherOut, **WRITE_ERRORS}, tags=["vouchers"],
             summary="Make a voucher for your products, or for one of them")
def create_voucher(request, payload: VoucherIn):
    voucher = bookings.create_voucher(actor=request.user, request=request,
                                      **payload.model_dump())
    return Status(201, _voucher(voucher, uses=0))


@router.get("/vouchers", response={200: list[VoucherOut], **ERRORS}, tags=["vouchers"],
            summary="The vouchers you made, with their uses")
def my_vouchers(request):
    found = (Voucher.objects.filter(provider=request.user)
             .annotate(uses=Count("bookings", filter=~Q(bookings__state__in=[
                 State.CANCELLED, State.DECLINED])))
             .order_by("-created_at", "-pk"))
    return [_voucher(v) for v in found]
