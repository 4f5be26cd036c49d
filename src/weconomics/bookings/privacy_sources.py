"""What bookings keep about an account, for the export and for deletion.

Bookings, their events, invoices and reviews are never deleted with either side's account:
the other side and the books need them. Deletion cancels, through the bookings service, the
account's bookings still to come (their providers told, the freed places offered to the
waiting list) and the dates and bookings of the products it provides alone (their
customers told; this source runs before the catalogue's, which archives those products),
and removes the personal data in its bookings (name, email, answers, message); invoices
keep the buyer's name, as the tax law asks. Waiting-list places, portfolio entries and the
calendar feed go with the account.
"""

from weconomics.bookings.models import (
    Booking,
    BookingEvent,
    CalendarFeed,
    Invoice,
    InvoiceCounter,
    PortfolioEntry,
    Review,
    Voucher,
    WaitingListEntry,
)
from weconomics.identity import privacy

DELETED = "Deleted user"


def _iso(value):
    return value.isoformat() if value else None


def export_bookings(account):
    bookings = (Booking.objects.filter(customer=account)
                .select_related("product", "occurrence", "unit", "invoice", "review")
                .prefetch_related("events").order_by("pk"))
    rows = []
    for b in bookings:
        invoice = getattr(b, "invoice", None) if hasattr(b, "invoice") else None
        review = getattr(b, "review", None) if hasattr(b, "review") else None
        rows.append({
            "id": b.pk, "product": b.product.title, "state": b.state, "quantity": b.quantity,
            "date": _iso(b.occurrence.starts_at if b.occurrence_id else b.starts_at),
            "start_date": _iso(b.start_date), "end_date": _iso(b.end_date),
            "unit": b.unit.name if b.unit_id else None, "answers": b.answers,
            "message": b.message, "total_cents": b.total_cents, "vat_rate": str(b.vat_rate),
            "discount_cents": b.discount_cents, "created_at": _iso(b.created_at),
            "events": [{"at": _iso(e.at), "from": e.from_state, "to": e.to_state,
                        "reason": e.reason} for e in b.events.all()],
            "invoice": ({"number": invoice.number, "total_cents": invoice.total_cents,
                         "paid_at": _iso(invoice.paid_at)} if invoice else None),
            "review": ({"rating": review.rating, "text": review.text} if review else None),
        })
    return rows


def export_provided(account):
    return [
        {"id": b.pk, "product": b.product.title, "customer": b.customer_name,
         "state": b.state, "total_cents": b.total_cents, "created_at": _iso(b.created_at)}
        for b in Booking.objects.filter(provider=account).select_related("product")
        .order_by("pk")
    ]


def export_rest(account):
    return {
        "waiting_lists": [{"product": e.occurrence.product.title, "status": e.status,
                           "since": _iso(e.created_at)}
                          for e in WaitingListEntry.objects.filter(customer=account)
                          .select_related("occurrence__product")],
        "portfolio": [{"title": e.title, "kind": e.kind, "attested_by": e.attested_by,
                       "completed_on": _iso(e.completed_on), "hidden": e.hidden}
                      for e in PortfolioEntry.objects.filter(account=account)],
        "reviews_written": [{"product": r.product.title, "rating": r.rating, "text": r.text}
                            for r in Review.objects.filter(author=account)
                            .select_related("product")],
        "vouchers": [{"code": v.code, "kind": v.kind, "amount": v.amount,
                      "max_uses": v.max_uses} for v in Voucher.objects.filter(provider=account)],
        "calendar_feed": CalendarFeed.objects.filter(account=account).exists(),
    }


def erase_bookings(account):
    from weconomics.bookings.services import cancel_for_deleted_account

    # Cancelled the way every booking is: the other side told, the place offered on.
    cancel_for_deleted_account(account=account)
    Booking.objects.filter(customer=account).update(
        customer_name=DELETED, customer_email="", answers={}, message="")


privacy.register("bookings", export=export_bookings, erase=erase_bookings,
                 models=[Booking, BookingEvent, Invoice, InvoiceCounter], order=55)
privacy.register("bookings_provided", export=export_provided)
privacy.register("booking_extras", export=export_rest,
                 models=[WaitingListEntry, PortfolioEntry, Review, Voucher, CalendarFeed])
