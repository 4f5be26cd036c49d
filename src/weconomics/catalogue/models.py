"""Products: what members and organisations offer, and their logistics.

Principle 7 keeps logistics (when, where, how many: Occurrence, Availability, ResourceUnit)
apart from commerce (price and VAT here, frozen per booking in `bookings`; vouchers and
invoices live in `bookings` too). A product is published to community domains through
`communities.publications`; who may see and book it follows from those publications.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

VAT_RATES = [(Decimal("0"), "0%"), (Decimal("9"), "9%"), (Decimal("21"), "21%")]


class Product(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        TRAINING = "training", _("Training")
        WORKSHOP = "workshop", _("Workshop")
        COACHING = "coaching", _("Coaching")
        ADVICE = "advice", _("Advice")
        ASSESSMENT = "assessment", _("Assessment")
        INTERIM = "interim", _("Interim assignment")
        ACCOMMODATION = "accommodation", _("Accommodation")
        EPORTFOLIO_REVIEW = "eportfolio_review", _("E-portfolio review")
        OTHER = "other", _("Other")

    class Logistics(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled dates")
        APPOINTMENT = "appointment", _("Appointments")
        RESOURCE = "resource", _("Booked by date range")
        ON_REQUEST = "on_request", _("On request")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Delivery(models.TextChoices):
        ONLINE = "online", _("Online")
        VENUE = "venue", _("At a venue")
        BOTH = "both", _("Online and at a venue")

    provider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="products")
    organisation = models.ForeignKey("contacts.Organisation", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="products")
    provider_name = models.CharField(_("offered by"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    logistics = models.CharField(_("how it is booked"), max_length=12,
                                 choices=Logistics.choices)
    title = models.CharField(_("title"), max_length=150)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    skills = models.ManyToManyField("contacts.Skill", blank=True, related_name="products")
    language = models.CharField(_("language"), max_length=3, default="nl")
    delivery = models.CharField(_("where"), max_length=6, choices=Delivery.choices,
                                default=Delivery.VENUE)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    cancellation_policy = models.TextField(_("cancellation policy"), blank=True)
    cancel_hours_before = models.PositiveIntegerField(
        _("customers may cancel until this many hours before the start"), default=24)
    price_cents = models.PositiveIntegerField(_("price in euro cents"), default=0)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=1,
                                   choices=VAT_RATES, default=Decimal("21"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    requires_approval = models.BooleanField(_("the provider approves each booking"),
                                            default=False)
    max_quantity = models.PositiveSmallIntegerField(
        _("places per booking (the customer and guests)"), default=1)
    questions = models.JSONField(_("questions for the customer"), default=list, blank=True)
    # Appointments: slots of this length within the availability, with these rules.
    slot_minutes = models.PositiveSmallIntegerField(_("appointment length in minutes"),
                                                    default=60)
    buffer_minutes = models.PositiveSmallIntegerField(_("minutes between appointments"),
                                                      default=0)
    min_notice_hours = models.PositiveSmallIntegerField(_("minimum notice in hours"),
                                                        default=24)
    window_days = models.PositiveSmallIntegerField(_("bookable this many days ahead"),
                                                   default=60)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_quantity__gte=1),
                                   name="product_max_quantity_min"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5),
                                   name="product_slot_minutes_min"),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="product_status_kind_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0


class Occurrence(models.Model):
    """One date of a scheduled product, with its own capacity; a series shares `series`."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class MinimumDecision(models.TextChoices):
        PENDING = "", _("Not decided")
        GO = "go", _("Goes ahead")
        CANCELLED = "cancelled", _("Cancelled for too few participants")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    min_participants = models.PositiveIntegerField(_("minimum participants"), null=True,
                                                   blank=True)
    min_deadline = models.DateTimeField(_("decide on the minimum by"), null=True, blank=True)
    min_decision = models.CharField(max_length=10, choices=MinimumDecision.choices,
                                    default=MinimumDecision.PENDING, blank=True)
    min_prompted_at = models.DateTimeField(null=True, blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("date")
        verbose_name_plural = _("dates")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="occurrence_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="occurrence_capacity_min"),
        ]
        indexes = [models.Index(fields=["product", "starts_at"], name="occurrence_product_idx")]

    def __str__(self) -> str:
        return f"{self.product} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Availability(models.Model):
    """When a provider can be booked for appointments: a weekday and hours (local time)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE,
                                related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[
        (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
        (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))])
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")),
                                   name="availability_ends_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.weekday} {self.start_time}-{self.end_time}"


class ResourceUnit(models.Model):
    """One bookable unit of an accommodation (a room, a workplace), booked by date range."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="resource_unit_name_once"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.name}"
