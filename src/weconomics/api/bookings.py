"""The bookings API: booking, the life cycle, invoices, reviews, calendars, the waiting list
and portfolios.

A booking is seen only by its customer and by the managers of its product
(`bookings.queries.booking_for`); for anyone else it is 404. Every write calls a service of
`bookings.services`; its refusals (BookingError, an IdentityError) become problem documents
with their status and code, such as 409 `full` when a date has no places left.

Booking creation honours an `Idempotency-Key` header: the same key sent again by the same
account answers the booking made the first time (200 instead of 201, the same body), and a
key used for another product is refused (409 `idempotency_key_reused`).
"""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import AwareDatetime, StrictBool, field_validator

from weconomics.api.api import ERRORS, ProblemOut
from weconomics.api.catalogue import OrganisationRefOut, ReasonIn, ReviewOut, review_out
from weconomics.api.choices import values_of
from weconomics.api.communities import PAGE_QUERY, SLUG, WRITE_ERRORS, display_name
from weconomics.api.people import Id, no_nul, optional_line
from weconomics.bookings import ics, invoices, queries, services
from weconomics.bookings.errors import NotFound
from weconomics.bookings.models import (
    Booking,
    Invoice,
    PortfolioEntry,
    State,
    WaitingListEntry,
)
from weconomics.catalogue.models import Occurrence, Product
from weconomics.contacts import access as people_access
from weconomics.contacts.queries import page_of

router = Router(tags=["bookings"])

# One line of printable characters: a key is compared as sent.
KEY_PATTERN = r"^[\x21-\x7e]+$"
IdempotencyKey = Header(
    None, alias="Idempotency-Key", min_length=1, max_length=100, pattern=KEY_PATTERN,
    description="Send the same key again to retry safely: the first booking is answered "
                "(200), never a second one. Keys are per account.")
StateQuery = Query(None, description="Only bookings in this state.")
Answer = Annotated[str, Field(max_length=1000)]
QuestionKey = Annotated[str, Field(max_length=200)]
ProductKind = values_of(Product.Kind)
ProductLogistics = values_of(Product.Logistics)
OccurrenceStatus = values_of(Occurrence.Status)
WaitingStatus = values_of(WaitingListEntry.Status)
StateName = values_of(State)
UPCOMING_QUERY = Query(None, description="true: coming bookings that hold a place (a date, "
                                             "slot or proposed time after now, a stay "
                                             "arriving today or later in the site's time "
                                             "zone, or a request without a date); false: the "
                                             "others.")


# --- schemas ----------------------------------------------------------------------------

class ProductRefOut(Schema):
    id: int
    title: str
    kind: ProductKind
    logistics: ProductLogistics
    provider_name: str


class DateRefOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    status: OccurrenceStatus


class UnitRefOut(Schema):
    id: int
    name: str


class BookingOut(Schema):
    id: int
    state: StateName
    role: Literal["customer", "provider"] = Field(
        ..., description="Whether you booked it or provide it.")
    product: ProductRefOut
    occurrence: DateRefOut | None = Field(..., description="The date (scheduled products).")
    unit: UnitRefOut | None = Field(..., description="The unit (resources).")
    starts_at: dt.datetime | None = Field(
        ..., description="The appointment's or the accepted proposal's start.")
    ends_at: dt.datetime | None
    start_date: dt.date | None = Field(..., description="Arrival (resources).")
    end_date: dt.date | None = Field(..., description="Departure (resources).")
    quantity: int = Field(..., description="Places: the customer and guests.")
    customer_name: str
    organisation: OrganisationRefOut | None = Field(
        ..., description="The organisation the customer booked for, if any.")
    unit_price_cents: int = Field(..., description="Frozen when booked (VAT included).")
    vat_rate: int
    discount_cents: int
    total_cents: int
    vat_cents: int = Field(..., description="The VAT inside the total.")
    proposed_price_cents: int | None = Field(..., description="On request: the proposal.")
    cancellation_deadline: dt.datetime | None = Field(
        ..., description="Until when the customer may cancel a confirmed booking.")
    checked_in_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class BookingPage(Schema):
    items: list[BookingOut]
    page: int
    has_next: bool


