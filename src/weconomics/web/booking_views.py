"""The customer's side of bookings: booking a product, my bookings, one booking with its
history and actions, invoices, calendar files and the private feed, and the portfolio.

Views parse, authorise through `bookings.queries` and `catalogue.access`, call a
`bookings.services` function and render; a refusal (BookingError) is shown on the page
with its status, never as a server error. Everything about a booking is seen only by its
customer and its provider: anyone else, signed in or not, gets "not found".

The product page (web-p) shows the booking form: it merges `booking_context(request,
product)` into its context and includes "web/bookings/_book_form.html".
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from weconomics.bookings import ics, invoices, queries, services
from weconomics.bookings.errors import BookingError, Full, NotFound
from weconomics.bookings.models import HOLDING, Booking, State, WaitingListEntry
from weconomics.catalogue.access import can_manage, product_for
from weconomics.catalogue.errors import NotFound as ProductNotFound
from weconomics.catalogue.models import Product
from weconomics.contacts.queries import organisation_memberships_of
from weconomics.identity.models import Account
from weconomics.web.forms_bookings import BookingForm, CancelForm, ReviewForm

Logistics = Product.Logistics
SECTION = {"nav_section": "bookings"}
DAYS_SHOWN = 14
UPCOMING_SHOWN = 100
PAST_SHOWN = 50


# --- helpers -----------------------------------------------------------------------------

def _problem(request, error: BookingError, *, status: int | None = None):
    return render(request, "web/bookings/problem.html", {"message": str(error), **SECTION},
                  status=status or error.status)


def _product(viewer, product_id) -> Product:
    try:
        return product_for(viewer, product_id)
    except ProductNotFound as error:
        raise NotFound(str(error)) from None


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _day(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text or ""))
    except ValueError:
        return None


def _slot_day(slot) -> dt.date | None:
    """The local day of a slot value as the form sends it (an ISO date and time)."""
    try:
        value = dt.datetime.fromisoformat(str(slot or ""))
    except ValueError:
        return None
    return _local(value).date() if timezone.is_aware(value) else value.date()


def slot_options(product: Product, day: dt.date | None = None) -> dict:
    """The day picker and the free slots of one day (the first day with any, by default)."""
    today = timezone.localdate()
    weekdays = set(product.availability.values_list("weekday", flat=True))
    last = today + dt.timedelta(days=product.window_days)
    days = [today + dt.timedelta(days=n) for n in range(min(DAYS_SHOWN, product.window_days + 1))]
    if day is None:
        for candidate in days:
            if candidate.weekday() in weekdays and services.free_slots(product, candidate):
                day = candidate
                break
        else:
            day = today
    inside = today <= day <= last and day.weekday() in weekdays
    slots = [{"value": start.isoformat(), "start": _local(start), "end": _local(end)}
             for start, end in (services.free_slots(product, day) if inside else [])]
    return {"day": day, "days": [{"day": d, "open": d.weekday() in weekdays} for d in days],
            "slots": slots, "first_day": today, "last_day": last,
            "slots_url": reverse("product_slots", args=[product.pk]),
            "book_url": reverse("product_book", args=[product.pk])}


def booking_context(request, product: Product, *, data=None, day: dt.date | None = None,
                    full: bool = False) -> dict:
    """What the booking form needs on a product's page; merge it into the page's context
    and include "web/bookings/_book_form.html" inside the page's own card and heading.

    Returns {"can_book": bool, "booking_options": {...}}: the form (with a fresh
    idempotency key), the coming dates with places left, the free slots of a day, the
    units, the questions, the quantity limit, the organisations the viewer belongs to,
    and the viewer's own bookings and waiting-list places for this product.
    """
    viewer = request.user
    signed_in = viewer.is_authenticated
    manages = can_manage(viewer, product)
    published = product.status == Product.Status.PUBLISHED
    can_book = signed_in and published and not manages
    options = {
        "product": product, "logistics": product.logistics, "signed_in": signed_in,
        "manages": manages, "published": published, "full": full,
        "max_quantity": product.max_quantity, "questions": list(product.questions or []),
        "book_url": reverse("product_book", args=[product.pk]),
        "login_url": f"{reverse('account_login')}?next={request.get_full_path()}",
        "dates": [], "units": [], "mine": [], "waiting": [], "organisations": [],
    }
    if not published:
        return {"can_book": False, "booking_options": options}
    if product.logistics == Logistics.SCHEDULED:
        options["dates"] = queries.bookable_dates(product, for_account=viewer)
    elif product.logistics == Logistics.APPOINTMENT:
        options.update(slot_options(product, day))
    elif product.logistics == Logistics.RESOURCE:
        options["units"] = list(product.units.filter(is_active=True).order_by("name", "pk"))
    if can_book:
        options["mine"] = list(queries.my_bookings(viewer).filter(product=product,
                                                                 state__in=HOLDING)[:10])
        options["waiting"] = list(queries.my_waiting_list(viewer).filter(
            occurrence__product=product))
        options["organisations"] = list(organisation_memberships_of(viewer))
        options["form"] = BookingForm(data, product=product, units=options["units"],
                                      organisations=options["organisations"])
        if data is not None:
            options["chosen_slot"] = data.get("slot", "")
            options["chosen_date"] = data.get("occurrence", "")
    return {"can_book": can_book, "booking_options": options}


def _when(booking: Booking) -> dict:
    """When a booking takes place, for the templates: a time span, a date range, or none."""
    if booking.occurrence_id:
        return {"starts": booking.occurrence.starts_at, "ends": booking.occurrence.ends_at}
    if booking.starts_at:
        return {"starts": booking.starts_at, "ends": booking.ends_at}
    if booking.start_date:
        return {"first": booking.start_date, "last": booking.end_date,
                "nights": (booking.end_date - booking.start_date).days}
    return {}


def _sort_key(booking: Booking):
    start = services.starts_at(booking)
    return (start is None, start or timezone.now(), booking.pk)


def _actor_names(events) -> dict:
    """Names of who made each change, in one query; a deleted account stays unnamed."""
    ids = {event.actor_id for event in events if event.actor_id}
    return {account.pk: _display_name(account) for account in
            Account.objects.filter(pk__in=ids).select_related("person")}


def _display_name(account) -> str:
    person = getattr(account, "person", None)
    return getattr(person, "display_name", "") or account.name or _("a member")


# --- booking a product -----------------------------------------------------------------------

def product_book(request, product_id):
    """The booking form on its own page (GET) and the booking itself (POST)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("product_book", args=[product_id]))
    try:
        product = _product(request.user, product_id)
    except NotFound as error:
        return _problem(request, error)
    data = request.POST if request.method == "POST" else None
    day = _day(request.GET.get("day"))
    if data is not None:
        day = _slot_day(data.get("slot")) or _day(data.get("day"))
    context = booking_context(request, product, data=data, day=day)
    options = context["booking_options"]
    status = 200
    if data is not None and not context["can_book"]:
        status = 403 if options["manages"] else 409
    elif data is not None:
        form = options["form"]
        status = 422
        if form.is_valid():
            try:
                result = services.book(actor=request.user, product_id=product.pk,
                                       request=request, **form.booking_fields())
            except BookingError as error:
                form.add_error(None, str(error))
                status = error.status
                options["full"] = isinstance(error, Full)
            else:
                return _booked(request, result)
    return render(request, "web/bookings/book.html",
                  {**context, "product": product, **SECTION}, status=status)


