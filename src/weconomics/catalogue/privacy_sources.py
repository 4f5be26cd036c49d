"""What the catalogue keeps about an account: the products it offers.

A product offered for an organisation stays the organisation's: its other administrators
go on managing it. A product the person offered alone goes: removed when nobody booked it;
otherwise kept (the customers' bookings, invoices and reviews refer to it), archived,
offered "by a deleted user". Its dates and bookings still to come were cancelled before, by
the bookings' source (`bookings.services.cancel_for_deleted_account`), the customers told.
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

    Product.objects.filter(provider=account, organisation__isnull=False).update(provider=None)
    mine = Product.objects.filter(provider=account)
    mine.filter(bookings__isnull=True).delete()
    for product in mine:
        product.status = Product.Status.ARCHIVED
        product.provider_name = DELETED
        product.provider = None
        product.save(update_fields=["status", "provider_name", "provider"])
        refresh(product)


privacy.register("products", export=export_products, erase=erase_products, models=[Product],
                 order=60)
