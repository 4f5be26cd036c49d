"""Reads of bookings: a customer's own, a provider's, attendee lists, reviews and portfolios.

Every read is scoped to who asks: a customer sees their bookings, a provider those of the
products they manage (`catalogue.access.managed_by`); nobody else sees a booking at all.
"""

import datetime as dt
import hashlib

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.bookings.errors import NotFound
from weconomics.bookings.models import (
    HOLDING,
    Booking,
    BookingEvent,
    CalendarFeed,
    PortfolioEntry,
    Review,
    State,
    WaitingListEntry,
)
from weconomics.catalogue.access import managed_by
from weconomics.catalogue.models import Occurrence, Product

RELATED = ("product", "occurrence", "unit", "organisation")


# --- one rule each: what is still to come, and the places left on a date -------------------

def still_to_come(now: dt.datetime | None = None) -> Q:
    """Bookings still to come, as every list, the API and account deletion see them: their
    date, slot or proposed time starts after now, their stay starts today or later (today
    in the site's time zone, where its dates are), or they have no date yet (a request)."""
    now = now or timezone.now()
    return (Q(occurrence__starts_at__gt=now)
            | Q(occurrence__isnull=True, starts_at__gt=now)
            | Q(start_date__gte=timezone.localdate(now))
            | Q(occurrence__isnull=True, starts_at__isnull=True, start_date__isnull=True))


def coming_dates(now: dt.datetime | None = None) -> Q:
    """Dates still to come: they start after now."""
    return Q(starts_at__gt=now or timezone.now())


def with_places(dates: QuerySet[Occurrence], *, for_account=None,
                now: dt.datetime | None = None) -> QuerySet[Occurrence]:
    """Each date with `taken` (the places its bookings hold), `held` (the places open
    waiting-list offers hold, except the account's own offer, which is theirs to book) and
    `left` (the capacity less both, never below 0): the one rule of places left.

    The booking path counts the same under its lock in one hand-written query
    (`services._after_lock`, `services._open_offers`).
    """
    now = now or timezone.now()
    taken = (Booking.objects.filter(occurrence=OuterRef("pk"), state__in=HOLDING).order_by()
             .values("occurrence").annotate(n=Sum("quantity")).values("n"))
    offers = WaitingListEntry.objects.filter(occurrence=OuterRef("pk"),
                                             status=WaitingListEntry.Status.OFFERED,
                                             offered_until__gt=now).order_by()
    if for_account is not None and for_account.is_authenticated:
        offers = offers.exclude(customer_id=for_account.pk)
    held = offers.values("occurrence").annotate(n=Sum("quantity")).values("n")
    return dates.annotate(
        taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
        held=Coalesce(Subquery(held, output_field=IntegerField()), 0),
    ).annotate(left=Greatest(F("capacity") - F("taken") - F("held"), 0))


def places_left(occurrence: Occurrence, *, for_account=None,
                now: dt.datetime | None = None) -> int:
    """The places left on one date (`with_places`)."""
    found = with_places(Occurrence.objects.filter(pk=occurrence.pk), for_account=for_account,
                        now=now).values_list("left", flat=True).first()
    return found or 0


def my_bookings(account, *, upcoming: bool | None = None) -> QuerySet[Booking]:
    """The account's bookings; upcoming=True those still to come that hold a place,
    upcoming=False all others."""
    bookings = Booking.objects.filter(customer=account).select_related(*RELATED)
    coming = still_to_come() & Q(state__in=HOLDING)
    if upcoming is True:
        bookings = bookings.filter(coming)
    elif upcoming is False:
        bookings = bookings.exclude(coming)
    return bookings.order_by("-created_at", "-pk")


