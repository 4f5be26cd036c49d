"""What the catalogue keeps about an account: the products it offers.

Deletion removes the products nobody booked; products with bookings stay (the customers'
bookings, invoices and reviews refer to them), archived, no longer tied to the account,
and offered "by a deleted user" unless they belong to an organisation.
"""

from weconomics.catalogue.models import Product
from weconomics.identity import privacy

DELETED = "—"


def export_products(account):
    return [
        {"id": p.pk, "title": p.title, "kind": p.kind, "logistics": p.logistics,
         "status": p.status, "price_cents": p.price_cents, "vat_rate": str(p.vat_rate),
         "organisation": p.organisation.name if p.organisation_id else None,
         "created_at": p.created_at.isoformat(),
         "dates": [{"starts_at": o.starts_at.isoformat(), "capacity": o.capacity,
                    "status": o.status} for o in p.occurrences.all()]}
        for p in Product.objects.filter(provider=account).select_related("organisation")
        .prefetch_related("occurrences")
    ]


def erase_products(account):
    from weconomics.communities.publications import refresh

    mine = Product.objects.filter(provider=account)
    mine.filter(bookings__isnull=True).delete()
    for product in mine:
        product.status = Product.Status.ARCHIVED
        if product.organisation_id is None:
            product.provider_name = DELETED
        product.provider = None
        product.save(update_fields=["status", "provider_name", "provider"])
        refresh(product)


privacy.register("products", export=export_products, erase=erase_products, models=[Product],
                 order=60)
