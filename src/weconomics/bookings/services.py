"""Writes of bookings: book, the life cycle, the waiting list, minimums, and commerce.

Every write takes the acting account as `actor`, owns its transaction, appends a
BookingEvent for every change of state, writes its audit record, and sends mail only after
commit (through background tasks). Capacity follows `bookings.locking`: lock the row made
less available, count what is taken from the bookings after the lock, refuse clearly.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.bookings import locking
from weconomics.bookings.errors import (
    Conflict,
    Full,
    Invalid,
    KeyReused,
    NotAllowed,
    NotFound,
    TooLate,
    Unavailable,
)
from weconomics.bookings.models import (
    HOLDING,
    Booking,
    BookingEvent,
    Invoice,
    InvoiceCounter,
    PortfolioEntry,
    Review,
    State,
    Voucher,
    WaitingListEntry,
)
from weconomics.bookings.queries import coming_dates, places_left, still_to_come
from weconomics.catalogue.access import can_manage, managed_by, product_for
from weconomics.catalogue.errors import NotFound as ProductNotFound
from weconomics.catalogue.models import Occurrence, Product, ResourceUnit
from weconomics.contacts.access import display_name
from weconomics.identity.models import Account, clean_display_text
from weconomics.notifications.services import notify

# Which states a booking may move to from each state.
ALLOWED = {
    State.REQUESTED: {State.CONFIRMED, State.DECLINED, State.CANCELLED, State.PROPOSED},
    State.PROPOSED: {State.CONFIRMED, State.CANCELLED, State.DECLINED},
    State.CONFIRMED: {State.COMPLETED, State.CANCELLED, State.NO_SHOW},
    State.COMPLETED: set(),
    State.CANCELLED: set(),
    State.DECLINED: set(),
    State.NO_SHOW: set(),
}
OFFER_HOURS = 24
MAX_NIGHTS = 366
PORTFOLIO_KINDS = {Product.Kind.COURSE, Product.Kind.TRAINING, Product.Kind.ASSESSMENT,
                   Product.Kind.WORKSHOP, Product.Kind.EPORTFOLIO_REVIEW}


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _name(account) -> str:
    return display_name(account, fallback=account.email.split("@")[0])


def _after_commit(booking_id: int, kind: str) -> None:
    from weconomics.bookings.tasks import enqueue_on_commit, send_booking_mail

    enqueue_on_commit(send_booking_mail, booking_id=booking_id, kind=kind)


def _event(booking: Booking, to_state: str, *, actor, from_state: str = "", reason: str = "",
           data: dict | None = None, request=None) -> BookingEvent:
    event = BookingEvent.objects.create(booking=booking, actor=actor, from_state=from_state,
                                        to_state=to_state, reason=reason[:500],
                                        data=data or {})
    record(f"bookings.{to_state}" if from_state != to_state else "bookings.changed",
           actor=actor, target=booking, request=request,
           data={"from": from_state, "to": to_state, "reason": reason[:200], **(data or {})})
    return event


def _transition(booking: Booking, to_state: str, *, actor, reason: str = "",
                data: dict | None = None, request=None) -> Booking:
    before = booking.state
    if to_state not in ALLOWED[before]:
        raise Conflict(_("A booking that is %(state)s cannot become %(to)s.")
                       % {"state": State(before).label.lower(),
                          "to": State(to_state).label.lower()})
    booking.state = to_state
    booking.save(update_fields=["state", "updated_at"])
    _event(booking, to_state, actor=actor, from_state=before, reason=reason, data=data,
           request=request)
    return booking


def derived_state(booking: Booking) -> str:
    """The state as its events tell it: the last event's destination."""
    # Insertion order: events are appended one after another, whatever their clocks say.
    last = booking.events.order_by("-pk").first()
    return last.to_state if last else ""


# --- booking -----------------------------------------------------------------------------

def _answers(product: Product, answers) -> dict:
    answers = answers or {}
    if not isinstance(answers, dict):
        raise Invalid(_("Answer the questions as a list of question and answer."))
    cleaned = {}
    for question in product.questions:
        answer = str(answers.get(question, "") or "").replace("\x00", "").strip()
        if not answer:
            raise Invalid(_("Answer the question: %(question)s") % {"question": question})
        if len(answer) > 1000:
            raise Invalid(_("An answer may have at most 1000 characters."))
        cleaned[question] = answer
    return cleaned


