"""Writes of the catalogue: products, their dates, availability and units.

Every write takes the acting account as `actor`, checks they manage the product, runs in
one transaction and writes its audit record. Changes to what is booked (cancelling a date,
changing its capacity) live in `bookings.services`, which knows the bookings.
"""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.catalogue.access import ADMIN_ROLES, managed_product
from weconomics.catalogue.errors import Invalid, NotAllowed
from weconomics.catalogue.models import Availability, Occurrence, Product, ResourceUnit
from weconomics.contacts.access import display_name
from weconomics.contacts.models import Organisation, OrganisationMembership
from weconomics.identity.locking import lock_calendar
from weconomics.identity.models import clean_display_text

FIELDS = {"kind", "logistics", "title", "summary", "description", "tags", "skills",
          "language", "delivery", "venue", "online_url", "prerequisites",
          "cancellation_policy", "cancel_hours_before", "price_cents", "vat_rate",
          "requires_approval", "max_quantity", "questions", "slot_minutes", "buffer_minutes",
          "min_notice_hours", "window_days"}
MAX_PRICE_CENTS = 100_000_000
MAX_SERIES = 104
MAX_TAGS, MAX_QUESTIONS = 20, 10


def _line(value, what, limit, *, required=False) -> str:
    try:
        text = clean_display_text(str(value or ""))
    except ValueError:
        raise Invalid(_("Use no line breaks or control characters in %(what)s.")
                      % {"what": what}) from None
    if required and not text:
        raise Invalid(_("Fill in %(what)s.") % {"what": what})
    if len(text) > limit:
        raise Invalid(_("%(what)s may have at most %(limit)d characters.")
                      % {"what": what, "limit": limit})
    return text


def _text(value, what, limit) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise Invalid(_("%(what)s may have at most %(limit)d characters.")
                      % {"what": what, "limit": limit})
    return text


def _int(value, what, low, high) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("%(what)s must be a whole number.") % {"what": what}) from None
    if not low <= number <= high:
        raise Invalid(_("%(what)s must be between %(low)d and %(high)d.")
                      % {"what": what, "low": low, "high": high})
    return number


def clean_fields(fields: dict, *, creating: bool) -> dict:
    """Check product fields; raise Invalid with a clear message for the first problem."""
    unknown = set(fields) - FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s")
                      % {"fields": ", ".join(sorted(unknown))})
    cleaned: dict = {}
    for key, value in fields.items():
        if key == "kind":
            if value not in Product.Kind.values:
                raise Invalid(_("Choose what kind of product this is."))
            cleaned[key] = value
        elif key == "logistics":
            if value not in Product.Logistics.values:
                raise Invalid(_("Choose how the product is booked."))
            cleaned[key] = value
        elif key == "delivery":
            if value not in Product.Delivery.values:
                raise Invalid(_("Choose online, at a venue, or both."))
            cleaned[key] = value
        elif key == "title":
            cleaned[key] = _line(value, _("the title"), 150, required=True)
        elif key == "summary":
            cleaned[key] = _line(value, _("the summary"), 300)
        elif key == "venue":
            cleaned[key] = _line(value, _("the venue"), 300)
        elif key == "language":
            cleaned[key] = _line(value, _("the language"), 3, required=True).lower()
        elif key in ("description", "prerequisites", "cancellation_policy"):
            cleaned[key] = _text(value, key.replace("_", " "), 20_000)
        elif key == "online_url":
            url = str(value or "").strip()
            if url:
                try:
                    URLValidator(schemes=["https", "http"])(url)
                except ValidationError:
                    raise Invalid(_("The online link must be an https:// address.")) from None
            cleaned[key] = url
        elif key == "price_cents":
            try:
                price = int(value)
            except (TypeError, ValueError):
                raise Invalid(_("The price must be a whole number of cents.")) from None
            if price < 0:
                raise Invalid(_("The price cannot be below zero."))
            if price > MAX_PRICE_CENTS:
                raise Invalid(_("The price is too high."))
            cleaned[key] = price
        elif key == "vat_rate":
            try:
                rate = Decimal(str(value))
            except InvalidOperation:
                raise Invalid(_("Choose a VAT rate of 0, 9 or 21%.")) from None
            if rate not in (Decimal("0"), Decimal("9"), Decimal("21")):
                raise Invalid(_("Choose a VAT rate of 0, 9 or 21%."))
            cleaned[key] = rate
        elif key == "cancel_hours_before":
            cleaned[key] = _int(value, _("The cancellation deadline"), 0, 24 * 365)
        elif key == "max_quantity":
            cleaned[key] = _int(value, _("Places per booking"), 1, 100)
        elif key == "slot_minutes":
            cleaned[key] = _int(value, _("The appointment length"), 5, 24 * 60)
        elif key == "buffer_minutes":
            cleaned[key] = _int(value, _("The time between appointments"), 0, 24 * 60)
        elif key == "min_notice_hours":
            cleaned[key] = _int(value, _("The minimum notice"), 0, 24 * 90)
        elif key == "window_days":
            cleaned[key] = _int(value, _("The booking window"), 1, 730)
        elif key == "requires_approval":
            cleaned[key] = bool(value)
        elif key == "tags":
            tags = [_line(t, _("a tag"), 40) for t in (value or [])]
            tags = list(dict.fromkeys(t for t in tags if t))
            if len(tags) > MAX_TAGS:
                raise Invalid(_("Use at most %(n)d tags.") % {"n": MAX_TAGS})
            cleaned[key] = tags
        elif key == "questions":
            questions = [_line(q, _("a question"), 200) for q in (value or [])]
            questions = [q for q in questions if q]
            if len(questions) > MAX_QUESTIONS:
                raise Invalid(_("Ask at most %(n)d questions.") % {"n": MAX_QUESTIONS})
            cleaned[key] = questions
        elif key == "skills":
            names = [_line(s, _("a skill"), 60) for s in (value or [])]
            cleaned[key] = list(dict.fromkeys(n for n in names if n))[:MAX_TAGS]
    if creating:
        for key, message in (("title", _("Give the product a title.")),
                             ("kind", _("Choose what kind of product this is.")),
                             ("logistics", _("Choose how the product is booked."))):
            if not cleaned.get(key):
                raise Invalid(message)
    return cleaned