class EventOut(Schema):
    at: dt.datetime
    from_state: StateName | Literal[""]
    to_state: StateName
    by: Literal["customer", "provider", "system"]
    reason: str
    data: dict


class InvoiceRefOut(Schema):
    number: str
    paid: bool


class BookingDetailOut(BookingOut):
    answers: dict[str, str]
    message: str
    customer_email: str
    voucher_code: str | None
    venue: str
    online_url: str = Field(..., description="The online link, for the customer and provider.")
    invoice: InvoiceRefOut | None
    review: ReviewOut | None
    events: list[EventOut] = Field(..., description="Every change, oldest first; the state is "
                                                    "the last event's `to_state`.")


class BookingIn(Schema):
    product_id: int = Field(..., ge=1, le=2**63 - 1)
    occurrence_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                      description="The date (scheduled products).")
    slot_start: AwareDatetime | None = Field(None, description="The slot (appointments).")
    unit_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                description="The unit (resources); empty: any free one.")
    start_date: dt.date | None = Field(None, description="Arrival (resources).")
    end_date: dt.date | None = Field(None, description="Departure (resources).")
    quantity: int = Field(1, ge=1, le=100, description="Places: you and your guests.")
    answers: dict[QuestionKey, Answer] = Field(
        {}, max_length=20, description="The provider's questions and your answers.")
    voucher_code: str = Field("", max_length=40)
    organisation: str | None = Field(None, max_length=80, pattern=SLUG,
                                     description="Book for an organisation you belong to.")
    message: str = Field("", max_length=2000)
    waitlist: StrictBool = Field(False, description="When the date is full, join its waiting "
                                                    "list (202) instead of a 409 `full`.")

    @field_validator("voucher_code")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("message")
    @classmethod
    def _text(cls, value):
        return no_nul(value)

    @field_validator("answers")
    @classmethod
    def _answers(cls, value):
        for text in value.values():
            no_nul(text)
        return value


class WaitingOut(Schema):
    id: int
    status: WaitingStatus
    quantity: int
    offered_until: dt.datetime | None = Field(
        ..., description="A place is held for you until then: book it before.")
    product: ProductRefOut
    occurrence: DateRefOut
    created_at: dt.datetime


class ProposalIn(Schema):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    price_cents: int = Field(..., ge=0, le=100_000_000, description="Per place, VAT included.")
    message: str = Field("", max_length=500)

    @field_validator("message")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class InvoiceOut(Schema):
    booking_id: int
    number: str
    kind: Literal["invoice", "receipt"] = Field(..., description="A receipt once paid.")
    seller_name: str
    buyer_name: str
    description: str
    quantity: int
    unit_price_cents: int
    discount_cents: int
    vat_rate: int
    vat_cents: int
    total_cents: int
    issued_at: dt.datetime
    paid_at: dt.datetime | None


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=5000)

    @field_validator("text")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class AttendeeOut(Schema):
    booking_id: int
    customer_name: str
    customer_email: str
    organisation: str | None
    quantity: int
    state: StateName
    answers: dict[str, str]
    checked_in_at: dt.datetime | None


class WaitingPersonOut(Schema):
    id: int
    name: str
    quantity: int
    status: WaitingStatus
    offered_until: dt.datetime | None
    created_at: dt.datetime


class AttendeeListOut(Schema):
    occurrence: DateRefOut
    product: ProductRefOut
    capacity: int
    places_booked: int
    attendees: list[AttendeeOut]
    waiting_list: list[WaitingPersonOut]


class PortfolioOut(Schema):
    id: int
    title: str
    kind: ProductKind
    attested_by: str = Field(..., description="The provider who attests it.")
    completed_on: dt.date
    hidden: bool


