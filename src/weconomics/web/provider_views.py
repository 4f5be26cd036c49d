"""Pages of providers: a product's logistics (dates, hours, units, vouchers), the provider's
dashboard, the attendees of a date and one booking with what the provider can do with it.

Everything here is for the people who manage the product (`catalogue.access.managed_by`);
everyone else gets 404, so nothing tells an outsider that a product or booking exists.
Reads go through `bookings.queries`; writes through `catalogue.services` and
`bookings.services`, whose refusals are shown on the page with their status.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weconomics.bookings import services as bookings
from weconomics.bookings.errors import BookingError, Invalid
from weconomics.bookings.errors import NotFound as BookingNotFound
from weconomics.bookings.models import Invoice, State
from weconomics.bookings.queries import (
    attendees,
    booking_for,
    provided_bookings,
    upcoming_appointments,
    upcoming_dates,
    vouchers_of,
    waiting_list,
)
from weconomics.catalogue import services as catalogue
from weconomics.catalogue.access import can_manage, managed_by
from weconomics.catalogue.errors import CatalogueError
from weconomics.catalogue.models import Occurrence, Product
from weconomics.web.forms_products import (
    AvailabilityForm,
    CapacityForm,
    MessageForm,
    OccurrenceForm,
    ProposalForm,
    ReasonForm,
    UnitForm,
    VoucherForm,
    cents,
)
from weconomics.web.product_views import NEXT_STEP, manage_context, managed

SECTION = {"nav_section": "provider"}
ON_DASHBOARD = 50
LOGISTICS_TAB = {
    Product.Logistics.SCHEDULED: "product_dates",
    Product.Logistics.APPOINTMENT: "product_availability",
    Product.Logistics.RESOURCE: "product_units",
}


def _logistics(request, product_id, logistics: str) -> Product:
    """A product the viewer manages, of the kind of logistics this page is for."""
    found = managed(request, product_id)
    if found.logistics != logistics:
        raise _WrongPage(found)
    return found


class _WrongPage(Exception):
    def __init__(self, product: Product):
        super().__init__(product.pk)
        self.product = product


def _to_own_page(view):
    """Send a product to the logistics page that fits how it is booked."""

    def wrapper(request, product_id, *args, **kwargs):
        try:
            return view(request, product_id, *args, **kwargs)
        except _WrongPage as wrong:
            return redirect(NEXT_STEP[wrong.product.logistics], product_id=wrong.product.pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- dates of a scheduled product ---------------------------------------------------------

def _dates_page(request, product: Product, *, form=None, error: str = "", status=200):
    dates = list(upcoming_dates(request.user, days=3650).filter(product_id=product.pk))
    return render(request, "web/products/dates.html", {
        "dates": dates, "form": form or OccurrenceForm(initial={"capacity": 10, "count": 1}),
        "error": error, **manage_context(product, "logistics")}, status=status)


@_to_own_page
def product_dates(request, product_id):
    found = _logistics(request, product_id, Product.Logistics.SCHEDULED)
    if request.method != "POST":
        return _dates_page(request, found)
    form = OccurrenceForm(request.POST)
    if not form.is_valid():
        return _dates_page(request, found, form=form, status=422)
    data = form.cleaned_data
    try:
        made = catalogue.add_occurrences(
            actor=request.user, product_id=found.pk, starts_at=data["starts_at"],
            ends_at=data["ends_at"], capacity=data["capacity"], venue=data["venue"],
            online_url=data["online_url"], min_participants=data["min_participants"],
            min_deadline=data["min_deadline"], repeat=data["repeat"] or "",
            count=data["count"] or 1, request=request)
    except CatalogueError as error:
        form.add_error(None, str(error))
        return _dates_page(request, found, form=form, status=error.status)
    messages.success(request, _("%(n)d date(s) added.") % {"n": len(made)})
    return redirect("product_dates", product_id=found.pk)


def _date_of(request, product_id, occurrence_id) -> tuple[Product, Occurrence]:
    found = managed(request, product_id)
    occurrence = found.occurrences.filter(pk=occurrence_id).first()
    if occurrence is None:
        raise Http404(_("There is no such date of yours."))
    return found, occurrence


@require_POST
def product_date_capacity(request, product_id, occurrence_id):
    found, occurrence = _date_of(request, product_id, occurrence_id)
    form = CapacityForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("The number of places must be a whole number from 1."))
        bookings.change_capacity(actor=request.user, occurrence_id=occurrence.pk,
                                 capacity=form.cleaned_data["capacity"], request=request)
    except BookingError as error:
        return _dates_page(request, found, error=str(error), status=error.status)
    messages.success(request, _("The number of places is changed."))
    return redirect("product_dates", product_id=found.pk)


@require_POST
def product_date_cancel(request, product_id, occurrence_id):
    found, occurrence = _date_of(request, product_id, occurrence_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("The reason may have at most 500 characters."))
        bookings.cancel_occurrence(actor=request.user, occurrence_id=occurrence.pk,
                                   reason=form.cleaned_data["reason"], request=request)
    except BookingError as error:
        return _dates_page(request, found, error=str(error), status=error.status)
    messages.success(request, _("The date is cancelled; everyone who booked it is told."))
    return redirect("product_dates", product_id=found.pk)


# --- weekly hours of an appointment product -----------------------------------------------

@_to_own_page
def product_availability(request, product_id):
    found = _logistics(request, product_id, Product.Logistics.APPOINTMENT)
    rules = list(found.availability.all())
    form = AvailabilityForm(request.POST or None, initial=AvailabilityForm.initial_for(rules))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = catalogue.set_availability(actor=request.user, product_id=found.pk,
                                                  rules=form.rules(), request=request)
            except CatalogueError as error:
                form.add_error(None, str(error))
                status = error.status
            else:
                messages.success(request, _("Your hours are saved: %(n)d period(s) a week.")
                                 % {"n": len(made)})
                return redirect("product_availability", product_id=found.pk)
        else:
            status = 422
    return render(request, "web/products/availability.html", {
        "form": form, "days": form.days(),
        **manage_context(found, "logistics")}, status=status)


# --- units of a product booked by date range ----------------------------------------------

def _units_page(request, product: Product, *, form=None, error: str = "", status=200):
    return render(request, "web/products/units.html", {
        "units": list(product.units.all()), "form": form or UnitForm(), "error": error,
        **manage_context(product, "logistics")}, status=status)


@_to_own_page
def product_units(request, product_id):
    found = _logistics(request, product_id, Product.Logistics.RESOURCE)
    if request.method != "POST":
        return _units_page(request, found)
    form = UnitForm(request.POST)
    if not form.is_valid():
        return _units_page(request, found, form=form, status=422)
    try:
        catalogue.add_unit(actor=request.user, product_id=found.pk,
                           name=form.cleaned_data["name"], request=request)
    except CatalogueError as error:
        form.add_error("name", str(error))
        return _units_page(request, found, form=form, status=error.status)
    messages.success(request, _("The unit is added."))
    return redirect("product_units", product_id=found.pk)


@require_POST
def product_unit_active(request, product_id, unit_id):
    found = managed(request, product_id)
    try:
        unit = catalogue.set_unit_active(actor=request.user, product_id=found.pk,
                                         unit_id=unit_id, active=request.POST.get("active")
                                         == "1", request=request)
    except CatalogueError as error:
        return _units_page(request, found, error=str(error), status=error.status)
    messages.success(request, _("%(name)s can be booked again.") % {"name": unit.name}
                     if unit.is_active else
                     _("%(name)s cannot be booked any more.") % {"name": unit.name})
    return redirect("product_units", product_id=found.pk)


# --- vouchers -----------------------------------------------------------------------------

def product_vouchers(request, product_id):
    found = managed(request, product_id)
    form = VoucherForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                voucher = bookings.create_voucher(actor=request.user, product_id=found.pk,
                                                  request=request, **form.for_service())
            except BookingError as error:
                form.add_error("code" if error.status == 409 else None, str(error))
                status = error.status
            else:
                messages.success(request, _("The voucher %(code)s is ready.")
                                 % {"code": voucher.code})
                return redirect("product_vouchers", product_id=found.pk)
        else:
            status = 422
    return render(request, "web/products/vouchers.html", {
        "form": form, "vouchers": list(vouchers_of(request.user, product_id=found.pk)),
        "now": timezone.now(), **manage_context(found, "vouchers")}, status=status)


# --- the provider's dashboard -------------------------------------------------------------

@login_required
def dashboard(request):
    viewer = request.user
    dates = list(upcoming_dates(viewer)[:ON_DASHBOARD])
    due = list(upcoming_dates(viewer, days=3650).filter(
        min_prompted_at__isnull=False, min_decision="",
        status=Occurrence.Status.SCHEDULED)[:ON_DASHBOARD])
    return render(request, "web/provider/dashboard.html", {
        "dates": dates, "decisions": due,
        "appointments": list(upcoming_appointments(viewer)[:ON_DASHBOARD]),
        "requests": list(provided_bookings(viewer).filter(state=State.REQUESTED)
                         .order_by("created_at", "pk")[:ON_DASHBOARD]),
        "proposals": list(provided_bookings(viewer, state=State.PROPOSED)[:ON_DASHBOARD]),
        "products": list(Product.objects.filter(managed_by(viewer))
                         .order_by("status", "-updated_at", "-pk")[:ON_DASHBOARD]),
        **SECTION})


# --- one date: attendees, waiting list, messages, the minimum -----------------------------

def _attendees_of(request, occurrence_id):
    try:
        return attendees(request.user, occurrence_id)
    except BookingNotFound as error:
        raise Http404(str(error)) from None


def _date_page(request, occurrence_id, *, error: str = "", message_form=None, status=200):
    occurrence, booked = _attendees_of(request, occurrence_id)
    booked = list(booked)
    return render(request, "web/provider/date.html", {
        "occurrence": occurrence, "product": occurrence.product, "bookings": booked,
        "taken": occurrence.taken, "left": occurrence.left,
        "waiting": list(waiting_list(occurrence)), "error": error,
        "message_form": message_form or MessageForm(),
        "confirmed": sum(1 for b in booked if b.state == State.CONFIRMED),
        "decision_due": (occurrence.min_prompted_at is not None
                         and occurrence.min_decision == ""
                         and occurrence.status == Occurrence.Status.SCHEDULED),
        "started": occurrence.starts_at <= timezone.now(), **SECTION}, status=status)


def provider_date(request, occurrence_id):
    return _date_page(request, occurrence_id)


@require_POST
def provider_date_message(request, occurrence_id):
    _attendees_of(request, occurrence_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _date_page(request, occurrence_id, message_form=form, status=422)
    try:
        sent = bookings.message_attendees(actor=request.user, occurrence_id=occurrence_id,
                                          subject=form.cleaned_data["subject"],
                                          text=form.cleaned_data["text"], request=request)
    except BookingError as error:
        form.add_error(None, str(error))
        return _date_page(request, occurrence_id, message_form=form, status=error.status)
    messages.success(request, _("Your message is on its way to %(n)d attendee(s).")
                     % {"n": sent})
    return redirect("provider_date", occurrence_id=occurrence_id)


@require_POST
def provider_date_minimum(request, occurrence_id):
    _attendees_of(request, occurrence_id)
    form = ReasonForm(request.POST)
    go = request.POST.get("decision") == "go"
    try:
        if not form.is_valid() or request.POST.get("decision") not in ("go", "cancel"):
            raise Invalid(_("Choose to go ahead or to cancel the date."))
        bookings.decide_minimum(actor=request.user, occurrence_id=occurrence_id, go_ahead=go,
                                reason=form.cleaned_data["reason"], request=request)
    except BookingError as error:
        return _date_page(request, occurrence_id, error=str(error), status=error.status)
    messages.success(request, _("The date goes ahead; everyone who booked it is told.") if go
                     else _("The date is cancelled; everyone who booked it is told."))
    return redirect("provider_date", occurrence_id=occurrence_id)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a quote."""
    text = str(value if value is not None else "")
    return "'" + text if text.startswith(FORMULA_START) else text


