from django_tasks import task

from weconomics.identity import mail


@task()
def deliver_email(message_id: str, from_email: str, recipients: list[str]) -> int:
    """Deliver one queued message through the configured delivery backend."""
    return mail.deliver_queued(message_id, from_email, recipients)
