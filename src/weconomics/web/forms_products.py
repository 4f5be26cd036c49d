"""Forms of the catalogue and provider pages; the rules themselves live in the services.

The forms check the shape of what people type (numbers, dates, lengths) and turn it into
the values the services take: euros into cents, comma-separated words into lists, one
question per line into a list. Whatever a service refuses comes back as a form error.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weconomics.bookings.models import Voucher
from weconomics.catalogue.models import VAT_RATES, Product
from weconomics.identity.models import clean_display_text

LANGUAGES = [("nl", _("Dutch")), ("en", _("English")), ("de", _("German")),
             ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic")),
             ("tr", _("Turkish")), ("pl", _("Polish")), ("uk", _("Ukrainian"))]
LANGUAGE_NAMES = dict(LANGUAGES)
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _single_line(value: str) -> str:
    try:
        return clean_display_text(value or "")
    except ValueError:
        raise forms.ValidationError(_("Use no line breaks or control characters.")) from None


def _words(value: str) -> list[str]:
    return [word.strip() for word in (value or "").split(",") if word.strip()]


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def euros(amount_cents: int) -> Decimal:
    return (Decimal(amount_cents or 0) / 100).quantize(Decimal("0.01"))


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *Product.Kind.choices])
    logistics = forms.ChoiceField(label=_("How it is booked"), required=False,
                                  choices=[("", _("Any way")), *Product.Logistics.choices])
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("Any language")), *LANGUAGES])
    community = forms.ChoiceField(label=_("Community"), required=False, choices=[])

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("Any community")),
                                            *[(c.slug, c.name) for c in communities]]

    def criteria(self) -> dict:
        """What to search for; a field with a value that is not a choice is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: value.strip() for key, value in self.cleaned_data.items() if value}


