"""Answers for requests that fail on our side: 503 while the database is away, else 500.

`server_error` is the URLconfs' handler500: Django calls it for an exception raised
anywhere in a request (a view, or a middleware such as the session's or the channel host's
look-up). `DatabaseUnavailableMiddleware` gives views the same answer when DEBUG is on,
where Django shows its technical page instead of calling handler500.

Neither touches the database: their pages render without a request context, so no
context processor looks up the user or counts unread messages.
"""

import logging
import sys

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from weconomics.api.problems import database_unavailable, problem_response
from weconomics.outage import RETRY_AFTER, is_database_unavailable

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def bare_page(template: str, status: int, **context) -> HttpResponse:
    """A page of its own, without the site's navigation and without the database.

    The message (web/errors/<status>.html) in the visitor's language, then in the other.
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    other = next((code for code, _name in settings.LANGUAGES
                  if not current.startswith(code)), None)
    html = render_to_string(template, {
        "site_name": settings.SITE_NAME, "message": f"web/errors/{status}.html",
        "other_language": other, **context})
    return HttpResponse(html, status=status)


def unavailable(request, error) -> HttpResponse:
    """503: the database is away for now; a problem document under /api/, else a page."""
    logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    if request.path.startswith(API_PREFIX):
        return database_unavailable(request)
    response = bare_page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request) -> HttpResponse:
    """handler500: a database outage is a 503; anything else a 500, as a problem under /api/."""
    error = sys.exc_info()[1]
    if error is not None and is_database_unavailable(error):
        return unavailable(request, error)
    if request.path.startswith(API_PREFIX):
        return problem_response(request, 500, _("Something went wrong on our side."),
                                code="server_error")
    return bare_page("500.html", 500)


class DatabaseUnavailableMiddleware:
    """Answer 503 for a view that lost the database, also with DEBUG on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable(request, exception)
        return None