def _quantity(product: Product, quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise Invalid(_("The number of places must be a whole number.")) from None
    if quantity < 1:
        raise Invalid(_("Book at least one place."))
    if quantity > product.max_quantity:
        raise Invalid(_("Book at most %(n)d places at once.") % {"n": product.max_quantity})
    return quantity


def places_taken(occurrence: Occurrence) -> int:
    return (Booking.objects.filter(occurrence=occurrence, state__in=HOLDING)
            .aggregate(n=Sum("quantity"))["n"] or 0)


def _price(product: Product, quantity: int, nights: int | None) -> int:
    units = quantity * (nights or 1)
    return product.price_cents * units


def _discount(voucher: Voucher | None, subtotal: int) -> int:
    if voucher is None:
        return 0
    if voucher.kind == Voucher.Kind.FIXED:
        return min(voucher.amount, subtotal)
    value = (Decimal(subtotal) * voucher.amount / 100).quantize(Decimal("1"), ROUND_HALF_UP)
    return min(int(value), subtotal)


def _vouchers(code: str):
    """The voucher a code names, to lock with what the booking takes; None without a code."""
    code = str(code or "").strip()
    return Voucher.objects.filter(code__iexact=code) if code else None


def _voucher(code: str, found: list, product: Product, now) -> Voucher | None:
    """Check the locked voucher; its uses are counted from its bookings after the lock."""
    if not str(code or "").strip():
        return None
    voucher = found[0] if found else None
    if voucher is None or not voucher.is_active:
        raise Invalid(_("There is no voucher with this code."))
    if voucher.valid_until is not None and voucher.valid_until <= now:
        raise Invalid(_("This voucher has expired."))
    if voucher.product_id is not None and voucher.product_id != product.pk:
        raise Invalid(_("This voucher is for another product."))
    if voucher.product_id is None and not (voucher.provider_id == product.provider_id
                                           or can_manage(voucher.provider, product)):
        # A voucher for all of its maker's products: their own and those of the
        # organisations they administer (whoever of its administrators offered them).
        raise Invalid(_("This voucher is for another provider's products."))
    used = Booking.objects.filter(voucher=voucher).exclude(
        state__in=[State.CANCELLED, State.DECLINED]).count()
    if used >= voucher.max_uses:
        raise Invalid(_("This voucher has been used up."))
    return voucher


def book(*, actor, product_id, occurrence_id=None, slot_start=None, unit_id=None,
         start_date=None, end_date=None, quantity=1, answers=None, voucher_code: str = "",
         organisation: str | None = None, message: str = "", idempotency_key: str = "",
         waitlist: bool = False, request=None):
    """Book a place, a slot, a date range or ask for a proposal.

    Returns the Booking, or a WaitingListEntry when the date is full and waitlist=True.
    A repeated call with the same idempotency_key returns the first booking, unchanged.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    key = str(idempotency_key or "").strip()[:100]
    if key:
        earlier = _earlier(actor, key)
        if earlier is not None:
            return _replayed(earlier, product_id)
    try:
        product = product_for(actor, product_id, with_provider=False)
    except ProductNotFound as error:
        raise NotFound(str(error)) from None
    if product.status != Product.Status.PUBLISHED:
        raise Invalid(_("This product cannot be booked now."))
    if can_manage(actor, product):
        raise NotAllowed(_("You cannot book your own product."))
    quantity = _quantity(product, quantity)
    cleaned_answers = _answers(product, answers)
    message = str(message or "").replace("\x00", "").strip()
    if len(message) > 2000:
        raise Invalid(_("The message may have at most 2000 characters."))
    for_organisation = _organisation(actor, organisation)
    # Read before the transaction: nothing but the booking's own work waits on the lock (the
    # profile read here also names the customer in the provider's notification).
    customer_name = _name(actor)[:200]
    try:
        with locking.atomic():
            return _book(actor, product, occurrence_id=occurrence_id, slot_start=slot_start,
                         unit_id=unit_id, start_date=start_date, end_date=end_date,
                         quantity=quantity, answers=cleaned_answers, voucher_code=voucher_code,
                         organisation=for_organisation, message=message, key=key,
                         waitlist=waitlist, customer_name=customer_name, request=request)
    except IntegrityError:
        if key:
            earlier = _earlier(actor, key)
            if earlier is not None:
                return _replayed(earlier, product_id)
        raise Conflict(_("This booking could not be made. Try again.")) from None


def _earlier(actor, key: str) -> Booking | None:
    """The actor's booking under this idempotency key, if any (the key is unique per
    customer, so no order is needed)."""
    found = Booking.objects.filter(customer=actor, idempotency_key=key).values_list(
        "pk", flat=True)[:1]
    return Booking.objects.get(pk=found[0]) if found else None


def _replayed(booking: Booking, product_id) -> Booking:
    """The booking made earlier under a repeated idempotency key, marked as such (the API
    answers 200, not 201); a key used for another product is refused."""
    if str(booking.product_id) != str(product_id):
        raise KeyReused(_("This idempotency key was used for another booking."))
    booking.replayed = True
    return booking


def _organisation(actor, slug):
    if not slug:
        return None
    from weconomics.contacts.models import Organisation, OrganisationMembership

    found = Organisation.objects.filter(slug=str(slug)).first()
    if found is None or not OrganisationMembership.objects.filter(
            organisation=found, account=actor).exists():
        raise NotAllowed(_("You can book only for organisations you belong to."))
    return found


def _book(actor, product, *, occurrence_id, slot_start, unit_id, start_date, end_date,
          quantity, answers, voucher_code, organisation, message, key, waitlist, customer_name,
          request):
    now = timezone.now()
    logistics = product.logistics
    fields: dict = {}
    nights = None
    # Everything the booking makes less available is locked in one call (the date, the
    # provider's calendar or the units, and the voucher): see bookings.locking.
    vouchers = _vouchers(voucher_code)
    if logistics == Product.Logistics.SCHEDULED:
        occurrence, found_vouchers = _lock_occurrence(product, occurrence_id, vouchers, now)
        found = _after_lock(occurrence, actor, key)
        if found["earlier"] is not None:
            # A retry that waited for the lock finds the booking its first attempt made.
            return _replayed(Booking.objects.get(pk=found["earlier"]), product.pk)
        if found["duplicate"]:
            raise Conflict(_("You have booked this date already."))
        held, has_offer = (_open_offers(occurrence, now, actor) if found["offers"]
                           else (0, False))
        # queries.with_places's rule, counted under the lock.
        free = max(0, occurrence.capacity - found["taken"] - held)
        if quantity > free:
            if not waitlist:
                raise Full(_("This date is full. You can join its waiting list."))
            return _join_waiting_list(actor, occurrence, quantity, request=request)
        fields["occurrence"] = occurrence
    elif logistics == Product.Logistics.APPOINTMENT:
        start, end, found_vouchers = _check_slot(product, slot_start, vouchers, now)
        fields.update(starts_at=start, ends_at=end)
    elif logistics == Product.Logistics.RESOURCE:
        unit, first, last, found_vouchers = _lock_unit(product, unit_id, start_date, end_date,
                                                       vouchers, now)
        fields.update(unit=unit, start_date=first, end_date=last)
        nights = (last - first).days
    else:
        [found_vouchers] = locking.lock_objects(vouchers)
    if key and logistics != Product.Logistics.SCHEDULED:
        # A retry that waited for the lock finds the booking its first attempt made.
        earlier = _earlier(actor, key)
        if earlier is not None:
            return _replayed(earlier, product.pk)
    voucher = _voucher(voucher_code, found_vouchers, product, now)
    subtotal = 0 if logistics == Product.Logistics.ON_REQUEST else _price(product, quantity,
                                                                           nights)
    discount = _discount(voucher, subtotal)
    waits = logistics == Product.Logistics.ON_REQUEST or product.requires_approval
    booking = Booking.objects.create(
        product=product, customer=actor, customer_name=customer_name,
        customer_email=actor.email, organisation=organisation, provider_id=product.provider_id,
        quantity=quantity, answers=answers, message=message,
        state=State.REQUESTED if waits else State.CONFIRMED,
        unit_price_cents=product.price_cents, vat_rate=product.vat_rate,
        discount_cents=discount, total_cents=subtotal - discount, voucher=voucher,
        idempotency_key=key, **fields)
    _event(booking, booking.state, actor=actor, request=request,
           data={"quantity": quantity, "total_cents": booking.total_cents,
                 **({"voucher": voucher.code} if voucher else {})})
    if logistics == Product.Logistics.SCHEDULED and has_offer:
        WaitingListEntry.objects.filter(occurrence=booking.occurrence, customer=actor,
                                        status=WaitingListEntry.Status.OFFERED).update(
            status=WaitingListEntry.Status.BOOKED, booking=booking)
    if product.provider_id is not None:
        notify(product.provider_id, "bookings.new", actor=actor, product=product.title,
               url=f"/provider/bookings/{booking.pk}/")
    _after_commit(booking.pk, "created")
    return booking


def _after_lock(occurrence: Occurrence, actor, key: str) -> dict:
    """What the booking path counts once the date is locked, in one query: the places
    bookings hold, whether waiting-list offers are open, whether the actor holds a place
    already, and the actor's earlier booking under this idempotency key.

    Written as SQL: this runs on every booking, and building its four subqueries through
    the ORM cost more CPU than the database spends answering them (bench/bookings.py).
    """
    bookings = connection.ops.quote_name(Booking._meta.db_table)
    offers = connection.ops.quote_name(WaitingListEntry._meta.db_table)
    holding = ", ".join(["%s"] * len(HOLDING))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the models' own table names are interpolated; every value is bound.
            f"SELECT (SELECT COALESCE(SUM(quantity), 0) FROM {bookings}"  # noqa: S608
            f"         WHERE occurrence_id = %s AND state IN ({holding})),"
            f"       EXISTS(SELECT 1 FROM {offers} WHERE occurrence_id = %s AND status = %s),"
            f"       EXISTS(SELECT 1 FROM {bookings} WHERE occurrence_id = %s"
            f"              AND customer_id = %s AND state IN ({holding})),"
            f"       (SELECT id FROM {bookings} WHERE customer_id = %s"
            f"         AND idempotency_key = %s AND idempotency_key <> '')",
            [occurrence.pk, *HOLDING, occurrence.pk, WaitingListEntry.Status.OFFERED,
             occurrence.pk, actor.pk, *HOLDING, actor.pk, key])
        taken, offered, duplicate, earlier = cursor.fetchone()
    return {"taken": int(taken), "offers": bool(offered), "duplicate": bool(duplicate),
            "earlier": earlier}


def _lock_occurrence(product: Product, occurrence_id, vouchers, now):
    """Lock the date with the voucher; return the date and what the voucher's code found."""
    try:
        occurrence_id = int(occurrence_id)
    except (TypeError, ValueError):
        raise Invalid(_("Choose a date.")) from None
    dates, found_vouchers = locking.lock_objects(
        Occurrence.objects.filter(pk=occurrence_id, product=product), vouchers)
    if not dates:
        raise NotFound(_("There is no such date for this product."))
    occurrence = dates[0]
    if occurrence.status == Occurrence.Status.CANCELLED:
        raise Invalid(_("This date has been cancelled."))
    if occurrence.starts_at <= now:
        raise Invalid(_("This date has passed."))
    return occurrence, found_vouchers