def provider_attendees_csv(request, occurrence_id):
    occurrence, booked = _attendees_of(request, occurrence_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attendees-{occurrence.pk}-'
        f'{timezone.localtime(occurrence.starts_at):%Y-%m-%d}.csv"')
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Organisation"), _("Places"), _("State"), _("Checked in"),
                     _("Answers")])
    for booking in booked:
        answers = "; ".join(f"{q}: {a}" for q, a in (booking.answers or {}).items())
        writer.writerow([_cell(v) for v in (
            booking.customer_name, booking.organisation.name if booking.organisation else "",
            booking.quantity, booking.get_state_display(),
            timezone.localtime(booking.checked_in_at).strftime("%Y-%m-%d %H:%M")
            if booking.checked_in_at else "", answers)])
    return response


# --- one booking --------------------------------------------------------------------------

def _provided(request, booking_id):
    """A booking of a product the viewer manages; 404 for its customer and everyone else."""
    try:
        booking = booking_for(request.user, booking_id)
    except BookingNotFound as error:
        raise Http404(str(error)) from None
    if not can_manage(request.user, booking.product):
        raise Http404(_("There is no such booking."))
    return booking


def _booking_page(request, booking_id, *, error: str = "", proposal_form=None, status=200):
    booking = _provided(request, booking_id)
    invoice = Invoice.objects.filter(booking=booking).first()
    events = [{"event": e, "who": _("the customer") if e.actor_id == booking.customer_id
               and e.actor_id else _("the system") if e.actor_id is None else _("the provider")}
              for e in booking.events.all()]
    start = bookings.starts_at(booking)
    return render(request, "web/provider/booking.html", {
        "booking": booking, "product": booking.product, "events": events, "invoice": invoice,
        "error": error, "starts": start, "started": start is None or start <= timezone.now(),
        "proposal_form": proposal_form or ProposalForm(),
        "on_request": booking.product.logistics == Product.Logistics.ON_REQUEST,
        "payable": booking.total_cents > 0 and booking.state in (
            State.CONFIRMED, State.COMPLETED, State.NO_SHOW),
        **SECTION}, status=status)