class PortfolioPatch(Schema):
    hidden: StrictBool


# --- building answers -------------------------------------------------------------------

def _product_ref(product: Product) -> dict:
    return {"id": product.pk, "title": product.title, "kind": product.kind,
            "logistics": product.logistics, "provider_name": product.provider_name}


def _date_ref(date: Occurrence) -> dict:
    return {"id": date.pk, "starts_at": date.starts_at, "ends_at": date.ends_at,
            "venue": date.venue, "status": date.status}


def booking_out(viewer, booking: Booking) -> dict:
    """A booking as a card; its product, date, unit and organisation are loaded with it."""
    organisation = booking.organisation if booking.organisation_id else None
    return {
        "id": booking.pk, "state": booking.state,
        "role": "customer" if booking.customer_id == viewer.pk else "provider",
        "product": _product_ref(booking.product),
        "occurrence": _date_ref(booking.occurrence) if booking.occurrence_id else None,
        "unit": {"id": booking.unit.pk, "name": booking.unit.name} if booking.unit_id else None,
        "starts_at": booking.starts_at, "ends_at": booking.ends_at,
        "start_date": booking.start_date, "end_date": booking.end_date,
        "quantity": booking.quantity, "customer_name": booking.customer_name,
        "organisation": ({"slug": organisation.slug, "name": organisation.name}
                         if organisation else None),
        "unit_price_cents": booking.unit_price_cents, "vat_rate": int(booking.vat_rate),
        "discount_cents": booking.discount_cents, "total_cents": booking.total_cents,
        "vat_cents": booking.vat_cents, "proposed_price_cents": booking.proposed_price_cents,
        "cancellation_deadline": services.cancellation_deadline(booking),
        "checked_in_at": booking.checked_in_at, "created_at": booking.created_at,
        "updated_at": booking.updated_at,
    }


def _by(booking: Booking, actor_id: int | None) -> str:
    if actor_id is None:
        return "system"
    return "customer" if actor_id == booking.customer_id else "provider"


def _one(booking: Booking, name: str):
    """A reverse one-to-one (invoice, review), or None."""
    try:
        return getattr(booking, name)
    except (Invoice.DoesNotExist, Booking.review.RelatedObjectDoesNotExist):
        return None


def _detail(viewer, booking: Booking) -> dict:
    invoice = _one(booking, "invoice")
    given = _one(booking, "review")
    if booking.occurrence_id:
        venue, online = booking.occurrence.venue, booking.occurrence.online_url
    else:
        venue, online = booking.product.venue, booking.product.online_url
    return {
        **booking_out(viewer, booking), "answers": booking.answers,
        "message": booking.message, "customer_email": booking.customer_email,
        "voucher_code": booking.voucher.code if booking.voucher_id else None,
        "venue": venue, "online_url": online,
        "invoice": ({"number": invoice.number, "paid": invoice.paid_at is not None}
                    if invoice else None),
        "review": review_out(given) if given else None,
        "events": [{"at": e.at, "from_state": e.from_state, "to_state": e.to_state,
                    "by": _by(booking, e.actor_id), "reason": e.reason, "data": e.data}
                   for e in booking.events.all()],
    }


def _fresh(request, booking_id: int) -> dict:
    return _detail(request.user, queries.booking_for(request.user, booking_id))


def _invoice(invoice: Invoice) -> dict:
    return {"booking_id": invoice.booking_id, "number": invoice.number,
            "kind": "receipt" if invoice.paid_at else "invoice",
            "seller_name": invoice.seller_name, "buyer_name": invoice.buyer_name,
            "description": invoice.description, "quantity": invoice.quantity,
            "unit_price_cents": invoice.unit_price_cents,
            "discount_cents": invoice.discount_cents, "vat_rate": int(invoice.vat_rate),
            "vat_cents": invoice.vat_cents, "total_cents": invoice.total_cents,
            "issued_at": invoice.issued_at, "paid_at": invoice.paid_at}


