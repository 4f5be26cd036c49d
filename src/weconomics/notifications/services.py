"""Writes of the notifications domain: notify, mark read, settings and the email digest."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weconomics.audit.services import record
from weconomics.notifications.errors import Invalid
from weconomics.notifications.kinds import KINDS, render
from weconomics.notifications.models import Notification, NotificationSettings

logger = logging.getLogger(__name__)

PERIODS = {
    NotificationSettings.Digest.DAILY: dt.timedelta(days=1),
    NotificationSettings.Digest.WEEKLY: dt.timedelta(days=7),
}
# The digest task runs every hour; a digest sent a few minutes past the hour yesterday
# is due again at this hour today, not an hour later.
SLACK = dt.timedelta(minutes=15)
# The email lists at most this many; the rest are counted and wait on the site.
DIGEST_LIST_LIMIT = 50


def notify(recipient, kind: str, *, actor=None, url: str = "", **params) -> Notification | None:
    """Tell recipient that something happened; call it inside the change's transaction.

    recipient is an account or an account's id. Nothing is written when the recipient is
    the actor themselves.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipient_id = getattr(recipient, "pk", recipient)
    if actor is not None and recipient_id == actor.pk:
        return None
    if actor is not None and "actor" not in params:
        # The profile's display name when the account has one (RelatedObjectDoesNotExist
        # is an AttributeError, so getattr's default covers an account without a profile).
        profile = getattr(actor, "person", None)
        params["actor"] = getattr(profile, "display_name", "") or actor.name or actor.email
    return Notification.objects.create(recipient_id=recipient_id, kind=kind, actor=actor,
                                       params={k: str(v) for k, v in params.items()}, url=url)


def mark_read(*, actor, notification_ids=None, url: str | None = None,
              kinds: list[str] | None = None) -> int:
    """Mark the actor's notifications read: the given ones, those leading to url, or all."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        if url is not None:
            unread = unread.filter(url=url)
        if kinds is not None:
            unread = unread.filter(kind__in=kinds)
        return unread.update(read_at=timezone.now())


# --- settings ---------------------------------------------------------------------------

def settings_of(account) -> NotificationSettings:
    """The account's settings; the defaults (unsaved) when it never changed them."""
    found = NotificationSettings.objects.filter(account=account).first()
    return found or NotificationSettings(account=account)


def update_settings(*, actor, digest: str | None = None, muted_kinds: list[str] | None = None,
                    request=None) -> NotificationSettings:
    """Choose how often the email digest comes and which kinds it leaves out."""
    if digest is not None and digest not in NotificationSettings.Digest.values:
        raise Invalid(_("Choose never, daily or weekly for the email digest."))
    if muted_kinds is not None:
        unknown = [kind for kind in muted_kinds if kind not in KINDS]
        if unknown:
            raise Invalid(_("Unknown kinds of notification: %(kinds)s")
                          % {"kinds": ", ".join(str(k)[:60] for k in unknown[:5])})
        muted_kinds = sorted(set(muted_kinds))
    with transaction.atomic(durable=True):
        found, _created = NotificationSettings.objects.select_for_update().get_or_create(
            account=actor)
        changed = []
        if digest is not None and digest != found.digest:
            found.digest = digest
            changed.append("digest")
        if muted_kinds is not None and muted_kinds != found.muted_kinds:
            found.muted_kinds = muted_kinds
            changed.append("muted_kinds")
        if changed:
            found.save(update_fields=[*changed, "updated_at"])
            record("notifications.settings_changed", actor=actor, request=request,
                   data={"digest": found.digest, "muted_kinds": found.muted_kinds})
    return found


# --- the email digest ----------------------------------------------------------------------

def _is_due(found: NotificationSettings, now: dt.datetime) -> bool:
    period = PERIODS.get(found.digest)
    if period is None:
        return False
    return found.last_digest_at is None or found.last_digest_at <= now - period + SLACK


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Email each account that is due its digest of unread, not yet emailed notifications.

    An account without settings gets the default (daily). Each account is handled in its
    own transaction with its settings row locked, so two runs at once send one email.
    Returns the number of emails sent.
    """
    now = now or timezone.now()
    waiting = (Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True,
                                           recipient__is_active=True)
               .values_list("recipient_id", flat=True).distinct())
    recipients = sorted(set(waiting))
    existing = {s.account_id: s for s in NotificationSettings.objects.filter(
        account_id__in=recipients)}
    sent = 0
    for account_id in recipients:
        known = existing.get(account_id)
        if known is not None and not _is_due(known, now):
            continue
        try:
            sent += _send_digest(account_id, now)
        except Exception:  # noqa: BLE001 - one account's failure must not stop the others
            logger.exception("digest for account %s failed", account_id)
    return sent


def _send_digest(account_id: int, now: dt.datetime) -> int:
    from weconomics.identity.models import Account

    with transaction.atomic(durable=True):
        found, _created = NotificationSettings.objects.select_for_update().get_or_create(
            account_id=account_id)
        if not _is_due(found, now):
            return 0
        account = Account.objects.get(pk=account_id)
        pending = (Notification.objects.filter(recipient_id=account_id, read_at__isnull=True,
                                               emailed_at__isnull=True)
                   .exclude(kind__in=found.muted_kinds or []).order_by("-created_at", "-id"))
        ids = list(pending.values_list("pk", flat=True))
        if not ids:
            return 0
        listed = list(Notification.objects.filter(pk__in=ids[:DIGEST_LIST_LIMIT])
                      .order_by("-created_at", "-id"))
        Notification.objects.filter(pk__in=ids).update(emailed_at=now)
        found.last_digest_at = now
        found.save(update_fields=["last_digest_at", "updated_at"])
        message = _digest_message(account, found, listed, len(ids), now)
        transaction.on_commit(message.send)
    return 1


def site_url() -> str:
    """The site's address for links in emails (WECONOMICS_SITE_URL when the settings have it)."""
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured.rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not
                 h.startswith(".")), "localhost")
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{host}"


def _digest_message(account, found, rows, count: int, now) -> EmailMessage:
    language = account.language or settings.LANGUAGE_CODE
    base = site_url()
    with translation.override(language):
        items = [{"text": render(n.kind, n.params),
                  "url": base + n.url if n.url.startswith("/") else "",
                  "when": date_format(timezone.localtime(n.created_at), "DATETIME_FORMAT")}
                 for n in rows]
        context = {
            "name": account.name, "items": items, "more": max(0, count - len(items)),
            "count": count, "site_name": settings.SITE_NAME,
            "date": date_format(timezone.localtime(now), "DATE_FORMAT"),
            "notifications_url": base + "/notifications/",
            "settings_url": base + "/settings/notifications/",
        }
        subject = f"[{settings.SITE_NAME}] " + ngettext(
            "%(count)d new notification", "%(count)d new notifications", count) % {
            "count": count}
        body = render_to_string("notifications/email/digest.txt", context)
    return EmailMessage(subject=subject, body=body, to=[account.email],
                        headers={"Content-Language": language})