def provider_booking(request, booking_id):
    return _booking_page(request, booking_id)


def _do(request, booking, action: str):
    """Run one provider action on a booking; returns a success message."""
    actor, pk = request.user, booking.pk
    reason = str(request.POST.get("reason", ""))
    if action == "approve":
        bookings.decide(actor=actor, booking_id=pk, approve=True, reason=reason,
                        request=request)
        return _("The booking is confirmed; the customer is told.")
    if action == "decline":
        bookings.decide(actor=actor, booking_id=pk, approve=False, reason=reason,
                        request=request)
        return _("The booking is declined; the customer is told.")
    if action == "cancel":
        bookings.cancel(actor=actor, booking_id=pk, reason=reason, request=request)
        return _("The booking is cancelled; the customer is told.")
    if action == "check_in":
        bookings.check_in(actor=actor, booking_id=pk, request=request)
        return _("%(name)s is checked in.") % {"name": booking.customer_name}
    if action == "complete":
        bookings.complete(actor=actor, booking_id=pk, request=request)
        return _("The booking is completed.")
    if action == "no_show":
        bookings.complete(actor=actor, booking_id=pk, no_show=True, request=request)
        return _("The booking is marked as a no-show.")
    if action == "invoice":
        invoice = bookings.issue_invoice(actor=actor, booking_id=pk, request=request)
        return _("Invoice %(number)s is issued.") % {"number": invoice.number}
    if action == "paid":
        invoice = bookings.mark_paid(actor=actor, booking_id=pk, request=request)
        return _("Marked paid; invoice %(number)s is now a receipt.") % {
            "number": invoice.number}
    raise Http404(_("There is no such action."))


