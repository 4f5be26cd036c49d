"""Who may see and manage products: the one place pages, the API and bookings ask.

A product is seen by its provider (and the administrators of the organisation it is offered
for) in every state; by others only while published and only through a publication they
may see (`communities.publications.visible_publications`: public communities, their own
communities, and allied ones where the publisher allows).
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from weconomics.catalogue.errors import NotFound
from weconomics.catalogue.models import Product
from weconomics.contacts.models import OrganisationMembership

ADMIN_ROLES = [OrganisationMembership.Role.OWNER, OrganisationMembership.Role.ADMIN]


def _signed_in(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def managed_by(viewer) -> Q:
    """A filter: products the viewer offers, alone or as an administrator of the organisation."""
    if not _signed_in(viewer):
        return Q(pk__in=[])
    return Q(provider_id=viewer.pk) | Q(organisation_id__in=OrganisationMembership.objects
                                        .filter(account_id=viewer.pk, role__in=ADMIN_ROLES)
                                        .values("organisation_id"))


def can_manage(viewer, product: Product) -> bool:
    if not _signed_in(viewer):
        return False
    if product.provider_id == viewer.pk:
        return True
    return product.organisation_id is not None and OrganisationMembership.objects.filter(
        organisation_id=product.organisation_id, account_id=viewer.pk,
        role__in=ADMIN_ROLES).exists()


def visible_products(viewer) -> QuerySet[Product]:
    """Published products the viewer may see through a publication, and their own."""
    from weconomics.communities.publications import visible_publications

    shown = visible_publications(viewer).filter(
        content_type=ContentType.objects.get_for_model(Product), object_id=OuterRef("pk"))
    published = Q(status=Product.Status.PUBLISHED) & Exists(shown)
    return Product.objects.filter(published | managed_by(viewer))


def catalogue(viewer, *, q: str = "", kind: str = "", community: str = "",
              logistics: str = "", language: str = "") -> QuerySet[Product]:
    """The catalogue as the viewer may see it: published products only, newest first."""
    from weconomics.communities.publications import visible_publications

    shown = visible_publications(viewer).filter(
        content_type=ContentType.objects.get_for_model(Product))
    if community:
        shown = shown.filter(community__slug=community)
    products = Product.objects.filter(status=Product.Status.PUBLISHED,
                                      pk__in=shown.values("object_id"))
    if q:
        products = products.filter(Q(title__icontains=q) | Q(summary__icontains=q)
                                   | Q(provider_name__icontains=q))
    if kind:
        products = products.filter(kind=kind)
    if logistics:
        products = products.filter(logistics=logistics)
    if language:
        products = products.filter(language=language)
    return products.order_by("-created_at", "-pk")


def product_for(viewer, product_id, *, with_provider: bool = True) -> Product:
    """Return the product when the viewer may see it, or raise NotFound.

    with_provider=False leaves the provider's account and profile and the organisation
    unloaded (booking needs none of them, and their columns cost more than the product's).
    """
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such product, or it is not visible to you.")) from None
    from weconomics.communities.publications import is_visible, shown_to_everyone

    found = Product.objects.filter(pk=product_id).annotate(public=shown_to_everyone(Product))
    if with_provider:
        found = found.select_related("organisation", "provider__person")
    product = found.order_by().first()
    # The same rule as visible_products, decided for one row without its big subquery.
    if product is None or not (
            can_manage(viewer, product)
            or (product.status == Product.Status.PUBLISHED
                and (product.public or is_visible(viewer, product)))):
        raise NotFound(_("There is no such product, or it is not visible to you."))
    return product


def managed_product(viewer, product_id) -> Product:
    """Return a product the viewer manages, or raise NotFound (never reveal others')."""
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no such product of yours.")) from None
    product = Product.objects.filter(managed_by(viewer), pk=product_id).first()
    if product is None:
        raise NotFound(_("There is no such product of yours."))
    return product