def _booked(request, result):
    if isinstance(result, WaitingListEntry):
        messages.success(request, _("You are on the waiting list. When a place comes free, "
                                    "we offer it to you by email."))
        return redirect("bookings")
    if result.state == State.CONFIRMED:
        messages.success(request, _("Booked: %(product)s. A confirmation is on its way by "
                                    "email.") % {"product": result.product.title})
    else:
        messages.success(request, _("Your request for %(product)s has been sent. The "
                                    "provider will answer.") % {"product": result.product.title})
    return redirect("booking", booking_id=result.pk)


def product_slots(request, product_id):
    """The free slots of another day (htmx swaps them into the booking form)."""
    try:
        product = _product(request.user, product_id)
    except NotFound as error:
        return _problem(request, error)
    if product.logistics != Logistics.APPOINTMENT:
        return _problem(request, NotFound(_("This product has no appointments.")))
    day = _day(request.GET.get("day"))
    context = {"booking_options": {"product": product, **slot_options(product, day)}}
    if day is None:
        context["slot_error"] = _("Choose a day as YYYY-MM-DD.")
    return render(request, "web/bookings/_slots.html", context,
                  status=400 if day is None else 200)


# --- my bookings ------------------------------------------------------------------------

def upcoming_of(account, limit: int = 5) -> list[dict]:
    """The account's coming bookings, soonest first, as rows for the templates."""
    if account is None or not account.is_authenticated:
        return []
    rows = sorted(queries.my_bookings(account, upcoming=True)[:UPCOMING_SHOWN], key=_sort_key)
    return [{"booking": b, "when": _when(b)} for b in rows[:limit]]


