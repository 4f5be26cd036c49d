"""Weconomics settings, read from the environment.

Every setting a deployer may change is a WECONOMICS_* environment variable and is
documented in the README. Helpers below fail loudly on a value they cannot read.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from weconomics import datadir


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("WECONOMICS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
# The folder holds the database, keys and mail: readable by the service user only.
if DATA_DIR.stat().st_mode & 0o077 and DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)

SECRET_KEY = env("WECONOMICS_SECRET_KEY") or datadir.read_or_create(
    DATA_DIR / "secret_key", datadir.new_secret_key
)
DEBUG = envbool("WECONOMICS_DEBUG", False)
ALLOWED_HOSTS = envlist("WECONOMICS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SITE_NAME = env("WECONOMICS_SITE_NAME", "Weconomics")
# The public address, for links in mails sent outside a request (the digest).
SITE_URL = env("WECONOMICS_SITE_URL", "")

# Behind a TLS-terminating proxy: secure cookies, HSTS, redirect to https.
HTTPS = envbool("WECONOMICS_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("WECONOMICS_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("WECONOMICS_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("WECONOMICS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("WECONOMICS_HSTS_PRELOAD", False)
# How many proxies in front of the site append to X-Forwarded-For; their client
# address is then used for rate limits, sessions and the audit log.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("WECONOMICS_TRUSTED_PROXY_COUNT", 0)
CSRF_TRUSTED_ORIGINS = envlist("WECONOMICS_CSRF_TRUSTED_ORIGINS", "")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The language cookie like the session's: sent along on same-site navigation only
# (secure under HTTPS, above).
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("WECONOMICS_SESSION_AGE", 14 * 24 * 3600)
# Channels under one parent domain (".example.org") share the session: one login everywhere
# without the OIDC hand-over that channels on unrelated host names use.
SESSION_COOKIE_DOMAIN = env("WECONOMICS_SESSION_COOKIE_DOMAIN", "") or None
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN

# weconomics.web comes first so its templates override allauth's; the domain apps
# come after allauth so their admin modules can extend allauth's admin classes.
INSTALLED_APPS = [
    "weconomics.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.idp.oidc",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "weconomics.audit",
    "weconomics.identity",
    "weconomics.notifications",
    "weconomics.contacts",
    "weconomics.communities",
    "weconomics.catalogue",
    "weconomics.bookings",
    "weconomics.conversations",
    "weconomics.wiki",
    "weconomics.api",
    "weconomics.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "weconomics.web.middleware.ContentSecurityPolicyMiddleware",
    "weconomics.web.middleware.HtmxMiddleware",
    "weconomics.web.middleware.NoStoreMiddleware",
    "weconomics.api.middleware.ApiProblemMiddleware",
    # Before anything reads a body (the CSRF check reads a form): too large is a 413.
    "weconomics.web.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A community's own host name selects its channel (after the session and language).
    "weconomics.web.channel_host.ChannelHostMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's session tracking, throttled to one write a minute per session.
    "weconomics.web.middleware.UserSessionsMiddleware",
    # A rate limit that cannot be counted (Redis away) refuses the attempt with a 429.
    "weconomics.identity.throttling.RateLimitUnavailableMiddleware",
    # Last, so it sees a view's exception first: a lost database is a 503 (web/errors.py).
    "weconomics.web.errors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "weconomics.urls"
WSGI_APPLICATION = "weconomics.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weconomics.web.context_processors.site",
            ],
        },
    },
]


# Database: SQLite in WAL mode under the data folder, or WECONOMICS_DATABASE_URL.
DATABASE_URL = env("WECONOMICS_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("WECONOMICS_DATABASE_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # The access checks make short queries with many subqueries, whose estimated cost
        # passes PostgreSQL's JIT threshold: compiling them took 60-90 ms where running
        # them takes a few (bench/directory.py). An `options` in the URL still wins.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
        # A database that cannot be reached fails a request within seconds (a 503) instead
        # of holding a server thread: connecting gives up after connect_timeout, and a
        # connection whose server vanished without closing it (a cut network) is found
        # dead by TCP keepalives within about 25 s. Values in the URL win.
        for name, value in (("connect_timeout", 5), ("keepalives", 1),
                            ("keepalives_idle", 10), ("keepalives_interval", 5),
                            ("keepalives_count", 3)):
            DATABASES["default"]["OPTIONS"].setdefault(name, value)
        if envbool("WECONOMICS_DATABASE_PREPARED", True):
            # Parameters bound by the server, and statements a connection runs again and
            # again prepared once: PostgreSQL then skips parsing them, which cut its CPU
            # per booking by a third (bench/bookings.py). Each run is still planned for
            # its own values: a generic plan made the channel's members page twice as
            # slow (bench/channel.py). Turn it off behind a pooler that cannot keep
            # prepared statements (PgBouncer in transaction mode before 1.21).
            DATABASES["default"]["OPTIONS"].update(server_side_binding=True,
                                                   prepare_threshold=2)
            if "plan_cache_mode" not in DATABASES["default"]["OPTIONS"]["options"]:
                DATABASES["default"]["OPTIONS"]["options"] += (
                    " -c plan_cache_mode=force_custom_plan")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "weconomics.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Also for a sqlite:// URL; options of the URL's own win.
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
        # timeout instead of failing with "database is locked" mid-transaction; a writer
        # still waiting after the timeout gets a 503 (weconomics.outage).
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("WECONOMICS_DATABASE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA mmap_size=134217728;"
            "PRAGMA cache_size=-20000;"
        ),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("WECONOMICS_REDIS_URL")


def redis_caches(url: str) -> dict:
    """The cache on Redis: a Redis that does not answer within the timeout is left alone
    for RETRY_AFTER seconds, the cache falls back to each process's memory meanwhile, and
    the rate limits, which cannot be counted then, refuse attempts (weconomics.cache)."""
    timeout = envint("WECONOMICS_REDIS_TIMEOUT_MS", 500) / 1000
    return {"default": {
        "BACKEND": "weconomics.cache.ResilientRedisCache",
        "LOCATION": url,
        # Sites (or test runs) sharing one Redis database keep apart by a prefix.
        "KEY_PREFIX": env("WECONOMICS_REDIS_KEY_PREFIX"),
        "OPTIONS": {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "RETRY_AFTER": envint("WECONOMICS_REDIS_RETRY_SECONDS", 5),
            "FAIL_CLOSED_PREFIXES": ["allauth:rl:", "signin:"],
        },
    }}


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    # A file cache is shared by every worker process on the machine, so rate limits
    # hold across granian workers without another service.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": env("WECONOMICS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_USER_MODEL = "identity.Account"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the one identifier; the address must be confirmed.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "weconomics.identity.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "weconomics.identity.adapters.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# allauth's defaults, written out so a deployer sees what is limited.
ACCOUNT_RATE_LIMITS = {
    # Sign-in posts are limited by weconomics.identity.throttling ("posts" below),
    # which lets a known device past a stranger's count on a shared address.
    "login": "",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Password sign-in (weconomics.identity.throttling; README "Sign-in limits"), as
# (attempts, seconds): sign-in posts per address and per known device; failed attempts
# per address (refused ones count too), per account from devices it never signed in on,
# and per device it did sign in on. allauth's login_failed above now limits only the
# second-factor step.
WECONOMICS_SIGNIN_LIMITS = {
    "posts": (30, 60),
    "device_posts": (30, 60),
    "address": (10, 300),
    "account": (5, 300),
    "device": (10, 300),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_FORMS = {"add_webauthn": "weconomics.identity.forms.AddPasskeyForm"}
MFA_TOTP_ISSUER = SITE_NAME
# Browsers treat http://127.0.0.1 and http://localhost as secure contexts.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
USERSESSIONS_TRACK_ACTIVITY = True

# OpenID Connect provider: the signing key comes from the environment or is
# generated once into the data folder (never committed).
IDP_OIDC_PRIVATE_KEY = env("WECONOMICS_OIDC_PRIVATE_KEY").replace("\\n", "\n") or (
    datadir.read_or_create(DATA_DIR / "oidc_private_key.pem", datadir.new_rsa_private_key)
)
IDP_OIDC_ADAPTER = "weconomics.identity.adapters.OIDCAdapter"
IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN = envint("WECONOMICS_OIDC_ACCESS_TOKEN_SECONDS", 3600)
IDP_OIDC_ROTATE_REFRESH_TOKEN = True

# Mail: the embedded default writes every message to an outbox folder that the
# person running the server can read (files, and /outbox/ for administrators).
EMAIL_BACKEND = "weconomics.identity.mail.QueuedEmailBackend"
WECONOMICS_EMAIL_DELIVERY_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if env("WECONOMICS_SMTP_HOST")
    else "weconomics.identity.mail.OutboxEmailBackend"
)
OUTBOX_DIR = DATA_DIR / "outbox"
MAIL_QUEUE_DIR = DATA_DIR / "mail-queue"
EMAIL_HOST = env("WECONOMICS_SMTP_HOST", "localhost")
EMAIL_PORT = envint("WECONOMICS_SMTP_PORT", 587)
EMAIL_HOST_USER = env("WECONOMICS_SMTP_USER")
EMAIL_HOST_PASSWORD = env("WECONOMICS_SMTP_PASSWORD")
EMAIL_TIMEOUT = envint("WECONOMICS_SMTP_TIMEOUT", 30)
EMAIL_USE_TLS = envbool("WECONOMICS_SMTP_STARTTLS", True)
DEFAULT_FROM_EMAIL = env("WECONOMICS_FROM_EMAIL", "Weconomics <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("WECONOMICS_TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files (profile photos) are never served as static files: a view checks
# who may see each one, then sends it.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
PHOTO_MAX_BYTES = envint("WECONOMICS_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# Request bodies: larger ones are refused with 413 before they are read (a problem
# document for the API, a short page otherwise; web.middleware.RequestBodyLimitMiddleware).
# Photo and logo uploads may send a photo's worth more.
MAX_BODY_BYTES = envint("WECONOMICS_MAX_BODY_BYTES", 1024 * 1024)
UPLOAD_MAX_BODY_BYTES = envint("WECONOMICS_UPLOAD_MAX_BODY_BYTES",
                               PHOTO_MAX_BYTES + MAX_BODY_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

NINJA_PAGINATION_PER_PAGE = 50

# Error reports (the DEBUG page, mails to admins) hide passwords inside URLs too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "weconomics.web.error_reports.SafeReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("WECONOMICS_LOG_LEVEL", "INFO")},
    "loggers": {"django.security.DisallowedHost": {"level": "ERROR"}},
}