def _waiting(entry: WaitingListEntry) -> dict:
    return {"id": entry.pk, "status": entry.status, "quantity": entry.quantity,
            "offered_until": entry.offered_until,
            "product": _product_ref(entry.occurrence.product),
            "occurrence": _date_ref(entry.occurrence), "created_at": entry.created_at}


def _portfolio(entry: PortfolioEntry) -> dict:
    return {"id": entry.pk, "title": entry.title, "kind": entry.kind,
            "attested_by": entry.attested_by, "completed_on": entry.completed_on,
            "hidden": entry.hidden}


def _existing_invoice(request, booking_id: int) -> Invoice:
    booking = queries.booking_for(request.user, booking_id)
    found = Invoice.objects.filter(booking=booking).first()
    if found is None:
        raise NotFound(_("This booking has no invoice yet."))
    return found


# --- booking ----------------------------------------------------------------------------

@router.post("/bookings", response={200: BookingOut, 201: BookingOut, 202: WaitingOut,
                                    **WRITE_ERRORS},
             summary="Book a date, a slot or a date range, or ask for a proposal")
def book(request, payload: BookingIn, idempotency_key: str | None = IdempotencyKey):
    """Send what the product's logistics ask: `occurrence_id` for scheduled dates,
    `slot_start` for appointments, `start_date` and `end_date` (and optionally `unit_id`) for
    resources, nothing more for requests. 201 with the booking (confirmed at once, or
    requested when the provider approves each booking); 202 with your waiting-list place
    when the date is full and you asked for `waitlist`; 409 `full` when it is full and you
    did not; 409 `unavailable` when a slot or the dates are taken or outside what can be
    booked; 422 for dates in the past, too many places, a voucher that does not apply."""
    made = services.book(
        actor=request.user, product_id=payload.product_id,
        occurrence_id=payload.occurrence_id, slot_start=payload.slot_start,
        unit_id=payload.unit_id, start_date=payload.start_date, end_date=payload.end_date,
        quantity=payload.quantity, answers=payload.answers, voucher_code=payload.voucher_code,
        organisation=payload.organisation, message=payload.message,
        idempotency_key=idempotency_key or "", waitlist=payload.waitlist, request=request)
    if isinstance(made, WaitingListEntry):
        return Status(202, _waiting(made))
    if getattr(made, "replayed", False):
        # Read as a new request would show it: the same body as the first answer.
        made = Booking.objects.select_related(*queries.RELATED).get(pk=made.pk)
        return Status(200, booking_out(request.user, made))
    return Status(201, booking_out(request.user, made))


@router.get("/bookings", response={200: BookingPage, **ERRORS}, summary="Your bookings")
def my_bookings(request, upcoming: bool | None = UPCOMING_QUERY, page: int = PAGE_QUERY):
    rows, has_next = page_of(queries.my_bookings(request.user, upcoming=upcoming), page)
    return {"items": [booking_out(request.user, b) for b in rows], "page": page,
            "has_next": has_next}


@router.get("/bookings/{booking_id}", response={200: BookingDetailOut, **ERRORS},
            summary="A booking, with its events (its customer and provider only)")
def booking(request, booking_id: Id):
    return _fresh(request, booking_id)


@router.get("/provider/bookings", response={200: BookingPage, **ERRORS}, tags=["provider"],
            summary="Bookings of the products you manage")
def provided_bookings(request, state: StateName | None = StateQuery,
                      product: int | None = Query(None, ge=1, le=2**63 - 1,
                                                  description="Only this product's."),
                      page: int = PAGE_QUERY):
    found = queries.provided_bookings(request.user, state=state or "", product_id=product)
    rows, has_next = page_of(found, page)
    return {"items": [booking_out(request.user, b) for b in rows], "page": page,
            "has_next": has_next}


@router.get("/occurrences/{occurrence_id}/attendees", response={200: AttendeeListOut, **ERRORS},
            tags=["provider"], summary="Who comes to a date of yours, and who waits")
