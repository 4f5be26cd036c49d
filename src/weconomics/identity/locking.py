"""The lock on an account row that stands for its holder's calendar of appointments.

A booking of an appointment locks its provider's account row (bookings.locking, where the
account comes first in the order of tables) and checks the provider's hours after it; a
change of those hours takes the same lock, so a booking never passes on the old hours.
The row is locked FOR NO KEY UPDATE on PostgreSQL: every insert that refers to the account
(a booking, a token, an audit record) takes FOR KEY SHARE on it, which FOR UPDATE would
block and FOR NO KEY UPDATE does not. On SQLite the IMMEDIATE transaction is the lock.
"""

from django.db import connection

from weconomics.identity.models import Account


def lock_calendar(account_id: int | None) -> None:
    """Lock the account row standing for a provider's calendar (inside a transaction)."""
    if not connection.in_atomic_block:
        raise RuntimeError("Rows are locked inside a transaction only.")
    list(Account.objects.filter(pk=account_id).select_for_update(no_key=True).values("pk"))