@login_required
def my_bookings(request):
    upcoming = upcoming_of(request.user, UPCOMING_SHOWN)
    past = list(queries.my_bookings(request.user, upcoming=False)[:PAST_SHOWN])
    waiting = list(queries.my_waiting_list(request.user).order_by("occurrence__starts_at",
                                                                  "pk"))
    return render(request, "web/bookings/list.html", {
        "upcoming": upcoming,
        "past": [{"booking": b, "when": _when(b)} for b in past],
        "waiting": waiting, **SECTION,
    })


@require_POST
@login_required
def leave_waiting_list(request, entry_id):
    try:
        services.leave_waiting_list(actor=request.user, entry_id=entry_id, request=request)
    except BookingError as error:
        return _problem(request, error)
    messages.success(request, _("You have left the waiting list."))
    return redirect("bookings")


# --- one booking ------------------------------------------------------------------------

def _booking_page(request, booking: Booking, *, error: str = "", status: int = 200,
                  review_form=None, cancel_form=None):
    viewer = request.user
    is_customer = booking.customer_id == viewer.pk
    events = list(booking.events.all())
    names = _actor_names(events)
    deadline = services.cancellation_deadline(booking)
    now = timezone.now()
    too_late = (booking.state == State.CONFIRMED and deadline is not None and now > deadline)
    try:
        invoice = booking.invoice
    except ObjectDoesNotExist:
        invoice = None
    try:
        review = booking.review
    except ObjectDoesNotExist:
        review = None
    nights = _when(booking).get("nights")
    subtotal = booking.total_cents + booking.discount_cents
    context = {
        "booking": booking, "product": booking.product, "when": _when(booking),
        "is_customer": is_customer, "is_provider": not is_customer,
        "events": [{"event": e, "who": pgettext("by whom", "you") if e.actor_id == viewer.pk
                    else names.get(e.actor_id, _("someone")) if e.actor_id
                    else _("the platform")} for e in events],
        "deadline": deadline, "too_late": too_late, "error": error,
        "can_cancel": is_customer and booking.state in HOLDING,
        "can_answer": is_customer and booking.state == State.PROPOSED,
        "can_review": is_customer and booking.state == State.COMPLETED and review is None,
        "review": review, "invoice": invoice, "nights": nights, "subtotal": subtotal,
        "priced": not (booking.product.logistics == Logistics.ON_REQUEST
                       and booking.state in (State.REQUESTED, State.PROPOSED)),
        "answers": list((booking.answers or {}).items()),
        "review_form": review_form or ReviewForm(),
        "cancel_form": cancel_form or CancelForm(),
        "has_calendar": bool(_when(booking)), **SECTION,
    }
    return render(request, "web/bookings/booking.html", context, status=status)


def _found(request, booking_id) -> Booking:
    return queries.booking_for(request.user, booking_id)


def booking(request, booking_id):
    try:
        found = _found(request, booking_id)
    except NotFound as error:
        return _problem(request, error)
    return _booking_page(request, found)


