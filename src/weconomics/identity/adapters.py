from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.utils.translation import gettext_lazy as _

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

    def post_login(self, request, user, **kwargs):
        """Sign in, then show the site in the language the person chose before."""
        response = super().post_login(request, user, **kwargs)
        if user.language in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
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