def attendees(request, occurrence_id: Id):
    date, found = queries.attendees(request.user, occurrence_id)
    people = list(found)
    waiting = queries.waiting_list(date).select_related("customer__person")
    return {
        "occurrence": _date_ref(date), "product": _product_ref(date.product),
        "capacity": date.capacity,
        "places_booked": date.taken,
        "attendees": [{"booking_id": b.pk, "customer_name": b.customer_name,
                       "customer_email": b.customer_email,
                       "organisation": b.organisation.name if b.organisation_id else None,
                       "quantity": b.quantity, "state": b.state, "answers": b.answers,
                       "checked_in_at": b.checked_in_at} for b in people],
        "waiting_list": [{"id": w.pk, "name": display_name(w.customer), "quantity": w.quantity,
                          "status": w.status, "offered_until": w.offered_until,
                          "created_at": w.created_at} for w in waiting],
    }


# --- the life cycle ---------------------------------------------------------------------

@router.post("/bookings/{booking_id}/cancel", response={200: BookingDetailOut, **WRITE_ERRORS},
             summary="Cancel a booking")
def cancel(request, booking_id: Id, payload: ReasonIn | None = None):
    """The customer within the product's policy (409 `too_late` after the deadline); the
    provider at any time. A freed place is offered to the waiting list."""
    services.cancel(actor=request.user, booking_id=booking_id,
                    reason=payload.reason if payload else "", request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/approve", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Confirm a requested booking")
def approve(request, booking_id: Id, payload: ReasonIn | None = None):
    services.decide(actor=request.user, booking_id=booking_id, approve=True,
                    reason=payload.reason if payload else "", request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/decline", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Decline a requested booking")
def decline(request, booking_id: Id, payload: ReasonIn | None = None):
    services.decide(actor=request.user, booking_id=booking_id, approve=False,
                    reason=payload.reason if payload else "", request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/propose", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Answer a request with a date and a price")
def propose(request, booking_id: Id, payload: ProposalIn):
    services.propose(actor=request.user, booking_id=booking_id,
                     starts_at_value=payload.starts_at, ends_at_value=payload.ends_at,
                     price_cents=payload.price_cents, message=payload.message, request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/accept-proposal",
             response={200: BookingDetailOut, **WRITE_ERRORS},
             summary="Accept the provider's proposal; its price is then frozen")
def accept_proposal(request, booking_id: Id):
    services.answer_proposal(actor=request.user, booking_id=booking_id, accept=True,
                             request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/decline-proposal",
             response={200: BookingDetailOut, **WRITE_ERRORS},
             summary="Turn the provider's proposal down (the request is cancelled)")
def decline_proposal(request, booking_id: Id):
    services.answer_proposal(actor=request.user, booking_id=booking_id, accept=False,
                             request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/check-in", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Check a confirmed customer in")
def check_in(request, booking_id: Id):
    services.check_in(actor=request.user, booking_id=booking_id, request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/complete", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Mark a booking completed once it has started")
def complete(request, booking_id: Id):
    """Completed courses, trainings, workshops and assessments go into the customer's
    portfolio, attested by the provider."""
    services.complete(actor=request.user, booking_id=booking_id, request=request)
    return _fresh(request, booking_id)


@router.post("/bookings/{booking_id}/no-show", response={200: BookingDetailOut, **WRITE_ERRORS},
             tags=["provider"], summary="Mark that the customer did not come")
def no_show(request, booking_id: Id):
    services.complete(actor=request.user, booking_id=booking_id, no_show=True, request=request)
    return _fresh(request, booking_id)


# --- commerce ---------------------------------------------------------------------------

@router.post("/bookings/{booking_id}/invoice", response={200: InvoiceOut, **WRITE_ERRORS},
             tags=["provider"], summary="Issue the numbered invoice of a paid booking")
def issue_invoice(request, booking_id: Id):
    """Numbered without gaps per provider and year; issuing again answers the same one."""
    return _invoice(services.issue_invoice(actor=request.user, booking_id=booking_id,
                                           request=request))


