"""Sign-in throttling: how attempts are limited, and how a limited attempt is answered."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from weconomics.cache import CacheUnavailable

# While the rate limits cannot be counted, a refused attempt may come back after this.
UNAVAILABLE_RETRY_AFTER = 60


def too_many_attempts(request, *, retry_after: int, message: str | None = None):
    """Answer 429 with the site's page, a clear message and Retry-After in seconds."""
    response = render(request, "429.html", {"message": message, "retry_after": retry_after},
                      status=429)
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response


class RateLimitUnavailableMiddleware:
    """Refuse, with a 429, an attempt whose rate limit cannot be counted (Redis away).

    Rate limits fail closed: guessing passwords while the counts are unavailable would be
    unlimited. Pages without a rate limit do not touch the counts and keep working.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        return too_many_attempts(
            request, retry_after=UNAVAILABLE_RETRY_AFTER,
            message=_("Sign-in and other account actions are temporarily limited. "
                      "Please try again in a minute."))
