"""Mail: queued through the task worker, delivered to SMTP or to the local outbox."""

import collections
import contextlib
import contextvars
import datetime as dt
import email
import email.policy
import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

# Inside a background task: (the task's id, how often each message was queued in it).
_task_scope: contextvars.ContextVar[tuple[str, collections.Counter] | None] = (
    contextvars.ContextVar("mail_task_scope", default=None))


@contextlib.contextmanager
def delivery_scope(task_id: str):
    """Run a task so that the mail it sends has keys that its next attempt repeats.

    The task worker wraps every task in it. A task whose worker died is run again; a
    message it sends again (same recipients and subject, the n-th such in the task) gets
    the same key, and is not queued a second time. A message the first attempt did not
    send (a task that chose its recipients anew) has a key of its own and goes out.
    """
    token = _task_scope.set((task_id, collections.Counter()))
    try:
        yield
    finally:
        _task_scope.reset(token)


def _delivery_key(message) -> tuple[str, bool]:
    """Return the message's delivery key, and whether a retry of this task repeats it."""
    scope = _task_scope.get()
    if scope is None:
        return uuid.uuid4().hex, False
    task_id, seen = scope
    what = "\0".join([*sorted(message.recipients()), str(message.subject)])
    seen[what] += 1
    return hashlib.sha256(f"{task_id}\0{seen[what]}\0{what}".encode()).hexdigest()[:32], True


class QueuedEmailBackend(BaseEmailBackend):
    """Hand each message to a background task, so no request waits for a mail server."""

    def send_messages(self, email_messages):
        from weconomics.identity.models import MailDelivery
        from weconomics.identity.tasks import deliver_email

        # The task carries only an id: the message (it may hold a password-reset
        # link) waits in a private file, deleted once delivered, not in the task row.
        queue = Path(settings.MAIL_QUEUE_DIR)
        queue.mkdir(mode=0o700, parents=True, exist_ok=True)
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            key, repeatable = _delivery_key(message)
            count += 1
            if repeatable and MailDelivery.objects.filter(key=key).exists():
                continue  # queued by an earlier attempt of this task
            path = queue / f"{key}.eml"
            tmp = queue / f"{key}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(message.message().as_string())
            tmp.rename(path)
            # The record and the delivery task are written together: either the message
            # is queued once with its task, or (the worker died first) not at all.
            try:
                with transaction.atomic():
                    MailDelivery.objects.create(key=key)
                    deliver_email.enqueue(message_id=key, from_email=message.from_email,
                                          recipients=message.recipients())
            except IntegrityError:
                continue  # another attempt of this task queued it meanwhile
        return count


class RawMessage(EmailMessage):
    """An already-rendered message, so delivery backends send exactly what was queued."""

    def __init__(self, raw: str, from_email: str, recipients: list[str], *,
                 delivery_key: str | None = None, queued_at: dt.datetime | None = None):
        super().__init__(from_email=from_email, to=recipients)
        self._raw = raw
        # The outbox names the file by these, so a delivery run twice writes one file.
        self.delivery_key = delivery_key
        self.queued_at = queued_at

    def message(self, *args, **kwargs):
        return _Rendered(self._raw)

    def recipients(self):
        return self.to


class _Rendered:
    """The part of Django's MIME message API that delivery backends call."""

    def __init__(self, raw: str):
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw.replace("\r\n", "\n").replace("\n", linesep).encode()


def deliver_queued(message_id: str, from_email: str, recipients: list[str]) -> int:
    """Send a queued message through the delivery backend, then mark it delivered.

    Run again after its worker died, it sends nothing that was delivered before. Between
    the hand-over and the mark a kill can still happen: the outbox then rewrites the same
    file (one message); an SMTP server may get the message twice, with the same Message-ID.
    """
    from weconomics.identity.models import MailDelivery

    path = Path(settings.MAIL_QUEUE_DIR) / f"{message_id}.eml"
    if not message_id.isalnum():
        return 0
    record = MailDelivery.objects.filter(key=message_id).first()
    if record is not None and record.delivered_at is not None:
        path.unlink(missing_ok=True)
        return 0  # delivered by an earlier attempt
    if not path.is_file():
        return 0  # delivered by an earlier attempt (queued before delivery records)
    connection = get_connection(settings.WECONOMICS_EMAIL_DELIVERY_BACKEND)
    sent = connection.send_messages([RawMessage(
        path.read_text(), from_email, recipients, delivery_key=message_id,
        queued_at=record.queued_at if record is not None else None)])
    if record is not None:
        MailDelivery.objects.filter(key=message_id).update(delivered_at=timezone.now())
    path.unlink(missing_ok=True)
    return sent


def prune_delivery_records(days: int = 30) -> int:
    """Forget delivered messages older than `days`: no task runs again after so long."""
    from weconomics.identity.models import MailDelivery

    cutoff = timezone.now() - dt.timedelta(days=days)
    return MailDelivery.objects.filter(queued_at__lt=cutoff,
                                       delivered_at__isnull=False).delete()[0]


class OutboxEmailBackend(BaseEmailBackend):
    """Write every message as an .eml file in the outbox folder of the data directory."""

    def send_messages(self, email_messages):
        outbox = Path(settings.OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            key = getattr(message, "delivery_key", None)
            if key:
                # Named by the queued message: delivering it again replaces the file.
                stamp = (getattr(message, "queued_at", None) or timezone.now()).astimezone(
                    dt.UTC).strftime("%Y%m%dT%H%M%S%f")
                path = outbox / f"{stamp}-{key}.eml"
            else:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
                path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(path)
        return len(email_messages)


def outbox_messages(limit: int = 200) -> list[dict]:
    """Return the newest messages in the outbox, parsed for reading."""
    outbox = Path(settings.OUTBOX_DIR)
    if not outbox.exists():
        return []
    files = sorted(outbox.glob("*.eml"), reverse=True)[:limit]
    return [read_outbox_message(path.stem) for path in files]


def read_outbox_message(message_id: str) -> dict | None:
    bare = message_id.replace("-", "").replace("_", "")
    if not (bare.isascii() and bare.isalnum()):
        return None
    path = Path(settings.OUTBOX_DIR) / f"{message_id}.eml"
    if not path.is_file():
        return None
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain", "html"))
    try:
        sent = dt.datetime.strptime(message_id.split("-")[0], "%Y%m%dT%H%M%S%f").replace(
            tzinfo=dt.UTC)
    except ValueError:
        # A file someone dropped in by hand: date it by the file itself.
        sent = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    return {
        "id": message_id,
        "to": parsed["To"],
        "from": parsed["From"],
        "subject": parsed["Subject"],
        "sent_at": sent,
        "body": body.get_content() if body is not None else "",
    }
