from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt

from weconomics.api.api import api
from weconomics.web import signin, views

# The admin signs in through allauth: two-factor, rate limits and audit apply.
admin.site.login = secure_admin_login(admin.site.login)

# allauth's own rate limits (ACCOUNT_RATE_LIMITS) answer with this page.
handler429 = "weconomics.identity.throttling.handler429"

urlpatterns = [
    # First: an API call is matched at once instead of after every page's pattern.
    path("api/v1/", api.urls),
    path("", include("weconomics.web.urls")),
    # Ahead of allauth's own route, so giving consent writes an audit record.
    path("identity/o/authorize",
         xframe_options_deny(csrf_exempt(views.AuditedAuthorizationView.as_view())),
         name="oidc_authorize"),
    path("", include("allauth.idp.urls")),
    # Ahead of allauth's own routes: a limited sign-in answers 429, and a finished
    # password reset makes the browser a known device (weconomics.identity.throttling).
    path("accounts/login/", signin.login, name="account_login"),
    re_path(r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
            signin.password_reset_from_key, name="account_reset_password_from_key"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# A database outage anywhere in a request answers 503, anything else 500 (web/errors.py).
handler500 = "weconomics.web.errors.server_error"
