"""The database keeps audit records and booking events: no UPDATE, DELETE or TRUNCATE,
except through the narrow bypass that erasure and the test flush use."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from weconomics.audit import append_only
from weconomics.audit.models import AuditRecord
from weconomics.audit.services import record
from weconomics.bookings.models import BookingEvent
from weconomics.bookings.tests.helpers import scheduled
from weconomics.conftest import make_account
from weconomics.identity import services as identity
from weconomics.identity.tests.helpers import sign_in

TABLES = ["audit_auditrecord", "bookings_bookingevent"]


def _refused(sql, params=()):
    """True when the database refuses the statement (and it changed nothing)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def _an_event(provider, customer):
    from weconomics.bookings import services as bookings

    product, occurrence = scheduled(provider)
    bookings.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
    return BookingEvent.objects.get(booking__customer=customer)


@pytest.fixture
def rows(db, owner, member):
    return {"audit_auditrecord": record("test.kept", actor=member).pk,
            "bookings_bookingevent": _an_event(owner, member).pk}


@pytest.mark.parametrize("table", TABLES)
def test_the_database_refuses_to_change_or_remove_a_row(rows, table):
    pk = rows[table]
    column = "action" if table == "audit_auditrecord" else "reason"
    assert _refused(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
    assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
    assert _refused(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name
    if connection.vendor == "postgresql":
        assert _refused(f"TRUNCATE {table}")
        assert _refused(f"TRUNCATE {table} CASCADE")
    if table == "bookings_bookingevent" and connection.vendor == "postgresql":
        # Truncating the bookings would take their events along.
        assert _refused("TRUNCATE bookings_booking CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
        assert cursor.fetchone()[0] == 1


def test_the_bypass_lasts_for_its_block_only(rows):
    table, pk = "audit_auditrecord", rows["audit_auditrecord"]
    with transaction.atomic():
        with append_only.bypass(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET user_agent = 'changed' WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
        assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
    assert AuditRecord.objects.get(pk=pk).user_agent == "changed"


def test_the_bypass_ends_with_its_block_when_the_block_fails(rows):
    # A caller that catches the error and commits must not commit the bypass with it.
    table, pk = "audit_auditrecord", rows["audit_auditrecord"]
    with transaction.atomic():
        with pytest.raises(ValueError), append_only.bypass():
            raise ValueError("the erasure failed half-way")
        assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a fixed table name
    assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a fixed table name


def test_deleting_an_account_keeps_its_records_without_address_or_browser(owner):
    leaving = make_account("leaving@example.org", "Lea Leaving")
    _an_event(owner, leaving)
    client = Client(HTTP_USER_AGENT="Firefox/128.0", REMOTE_ADDR="192.0.2.10")
    sign_in(client, leaving.email)
    account_id = leaving.pk
    before = AuditRecord.objects.for_account(account_id).count()
    events = BookingEvent.objects.filter(booking__customer=leaving).count()
    identity.delete_account(actor=leaving)
    kept = AuditRecord.objects.for_account(account_id)
    # Every record stays (and one more: the deletion itself), naming the account by number.
    assert kept.count() == before + 1 and kept.filter(action="identity.account_deleted").exists()
    assert not kept.exclude(ip_address=None).exists()
    assert not kept.exclude(user_agent="").exists()
    erased = AuditRecord.objects.get(action="audit.records_anonymised")
    assert erased.data["account_id"] == account_id and erased.data["records"] >= 1
    assert BookingEvent.objects.count() >= events > 0
    # The bypass ended with the erasure's transaction.
    assert _refused("DELETE FROM audit_auditrecord")
    assert _refused("DELETE FROM bookings_bookingevent")


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_empties_the_append_only_tables(owner, member):
    """pytest-django flushes after this test too; here the flush runs on purpose, twice."""
    _an_event(owner, member)
    record("test.kept", actor=member)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditRecord.objects.exists() and not BookingEvent.objects.exists()
    assert _refused("DELETE FROM audit_auditrecord") is False  # nothing left to refuse
    # Never outside a transaction: the flag would stay raised.
    with pytest.raises(RuntimeError), append_only.bypass():
        pass
    again = make_account("again@example.org", "Again")
    record("test.kept", actor=again)
    assert _refused("DELETE FROM audit_auditrecord")
