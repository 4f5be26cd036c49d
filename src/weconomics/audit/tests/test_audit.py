"""The audit log is append-only, and records who, when, what and from where."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from weconomics.audit.models import AppendOnlyError, AuditRecord
from weconomics.audit.services import record
from weconomics.identity.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_a_record_says_who_what_when_and_from_where(member):
    client = Client(HTTP_USER_AGENT="Firefox/128.0", REMOTE_ADDR="192.0.2.10")
    sign_in(client, member.email)
    entry = AuditRecord.objects.get(action="identity.signed_in")
    assert entry.actor_id == member.pk
    assert entry.ip_address == "192.0.2.10" and entry.user_agent == "Firefox/128.0"
    assert entry.created_at is not None


def test_records_cannot_be_changed_or_removed_through_the_orm(member):
    entry = record("test.something", actor=member, data={"a": 1})
    entry.action = "test.other"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=entry.pk).action == "test.something"


def test_the_database_itself_refuses_an_update(member):
    entry = record("test.something", actor=member)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'x' WHERE id = %s", [entry.pk])
    assert AuditRecord.objects.get(pk=entry.pk).action == "test.something"


def test_the_admin_shows_records_but_cannot_change_them(client, admin_account, member):
    entry = record("test.something", actor=member)
    client.force_login(admin_account)
    assert client.get("/admin/audit/auditrecord/").status_code == 200
    assert client.get(f"/admin/audit/auditrecord/{entry.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditrecord/{entry.pk}/delete/", {"post": "yes"}
                       ).status_code == 403
    assert AuditRecord.objects.filter(pk=entry.pk).exists()