class ProductForm(forms.Form):
    """A product: what it is, where, the policy, the price, and how it is booked."""

    organisation = forms.ChoiceField(
        label=_("Offered by"), required=False, choices=[],
        help_text=_("Offer it yourself, or on behalf of an organisation you administer."))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Product.Kind.choices])
    title = forms.CharField(label=_("Title"), max_length=150)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One or two sentences shown in the catalogue."))
    description = forms.CharField(
        label=_("Description"), max_length=20_000, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: *italic*, **bold**, lists and links. No images or HTML."))
    skills = forms.CharField(label=_("Skills"), max_length=1000, required=False,
                             help_text=_("Skills people learn or use, separated by commas."))
    tags = forms.CharField(label=_("Tags"), max_length=1000, required=False,
                           help_text=_("Words to find it by, separated by commas."))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="nl")
    delivery = forms.ChoiceField(label=_("Where"), choices=Product.Delivery.choices,
                                 initial=Product.Delivery.VENUE, widget=forms.RadioSelect)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False,
                            help_text=_("The address, for products at a venue."))
    online_url = forms.URLField(label=_("Online link"), max_length=500, required=False,
                                assume_scheme="https",
                                widget=forms.URLInput(attrs={"placeholder": "https://"}),
                                help_text=_("Shown to people who booked."))
    prerequisites = forms.CharField(label=_("Prerequisites"), max_length=5000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    cancellation_policy = forms.CharField(label=_("Cancellation policy"), max_length=5000,
                                          required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    cancel_hours_before = forms.IntegerField(
        label=_("Customers may cancel until this many hours before the start"),
        min_value=0, max_value=24 * 365, initial=24)
    price = forms.DecimalField(
        label=_("Price in euros, VAT included"), min_value=Decimal("0"),
        max_value=Decimal("1000000"), max_digits=9, decimal_places=2, initial=Decimal("0"),
        help_text=_("0 means free. Per place; for rooms per night."))
    vat_rate = forms.ChoiceField(label=_("VAT rate"),
                                 choices=[(str(v), label) for v, label in VAT_RATES],
                                 initial="21")
    requires_approval = forms.BooleanField(label=_("I approve each booking first"),
                                           required=False)
    max_quantity = forms.IntegerField(
        label=_("Places per booking"), min_value=1, max_value=100, initial=1,
        help_text=_("More than 1 lets a customer bring guests."))
    questions = forms.CharField(
        label=_("Questions for the customer"), max_length=3000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question per line; every booking must answer them."))
    logistics = forms.ChoiceField(label=_("How it is booked"),
                                  choices=Product.Logistics.choices,
                                  initial=Product.Logistics.SCHEDULED, widget=forms.RadioSelect)
    slot_minutes = forms.IntegerField(label=_("Appointment length in minutes"), min_value=5,
                                      max_value=24 * 60, initial=60)
    buffer_minutes = forms.IntegerField(label=_("Minutes between appointments"), min_value=0,
                                        max_value=24 * 60, initial=0)
    min_notice_hours = forms.IntegerField(label=_("Minimum notice in hours"), min_value=0,
                                          max_value=24 * 90, initial=24)
    window_days = forms.IntegerField(label=_("Bookable this many days ahead"), min_value=1,
                                     max_value=730, initial=60)

    APPOINTMENT_FIELDS = ("slot_minutes", "buffer_minutes", "min_notice_hours", "window_days")

    def __init__(self, *args, organisations=(), product: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        if product is not None or not organisations:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [
                ("", _("Myself")), *[(o.slug, o.name) for o in organisations]]
        if product is not None and product.bookings.exists():
            self.fields["logistics"].disabled = True
            self.fields["logistics"].help_text = _(
                "This cannot change once the product has bookings.")

    @classmethod
    def initial_for(cls, product: Product) -> dict:
        return {
            "kind": product.kind, "title": product.title, "summary": product.summary,
            "description": product.description,
            "skills": ", ".join(s.name for s in product.skills.all()),
            "tags": ", ".join(product.tags), "language": product.language,
            "delivery": product.delivery, "venue": product.venue,
            "online_url": product.online_url, "prerequisites": product.prerequisites,
            "cancellation_policy": product.cancellation_policy,
            "cancel_hours_before": product.cancel_hours_before,
            "price": euros(product.price_cents), "vat_rate": str(int(product.vat_rate)),
            "requires_approval": product.requires_approval,
            "max_quantity": product.max_quantity, "questions": "\n".join(product.questions),
            "logistics": product.logistics, "slot_minutes": product.slot_minutes,
            "buffer_minutes": product.buffer_minutes,
            "min_notice_hours": product.min_notice_hours, "window_days": product.window_days,
        }

    def clean_title(self):
        title = _single_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the product a title."))
        return title

    def clean_summary(self):
        return _single_line(self.cleaned_data["summary"])

    def clean_venue(self):
        return _single_line(self.cleaned_data["venue"])

    def clean_questions(self):
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        return [line for line in lines if line]

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        data["price_cents"] = cents(data.pop("price"))
        data["tags"] = _words(data["tags"])
        data["skills"] = _words(data["skills"])
        if self.product is not None and self.fields["logistics"].disabled:
            data.pop("logistics", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Product.Status.choices)


class OccurrenceForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000,
                                  initial=10)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False,
                            help_text=_("Empty: the product's venue."))
    online_url = forms.URLField(label=_("Online link"), max_length=500, required=False,
                                assume_scheme="https",
                                widget=forms.URLInput(attrs={"placeholder": "https://"}),
                                help_text=_("Empty: the product's online link."))
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=[
        ("", _("Only once")), ("daily", _("Every day")), ("weekly", _("Every week")),
        ("fortnightly", _("Every two weeks"))])
    count = forms.IntegerField(label=_("Number of dates in the series"), min_value=1,
                               max_value=104, initial=1, required=False)
    min_participants = forms.IntegerField(
        label=_("Minimum participants"), min_value=1, required=False,
        help_text=_("Optional. If it is not reached by the deadline, you decide to go ahead "
                    "or cancel."))
    min_deadline = forms.DateTimeField(
        label=_("Decide on the minimum by"), widget=DATETIME, required=False,
        help_text=_("Empty: two days before the start."))

    def clean_venue(self):
        return _single_line(self.cleaned_data["venue"])

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must come after the start."))
        if start and start <= timezone.now():
            self.add_error("starts_at", _("A new date must lie in the future."))
        return data


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]
PERIODS_PER_DAY = 3


