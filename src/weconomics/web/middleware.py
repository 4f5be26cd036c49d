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
