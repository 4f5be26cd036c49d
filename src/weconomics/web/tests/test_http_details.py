"""HTTP details: the language cookie's SameSite, no-store on answers that show a secret,
and error pages (DEBUG) that never show a password from a URL."""

import html
import re

import pytest
from allauth.idp.oidc.models import Client as OIDCClient
from django.db import ProgrammingError, connection
from django.test import Client

from weconomics.api.tests.helpers import token_client
from weconomics.conftest import make_account
from weconomics.web.tests.test_deploy import PRODUCTION, weconomics


@pytest.fixture
def mo(db):
    return make_account("mo@example.org", "Mo Member")


@pytest.fixture
def browser(mo):
    browser = Client()
    browser.force_login(mo)
    return browser


# --- the language cookie ------------------------------------------------------------------

def test_the_language_cookie_is_samesite_lax(db):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en" and cookie["samesite"] == "Lax"


def test_signing_in_sets_the_language_cookie_samesite_lax(mo):
    mo.language = "en"
    mo.save(update_fields=["language"])
    from weconomics.conftest import PASSWORD

    response = Client().post("/accounts/login/", {"login": mo.email, "password": PASSWORD})
    assert response.cookies["django_language"]["samesite"] == "Lax"


def test_under_https_the_language_cookie_is_secure_and_lax(tmp_path):
    script = ("from django.conf import settings as s; "
              "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE)")
    result = weconomics(tmp_path, "shell", "-c", script, extra=PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "Lax"], result.stderr


# --- no-store -----------------------------------------------------------------------------

def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_new_token_is_shown_with_no_store(browser):
    page = browser.post("/settings/tokens/", {"name": "robot", "scope": "read",
                                                "expires_in_days": "30"})
    assert b"wec_" in page.content and no_store(page)
    created = browser.post("/api/v1/me/tokens", {"name": "robot2", "scope": "read"},
                           content_type="application/json")
    assert created.status_code == 201 and no_store(created)


def test_the_data_export_is_sent_with_no_store(browser, mo):
    download = browser.post("/settings/data/export/")
    assert download.status_code == 200 and no_store(download)
    exported = token_client(mo, "read").get("/api/v1/me/export")
    assert exported.status_code == 200 and no_store(exported)


def test_the_authenticator_setup_and_the_recovery_codes_are_no_store(client, mo):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from weconomics.conftest import PASSWORD
    from weconomics.identity.tests.helpers import sign_in, totp_code

    sign_in(client, mo.email)
    client.post(client.get("/accounts/2fa/totp/activate/")["Location"],
                {"password": PASSWORD})
    setup = client.get("/accounts/2fa/totp/activate/")  # shows the secret and its QR code
    assert setup.status_code == 200 and no_store(setup)
    code = totp_code(client.session[SECRET_SESSION_KEY])
    assert client.post("/accounts/2fa/totp/activate/", {"code": code}).status_code == 302
    codes = client.get("/accounts/2fa/recovery-codes/")
    assert codes.status_code == 200 and no_store(codes)
    assert no_store(client.get("/accounts/2fa/recovery-codes/download/"))
    assert no_store(client.post("/accounts/2fa/recovery-codes/generate/"))


def test_a_new_oidc_client_secret_is_shown_once_with_no_store(db):
    admin = Client()
    admin.force_login(make_account("ada@example.org", "Ada Admin", staff=True))
    response = admin.post("/admin/allauth_idp_oidc/client/add/", {
        "id": "channel-one", "name": "Coaching channel", "scopes": "openid",
        "default_scopes": "openid", "type": "confidential", "grant_types": "authorization_code",
        "redirect_uris": "https://coaching.example/callback", "cors_origins": "",
        "response_types": "code", "created_at_0": "2026-11-23", "created_at_1": "12:00:00"})
    # The answer itself shows the secret, kept out of caches; no cookie carries it (the
    # message storage here keeps flash messages in a signed, not encrypted, cookie).
    assert response.status_code == 200 and no_store(response)
    secret = html.unescape(
        re.search(r'id="client-secret"[^>]* value="([^"]+)"', response.text).group(1))
    assert OIDCClient.objects.get(id="channel-one").check_secret(secret)
    assert not any(secret in cookie.value for cookie in response.cookies.values())
    assert not any(secret in cookie.value for cookie in admin.cookies.values())
    later = admin.get("/admin/allauth_idp_oidc/client/")
    assert secret not in later.text


def test_an_ordinary_page_may_be_cached_by_the_browser(browser):
    assert not no_store(browser.get("/"))


# --- error pages with DEBUG on ------------------------------------------------------------

def pw(name: str) -> str:
    """A password written so that the source lines the page quotes do not contain it."""
    return f"{name}-pass-" + "s3cr3t"


SECRETS = [pw(name) for name in ("db", "redis", "cache", "env-db", "env-redis", "frame",
                                 "libpq")]


def _broken_query(execute, sql, params, many, context):
    # Local variables of a frame in the traceback, as a database driver would hold them.
    dsn_url = f"postgres://weco:{pw('frame')}@db.example:5432/weconomics"
    params_of_driver = {"host": "db.example", "password": pw("libpq")}
    raise ProgrammingError(f"broken ({len(dsn_url)}, {len(params_of_driver)})")


@pytest.fixture
def debug_with_secrets(settings):
    settings.DEBUG = True
    settings.DATABASE_URL = f"postgres://weco:{pw('db')}@db.example:5432/weconomics"
    settings.REDIS_URL = f"redis://:{pw('redis')}@cache.example:6379/0"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"redis://:{pw('cache')}@cache.example:6379/1"}}
    # What a server copies from its environment into every request's META.
    return {"WECONOMICS_DATABASE_URL": f"postgres://weco:{pw('env-db')}@db.example/x",
            "WECONOMICS_REDIS_URL": f"redis://default:{pw('env-redis')}@cache.example:6379/0"}


@pytest.mark.parametrize("accept", ["text/html", "text/plain"])
def test_the_debug_page_hides_passwords_inside_urls(db, debug_with_secrets, accept):
    visitor = Client(raise_request_exception=False)
    with connection.execute_wrapper(_broken_query):
        response = visitor.get("/communities/", HTTP_ACCEPT=accept, **debug_with_secrets)
    assert response.status_code == 500
    page = response.content.decode()
    # It is Django's technical page, with the settings, the environment and the frames ...
    assert "DATABASE_URL" in page and "WECONOMICS_REDIS_URL" in page and "dsn_url" in page
    # ... where every address keeps its host, but no password is shown.
    assert "db.example" in page and "cache.example" in page
    leaks = [page[max(0, page.find(s) - 300):page.find(s) + 50] for s in SECRETS if s in page]
    assert leaks == []