def booking_for(viewer, booking_id) -> Booking:
    """A booking its customer or its provider may see; NotFound for everyone else."""
    try:
        booking_id = int(booking_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such booking.")) from None
    if viewer is None or not viewer.is_authenticated:
        raise NotFound(_("There is no such booking."))
    booking = (Booking.objects.filter(pk=booking_id)
               .filter(Q(customer=viewer) | Q(product__in=Product.objects.filter(
                   managed_by(viewer)).values("pk")))
               .select_related(*RELATED, "voucher", "customer")
               .prefetch_related(Prefetch("events", BookingEvent.objects.order_by("at", "pk")))
               .first())
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking


def bookable_dates(product: Product, *, for_account=None, limit: int = 20) -> list[Occurrence]:
    """The coming dates of a product the caller may see, each with `left` free places.

    Places held by open waiting-list offers count as taken, except the account's own offer
    (`with_places`); one query for all dates.
    """
    now = timezone.now()
    return list(with_places(Occurrence.objects.filter(
        coming_dates(now), product=product, status=Occurrence.Status.SCHEDULED),
        for_account=for_account, now=now).order_by("starts_at", "pk")[:limit])


def provided_bookings(viewer, *, state: str = "", product_id=None) -> QuerySet[Booking]:
    bookings = Booking.objects.filter(product__in=Product.objects.filter(
        managed_by(viewer)).values("pk")).select_related(*RELATED)
    if state:
        bookings = bookings.filter(state=state)
    if product_id:
        bookings = bookings.filter(product_id=product_id)
    return bookings.order_by("-created_at", "-pk")


def upcoming_dates(viewer, *, days: int = 90) -> QuerySet[Occurrence]:
    """The provider's coming dates with places taken and left (`with_places`) and people
    waiting, in one query."""
    now = timezone.now()
    # Subqueries, not joins: joining bookings and the waiting list together would count
    # every booking once per person waiting.
    waiting = (WaitingListEntry.objects.filter(occurrence=OuterRef("pk"),
                                               status=WaitingListEntry.Status.WAITING)
               .order_by().values("occurrence").annotate(n=Count("pk")).values("n"))
    return (with_places(Occurrence.objects.filter(
        coming_dates(now), product__in=Product.objects.filter(managed_by(viewer)).values("pk"),
        starts_at__lte=now + dt.timedelta(days=days)), now=now)
        .select_related("product")
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
        .order_by("starts_at", "pk"))


def upcoming_appointments(viewer) -> QuerySet[Booking]:
    """The provider's appointments, stays and proposed times still to come."""
    return (provided_bookings(viewer)
            .filter(still_to_come(), state__in=HOLDING, occurrence__isnull=True)
            .exclude(starts_at__isnull=True, start_date__isnull=True)
            .order_by("starts_at", "start_date", "pk"))


def attendees(viewer, occurrence_id) -> tuple[Occurrence, QuerySet[Booking]]:
    """A date of the viewer's with its places (`with_places`), and who booked it."""
    occurrence = (with_places(Occurrence.objects.filter(
        pk=occurrence_id, product__in=Product.objects.filter(managed_by(viewer)).values("pk")))
        .select_related("product").first())
    if occurrence is None:
        raise NotFound(_("There is no such date of yours."))
    return occurrence, (Booking.objects.filter(occurrence=occurrence)
                        .exclude(state__in=[State.CANCELLED, State.DECLINED])
                        .select_related("organisation").order_by("customer_name", "pk"))


def waiting_list(occurrence: Occurrence) -> QuerySet[WaitingListEntry]:
    return (WaitingListEntry.objects.filter(occurrence=occurrence, status__in=[
        WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED])
        .select_related("customer").order_by("created_at", "pk"))


def my_waiting_list(account) -> QuerySet[WaitingListEntry]:
    return (WaitingListEntry.objects.filter(customer=account, status__in=[
        WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED])
        .select_related("occurrence__product"))


def reviews_of(product: Product) -> tuple[QuerySet[Review], dict]:
    reviews = Review.objects.filter(product=product).select_related("author__person")
    summary = reviews.aggregate(average=Avg("rating"), count=Count("pk"))
    return reviews.order_by("-created_at", "-pk"), summary


def portfolio_of(account, *, include_hidden: bool = False) -> QuerySet[PortfolioEntry]:
    entries = PortfolioEntry.objects.filter(account=account)
    if not include_hidden:
        entries = entries.filter(hidden=False)
    return entries.order_by("-completed_on", "-pk")


def visible_portfolio(viewer, person) -> list[PortfolioEntry]:
    """A person's portfolio as a viewer may see it: it follows the profile's education
    section (completed courses and assessments are education), and the person's hiding."""
    from weconomics.contacts.access import access_to

    if viewer is not None and viewer.is_authenticated and viewer.pk == person.account_id:
        return list(portfolio_of(person.account, include_hidden=True))
    if not access_to(viewer, person).can_see("education"):
        return []
    return list(portfolio_of(person.account))


def account_for_feed(token: str):
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    feed = CalendarFeed.objects.filter(token_hash=digest).select_related("account").first()
    if feed is None or not feed.account.is_active:
        return None
    return feed.account


def calendar_bookings(account) -> QuerySet[Booking]:
    """What a calendar shows: the account's bookings with a date, and those they provide."""
    return (Booking.objects.filter(Q(customer=account) | Q(provider=account))
            .exclude(state__in=[State.DECLINED])
            .select_related("product", "occurrence", "unit")
            .order_by("-created_at")[:500])


def vouchers_of(viewer, *, product_id=None) -> QuerySet:
    """The vouchers a provider made, or those of one product they manage, with their uses."""
    from weconomics.bookings.models import Voucher

    if viewer is None or not viewer.is_authenticated:
        return Voucher.objects.none()
    vouchers = Voucher.objects.filter(Q(provider=viewer) | Q(product__in=Product.objects.filter(
        managed_by(viewer)).values("pk")))
    if product_id is not None:
        vouchers = vouchers.filter(product_id=product_id)
    return (vouchers.select_related("product")
            .annotate(uses=Count("bookings", filter=~Q(bookings__state__in=[
                State.CANCELLED, State.DECLINED])))
            .order_by("-created_at", "-pk"))
