"""The email digest: who is due, what it holds, in which language, and only once."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from weconomics.conftest import make_account
from weconomics.notifications import services
from weconomics.notifications.models import Notification, NotificationSettings
from weconomics.notifications.tasks import send_digests as send_digests_task

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the digest and the mail it hands over when its transactions commit."""
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_digests()
    return run


@pytest.fixture
def travel():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def dutch_and_english():
    nl = make_account("nienke@example.org", "Nienke")
    nl.language = "nl"
    nl.save(update_fields=["language"])
    en = make_account("edward@example.org", "Edward")
    en.language = "en"
    en.save(update_fields=["language"])
    return nl, en


def role_granted(recipient, role="Supervisor"):
    return services.notify(recipient, "contacts.role_granted", role=role,
                           url="/people/someone/")


def test_a_digest_lists_unread_notifications_once_with_links(send, travel, member):
    role_granted(member)
    assert send() == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "You were given the role Supervisor." in message.body
    assert "http://127.0.0.1/people/someone/" in message.body
    assert "/settings/notifications/" in message.body
    assert Notification.objects.get().emailed_at == MONDAY
    assert NotificationSettings.objects.get(account=member).last_digest_at == MONDAY
    # Nothing new: nothing is sent, even when the next day comes.
    travel.shift(dt.timedelta(days=2))
    assert send() == 0 and len(mail.outbox) == 1


def test_nothing_is_sent_when_there_is_nothing_unread(send, travel, member):
    notification = role_granted(member)
    services.mark_read(actor=member, notification_ids=[notification.pk])
    assert send() == 0
    assert not mail.outbox
    assert not NotificationSettings.objects.filter(last_digest_at__isnull=False).exists()


def test_a_daily_digest_waits_a_day_and_a_weekly_one_a_week(send, travel, member, outsider):
    NotificationSettings.objects.create(account=outsider, digest="weekly")
    role_granted(member)
    role_granted(outsider)
    assert send() == 2
    travel.shift(dt.timedelta(hours=12))
    role_granted(member, "Customer")
    role_granted(outsider, "Customer")
    assert send() == 0  # not due yet
    travel.shift(dt.timedelta(hours=12))
    assert send() == 1
    assert mail.outbox[-1].to == [member.email]
    assert "Customer" in mail.outbox[-1].body and "Supervisor" not in mail.outbox[-1].body
    travel.shift(dt.timedelta(days=6))
    assert send() == 1
    assert mail.outbox[-1].to == [outsider.email]


def test_an_hourly_run_a_little_early_still_counts_as_a_day(send, travel, member):
    role_granted(member)
    send()
    travel.shift(dt.timedelta(hours=23, minutes=55))
    role_granted(member, "Customer")
    assert send() == 1


def test_never_means_never(send, travel, member):
    NotificationSettings.objects.create(account=member, digest="never")
    role_granted(member)
    assert send() == 0 and not mail.outbox


def test_muted_kinds_are_left_out_and_alone_send_nothing(send, travel, member):
    NotificationSettings.objects.create(account=member, muted_kinds=["contacts.role_granted"])
    role_granted(member)
    assert send() == 0
    services.notify(member, "contacts.organisation_news", organisation="Samen",
                    title="Nieuws", url="/organisations/samen/")
    assert send() == 1
    body = mail.outbox[0].body
    assert "Samen posted news: Nieuws" in body and "Supervisor" not in body
    # The muted one is still unread on the site.
    assert Notification.objects.get(kind="contacts.role_granted").emailed_at is None


def test_each_account_gets_its_digest_in_its_own_language(send, travel):
    nl, en = dutch_and_english()
    role_granted(nl)
    role_granted(en)
    assert send() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    dutch, english = by_address[nl.email], by_address[en.email]
    assert dutch.extra_headers["Content-Language"] == "nl"
    assert english.extra_headers["Content-Language"] == "en"
    assert "Hallo Nienke" in dutch.body and "Hello Edward" in english.body
    # Dates use each language's own month names.
    assert "23 november 2026" in dutch.body
    assert "Nov. 23, 2026" in english.body or "November 23, 2026" in english.body


def test_deactivated_accounts_get_no_digest(send, travel, member):
    role_granted(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert send() == 0


def test_the_command_and_the_task_send_the_digests(travel, member, outsider,
                                                    django_capture_on_commit_callbacks):
    role_granted(member)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=out)
    assert "1 digest" in out.getvalue() and len(mail.outbox) == 1
    role_granted(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        result = send_digests_task.enqueue()
    assert result.return_value == 1 and len(mail.outbox) == 2


def test_a_digest_of_many_lists_the_newest_and_counts_the_rest(send, travel, member):
    for n in range(services.DIGEST_LIST_LIMIT + 5):
        role_granted(member, f"Rol {n}")
    send()
    body = mail.outbox[0].body
    assert f"Rol {services.DIGEST_LIST_LIMIT + 4}" in body and "Rol 0." not in body
    assert "and 5 more" in body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_server_hands_the_digest_task_to_the_worker(settings):
    from django_tasks_db.models import DBTaskResult

    from weconomics.web.management.commands.serve import enqueue_digests

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert enqueue_digests() is True
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == {
        "weconomics.notifications.tasks.send_digests",
        "weconomics.bookings.tasks.run_booking_chores"}
