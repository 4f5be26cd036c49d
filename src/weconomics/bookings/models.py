"""Bookings: the transaction connecting a contact to a product, and its commerce.

A Booking's life is a chain of immutable BookingEvents (who, when, from, to, why); its
`state` column is the last event's `to_state`, kept for queries and always derivable from
the events (`services.derived_state`). Price and VAT are frozen on the booking when it is
made. Vouchers, invoices, reviews and portfolio entries hang off bookings; none of them is
deleted when the other side deletes their account: personal data in them is anonymised.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from weconomics.catalogue.models import VAT_RATES, Occurrence, Product, ResourceUnit


class State(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROPOSED = "proposed", _("Proposal made")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")
    NO_SHOW = "no_show", _("No-show")


# States that hold a place (count against capacity, block a slot or a unit).
HOLDING = (State.REQUESTED, State.PROPOSED, State.CONFIRMED)


class Voucher(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount off")
        PERCENT = "percent", _("Percentage off")

    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="vouchers")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="vouchers",
                                help_text=_("Empty: valid for all the products its maker "
                                            "manages."))
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.PositiveIntegerField(_("amount (cents, or percent)"))
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="voucher_code_once"),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="voucher_max_uses_min"),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(amount__lte=100),
                                   name="voucher_percent_max"),
        ]

    def __str__(self) -> str:
        return self.code


class Booking(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="bookings")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="bookings")
    unit = models.ForeignKey(ResourceUnit, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="bookings")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="bookings")
    customer_name = models.CharField(max_length=200)
    customer_email = models.EmailField(blank=True)
    organisation = models.ForeignKey("contacts.Organisation", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="bookings")
    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="provided_bookings")
    # Appointments and accepted proposals: a time; resources: a date range [start, end).
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    quantity = models.PositiveSmallIntegerField(_("places"), default=1)
    answers = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    # Commerce, frozen at booking time.
    unit_price_cents = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=4, decimal_places=1, choices=VAT_RATES)
    discount_cents = models.PositiveIntegerField(default=0)
    total_cents = models.PositiveIntegerField()
    voucher = models.ForeignKey(Voucher, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="bookings")
    proposed_price_cents = models.PositiveIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="booking_quantity_min"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(
                end_date__gt=F("start_date")), name="booking_dates_in_order"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(
                ends_at__gt=F("starts_at")), name="booking_times_in_order"),
            models.UniqueConstraint(fields=["customer", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="booking_idempotency_once"),
        ]
        indexes = [
            models.Index(fields=["occurrence", "state"], name="booking_occurrence_idx"),
            models.Index(fields=["unit", "state", "start_date"], name="booking_unit_idx"),
            models.Index(fields=["provider", "state", "starts_at"], name="booking_provider_idx"),
            models.Index(fields=["customer", "-created_at"], name="booking_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.product_id} {self.state}"

    @property
    def vat_cents(self) -> int:
        """The VAT inside the total (prices include VAT)."""
        rate = self.vat_rate
        return int(round(self.total_cents * rate / (100 + rate))) if rate else 0


class BookingEvent(models.Model):
    """One change of a booking; append-only (the database refuses updates)."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    # A plain id (no constraint), as in the audit log: the event stays as written when the
    # account is deleted, and then names nobody who still exists.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING,
                              db_constraint=False, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=State.choices)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_state or '-'} -> {self.to_state}"


class WaitingListEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Place offered")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the list")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE,
                                   related_name="waiting_list")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="waiting_list_entries")
    quantity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    offered_until = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "customer"],
                                    condition=Q(status__in=["waiting", "offered"]),
                                    name="waiting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} waits for {self.occurrence_id} ({self.status})"


class InvoiceCounter(models.Model):
    """The last invoice number a provider used in a year; locked to number without gaps."""

    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "year"],
                                               name="invoice_counter_once")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.year}: {self.last}"


class Invoice(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="invoice")
    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    number = models.CharField(max_length=40)
    seller_name = models.CharField(max_length=200)
    buyer_name = models.CharField(max_length=200)
    description = models.CharField(max_length=300)
    quantity = models.PositiveSmallIntegerField()
    unit_price_cents = models.PositiveIntegerField()
    discount_cents = models.PositiveIntegerField(default=0)
    vat_rate = models.DecimalField(max_digits=4, decimal_places=1)
    vat_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    issued_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "number"],
                                               name="invoice_number_once")]

    def __str__(self) -> str:
        return self.number


class Review(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="review")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5),
                                              name="review_rating_range")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.product_id}"


class PortfolioEntry(models.Model):
    """A completed course, training or assessment on the customer's profile, attested by
    the provider; the person can hide it."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="portfolio")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="portfolio_entries")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Product.Kind.choices)
    attested_by = models.CharField(max_length=200)
    completed_on = models.DateField()
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("portfolio entry")
        verbose_name_plural = _("portfolio entries")
        ordering = ["-completed_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A private calendar feed URL for an account's bookings; the token is kept hashed."""

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed of {self.account_id}"
