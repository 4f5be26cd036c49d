"""Notifications: marking read and the per-person settings."""

import pytest

from weconomics.audit.models import AuditRecord
from weconomics.notifications import services
from weconomics.notifications.errors import Invalid
from weconomics.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db


def test_marking_read_touches_only_the_actors_own_notifications(member, outsider):
    mine = services.notify(member, "contacts.role_granted", role="X")
    theirs = services.notify(outsider, "contacts.role_granted", role="X")
    assert services.mark_read(actor=member, notification_ids=[mine.pk, theirs.pk]) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_settings_default_to_a_daily_digest_without_writing(member):
    found = services.settings_of(member)
    assert found.digest == "daily" and found.pk is None
    assert not NotificationSettings.objects.exists()


def test_settings_are_validated_and_audited(member):
    with pytest.raises(Invalid):
        services.update_settings(actor=member, digest="hourly")
    with pytest.raises(Invalid):
        services.update_settings(actor=member, muted_kinds=["no.such.kind"])
    assert not NotificationSettings.objects.exists()
    services.update_settings(actor=member, digest="weekly",
                             muted_kinds=["conversations.message", "conversations.message"])
    found = NotificationSettings.objects.get(account=member)
    assert found.digest == "weekly" and found.muted_kinds == ["conversations.message"]
    assert AuditRecord.objects.filter(action="notifications.settings_changed").count() == 1


def test_an_unknown_kind_cannot_be_notified(member):
    with pytest.raises(ValueError):
        services.notify(member, "no.such.kind")
