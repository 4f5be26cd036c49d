"""Audit records for the sign-in, password and MFA flows that allauth and Django own.

These flows run inside the libraries, so their documented signals are the one
place we can hear them; every receiver only writes an audit record.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from weconomics.audit.services import record


@receiver(account_signals.user_logged_in, dispatch_uid="audit_signed_in")
def audit_signed_in(sender, request, user, **kwargs):
    record("identity.signed_in", actor=user, request=request)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_signed_out")
def audit_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("identity.signed_out", actor=user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    subject = get_user_model().objects.filter(email__iexact=email).first() if email else None
    # The address typed is kept only when it belongs to an account, so the log
    # does not collect addresses of people who never signed up.
    record("identity.sign_in_failed", subject=subject, request=request,
           data={"known_account": subject is not None})


@receiver(account_signals.user_signed_up, dispatch_uid="audit_signed_up")
def audit_signed_up(sender, request, user, **kwargs):
    record("identity.signed_up", actor=user, request=request)


@receiver(account_signals.email_confirmed, dispatch_uid="audit_email_confirmed")
def audit_email_confirmed(sender, request, email_address, **kwargs):
    record("identity.email_confirmed", actor=email_address.user, request=request)


@receiver(account_signals.email_changed, dispatch_uid="audit_email_changed")
def audit_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    record("identity.email_changed", actor=user, request=request)


@receiver(account_signals.email_added, dispatch_uid="audit_email_added")
def audit_email_added(sender, request, user, email_address, **kwargs):
    record("identity.email_added", actor=user, request=request)


@receiver(account_signals.email_removed, dispatch_uid="audit_email_removed")
def audit_email_removed(sender, request, user, email_address, **kwargs):
    record("identity.email_removed", actor=user, request=request)


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
def audit_password_changed(sender, request, user, **kwargs):
    record("identity.password_changed", actor=user, request=request)


@receiver(account_signals.password_set, dispatch_uid="audit_password_set")
def audit_password_set(sender, request, user, **kwargs):
    record("identity.password_set", actor=user, request=request)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def audit_password_reset(sender, request, user, **kwargs):
    record("identity.password_reset", actor=user, request=request)


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def audit_mfa_added(sender, request, user, authenticator, **kwargs):
    record("identity.mfa_added", actor=user, request=request, target=authenticator,
           data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    record("identity.mfa_removed", actor=user, request=request,
           data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def audit_mfa_reset(sender, request, user, authenticator, **kwargs):
    record("identity.mfa_reset", actor=user, request=request, target=authenticator,
           data={"type": authenticator.type})


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def audit_mfa_failed(sender, request, user, authenticator=None, **kwargs):
    record("identity.mfa_failed", subject=user, request=request,
           data={"type": authenticator.type if authenticator else None})
