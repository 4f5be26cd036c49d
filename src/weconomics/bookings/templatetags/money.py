"""Amounts in euro cents shown as euros in the active language: {{ cents|euro }}."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euro(cents) -> str:
    if cents in (None, ""):
        return ""
    amount = Decimal(int(cents)) / 100
    return f"€ {number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}"