@router.post("/bookings/{booking_id}/paid", response={200: InvoiceOut, **WRITE_ERRORS},
             tags=["provider"], summary="Mark a booking paid: its invoice becomes a receipt")
def mark_paid(request, booking_id: Id):
    return _invoice(services.mark_paid(actor=request.user, booking_id=booking_id,
                                       request=request))


@router.get("/bookings/{booking_id}/invoice", response={200: InvoiceOut, **ERRORS},
            summary="A booking's invoice or receipt")
def invoice(request, booking_id: Id):
    return _invoice(_existing_invoice(request, booking_id))


@router.get("/bookings/{booking_id}/invoice.pdf", response={404: ProblemOut, 401: ProblemOut},
            summary="A booking's invoice or receipt as PDF",
            openapi_extra={"responses": {"200": {
                "description": "The PDF document.",
                "content": {"application/pdf": {"schema": {"type": "string",
                                                           "format": "binary"}}}}}})
def invoice_pdf(request, booking_id: Id):
    found = _existing_invoice(request, booking_id)
    response = HttpResponse(invoices.render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


@router.post("/bookings/{booking_id}/review", response={201: ReviewOut, **WRITE_ERRORS},
             summary="Review a completed booking (once)")
def review(request, booking_id: Id, payload: ReviewIn):
    made = services.review(actor=request.user, booking_id=booking_id, rating=payload.rating,
                           text=payload.text, request=request)
    return Status(201, review_out(made))


@router.get("/bookings/{booking_id}/calendar.ics", response={404: ProblemOut, 401: ProblemOut},
            summary="A booking as a calendar file",
            openapi_extra={"responses": {"200": {
                "description": "An iCalendar (RFC 5545) file.",
                "content": {"text/calendar": {"schema": {"type": "string"}}}}}})
def calendar_file(request, booking_id: Id):
    found = queries.booking_for(request.user, booking_id)
    response = HttpResponse(ics.calendar([found], name=found.product.title),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{found.pk}.ics"'
    return response


# --- the waiting list and the portfolio ---------------------------------------------------

@router.get("/me/waiting-list", response={200: list[WaitingOut], **ERRORS}, tags=["me"],
            summary="The waiting lists you are on")
def my_waiting_list(request):
    """An entry `offered` holds a place for you until `offered_until`: book it before."""
    return [_waiting(e) for e in queries.my_waiting_list(request.user)
            .order_by("occurrence__starts_at", "pk")]


@router.delete("/me/waiting-list/{entry_id}", response={204: None, **ERRORS}, tags=["me"],
               summary="Leave a waiting list")
def leave_waiting_list(request, entry_id: Id):
    services.leave_waiting_list(actor=request.user, entry_id=entry_id, request=request)
    return Status(204, None)


@router.get("/me/portfolio", response={200: list[PortfolioOut], **ERRORS}, tags=["me"],
            summary="Your portfolio, hidden entries included")
def my_portfolio(request):
    return [_portfolio(e) for e in queries.portfolio_of(request.user, include_hidden=True)]


@router.patch("/me/portfolio/{entry_id}", response={200: PortfolioOut, **WRITE_ERRORS},
              tags=["me"], summary="Hide a portfolio entry from your profile, or show it")
def patch_portfolio(request, entry_id: Id, payload: PortfolioPatch):
    return _portfolio(services.hide_portfolio_entry(actor=request.user, entry_id=entry_id,
                                                    hidden=payload.hidden, request=request))


@router.get("/people/{slug:handle}/portfolio", response={200: list[PortfolioOut], **ERRORS},
            tags=["people"], summary="A person's portfolio, as far as you may see it")
def portfolio(request, handle: str):
    """It follows the profile's education section; entries the person hid are left out."""
    person = people_access.profile_for(request.user, handle).person
    return [_portfolio(e) for e in queries.visible_portfolio(request.user, person)]
