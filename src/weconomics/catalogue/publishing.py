"""Products are published to community domains like any authored content."""

from django.utils.translation import gettext_lazy

from weconomics.catalogue.access import can_manage
from weconomics.catalogue.models import Product
from weconomics.communities.publications import Publishable, register

register(Publishable(
    model=Product, label=gettext_lazy("Product"),
    may_publish=can_manage,
    title=lambda product: product.title, summary=lambda product: product.summary,
    url=lambda product: f"/products/{product.pk}/",
    is_live=lambda product: product.status == Product.Status.PUBLISHED))
