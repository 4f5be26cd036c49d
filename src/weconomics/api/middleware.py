"""Answer unknown API paths and methods with problem documents too, and HEAD like GET."""

from weconomics.api.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"


class ApiProblemMiddleware:
    """Turn Django's and ninja's plain 404/405 answers under /api/ into RFC 9457 problems.

    Errors raised inside an endpoint are already problems (api.problems); this covers
    what never reaches one: a path no route matches, or a method a route lacks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        # HEAD is GET without the body (RFC 9110, 9.3.2). ninja routes GET only, so a HEAD
        # is answered as the GET, with the same headers, and its body dropped.
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = self.problem_for_plain_errors(request, self.get_response(request))
        finally:
            if head:
                request.method = "HEAD"
        allowed = [method.strip() for method in response.get("Allow", "").split(",") if method]
        if "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        if head:
            without_body(response)
        return response

    def problem_for_plain_errors(self, request, response):
        if response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        if response.status_code == 404:
            return problem_response(request, 404, "There is no such API endpoint.",
                                    code="not_found")
        problem = problem_response(
            request, 405, f"{request.method} is not allowed here.", code="method_not_allowed")
        if response.has_header("Allow"):
            problem["Allow"] = response["Allow"]
        return problem


def without_body(response) -> None:
    """Drop the body, keeping Content-Length (set by CommonMiddleware) as the GET's."""
    if response.streaming:
        # A file stays registered with the response, which closes it when the server does.
        response.streaming_content = []
    else:
        response.content = b""
