"""What the catalogue keeps about an account: the products it offers.

A product offered for an organisation stays the organisation's: its other administrators
go on managing it. A product the person offered alone goes: removed when nobody booked it;
otherwise kept (the customers' bookings, invoices and reviews refer to it), archived,
offered "by a deleted user", and its bookings still to come are cancelled and the
customers told, since nobody is left to provide them.
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
        _cancel_upcoming(product)


def _cancel_upcoming(product: Product) -> None:
    from django.db.models import Q
    from django.utils import timezone

    from weconomics.bookings.models import HOLDING, Booking, State
    from weconomics.bookings.services import _after_commit, _event
    from weconomics.notifications.services import notify

    now = timezone.now()
    for booking in Booking.objects.filter(product=product, state__in=HOLDING).filter(
            Q(occurrence__starts_at__gt=now) | Q(starts_at__gt=now)
            | Q(start_date__gt=timezone.localdate(now)) | Q(state="requested")).select_related(
            "customer"):
        before = booking.state
        booking.state = State.CANCELLED
        booking.save(update_fields=["state", "updated_at"])
        _event(booking, State.CANCELLED, actor=None, from_state=before,
               reason="provider deleted their account")
        if booking.customer is not None:
            notify(booking.customer, "bookings.cancelled", product=product.title,
                   url=f"/bookings/{booking.pk}/")
        _after_commit(booking.pk, "cancelled")


privacy.register("products", export=export_products, erase=erase_products, models=[Product],
                 order=60)
