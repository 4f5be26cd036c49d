"""Locks for selling limited capacity without ever overselling (after pretix's lock_objects).

A write that makes something less available collects every row it needs (a date, the
provider's calendar, the units, a voucher; for a change of a booking, its date and the
booking) and locks them in ONE call of `lock_objects`, in ONE order: by table in `ORDER`,
then by primary key. Two transactions then never hold each other's rows while waiting.
After the lock it counts what is taken from the bookings themselves.

On PostgreSQL the rows are locked FOR NO KEY UPDATE, not FOR UPDATE: inserting a booking
takes FOR KEY SHARE on every row it refers to (its provider's account, voucher, date, unit),
which FOR UPDATE blocks and FOR NO KEY UPDATE does not. An appointment that locked the
provider's account FOR UPDATE while a date's booking held the voucher and waited to refer
to that account was a deadlock. A wait for a lock ends after LOCK_TIMEOUT seconds (set in
the locking statement itself, so it costs no round trip).

On SQLite the transaction is IMMEDIATE (settings): the whole write transaction is the lock,
taken at BEGIN, and its wait ends with the busy timeout (settings). `atomic()` opens such a
transaction and turns a lock not had in time (or a deadlock, should one ever happen) into
`Busy`, a 409 problem document or a form error instead of a server error.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from weconomics.bookings.errors import Busy
from weconomics.bookings.models import Booking, Voucher
from weconomics.catalogue.models import Occurrence, ResourceUnit
from weconomics.identity.models import Account

# The order in which rows of different tables are locked. An account row stands for its
# holder's calendar of appointments.
ORDER: tuple[type[Model], ...] = (Account, Occurrence, ResourceUnit, Voucher, Booking)
LOCK_TIMEOUT = 5.0  # seconds a PostgreSQL lock is waited for

# PostgreSQL's codes for a lock not had in time, a deadlock, a serialisation failure.
_LOCK_ERRORS = {"55P03", "40P01", "40001"}


def lock_objects(*querysets: QuerySet | None) -> list[list[Model]]:
    """Lock the rows of every queryset, in one call and one order; return them per queryset.

    A None stands for nothing to lock (and gives an empty list). Call once per transaction,
    inside it, with everything the write will make less available.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Rows are locked inside a transaction only.")
    found: list[list[Model]] = [[] for _queryset in querysets]
    wanted = [(ORDER.index(queryset.model), index, queryset)
              for index, queryset in enumerate(querysets) if queryset is not None]
    for _rank, index, queryset in sorted(wanted, key=lambda item: item[:2]):
        found[index] = list(_locking(queryset))
    return found


def lock_one(queryset: QuerySet) -> Model | None:
    """Lock the first row of the queryset, when a write needs one row only (lock_objects)."""
    [rows] = lock_objects(queryset)
    return rows[0] if rows else None


def _locking(queryset: QuerySet) -> QuerySet:
    # of=("self",): only the model's own rows, never those select_related joins in.
    queryset = queryset.order_by("pk").select_for_update(of=("self",), no_key=True)
    if connection.vendor == "postgresql":
        # SET LOCAL lock_timeout, evaluated for each row before it is locked.
        queryset = queryset.filter(RawSQL(
            "set_config('lock_timeout', %s, true) IS NOT NULL",
            [f"{round(LOCK_TIMEOUT * 1000)}ms"], output_field=BooleanField()))
    return queryset


def is_lock_error(error: OperationalError) -> bool:
    """Whether the database gave up waiting for a lock (or broke a deadlock)."""
    code = getattr(error.__cause__, "sqlstate", None)
    return code in _LOCK_ERRORS or "database is locked" in str(error) or (
        "database table is locked" in str(error))


@contextmanager
def atomic(*, durable: bool = True) -> Iterator[None]:
    """A transaction for a write that locks; a lock not had in time raises Busy."""
    try:
        with transaction.atomic(durable=durable):
            yield
    except OperationalError as error:
        if not is_lock_error(error):
            raise
        raise Busy(_("Others are booking or changing this at the same moment. Try again in "
                     "a moment.")) from error
