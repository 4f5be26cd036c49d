"""The member's coming bookings on the start page: {% my_upcoming_bookings user as bookings %}."""

from django import template

register = template.Library()


@register.simple_tag
def my_upcoming_bookings(account, limit: int = 5):
    """The account's coming bookings that hold a place, soonest first."""
    from weconomics.web.booking_views import upcoming_of

    return upcoming_of(account, limit)
