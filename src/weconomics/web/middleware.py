"""The site's own middleware: the Content-Security-Policy, htmx, session tracking, the
limit on request bodies, and no-store for pages that show secrets."""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# form-action is left out on purpose: after the OIDC consent form the browser
# follows a redirect to the registered client, which lives on another host.
POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "WECONOMICS_CSP", POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy",
                                    "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class HtmxMiddleware:
    """Set request.htmx when htmx made the request, so views can answer with a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.htmx = request.headers.get("HX-Request") == "true"
        response = self.get_response(request)
        if request.htmx:
            response.headers["Vary"] = ", ".join(
                filter(None, [response.headers.get("Vary"), "HX-Request"]))
        return response


class UserSessionsMiddleware:
    """allauth's session tracking, written at most once a minute per session.

    allauth updates a session's row (last seen, address, browser) on every request: a
    write and a commit for every page a signed-in person opens. Here the row is written
    when the session was not seen for SEEN_EVERY seconds or its address or browser
    changed, which the cache remembers; "last seen" is then exact to the minute.
    """

    SEEN_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.account.adapter import get_adapter
        from allauth.usersessions.internal import usersessionkit
        from django.core.cache import cache

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and (
                session.session_key):
            key = f"usersession-seen:{session.session_key}"
            client = (get_adapter(request).get_client_ip(request) or "",
                      request.META.get("HTTP_USER_AGENT", "")[:200])
            if cache.get(key) != list(client):
                usersessionkit.track_activity(request, user=user, session=session)
                cache.set(key, list(client), self.SEEN_EVERY)
        else:
            usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)


# The routes that take a photo or a logo: their bodies may be as large as an upload.
UPLOAD_VIEWS = frozenset({
    "profile_photo", "community_logo_manage",          # pages
    "upload_photo", "upload_logo",                     # API (ninja names them by function)
})


def _same_site_referer(request) -> str:
    """The page a refused form was sent from, when it is one of ours: the way back to it."""
    from django.core.exceptions import DisallowedHost
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host},
                                                   require_https=request.is_secure()):
        return referer
    return ""


class RequestBodyLimitMiddleware:
    """Refuse a request body over its limit with 413, before anything reads it.

    WECONOMICS_MAX_BODY_BYTES for every request; photo and logo uploads
    WECONOMICS_UPLOAD_MAX_BODY_BYTES. A declared Content-Length is checked up front (no
    byte of the body is read); a body of unknown length (Transfer-Encoding: chunked) is
    read up to its limit and no further, then handed to Django as if its length had been
    declared, which Django needs to read it at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = self._declared_length(request)
        if declared is not None and declared > max(settings.MAX_BODY_BYTES,
                                                   settings.UPLOAD_MAX_BODY_BYTES):
            return self.too_large(request, self.limit_for(request, resolving=True))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Runs before the CSRF check and the view, the first that read the body.
        limit = self.limit_for(request)
        declared = self._declared_length(request)
        if declared is not None:
            return self.too_large(request, limit) if declared > limit else None
        if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return None
        body = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - outlives this method
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
        stream, size = request.META["wsgi.input"], 0
        while size <= limit and (piece := stream.read(min(65536, limit + 1 - size))):
            body.write(piece)
            size += len(piece)
        if size > limit:
            body.close()
            return self.too_large(request, limit)
        body.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        # Django read the missing length as an empty body; now it reads this one.
        request._stream = LimitedStream(body, size)
        return None

    @staticmethod
    def _declared_length(request) -> int | None:
        value = request.META.get("CONTENT_LENGTH")
        if not value:
            return None
        try:
            return max(int(value), 0)
        except ValueError:
            return None

    @staticmethod
    def limit_for(request, resolving: bool = False) -> int:
        match = getattr(request, "resolver_match", None)
        if match is None and resolving:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        if match is not None and match.url_name in UPLOAD_VIEWS:
            return settings.UPLOAD_MAX_BODY_BYTES
        return settings.MAX_BODY_BYTES

    @staticmethod
    def too_large(request, limit: int) -> HttpResponse:
        from weconomics.api.problems import problem_response
        from weconomics.web.errors import API_PREFIX, bare_page

        # Up front, this runs before LocaleMiddleware has chosen the language.
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith(API_PREFIX):
                return problem_response(
                    request, 413, _("The request body is too large: at most %(bytes)d bytes.")
                    % {"bytes": limit}, code="payload_too_large", max_bytes=limit)
            return bare_page("413.html", 413, limit=limit, back=_same_site_referer(request))


# Pages and answers that show a secret (a new token, recovery codes, a TOTP secret, a
# private feed address) or everything held about a person: kept out of every cache and
# the browser's history store. (The admin, which shows a new OIDC client's secret once,
# is never cached by Django itself.) ninja names an API route by the function of its
# first method, so /me/tokens answers to "list_tokens" for POST too.
NO_STORE_VIEWS = frozenset({
    "tokens", "export", "settings_calendar",                            # pages
    "list_tokens", "create_token",                                     # API: tokens, export
    "mfa_activate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",                                     # allauth's MFA
})


class NoStoreMiddleware:
    """Add Cache-Control: no-store (and private, no-cache) to the answers of NO_STORE_VIEWS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in NO_STORE_VIEWS:
            add_never_cache_headers(response)
        return response
