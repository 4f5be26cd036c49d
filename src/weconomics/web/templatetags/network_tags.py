"""A summary of a member's network for the start page."""

from django import template

from weconomics.contacts import access, queries

register = template.Library()


@register.simple_tag
def network_summary(account) -> dict:
    """Counts of connections and of what waits for the member, in a few queries."""
    me = access.person_of(account)
    if me is None:
        return {"person": None, "connections": 0, "requests": 0, "recommendations": 0}
    waiting = queries.recommendations_to_handle(account)
    return {
        "person": me,
        "connections": queries.connections_of(account).count(),
        "requests": queries.requests_received(account).count(),
        "recommendations": waiting["to_write"].count() + waiting["to_approve"].count(),
    }
