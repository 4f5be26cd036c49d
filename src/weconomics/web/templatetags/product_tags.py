"""The member's own offers on the start page: {% my_offers user as offers %}."""

from django import template

register = template.Library()


@register.simple_tag
def my_offers(account, limit: int = 6):
    """The products the account offers (themselves or for an organisation), newest first."""
    from weconomics.web.product_views import offers_of

    return offers_of(account, limit)
