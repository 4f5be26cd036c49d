"""Mail: queued through the task worker, delivered to SMTP or to the local outbox."""

import datetime as dt
import email
import email.policy
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone


class QueuedEmailBackend(BaseEmailBackend):
    """Hand each message to a background task, so no request waits for a mail server."""

    def send_messages(self, email_messages):
        from weconomics.identity.tasks import deliver_email

        # The task carries only an id: the message (it may hold a password-reset
        # link) waits in a private file, deleted once delivered, not in the task row.
        queue = Path(settings.MAIL_QUEUE_DIR)
        queue.mkdir(mode=0o700, parents=True, exist_ok=True)
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            message_id = uuid.uuid4().hex
            path = queue / f"{message_id}.eml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(message.message().as_string())
            deliver_email.enqueue(message_id=message_id, from_email=message.from_email,
                                  recipients=message.recipients())
            count += 1
        return count


class RawMessage(EmailMessage):
    """An already-rendered message, so delivery backends send exactly what was queued."""

    def __init__(self, raw: str, from_email: str, recipients: list[str]):
        super().__init__(from_email=from_email, to=recipients)
        self._raw = raw

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
    """Send a queued message through the delivery backend, then remove it from the queue."""
    path = Path(settings.MAIL_QUEUE_DIR) / f"{message_id}.eml"
    if not message_id.isalnum() or not path.is_file():
        return 0  # already delivered by an earlier attempt
    connection = get_connection(settings.WECONOMICS_EMAIL_DELIVERY_BACKEND)
    sent = connection.send_messages([RawMessage(path.read_text(), from_email, recipients)])
    path.unlink(missing_ok=True)
    return sent


class OutboxEmailBackend(BaseEmailBackend):
    """Write every message as an .eml file in the outbox folder of the data directory."""

    def send_messages(self, email_messages):
        outbox = Path(settings.OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
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