ACTIONS = {"approve", "decline", "cancel", "check_in", "complete", "no_show", "invoice",
           "paid"}


@require_POST
def provider_booking_action(request, booking_id, action):
    if action not in ACTIONS:
        raise Http404(_("There is no such action."))
    booking = _provided(request, booking_id)
    back_to_date = request.POST.get("back") == "date" and booking.occurrence_id
    try:
        if len(request.POST.get("reason", "")) > 500:
            raise Invalid(_("The reason may have at most 500 characters."))
        done = _do(request, booking, action)
    except BookingError as error:
        if request.htmx and back_to_date:
            # The row shows why; htmx swaps only successful answers, so this one is 200.
            return render(request, "web/provider/_attendee_row.html", {
                "booking": booking, "row_error": str(error),
                "started": booking.occurrence.starts_at <= timezone.now()})
        if back_to_date:
            return _date_page(request, booking.occurrence_id, error=str(error),
                              status=error.status)
        return _booking_page(request, booking.pk, error=str(error), status=error.status)
    if request.htmx and back_to_date:
        booking = _provided(request, booking.pk)
        return render(request, "web/provider/_attendee_row.html", {
            "booking": booking, "row_done": done,
            "started": booking.occurrence.starts_at <= timezone.now()})
    messages.success(request, done)
    if back_to_date:
        return redirect("provider_date", occurrence_id=booking.occurrence_id)
    return redirect("provider_booking", booking_id=booking.pk)


@require_POST
def provider_booking_propose(request, booking_id):
    booking = _provided(request, booking_id)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _booking_page(request, booking.pk, proposal_form=form, status=422)
    data = form.cleaned_data
    try:
        bookings.propose(actor=request.user, booking_id=booking.pk,
                         starts_at_value=data["starts_at"], ends_at_value=data["ends_at"],
                         price_cents=cents(data["price"]), message=data["message"],
                         request=request)
    except BookingError as error:
        form.add_error(None, str(error))
        return _booking_page(request, booking.pk, proposal_form=form, status=error.status)
    messages.success(request, _("Your proposal is sent; the customer accepts or declines it."))
    return redirect("provider_booking", booking_id=booking.pk)
