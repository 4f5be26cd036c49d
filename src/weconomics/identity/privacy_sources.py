"""What the identity domain, allauth and Django keep about an account."""

from allauth.account.models import EmailAddress
from allauth.idp.oidc.models import Client, Token
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry

from weconomics.audit.models import AuditRecord
from weconomics.audit.services import anonymise_records_of, records_for
from weconomics.identity import privacy
from weconomics.identity.models import PersonalAccessToken


def _iso(value):
    return value.isoformat() if value else None


def export_account(account):
    return {
        "id": account.pk,
        "email": account.email,
        "name": account.name,
        "language": account.language,
        "date_joined": _iso(account.date_joined),
        "last_login": _iso(account.last_login),
        "is_staff": account.is_staff,
    }


def export_email_addresses(account):
    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=account).order_by("pk")
    ]


def export_authenticators(account):
    # The secrets themselves (TOTP seed, recovery codes, keys) are not exported:
    # an export file must not be enough to pass the second factor.
    return [
        {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
        for a in Authenticator.objects.filter(user=account).order_by("pk")
    ]


def export_sessions(account):
    return [
        {"ip": s.ip, "user_agent": s.user_agent, "created_at": _iso(s.created_at),
         "last_seen_at": _iso(s.last_seen_at)}
        for s in UserSession.objects.filter(user=account).order_by("pk")
    ]


def export_tokens(account):
    return [
        {"name": t.name, "scope": t.scope, "hint": t.hint, "created_at": _iso(t.created_at),
         "last_used_at": _iso(t.last_used_at), "expires_at": _iso(t.expires_at),
         "revoked_at": _iso(t.revoked_at)}
        for t in PersonalAccessToken.objects.filter(account=account).order_by("pk")
    ]


def export_oidc(account):
    tokens = Token.objects.filter(user=account).select_related("client").order_by("pk")
    return {
        "grants": [
            {"client": t.client.name if t.client else None, "type": t.get_type_display(),
             "scopes": t.get_scopes(), "created_at": _iso(t.created_at),
             "expires_at": _iso(t.expires_at)}
            for t in tokens
        ],
        "clients_owned": [
            {"id": c.pk, "name": c.name, "redirect_uris": c.get_redirect_uris()}
            for c in Client.objects.filter(owner=account).order_by("pk")
        ],
    }


def export_audit(account):
    return [
        {"when": _iso(r.created_at), "action": r.action, "ip_address": r.ip_address,
         "user_agent": r.user_agent, "by_you": r.actor_id == account.pk}
        for r in records_for(account).order_by("created_at", "id")
    ]


def export_admin_log(account):
    return [
        {"when": _iso(e.action_time), "object": e.object_repr, "change": e.get_change_message()}
        for e in LogEntry.objects.filter(user=account).order_by("pk")
    ]


privacy.register("account", export=export_account, order=0)
privacy.register("email_addresses", export=export_email_addresses, models=[EmailAddress])
privacy.register("two_factor", export=export_authenticators, models=[Authenticator])
privacy.register("sessions", export=export_sessions, models=[UserSession])
privacy.register("api_tokens", export=export_tokens, models=[PersonalAccessToken])
privacy.register("oidc", export=export_oidc, models=[Token, Client])
privacy.register("admin_log", export=export_admin_log, models=[LogEntry])
# Audit records are a security log: kept after deletion, holding only the account's
# number; the address and browser they were written from are erased last, after every
# other source has written its own records (audit.services.anonymise_records_of).
# They are exported so the person sees them.
privacy.register("audit", export=export_audit, erase=anonymise_records_of,
                 models=[AuditRecord], order=10_000)