def _booking_action(service, success: str, form_class=None, form_name: str = ""):
    """A POST on one booking: the service's refusal re-renders the booking page."""

    def view(request, booking_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            found = _found(request, booking_id)
        except NotFound as error:
            return _problem(request, error)
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            return _booking_page(request, found, status=422, **{form_name: form})
        try:
            service(request, found, form.cleaned_data if form else request.POST)
        except BookingError as error:
            if error.status == 404:
                return _problem(request, error)
            return _booking_page(request, _found(request, booking_id), error=str(error),
                                 status=error.status, **({form_name: form} if form else {}))
        messages.success(request, success)
        return redirect("booking", booking_id=found.pk)

    return view


booking_cancel = _booking_action(
    lambda request, booking, data: services.cancel(
        actor=request.user, booking_id=booking.pk, reason=data["reason"], request=request),
    gettext_lazy("The booking is cancelled."), CancelForm, "cancel_form")

booking_proposal = _booking_action(
    lambda request, booking, data: services.answer_proposal(
        actor=request.user, booking_id=booking.pk, accept=data.get("answer") == "accept",
        request=request),
    gettext_lazy("Your answer has been sent to the provider."))

booking_review = _booking_action(
    lambda request, booking, data: services.review(
        actor=request.user, booking_id=booking.pk, rating=data["rating"],
        text=data["text"], request=request),
    gettext_lazy("Thank you for your review."), ReviewForm, "review_form")


def _calendar_response(bookings, filename: str) -> HttpResponse:
    response = HttpResponse(ics.calendar(bookings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def booking_ics(request, booking_id):
    try:
        found = _found(request, booking_id)
    except NotFound as error:
        return _problem(request, error)
    return _calendar_response([found], f"booking-{found.pk}.ics")


# --- invoices ---------------------------------------------------------------------------

def _invoice(request, booking_id):
    found = _found(request, booking_id)
    try:
        return found, found.invoice
    except ObjectDoesNotExist:
        raise NotFound(_("This booking has no invoice yet.")) from None


def booking_invoice(request, booking_id):
    try:
        found, invoice = _invoice(request, booking_id)
    except NotFound as error:
        return _problem(request, error)
    return render(request, "web/bookings/invoice.html", {
        "booking": found, "invoice": invoice, "receipt": invoice.paid_at is not None,
        "gross": invoice.unit_price_cents * invoice.quantity,
        "net": invoice.total_cents - invoice.vat_cents, **SECTION})


def booking_invoice_pdf(request, booking_id):
    try:
        _found_booking, invoice = _invoice(request, booking_id)
    except NotFound as error:
        return _problem(request, error)
    response = HttpResponse(invoices.render_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- calendars --------------------------------------------------------------------------

@login_required
def bookings_ics(request):
    return _calendar_response(queries.calendar_bookings(request.user), "bookings.ics")


def calendar_feed(request, token):
    """The private feed: the secret in the address is the only key (no session)."""
    account = queries.account_for_feed(token)
    if account is None:
        return HttpResponse(_("There is no such calendar."), status=404,
                            content_type="text/plain; charset=utf-8")
    response = _calendar_response(queries.calendar_bookings(account), "bookings.ics")
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def settings_calendar(request):
    try:
        has_feed = request.user.calendar_feed is not None
    except ObjectDoesNotExist:
        has_feed = False
    feed_url = ""
    if request.method == "POST":
        token = services.calendar_feed_token(actor=request.user, renew=has_feed,
                                             request=request)
        if token:
            feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
            has_feed = True
    return render(request, "web/bookings/settings_calendar.html", {
        "has_feed": has_feed, "feed_url": feed_url, "settings_page": True})


# --- the portfolio ---------------------------------------------------------------------

@login_required
def settings_portfolio(request):
    entries = list(queries.portfolio_of(request.user, include_hidden=True))
    return render(request, "web/bookings/settings_portfolio.html", {
        "entries": entries, "settings_page": True})


@require_POST
@login_required
def settings_portfolio_entry(request, entry_id):
    hidden = request.POST.get("hidden") == "1"
    try:
        entry = services.hide_portfolio_entry(actor=request.user, entry_id=entry_id,
                                              hidden=hidden, request=request)
    except BookingError as error:
        return _problem(request, error)
    messages.success(request, (_("“%(title)s” is hidden from your profile.") if entry.hidden
                               else _("“%(title)s” is shown on your profile."))
                     % {"title": entry.title})
    return redirect("settings_portfolio")