def _aware(value, what: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise Invalid(_("%(what)s is not a date and time.") % {"what": what}) from None
    if not isinstance(value, dt.datetime):
        raise Invalid(_("Choose %(what)s.") % {"what": what})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, _local_zone())
    return value


def _check_slot(product: Product, slot_start, vouchers, now):
    """Check the slot against the availability and rules; lock the provider's calendar
    with the voucher. Returns the start, the end and what the voucher's code found."""
    start = _aware(slot_start, _("a time"))
    end = start + dt.timedelta(minutes=product.slot_minutes)
    if start < now + dt.timedelta(hours=product.min_notice_hours):
        raise Unavailable(_("Book at least %(hours)d hours ahead.")
                          % {"hours": product.min_notice_hours})
    if start > now + dt.timedelta(days=product.window_days):
        raise Unavailable(_("Book at most %(days)d days ahead.") % {"days": product.window_days})
    # The provider's time is what becomes less available: lock their account row, so two
    # bookings of any of their appointment products cannot take the same time. A change of
    # the hours takes the same lock (catalogue.set_availability), so they are read after it.
    _calendar, found_vouchers = locking.lock_objects(
        Account.objects.filter(pk=product.provider_id), vouchers)
    if not _inside_availability(product, start, end):
        raise Unavailable(_("The provider is not available at that time."))
    buffer = dt.timedelta(minutes=product.buffer_minutes)
    if Booking.objects.filter(provider_id=product.provider_id, state__in=HOLDING,
                              starts_at__lt=end + buffer, ends_at__gt=start - buffer).exists():
        raise Unavailable(_("This time has just been taken. Choose another."))
    return start, end, found_vouchers


def _inside_availability(product: Product, start: dt.datetime, end: dt.datetime) -> bool:
    local_start = start.astimezone(_local_zone())
    local_end = end.astimezone(_local_zone())
    if local_start.date() != local_end.date() and local_end.time() != dt.time(0):
        return False
    for rule in product.availability.filter(weekday=local_start.weekday()):
        fits = rule.start_time <= local_start.time() and (
            local_end.time() <= rule.end_time
            or (local_end.time() == dt.time(0) and rule.end_time == dt.time(23, 59)))
        if fits and _on_grid(rule.start_time, local_start.time(), product):
            return True
    return False


def _on_grid(first: dt.time, start: dt.time, product: Product) -> bool:
    step = product.slot_minutes + product.buffer_minutes
    minutes = (start.hour * 60 + start.minute) - (first.hour * 60 + first.minute)
    return start.second == 0 and minutes % step == 0