def _set_skills(product: Product, names: list[str]) -> None:
    from weconomics.contacts.models import Skill
    from weconomics.contacts.text import search_key

    skills = []
    for name in names:
        key = search_key(name)[:60]
        if key:
            skill, _created = Skill.objects.get_or_create(key=key, defaults={"name": name})
            skills.append(skill)
    product.skills.set(skills)


def _provider_name(actor, organisation) -> str:
    if organisation is not None:
        return organisation.name
    return display_name(actor, fallback=actor.email.split("@")[0])


def create_product(*, actor, organisation: str | None = None, request=None,
                   **fields) -> Product:
    """Offer a product, as the actor or on behalf of an organisation they administer."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    cleaned = clean_fields(fields, creating=True)
    skills = cleaned.pop("skills", [])
    with transaction.atomic():
        found = None
        if organisation:
            found = Organisation.objects.filter(slug=str(organisation)).first()
            if found is None or not OrganisationMembership.objects.filter(
                    organisation=found, account=actor, role__in=ADMIN_ROLES).exists():
                raise NotAllowed(_("You can offer products only for organisations you "
                                   "administer."))
        product = Product.objects.create(provider=actor, organisation=found,
                                         provider_name=_provider_name(actor, found)[:200],
                                         **cleaned)
        if skills:
            _set_skills(product, skills)
        record("catalogue.product_created", actor=actor, target=product, request=request,
               data={"kind": product.kind, "logistics": product.logistics,
                     "price_cents": product.price_cents})
    return product


def update_product(*, actor, product_id: int, request=None, **fields) -> Product:
    cleaned = clean_fields(fields, creating=False)
    skills = cleaned.pop("skills", None)
    with transaction.atomic():
        product = managed_product(actor, product_id)
        # FOR NO KEY UPDATE: the key does not change, so bookings (which take FOR KEY SHARE
        # on the product they refer to) go on while a product is edited.
        product = Product.objects.select_for_update(no_key=True).get(pk=product.pk)
        if "logistics" in cleaned and cleaned["logistics"] != product.logistics and (
                product.bookings.exists()):
            raise Invalid(_("How a product is booked cannot change once it has bookings."))
        changed = [k for k, v in cleaned.items() if getattr(product, k) != v]
        for key in changed:
            setattr(product, key, cleaned[key])
        if changed:
            product.save(update_fields=[*changed, "updated_at"])
        if skills is not None:
            _set_skills(product, skills)
            changed.append("skills")
        if changed:
            _refresh_publications(product)
            record("catalogue.product_updated", actor=actor, target=product, request=request,
                   data={"fields": sorted(changed)})
    return product


def _refresh_publications(product: Product) -> None:
    from weconomics.communities.publications import refresh

    refresh(product)


def set_status(*, actor, product_id: int, status: str, request=None) -> Product:
    """Publish, archive or return a product to draft; channels follow at once."""
    if status not in Product.Status.values:
        raise Invalid(_("Choose draft, published or archived."))
    with transaction.atomic():
        product = managed_product(actor, product_id)
        product = Product.objects.select_for_update(no_key=True).get(pk=product.pk)
        if product.status == status:
            return product
        if status == Product.Status.PUBLISHED:
            _check_bookable_setup(product)
        before = product.status
        product.status = status
        product.save(update_fields=["status", "updated_at"])
        _refresh_publications(product)
        record("catalogue.product_status_changed", actor=actor, target=product,
               request=request, data={"from": before, "to": status})
    return product


def _check_bookable_setup(product: Product) -> None:
    if product.logistics == Product.Logistics.APPOINTMENT and not product.availability.exists():
        raise Invalid(_("Add the hours you are available before publishing appointments."))
    if product.logistics == Product.Logistics.RESOURCE and not product.units.filter(
            is_active=True).exists():
        raise Invalid(_("Add at least one unit (a room, a workplace) before publishing."))


# --- logistics ---------------------------------------------------------------------------

REPEATS = {"": None, "daily": dt.timedelta(days=1), "weekly": dt.timedelta(weeks=1),
           "fortnightly": dt.timedelta(weeks=2)}


def add_occurrences(*, actor, product_id: int, starts_at: dt.datetime, ends_at: dt.datetime,
                    capacity: int, venue: str = "", online_url: str = "",
                    min_participants: int | None = None, min_deadline: dt.datetime | None = None,
                    repeat: str = "", count: int = 1, request=None) -> list[Occurrence]:
    """Add a date, or a repeating series of `count` dates (daily, weekly, fortnightly)."""
    if repeat not in REPEATS:
        raise Invalid(_("Repeat daily, weekly or fortnightly, or not at all."))
    count = _int(count, _("The number of dates"), 1, MAX_SERIES) if repeat else 1
    capacity = _int(capacity, _("The number of places"), 1, 100_000)
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        raise Invalid(_("Give a start and an end date and time."))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise Invalid(_("Give the time with its time zone."))
    if ends_at <= starts_at:
        raise Invalid(_("The end must come after the start."))
    if starts_at <= timezone.now():
        raise Invalid(_("A new date must lie in the future."))
    if min_participants is not None:
        min_participants = _int(min_participants, _("The minimum"), 1, capacity)
        if min_deadline is None:
            min_deadline = starts_at - dt.timedelta(days=2)
        if min_deadline >= starts_at:
            raise Invalid(_("Decide on the minimum before the start."))
    venue = _line(venue, _("the venue"), 300)
    cleaned_url = clean_fields({"online_url": online_url}, creating=False)["online_url"]
    with transaction.atomic():
        product = managed_product(actor, product_id)
        if product.logistics != Product.Logistics.SCHEDULED:
            raise Invalid(_("Only scheduled products have dates."))
        series = uuid.uuid4() if count > 1 else None
        step = REPEATS[repeat] or dt.timedelta(0)
        made = Occurrence.objects.bulk_create([
            Occurrence(product=product, starts_at=starts_at + step * i,
                       ends_at=ends_at + step * i, capacity=capacity,
                       venue=venue or product.venue, online_url=cleaned_url or product.online_url,
                       min_participants=min_participants,
                       min_deadline=(min_deadline + step * i) if min_deadline else None,
                       series=series)
            for i in range(count)])
        record("catalogue.occurrences_added", actor=actor, target=product, request=request,
               data={"count": len(made), "repeat": repeat, "capacity": capacity,
                     "first": starts_at.isoformat()})
    return made


def set_availability(*, actor, product_id: int, rules: list[dict], request=None) -> list:
    """Replace the weekly hours in which appointments can be booked."""
    cleaned = []
    for rule in rules or []:
        try:
            weekday = int(rule["weekday"])
            start = _time(rule["start"])
            end = _time(rule["end"])
        except (KeyError, TypeError, ValueError):
            raise Invalid(_("Give each period a weekday and a start and end time.")) from None
        if not 0 <= weekday <= 6:
            raise Invalid(_("Choose a weekday."))
        if end <= start:
            raise Invalid(_("Each period must end after it starts."))
        cleaned.append((weekday, start, end))
    if len(cleaned) > 50:
        raise Invalid(_("Use at most 50 periods."))
    with transaction.atomic():
        product = managed_product(actor, product_id)
        if product.logistics != Product.Logistics.APPOINTMENT:
            raise Invalid(_("Only appointment products have availability."))
        # The provider's calendar lock, which a booking of an appointment takes before it
        # checks these hours (identity.locking); then the product, in that order.
        lock_calendar(product.provider_id)
        Product.objects.select_for_update(no_key=True).filter(pk=product.pk).first()
        product.availability.all().delete()
        made = Availability.objects.bulk_create([
            Availability(product=product, weekday=w, start_time=s, end_time=e)
            for w, s, e in cleaned])
        record("catalogue.availability_set", actor=actor, target=product, request=request,
               data={"periods": len(made)})
    return made


def _time(value) -> dt.time:
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value))


def add_unit(*, actor, product_id: int, name: str, request=None) -> ResourceUnit:
    name = _line(name, _("the name"), 100, required=True)
    with transaction.atomic():
        product = managed_product(actor, product_id)
        if product.logistics != Product.Logistics.RESOURCE:
            raise Invalid(_("Only products booked by date range have units."))
        if product.units.filter(name=name).exists():
            raise Invalid(_("There is a unit called %(name)s already.") % {"name": name})
        unit = ResourceUnit.objects.create(product=product, name=name)
        record("catalogue.unit_added", actor=actor, target=product, request=request,
               data={"unit": unit.pk, "name": name})
    return unit


def set_unit_active(*, actor, product_id: int, unit_id: int, active: bool,
                    request=None) -> ResourceUnit:
    with transaction.atomic():
        product = managed_product(actor, product_id)
        unit = product.units.filter(pk=unit_id).first()
        if unit is None:
            raise Invalid(_("There is no such unit."))
        unit.is_active = bool(active)
        unit.save(update_fields=["is_active"])
        record("catalogue.unit_changed", actor=actor, target=product, request=request,
               data={"unit": unit.pk, "active": unit.is_active})
    return unit
