"""The one service every module writes its audit records through."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from weconomics.audit.models import AuditRecord


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client's address; behind a proxy, REMOTE_ADDR is set by the proxy setup."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    # allauth's reading honours WECONOMICS_TRUSTED_PROXY_COUNT (X-Forwarded-For).
    try:
        return get_adapter(request).get_client_ip(request) or None
    except Exception:  # noqa: BLE001 - a malformed header must not stop the audit
        return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    subject=None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one audit record; call it inside the transaction of the change it records.

    action is a namespaced code such as "identity.signed_in". actor is the account
    acting (None for the system or an anonymous visitor); subject is the account the
    action concerns when that is someone else or nobody signed in (a failed sign-in).
    """
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    if actor is not None and actor.pk is None:
        actor = None
    return AuditRecord.objects.create(
        action=action,
        actor=actor,
        subject=subject,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        data=data or {},
    )


def records_for(account) -> models.QuerySet[AuditRecord]:
    """Return the audit records an account may see about itself."""
    return AuditRecord.objects.for_account(account.pk)


def anonymise_records_of(account) -> int:
    """Erase what the audit log holds about an account beyond its number; part of erasure.

    The records stay (a security log), naming the account only by its number, which no
    account will carry again; the address and browser they were written from go. The only
    change the database lets through to audit records, under the narrow bypass of
    `audit.append_only`, and itself audited. Call it inside the erasure's transaction.
    """
    from weconomics.audit import append_only

    rows = AuditRecord.objects.for_account(account.pk).exclude(ip_address=None, user_agent="")
    with append_only.bypass():
        # QuerySet.update itself: AuditRecordQuerySet.update refuses every other caller.
        changed = models.QuerySet.update(rows, ip_address=None, user_agent="")
    record("audit.records_anonymised", data={"account_id": account.pk, "records": changed})
    return changed
