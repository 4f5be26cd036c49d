from django_tasks import task

from weconomics.identity import mail


@task()
def deliver_email(raw: str, from_email: str, recipients: list[str]) -> int:
    """Deliver one queued message through the configured delivery backend."""
    return mail.deliver(raw, from_email, recipients)
