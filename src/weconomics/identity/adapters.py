import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal.httpkit import clean_client_ip
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from weconomics.cache import CacheUnavailable
from weconomics.identity import throttling

# Scopes a channel may ask for to use the web API on the person's behalf.
API_READ_SCOPE = "api:read"
API_WRITE_SCOPE = "api:write"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return getattr(settings, "WECONOMICS_SIGNUP_OPEN", True)

    def send_mail(self, template_prefix, email, context):
        """Send allauth's mails with the site's name, not the host it was reached on."""
        request = allauth_context.request
        if request is not None:
            site = RequestSite(request)
            site.name = settings.SITE_NAME
            context = {**context, "current_site": site}
        return super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request):
        """Return the address the nearest trusted proxy saw, never failing on the header.

        allauth raises ImproperlyConfigured (a 500) when X-Forwarded-For has fewer entries
        than WECONOMICS_TRUSTED_PROXY_COUNT, which any client reaching an inner proxy can
        cause. A shorter header was written by the proxies alone, so its first entry is the
        client; an entry that is no address falls back to the connecting address."""
        ip = None
        forwarded = request.headers.get("x-forwarded-for")
        count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
        if count > 0 and forwarded:
            entries = forwarded.split(",")
            ip = clean_client_ip(entries[-min(count, len(entries))])
        ip = ip or clean_client_ip(request.META.get("REMOTE_ADDR") or "")
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request, **credentials):
        """Take the attempt from the sign-in limits before the password is compared.

        Replaces allauth's login_failed limit for passwords (identity.throttling); allauth's
        authenticate() gives the attempt back through _login_failed_rl_usage on success."""
        login = credentials.get("email") or credentials.get("username") or ""
        self._login_failed_rl_usage = throttling.before_password_check(request, login)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """A finished password reset also clears the account's count of failed sign-ins."""
        with contextlib.suppress(CacheUnavailable):  # the counts expire on their own
            super()._delete_login_attempts_cached_email(request, **credentials)
        throttling.forget_failures(credentials.get("email") or "")

    def post_login(self, request, user, **kwargs):
        """Sign in, remember the device, and show the site in the person's language."""
        response = super().post_login(request, user, **kwargs)
        throttling.remember_device(request, response, user)
        if user.language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=False)
        return response


class OIDCAdapter(DefaultOIDCAdapter):
    scope_display = {
        "openid": _("Know who you are (your account number)"),
        "email": _("See your email address"),
        "profile": _("See your name and language"),
        API_READ_SCOPE: _("Read your data through the Weconomics API"),
        API_WRITE_SCOPE: _("Change your data through the Weconomics API"),
    }

    def populate_server_metadata(self, data):
        data["scopes_supported"] = [*data.get("scopes_supported", []),
                                    API_READ_SCOPE, API_WRITE_SCOPE]

    def get_claims(self, purpose, user, client, scopes, email=None, **kwargs):
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        if "profile" in scopes and user.language:
            claims["locale"] = user.language
        return claims
