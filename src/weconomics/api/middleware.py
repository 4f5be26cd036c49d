"""Answer unknown API paths and methods with problem documents too."""

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
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
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
