"""Locks for selling limited capacity without ever overselling (after pretix).

Each booking transaction locks the one row it makes less available (the date, the
provider's calendar, the unit), then counts what is taken from the bookings themselves.
On PostgreSQL that is SELECT ... FOR UPDATE; on SQLite the transaction is IMMEDIATE
(settings), so the whole write transaction is the lock and FOR UPDATE is a no-op.
Locks are always taken in the same order: the capacity row first, then a voucher.
"""

from django.db.models import Model, QuerySet

# A switch for the twin test that proves the race exists without the lock; never set it
# anywhere else.
SKIP_LOCKS = False


def lock(queryset: QuerySet) -> Model | None:
    """Return the first row of the queryset, locked for the rest of the transaction."""
    queryset = queryset.order_by("pk")  # rows in one order: pk (and no model ordering)
    if SKIP_LOCKS:
        return queryset.first()
    return queryset.select_for_update().first()
