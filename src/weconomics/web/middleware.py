"""A Content-Security-Policy that lets pages load only from this site."""

from django.conf import settings

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
