from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt

from weconomics.api.api import api
from weconomics.web import views

# The admin signs in through allauth: two-factor, rate limits and audit apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # First: an API call is matched at once instead of after every page's pattern.
    path("api/v1/", api.urls),
    path("", include("weconomics.web.urls")),
    # Ahead of allauth's own route, so giving consent writes an audit record.
    path("identity/o/authorize",
         xframe_options_deny(csrf_exempt(views.AuditedAuthorizationView.as_view())),
         name="oidc_authorize"),
    path("", include("allauth.idp.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# A database outage anywhere in a request answers 503, anything else 500 (web/errors.py).
handler500 = "weconomics.web.errors.server_error"