def free_slots(product: Product, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots of one local day that can still be booked."""
    zone = _local_zone()
    now = timezone.now()
    step = dt.timedelta(minutes=product.slot_minutes + product.buffer_minutes)
    length = dt.timedelta(minutes=product.slot_minutes)
    buffer = dt.timedelta(minutes=product.buffer_minutes)
    day_start = dt.datetime.combine(day, dt.time(0), zone)
    taken = list(Booking.objects.filter(
        provider_id=product.provider_id, state__in=HOLDING,
        starts_at__lt=day_start + dt.timedelta(days=1, hours=1),
        ends_at__gt=day_start - dt.timedelta(hours=1)).values_list("starts_at", "ends_at"))
    slots = []
    for rule in product.availability.filter(weekday=day.weekday()):
        start = dt.datetime.combine(day, rule.start_time, zone)
        last = dt.datetime.combine(day, rule.end_time, zone)
        while start + length <= last:
            end = start + length
            ok = (start >= now + dt.timedelta(hours=product.min_notice_hours)
                  and start <= now + dt.timedelta(days=product.window_days)
                  and not any(s < end + buffer and e > start - buffer for s, e in taken))
            if ok:
                slots.append((start, end))
            start += step
    return slots


def _date(value, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(_("%(what)s is not a date.") % {"what": what}) from None


def _lock_unit(product: Product, unit_id, start_date, end_date, vouchers, now):
    """Lock the unit asked for, or every unit of the product when none is, with the voucher;
    return the first free one (in the units' order), the dates and what the code found."""
    first, last = _date(start_date, _("The arrival")), _date(end_date, _("The departure"))
    today = now.astimezone(_local_zone()).date()
    if first < today:
        raise Invalid(_("The dates lie in the past."))
    if last <= first:
        raise Invalid(_("The departure must come after the arrival."))
    if (last - first).days > MAX_NIGHTS:
        raise Invalid(_("Book at most %(n)d days at once.") % {"n": MAX_NIGHTS})
    units = ResourceUnit.objects.filter(product=product, is_active=True).order_by("pk")
    if unit_id not in (None, ""):
        try:
            units = units.filter(pk=int(unit_id))
        except (TypeError, ValueError):
            raise Invalid(_("Choose a unit.")) from None
    locked, found_vouchers = locking.lock_objects(units, vouchers)
    if not locked:
        raise NotFound(_("There is no such unit."))
    taken = set(Booking.objects.filter(
        unit__in=[unit.pk for unit in locked], state__in=HOLDING, start_date__lt=last,
        end_date__gt=first).values_list("unit_id", flat=True))
    for unit in locked:
        if unit.pk not in taken:
            return unit, first, last, found_vouchers
    raise Unavailable(_("Nothing is free for these dates."))


# --- the waiting list -------------------------------------------------------------------------

def _join_waiting_list(actor, occurrence: Occurrence, quantity: int,
                       request=None) -> WaitingListEntry:
    if WaitingListEntry.objects.filter(occurrence=occurrence, customer=actor, status__in=[
            WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]).exists():
        raise Conflict(_("You are on the waiting list for this date already."))
    entry = WaitingListEntry.objects.create(occurrence=occurrence, customer=actor,
                                            quantity=quantity)
    record("bookings.waiting_list_joined", actor=actor, target=occurrence, request=request,
           data={"entry": entry.pk, "quantity": quantity})
    return entry


def leave_waiting_list(*, actor, entry_id: int, request=None) -> None:
    with locking.atomic():
        entry = WaitingListEntry.objects.filter(pk=entry_id, customer=actor, status__in=[
            WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]).first()
        if entry is None:
            raise NotFound(_("You are not on that waiting list."))
        occurrence = locking.lock_one(Occurrence.objects.filter(pk=entry.occurrence_id))
        was_offered = entry.status == WaitingListEntry.Status.OFFERED
        entry.status = WaitingListEntry.Status.LEFT
        entry.save(update_fields=["status"])
        record("bookings.waiting_list_left", actor=actor, target=occurrence, request=request,
               data={"entry": entry.pk})
        if was_offered:
            _offer_free_places(occurrence, timezone.now())


def _open_offers(occurrence: Occurrence, now, actor) -> tuple[int, bool]:
    """Places held by others' open offers, and whether the actor holds one; one query on
    the booking path, and a write only when an offer has just expired."""
    offers = list(WaitingListEntry.objects.filter(
        occurrence=occurrence, status=WaitingListEntry.Status.OFFERED).values_list(
        "pk", "customer_id", "quantity", "offered_until"))
    expired = [pk for pk, _customer, _quantity, until in offers if until <= now]
    if expired:
        WaitingListEntry.objects.filter(pk__in=expired).update(
            status=WaitingListEntry.Status.EXPIRED)
    held = sum(quantity for _pk, customer, quantity, until in offers
               if until > now and customer != actor.pk)
    mine = any(customer == actor.pk and until > now for _pk, customer, _q, until in offers)
    return held, mine


def _expire_offers(occurrence: Occurrence, now) -> None:
    WaitingListEntry.objects.filter(occurrence=occurrence,
                                    status=WaitingListEntry.Status.OFFERED,
                                    offered_until__lte=now).update(
        status=WaitingListEntry.Status.EXPIRED)


def _offer_free_places(occurrence: Occurrence, now) -> None:
    """Offer freed places to the first in line, for OFFER_HOURS; call with the date locked."""
    _expire_offers(occurrence, now)
    if occurrence.status != Occurrence.Status.SCHEDULED or occurrence.starts_at <= now:
        return
    free = places_left(occurrence, now=now)
    for entry in WaitingListEntry.objects.filter(
            occurrence=occurrence, status=WaitingListEntry.Status.WAITING).select_related(
            "customer").order_by("created_at", "pk"):
        if free <= 0:
            break
        if entry.quantity > free:
            continue
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offered_until = min(now + dt.timedelta(hours=OFFER_HOURS), occurrence.starts_at)
        entry.save(update_fields=["status", "offered_until"])
        free -= entry.quantity
        record("bookings.place_offered", target=occurrence,
               data={"entry": entry.pk, "customer": entry.customer_id,
                     "until": entry.offered_until.isoformat()})
        notify(entry.customer, "bookings.place_offered", product=occurrence.product.title,
               url=f"/products/{occurrence.product_id}/")
        from weconomics.bookings.tasks import enqueue_on_commit, send_offer_mail

        enqueue_on_commit(send_offer_mail, entry_id=entry.pk)


def expire_waiting_list_offers(*, now: dt.datetime | None = None) -> int:
    """Pass expired offers on to the next in line (run periodically by the worker)."""
    now = now or timezone.now()
    occurrence_ids = set(WaitingListEntry.objects.filter(
        status=WaitingListEntry.Status.OFFERED, offered_until__lte=now).values_list(
        "occurrence_id", flat=True))
    for occurrence_id in sorted(occurrence_ids):
        with locking.atomic(durable=False):
            occurrence = locking.lock_one(Occurrence.objects.filter(pk=occurrence_id))
            _offer_free_places(occurrence, now)
    return len(occurrence_ids)


# --- the life cycle ---------------------------------------------------------------------------

def _booking_for(actor, booking_id, *, as_provider: bool | None = None) -> Booking:
    """The booking, locked, when the actor is its customer or manages its product."""
    booking = Booking.objects.filter(pk=booking_id).select_related("product").first()
    if booking is None:
        raise NotFound(_("There is no such booking."))
    provider = can_manage(actor, booking.product)
    customer = booking.customer_id == getattr(actor, "pk", None)
    if (as_provider is True and not provider) or (as_provider is False and not customer) or (
            not provider and not customer):
        raise NotFound(_("There is no such booking."))
    # Its date (which every change of a booking on it locks first) and the booking itself.
    _date, [locked] = locking.lock_objects(
        Occurrence.objects.filter(pk=booking.occurrence_id) if booking.occurrence_id else None,
        Booking.objects.select_related("product", "occurrence").filter(pk=booking.pk))
    return locked


def starts_at(booking: Booking) -> dt.datetime | None:
    if booking.occurrence_id:
        return booking.occurrence.starts_at
    if booking.starts_at:
        return booking.starts_at
    if booking.start_date:
        return dt.datetime.combine(booking.start_date, dt.time(0), _local_zone())
    return None


def cancellation_deadline(booking: Booking) -> dt.datetime | None:
    start = starts_at(booking)
    if start is None:
        return None
    return start - dt.timedelta(hours=booking.product.cancel_hours_before)


def cancel(*, actor, booking_id: int, reason: str = "", request=None) -> Booking:
    """Cancel: the customer within the product's policy, the provider at any time before."""
    reason = _reason(reason)
    with locking.atomic():
        booking = _booking_for(actor, booking_id)
        by_provider = can_manage(actor, booking.product) and booking.customer_id != actor.pk
        if booking.state not in (State.REQUESTED, State.PROPOSED, State.CONFIRMED):
            raise Conflict(_("This booking cannot be cancelled any more."))
        deadline = cancellation_deadline(booking)
        if not by_provider and booking.state == State.CONFIRMED and deadline is not None and (
                timezone.now() > deadline):
            raise TooLate(_("The cancellation deadline has passed (%(hours)d hours before the "
                            "start). Contact the provider.")
                          % {"hours": booking.product.cancel_hours_before})
        _cancel(booking, actor=actor, by="provider" if by_provider else "customer",
                reason=reason, tell="customer" if by_provider else "provider", request=request)
    return booking


def _cancel(booking: Booking, *, actor, by: str, reason: str, tell: str,
            request=None) -> None:
    """Cancel a booking whose date (or the booking) is locked: the one way every
    cancellation goes. Its event and audit record; the freed place offered to the waiting
    list; `tell` ("customer" or "provider") notified; the customer mailed after commit,
    unless the customer is the one leaving (by "system", telling the provider)."""
    _transition(booking, State.CANCELLED, actor=actor, reason=reason, data={"by": by},
                request=request)
    if booking.occurrence_id and booking.occurrence.status == Occurrence.Status.SCHEDULED:
        _offer_free_places(booking.occurrence, timezone.now())
    other = booking.customer_id if tell == "customer" else booking.provider_id
    if other is not None:
        notify(other, "bookings.cancelled", actor=actor, product=booking.product.title,
               url=_url_for(booking, provider=tell == "provider"))
    if tell == "customer" or by == "customer":
        _after_commit(booking.pk, "cancelled")


def cancel_for_deleted_account(*, account) -> int:
    """Cancel, by the system, what an account's deletion leaves without a side: its
    bookings still to come (and its open requests and proposals), whose providers are told;
    and the coming dates and bookings of the products it provides alone (not for an
    organisation), whose customers are told. Each goes the way of any cancellation
    (`_cancel`), its waiting list offered the freed place where the date stays. Call it
    inside the deletion's transaction; returns how many bookings were cancelled."""
    now = timezone.now()
    open_or_coming = (still_to_come(now) | Q(state__in=[State.REQUESTED, State.PROPOSED])) & Q(
        state__in=HOLDING)
    alone = Product.objects.filter(provider=account, organisation__isnull=True).values("pk")
    dates = list(Occurrence.objects.filter(coming_dates(now), product__in=alone,
                                           status=Occurrence.Status.SCHEDULED)
                 .values_list("pk", flat=True))
    mine = list(Booking.objects.filter(open_or_coming, customer=account)
                .values_list("pk", "occurrence_id"))
    theirs = list(Booking.objects.filter(open_or_coming, product__in=alone,
                                         occurrence__isnull=True).values_list("pk", flat=True))
    if not (dates or mine or theirs):
        return 0
    cancelled = 0
    with locking.atomic(durable=False):
        # One lock for all: the dates (which cover their bookings) and the other bookings.
        locked_dates, locked = locking.lock_objects(
            Occurrence.objects.select_related("product").filter(
                pk__in={*dates, *(date for _pk, date in mine if date)}),
            Booking.objects.select_related("product", "occurrence").filter(
                pk__in=[*theirs, *(pk for pk, date in mine if not date)]))
        for occurrence in locked_dates:
            if occurrence.pk in dates:
                cancelled += _cancel_date(occurrence, actor=None, by="system",
                                          reason="provider deleted their account")
        for booking in [*locked, *Booking.objects.select_related("product", "occurrence")
                        .filter(pk__in=[pk for pk, date in mine if date])]:
            if booking.state in HOLDING:
                leaving = "customer" if booking.customer_id == account.pk else "provider"
                _cancel(booking, actor=None, by="system",
                        reason=f"{leaving} deleted their account",
                        tell="provider" if leaving == "customer" else "customer")
                cancelled += 1
    return cancelled


def _url_for(booking: Booking, *, provider: bool) -> str:
    return f"/provider/bookings/{booking.pk}/" if provider else f"/bookings/{booking.pk}/"


def _reason(reason) -> str:
    reason = str(reason or "").replace("\x00", "").strip()
    if len(reason) > 500:
        raise Invalid(_("The reason may have at most 500 characters."))
    return reason


def decide(*, actor, booking_id: int, approve: bool, reason: str = "",
           request=None) -> Booking:
    """The provider approves (confirms) or declines a requested booking."""
    reason = _reason(reason)
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        if booking.state != State.REQUESTED:
            raise Conflict(_("Only a requested booking can be approved or declined."))
        if approve and booking.product.logistics == Product.Logistics.ON_REQUEST:
            raise Conflict(_("Make a proposal with a date and price for a request."))
        _transition(booking, State.CONFIRMED if approve else State.DECLINED, actor=actor,
                    reason=reason, request=request)
        if not approve and booking.occurrence_id:
            _offer_free_places(booking.occurrence, timezone.now())
        if booking.customer is not None:
            notify(booking.customer, "bookings.confirmed" if approve else "bookings.declined",
                   actor=actor, product=booking.product.title, url=_url_for(booking,
                                                                           provider=False))
        _after_commit(booking.pk, "confirmed" if approve else "declined")
    return booking


def propose(*, actor, booking_id: int, starts_at_value, ends_at_value, price_cents,
            message: str = "", request=None) -> Booking:
    """The provider answers a request with a date and a price."""
    start = _aware(starts_at_value, _("the start"))
    end = _aware(ends_at_value, _("the end"))
    if end <= start:
        raise Invalid(_("The end must come after the start."))
    if start <= timezone.now():
        raise Invalid(_("Propose a date in the future."))
    try:
        price = int(price_cents)
    except (TypeError, ValueError):
        raise Invalid(_("The price must be a whole number of cents.")) from None
    if price < 0:
        raise Invalid(_("The price cannot be below zero."))
    message = _reason(message)
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        if booking.product.logistics != Product.Logistics.ON_REQUEST:
            raise Conflict(_("Only requests get a proposal."))
        if booking.state != State.REQUESTED:
            raise Conflict(_("This request has been answered already."))
        booking.starts_at, booking.ends_at, booking.proposed_price_cents = start, end, price
        booking.save(update_fields=["starts_at", "ends_at", "proposed_price_cents"])
        _transition(booking, State.PROPOSED, actor=actor, reason=message,
                    data={"starts_at": start.isoformat(), "ends_at": end.isoformat(),
                          "price_cents": price}, request=request)
        if booking.customer is not None:
            notify(booking.customer, "bookings.proposed", actor=actor,
                   product=booking.product.title, url=_url_for(booking, provider=False))
        _after_commit(booking.pk, "proposed")
    return booking


def answer_proposal(*, actor, booking_id: int, accept: bool, request=None) -> Booking:
    """The customer accepts the proposal (the price is then frozen) or turns it down."""
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=False)
        if booking.state != State.PROPOSED:
            raise Conflict(_("There is no proposal to answer."))
        if accept:
            price = booking.proposed_price_cents or 0
            booking.unit_price_cents = price
            booking.discount_cents = _discount(booking.voucher, price * booking.quantity)
            booking.total_cents = price * booking.quantity - booking.discount_cents
            booking.save(update_fields=["unit_price_cents", "discount_cents", "total_cents"])
        _transition(booking, State.CONFIRMED if accept else State.CANCELLED, actor=actor,
                    reason="" if accept else "proposal declined", request=request)
        if booking.provider is not None:
            notify(booking.provider, "bookings.proposal_answered", actor=actor,
                   product=booking.product.title, url=_url_for(booking, provider=True))
        _after_commit(booking.pk, "confirmed" if accept else "cancelled")
    return booking


def check_in(*, actor, booking_id: int, request=None) -> Booking:
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        if booking.state != State.CONFIRMED:
            raise Conflict(_("Only a confirmed booking can be checked in."))
        if booking.checked_in_at is None:
            booking.checked_in_at = timezone.now()
            booking.save(update_fields=["checked_in_at", "updated_at"])
            _event(booking, booking.state, actor=actor, from_state=booking.state,
                   reason="checked in", data={"checked_in": True}, request=request)
    return booking


def complete(*, actor, booking_id: int, no_show: bool = False, request=None) -> Booking:
    """The provider marks a confirmed booking completed (or a no-show) once it has started."""
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        start = starts_at(booking)
        if start is not None and start > timezone.now():
            raise Conflict(_("A booking can be completed only once it has started."))
        _transition(booking, State.NO_SHOW if no_show else State.COMPLETED, actor=actor,
                    request=request)
        if not no_show and booking.product.kind in PORTFOLIO_KINDS and booking.customer:
            PortfolioEntry.objects.get_or_create(booking=booking, defaults={
                "account": booking.customer, "title": booking.product.title,
                "kind": booking.product.kind, "attested_by": booking.product.provider_name,
                "completed_on": timezone.localdate()})
        if booking.customer is not None and not no_show:
            notify(booking.customer, "bookings.completed", actor=actor,
                   product=booking.product.title, url=_url_for(booking, provider=False))
    return booking


# --- dates: capacity, cancellation, the minimum ----------------------------------------------

def change_capacity(*, actor, occurrence_id: int, capacity, request=None) -> Occurrence:
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise Invalid(_("The number of places must be a whole number.")) from None
    with locking.atomic():
        occurrence = locking.lock_one(Occurrence.objects.filter(
            managed_by_product(actor), pk=occurrence_id))
        if occurrence is None:
            raise NotFound(_("There is no such date of yours."))
        taken = places_taken(occurrence)
        if capacity < max(1, taken):
            raise Invalid(_("%(taken)d places are booked; the capacity cannot be lower.")
                          % {"taken": taken})
        before = occurrence.capacity
        occurrence.capacity = capacity
        occurrence.save(update_fields=["capacity"])
        record("bookings.capacity_changed", actor=actor, target=occurrence, request=request,
               data={"from": before, "to": capacity})
        if capacity > before:
            _offer_free_places(occurrence, timezone.now())
    return occurrence


def managed_by_product(actor) -> Q:
    return Q(product__in=Product.objects.filter(managed_by(actor)).values("pk"))


def cancel_occurrence(*, actor, occurrence_id: int, reason: str = "",
                      request=None) -> Occurrence:
    """Cancel a date: every booking on it is cancelled and its customers told."""
    reason = _reason(reason)
    with locking.atomic():
        occurrence = locking.lock_one(Occurrence.objects.filter(
            managed_by_product(actor), pk=occurrence_id).select_related("product"))
        if occurrence is None:
            raise NotFound(_("There is no such date of yours."))
        if occurrence.status == Occurrence.Status.CANCELLED:
            raise Conflict(_("This date has been cancelled already."))
        _cancel_date(occurrence, actor=actor, by="provider", reason=reason, request=request)
    return occurrence


def _cancel_date(occurrence: Occurrence, *, actor, by: str, reason: str,
                 request=None) -> int:
    """Cancel a locked date, each of its bookings (`_cancel`, the customers told) and its
    waiting list; returns how many bookings were cancelled."""
    occurrence.status = Occurrence.Status.CANCELLED
    if occurrence.min_participants and occurrence.min_decision == "":
        occurrence.min_decision = Occurrence.MinimumDecision.CANCELLED
    occurrence.save(update_fields=["status", "min_decision"])
    record("bookings.occurrence_cancelled", actor=actor, target=occurrence,
           request=request, data={"reason": reason[:200], "by": by})
    # The date's lock covers its bookings: every change of one locks the date first.
    bookings = list(Booking.objects.filter(occurrence=occurrence, state__in=HOLDING)
                    .select_related("product"))
    for booking in bookings:
        booking.occurrence = occurrence
        _cancel(booking, actor=actor, by=by, reason=reason or "date cancelled",
                tell="customer", request=request)
    WaitingListEntry.objects.filter(occurrence=occurrence, status__in=[
        WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED]).update(
        status=WaitingListEntry.Status.LEFT)
    return len(bookings)



MAX_SUBJECT, MAX_MESSAGE = 150, 5000


def message_attendees(*, actor, occurrence_id: int, subject: str, text: str,
                      request=None) -> int:
    """Email every confirmed attendee of a date (after commit); returns how many are told."""
    try:
        subject = clean_display_text(str(subject or ""))
    except ValueError:
        raise Invalid(_("Use no line breaks or control characters in the subject.")) from None
    text = str(text or "").replace("\x00", "").strip()
    if not subject:
        raise Invalid(_("Give the message a subject."))
    if len(subject) > MAX_SUBJECT:
        raise Invalid(_("The subject may have at most %(n)d characters.") % {"n": MAX_SUBJECT})
    if not text:
        raise Invalid(_("Write the message."))
    if len(text) > MAX_MESSAGE:
        raise Invalid(_("The message may have at most %(n)d characters.") % {"n": MAX_MESSAGE})
    with transaction.atomic(durable=True):
        occurrence = (Occurrence.objects.filter(managed_by_product(actor), pk=occurrence_id)
                      .select_related("product").first())
        if occurrence is None:
            raise NotFound(_("There is no such date of yours."))
        booking_ids = list(Booking.objects.filter(
            occurrence=occurrence, state=State.CONFIRMED, customer__isnull=False)
            .values_list("pk", flat=True))
        if not booking_ids:
            raise Conflict(_("Nobody has a confirmed place on this date yet."))
        record("bookings.attendees_messaged", actor=actor, target=occurrence, request=request,
               data={"subject": subject[:150], "recipients": len(booking_ids)})
        from weconomics.bookings.tasks import enqueue_on_commit, send_attendee_message

        enqueue_on_commit(send_attendee_message, booking_ids=booking_ids, subject=subject,
                          text=text, sender_id=actor.pk)
    return len(booking_ids)


def check_minimums(*, now: dt.datetime | None = None) -> int:
    """At a date's deadline, prompt the provider when the minimum is not reached and tell
    the customers; run periodically by the worker. Returns how many dates were prompted."""
    now = now or timezone.now()
    due = Occurrence.objects.filter(
        coming_dates(now), min_participants__isnull=False, min_deadline__lte=now,
        min_prompted_at__isnull=True, min_decision="", status=Occurrence.Status.SCHEDULED,
    ).select_related("product__provider")
    prompted = 0
    for occurrence in due:
        with transaction.atomic():
            taken = places_taken(occurrence)
            occurrence.min_prompted_at = now
            occurrence.save(update_fields=["min_prompted_at"])
            if taken >= occurrence.min_participants:
                occurrence.min_decision = Occurrence.MinimumDecision.GO
                occurrence.save(update_fields=["min_decision"])
                continue
            prompted += 1
            record("bookings.minimum_not_reached", target=occurrence,
                   data={"taken": taken, "minimum": occurrence.min_participants})
            if occurrence.product.provider is not None:
                notify(occurrence.product.provider, "bookings.minimum_not_reached",
                       product=occurrence.product.title, taken=taken,
                       minimum=occurrence.min_participants,
                       url=f"/provider/dates/{occurrence.pk}/")
            for booking in Booking.objects.filter(occurrence=occurrence, state__in=HOLDING,
                                                  customer__isnull=False):
                notify(booking.customer, "bookings.minimum_at_risk",
                       product=occurrence.product.title, url=_url_for(booking, provider=False))
                _after_commit(booking.pk, "minimum_at_risk")
    return prompted


def decide_minimum(*, actor, occurrence_id: int, go_ahead: bool, reason: str = "",
                   request=None) -> Occurrence:
    """The provider goes ahead with too few participants, or cancels the date."""
    if not go_ahead:
        return cancel_occurrence(actor=actor, occurrence_id=occurrence_id,
                                 reason=reason or "too few participants", request=request)
    with locking.atomic():
        occurrence = locking.lock_one(Occurrence.objects.filter(
            managed_by_product(actor), pk=occurrence_id).select_related("product"))
        if occurrence is None:
            raise NotFound(_("There is no such date of yours."))
        occurrence.min_decision = Occurrence.MinimumDecision.GO
        occurrence.save(update_fields=["min_decision"])
        record("bookings.minimum_go_ahead", actor=actor, target=occurrence, request=request)
        for booking in Booking.objects.filter(occurrence=occurrence, state__in=HOLDING):
            _after_commit(booking.pk, "goes_ahead")
    return occurrence


def send_reminders(*, now: dt.datetime | None = None, hours: int = 24) -> int:
    """Remind customers of confirmed bookings that start within `hours` (once each)."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=hours)
    due = Booking.objects.filter(state=State.CONFIRMED, reminded_at__isnull=True).filter(
        Q(occurrence__starts_at__gt=now, occurrence__starts_at__lte=soon)
        | Q(starts_at__gt=now, starts_at__lte=soon)
        | Q(start_date__gt=timezone.localdate(now), start_date__lte=timezone.localdate(soon)))
    ids = list(due.values_list("pk", flat=True))
    Booking.objects.filter(pk__in=ids).update(reminded_at=now)
    for booking_id in ids:
        _after_commit(booking_id, "reminder")
    return len(ids)


# --- commerce -----------------------------------------------------------------------------

def create_voucher(*, actor, code: str, kind: str, amount, max_uses=1, product_id=None,
                   valid_until: dt.datetime | None = None, request=None) -> Voucher:
    try:
        code = clean_display_text(str(code or "")).replace(" ", "").upper()
    except ValueError:
        code = ""
    if not 3 <= len(code) <= 40:
        raise Invalid(_("A voucher code has 3 to 40 letters and digits."))
    if kind not in Voucher.Kind.values:
        raise Invalid(_("Choose a fixed amount or a percentage."))
    try:
        amount, max_uses = int(amount), int(max_uses)
    except (TypeError, ValueError):
        raise Invalid(_("Give the amount and the uses as whole numbers.")) from None
    if amount < 1 or (kind == Voucher.Kind.PERCENT and amount > 100):
        raise Invalid(_("A discount is at least 1 and a percentage at most 100."))
    if not 1 <= max_uses <= 100_000:
        raise Invalid(_("A voucher can be used 1 to 100,000 times."))
    if valid_until is not None and valid_until <= timezone.now():
        raise Invalid(_("The end of validity lies in the past."))
    with transaction.atomic():
        product = None
        if product_id not in (None, ""):
            product = Product.objects.filter(managed_by(actor), pk=product_id).first()
            if product is None:
                raise NotFound(_("There is no such product of yours."))
        if Voucher.objects.filter(code__iexact=code).exists():
            raise Conflict(_("The code %(code)s is taken.") % {"code": code})
        try:
            with transaction.atomic():
                voucher = Voucher.objects.create(provider=actor, product=product, code=code,
                                                 kind=kind, amount=amount, max_uses=max_uses,
                                                 valid_until=valid_until)
        except IntegrityError:
            raise Conflict(_("The code %(code)s is taken.") % {"code": code}) from None
        record("bookings.voucher_created", actor=actor, target=voucher, request=request,
               data={"code": code, "kind": kind, "amount": amount, "max_uses": max_uses})
    return voucher


def mark_paid(*, actor, booking_id: int, request=None) -> Invoice:
    """The provider marks a paid booking paid: it gets its numbered invoice, now a receipt."""
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        if booking.total_cents == 0:
            raise Conflict(_("A free booking has nothing to pay."))
        if booking.state not in (State.CONFIRMED, State.COMPLETED, State.NO_SHOW):
            raise Conflict(_("Only a confirmed booking can be paid."))
        invoice = _invoice(booking)
        if invoice.paid_at is not None:
            raise Conflict(_("This booking is paid already."))
        invoice.paid_at = timezone.now()
        invoice.save(update_fields=["paid_at"])
        record("bookings.paid", actor=actor, target=booking, request=request,
               data={"invoice": invoice.number, "total_cents": invoice.total_cents})
        _after_commit(booking.pk, "paid")
    return invoice


def issue_invoice(*, actor, booking_id: int, request=None) -> Invoice:
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=True)
        if booking.total_cents == 0:
            raise Conflict(_("A free booking gets no invoice."))
        if booking.state not in (State.CONFIRMED, State.COMPLETED, State.NO_SHOW):
            raise Conflict(_("Only a confirmed booking gets an invoice."))
        existed = Invoice.objects.filter(booking=booking).first()
        invoice = existed or _invoice(booking)
        if existed is None:
            record("bookings.invoice_issued", actor=actor, target=booking, request=request,
                   data={"invoice": invoice.number})
    return invoice


def _invoice(booking: Booking) -> Invoice:
    """The booking's invoice, numbered without gaps per provider and year."""
    existing = Invoice.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    year = timezone.localdate().year
    counter, _created = InvoiceCounter.objects.get_or_create(provider_id=booking.provider_id,
                                                             year=year)
    # The increment in the database holds the counter's row to the end of the transaction:
    # no second lock call beside the booking's (bookings.locking), and no number twice.
    InvoiceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return Invoice.objects.create(
        booking=booking, provider_id=booking.provider_id,
        number=f"{year}-{counter.last:05d}", seller_name=booking.product.provider_name,
        buyer_name=(booking.organisation.name if booking.organisation_id
                    else booking.customer_name),
        description=booking.product.title[:300], quantity=booking.quantity,
        unit_price_cents=booking.unit_price_cents, discount_cents=booking.discount_cents,
        vat_rate=booking.vat_rate, vat_cents=booking.vat_cents,
        total_cents=booking.total_cents)


def review(*, actor, booking_id: int, rating, text: str = "", request=None) -> Review:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise Invalid(_("Give a rating from 1 to 5.")) from None
    if not 1 <= rating <= 5:
        raise Invalid(_("Give a rating from 1 to 5."))
    text = str(text or "").replace("\x00", "").strip()
    if len(text) > 5000:
        raise Invalid(_("A review may have at most 5000 characters."))
    with locking.atomic():
        booking = _booking_for(actor, booking_id, as_provider=False)
        if booking.state != State.COMPLETED:
            raise Conflict(_("You can review a booking once it is completed."))
        if Review.objects.filter(booking=booking).exists():
            raise Conflict(_("You have reviewed this booking already."))
        try:
            with transaction.atomic():
                found = Review.objects.create(booking=booking, product=booking.product,
                                              author=actor, rating=rating, text=text)
        except IntegrityError:
            raise Conflict(_("You have reviewed this booking already.")) from None
        record("bookings.reviewed", actor=actor, target=booking, request=request,
               data={"rating": rating})
    return found


def hide_portfolio_entry(*, actor, entry_id: int, hidden: bool, request=None):
    with transaction.atomic():
        entry = PortfolioEntry.objects.filter(pk=entry_id, account=actor).first()
        if entry is None:
            raise NotFound(_("There is no such portfolio entry."))
        entry.hidden = bool(hidden)
        entry.save(update_fields=["hidden"])
        record("bookings.portfolio_entry_changed", actor=actor, target=entry, request=request,
               data={"hidden": entry.hidden})
    return entry


def calendar_feed_token(*, actor, renew: bool = False, request=None) -> str | None:
    """Make (or renew) the secret of the actor's private calendar feed; returned once."""
    import hashlib
    import secrets

    from weconomics.bookings.models import CalendarFeed

    with transaction.atomic():
        existing = CalendarFeed.objects.filter(account=actor).first()
        if existing is not None and not renew:
            return None
        token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(token.encode()).hexdigest()
        if existing is None:
            CalendarFeed.objects.create(account=actor, token_hash=digest)
        else:
            existing.token_hash = digest
            existing.save(update_fields=["token_hash"])
        record("bookings.calendar_feed_renewed" if existing else "bookings.calendar_feed_made",
               actor=actor, request=request)
    return token
