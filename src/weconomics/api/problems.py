"""RFC 9457 problem documents for every error the API returns."""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from weconomics.identity.errors import IdentityError
from weconomics.outage import RETRY_AFTER, is_database_unavailable

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(HttpError):
    """An HttpError with a machine-readable code next to its human message."""

    def __init__(self, status: int, detail: str, *, code: str) -> None:
        super().__init__(status, detail)
        self.code = code


def problem_response(
    request: HttpRequest, status: int, detail: str, *, code: str, **extra
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        **extra,
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="weconomics"'
    return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database cannot be reached: try again after Retry-After seconds."""
    response = problem_response(
        request, 503, _("The service is briefly unavailable. Try again in a moment."),
        code="database_unavailable")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _validation_errors(errors) -> list[dict]:
    cleaned = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        cleaned.append({"location": location, "message": error.get("msg", "invalid"),
                        "type": error.get("type", "")})
    return cleaned


def install(api) -> None:
    """Make every error of the API answer as a problem document."""

    @api.exception_handler(ValidationError)
    def validation(request, exc):
        return problem_response(request, 422, "The request has invalid or missing fields.",
                                code="validation_error", errors=_validation_errors(exc.errors))

    @api.exception_handler(Problem)
    def problem(request, exc):
        return problem_response(request, exc.status_code, exc.message, code=exc.code)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem_response(
            request, 401,
            "Sign in, or send a personal access token or an OpenID Connect access token "
            "as 'Authorization: Bearer <token>'.",
            code="not_authenticated",
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = "bad_request" if exc.status_code == 400 else f"http_{exc.status_code}"
        if exc.message.startswith("Cannot parse request body"):
            return problem_response(request, 400, "The request body is not valid JSON.",
                                    code="malformed_body")
        return problem_response(request, exc.status_code, exc.message, code=code)

    @api.exception_handler(IdentityError)
    def identity_error(request, exc):
        return problem_response(request, exc.status, str(exc), code=exc.code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem_response(request, 404, "Not found.", code="not_found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem_response(request, 403, str(exc) or "Forbidden.", code="forbidden")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem_response(request, 413, "The request body is too large.",
                                code="payload_too_large")

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request, exc):
        return problem_response(request, 400, "The request body is not valid multipart form "
                                "data.", code="malformed_body")

    @api.exception_handler(DatabaseError)
    def database_error(request, exc):
        if is_database_unavailable(exc):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                           exc)
            return database_unavailable(request)
        return unexpected(request, exc)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("API error on %s", request.path)
        return problem_response(request, 500, "Something went wrong on our side.",
                                code="server_error")
