"""Forms of the booking pages; the rules themselves live in bookings.services.

The forms only parse what was typed; whether a date, slot, unit, quantity or voucher may
be booked is decided by `bookings.services.book`, whose refusals the view shows on the form.
"""

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weconomics.catalogue.models import Product

Logistics = Product.Logistics


def new_key() -> str:
    """An idempotency key for one rendering of the booking form."""
    return secrets.token_urlsafe(18)


class BookingForm(forms.Form):
    """Book a product: the fields depend on how the product is booked."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)
    occurrence = forms.CharField(label=_("Date"), required=False)
    slot = forms.CharField(label=_("Time"), required=False, max_length=40)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    start_date = forms.DateField(label=_("Arrival"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Departure"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.IntegerField(label=_("Places"), initial=1)
    message = forms.CharField(label=_("Message to the provider"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    voucher = forms.CharField(label=_("Voucher code"), required=False, max_length=40)
    organisation = forms.ChoiceField(label=_("Book for"), required=False)
    waitlist = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, product: Product, units=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        logistics = product.logistics
        if not self.is_bound:
            self.initial.setdefault("key", new_key())
        self.fields["quantity"].help_text = _(
            "You and your guests: at most %(n)d.") % {"n": product.max_quantity}
        self.fields["quantity"].widget.attrs.update(min=1, max=product.max_quantity)
        self.fields["unit"].choices = [("", _("Any free unit")),
                                       *[(str(unit.pk), unit.name) for unit in units]]
        self.fields["organisation"].choices = [
            ("", _("Myself")),
            *[(m.organisation.slug, m.organisation.name) for m in organisations]]
        if logistics == Logistics.SCHEDULED:
            self.fields["occurrence"].required = True
            self.fields["occurrence"].error_messages["required"] = _("Choose a date.")
        elif logistics == Logistics.APPOINTMENT:
            self.fields["slot"].required = True
            self.fields["slot"].error_messages["required"] = _("Choose a time.")
        elif logistics == Logistics.RESOURCE:
            for name, message in (("start_date", _("Choose the arrival date.")),
                                  ("end_date", _("Choose the departure date."))):
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
                self.fields[name].widget.attrs["min"] = timezone.localdate().isoformat()
        elif logistics == Logistics.ON_REQUEST:
            self.fields["message"].required = True
            self.fields["message"].label = _("What would you like to ask?")
            self.fields["message"].error_messages["required"] = _(
                "Tell the provider what you would like.")
        self.questions = list(product.questions or [])
        for index, question in enumerate(self.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question, max_length=1000,
                error_messages={"required": _("Answer this question.")})

    @property
    def answer_fields(self):
        return [self[f"answer_{index}"] for index in range(len(self.questions))]

    def booking_fields(self) -> dict:
        """The keyword arguments of bookings.services.book for what was typed."""
        data = self.cleaned_data
        fields = {"quantity": data["quantity"], "voucher_code": data.get("voucher") or "",
                  "organisation": data.get("organisation") or None,
                  "message": data.get("message") or "",
                  "answers": {question: data.get(f"answer_{index}", "")
                              for index, question in enumerate(self.questions)},
                  "idempotency_key": data.get("key") or "",
                  "waitlist": bool(data.get("waitlist"))}
        logistics = self.product.logistics
        if logistics == Logistics.SCHEDULED:
            fields["occurrence_id"] = data["occurrence"]
        elif logistics == Logistics.APPOINTMENT:
            fields["slot_start"] = data["slot"]
        elif logistics == Logistics.RESOURCE:
            fields.update(unit_id=data.get("unit") or None, start_date=data["start_date"],
                          end_date=data["end_date"])
        return fields


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500,
                             widget=forms.TextInput)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        error_messages={"required": _("Give a rating from 1 to 5."),
                        "invalid_choice": _("Give a rating from 1 to 5.")})
    text = forms.CharField(label=_("Your review"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))
