"""Mail sent by a background task that runs again goes out once; new mail still goes out."""

import email
import email.policy

import pytest
from django.core.mail import send_mail

from weconomics.identity.mail import delivery_scope


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "weconomics.identity.mail.QueuedEmailBackend"
    settings.WECONOMICS_EMAIL_DELIVERY_BACKEND = "weconomics.identity.mail.OutboxEmailBackend"
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.MAIL_QUEUE_DIR = tmp_path / "queue"

    def recipients():
        return sorted(
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["To"]
            for path in settings.OUTBOX_DIR.glob("*.eml"))

    return recipients


@pytest.mark.django_db
def test_a_task_run_again_does_not_send_its_mail_twice_but_sends_what_is_new(outbox):
    with delivery_scope("task-1"):
        send_mail("Your digest", "Hello", None, ["ann@example.org"])
    # The worker died before the task was marked done: it runs again, and now (its data
    # changed meanwhile) also has a message for someone else, in first place.
    with delivery_scope("task-1"):
        send_mail("Your digest", "Hello", None, ["bob@example.org"])
        send_mail("Your digest", "Hello", None, ["ann@example.org"])
    assert outbox() == ["ann@example.org", "bob@example.org"]


@pytest.mark.django_db
def test_the_same_message_twice_in_one_task_and_mail_outside_tasks_all_go_out(outbox):
    with delivery_scope("task-2"):
        send_mail("Reminder", "One", None, ["ann@example.org"])
        send_mail("Reminder", "Two", None, ["ann@example.org"])
    send_mail("Reset your password", "Link", None, ["ann@example.org"])
    send_mail("Reset your password", "Link", None, ["ann@example.org"])
    assert outbox() == ["ann@example.org"] * 4
