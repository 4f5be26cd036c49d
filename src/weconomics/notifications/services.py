"""Writes of the notifications domain."""

from django.db import transaction
from django.utils import timezone

from weconomics.notifications.kinds import KINDS
from weconomics.notifications.models import Notification


def notify(recipient, kind: str, *, actor=None, url: str = "", **params) -> Notification | None:
    """Tell recipient that something happened; call it inside the change's transaction.

    Nothing is written when the recipient is the actor themselves.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if actor is not None and recipient.pk == actor.pk:
        return None
    if actor is not None and "actor" not in params:
        # The profile's display name when the account has one (RelatedObjectDoesNotExist
        # is an AttributeError, so getattr's default covers an account without a profile).
        profile = getattr(actor, "person", None)
        params["actor"] = getattr(profile, "display_name", "") or actor.name or actor.email
    return Notification.objects.create(recipient=recipient, kind=kind, actor=actor,
                                       params={k: str(v) for k, v in params.items()}, url=url)


def mark_read(*, actor, notification_ids=None) -> int:
    """Mark the actor's notifications read: the given ones, or all of them."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        return unread.update(read_at=timezone.now())