class AvailabilityForm(forms.Form):
    """The weekly hours: up to three periods on each weekday."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, _label in WEEKDAYS:
            for n in range(PERIODS_PER_DAY):
                self.fields[f"d{day}_{n}_start"] = forms.TimeField(
                    label=_("From"), required=False, widget=TIME)
                self.fields[f"d{day}_{n}_end"] = forms.TimeField(
                    label=_("Until"), required=False, widget=TIME)

    @classmethod
    def initial_for(cls, rules) -> dict:
        initial: dict = {}
        used: dict[int, int] = {}
        for rule in rules:
            n = used.get(rule.weekday, 0)
            if n >= PERIODS_PER_DAY:
                continue
            used[rule.weekday] = n + 1
            initial[f"d{rule.weekday}_{n}_start"] = rule.start_time
            initial[f"d{rule.weekday}_{n}_end"] = rule.end_time
        return initial

    def days(self) -> list[dict]:
        return [{"label": label, "periods": [
            (self[f"d{day}_{n}_start"], self[f"d{day}_{n}_end"])
            for n in range(PERIODS_PER_DAY)]} for day, label in WEEKDAYS]

    def clean(self):
        data = super().clean()
        for day, label in WEEKDAYS:
            for n in range(PERIODS_PER_DAY):
                start, end = data.get(f"d{day}_{n}_start"), data.get(f"d{day}_{n}_end")
                if (start is None) != (end is None):
                    self.add_error(f"d{day}_{n}_end" if start else f"d{day}_{n}_start",
                                   _("Give %(day)s a start and an end time.")
                                   % {"day": label})
        return data

    def rules(self) -> list[dict]:
        rules = []
        for day, _label in WEEKDAYS:
            for n in range(PERIODS_PER_DAY):
                start = self.cleaned_data.get(f"d{day}_{n}_start")
                end = self.cleaned_data.get(f"d{day}_{n}_end")
                if start is not None and end is not None:
                    rules.append({"weekday": day, "start": start, "end": end})
        return rules


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("A room, a workplace, a desk."))

    def clean_name(self):
        name = _single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the unit a name."))
        return name


class VoucherForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, min_length=3,
                           help_text=_("3 to 40 letters and digits; people type it when "
                                       "they book."))
    kind = forms.ChoiceField(label=_("Discount"), choices=Voucher.Kind.choices,
                             initial=Voucher.Kind.PERCENT)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"),
                                max_digits=9, decimal_places=2,
                                help_text=_("In euros for a fixed amount, or a percentage."))
    max_uses = forms.IntegerField(label=_("Uses allowed"), min_value=1, max_value=100_000,
                                  initial=1)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE,
                                  help_text=_("Empty: no end. Valid through the whole day."))

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if amount is not None and data.get("kind") == Voucher.Kind.PERCENT and (
                amount != amount.to_integral_value() or amount > 100):
            self.add_error("amount", _("A percentage is a whole number from 1 to 100."))
        return data

    def for_service(self) -> dict:
        data = self.cleaned_data
        amount = data["amount"]
        until = data.get("valid_until")
        return {
            "code": data["code"], "kind": data["kind"],
            "amount": cents(amount) if data["kind"] == Voucher.Kind.FIXED else int(amount),
            "max_uses": data["max_uses"],
            "valid_until": (dt.datetime.combine(until, dt.time(23, 59, 59),
                                                timezone.get_current_timezone())
                            if until else None),
        }


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    text = forms.CharField(label=_("Message"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}))

    def clean_subject(self):
        return _single_line(self.cleaned_data["subject"])


class ProposalForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    price = forms.DecimalField(label=_("Price in euros, VAT included"), min_value=Decimal("0"),
                               max_value=Decimal("1000000"), max_digits=9, decimal_places=2)
    message = forms.CharField(label=_("Message"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
