"""Schemathesis against the live OpenAPI document: no request may end in a server error.

Every operation of /api/v1/openapi.json gets generated requests (valid and invalid ones),
sent in process to the WSGI application, as a visitor, with a read token and with a write
token. The budget is fixed and the generation derandomized, so a run is fast and the same
every time. A 5xx fails the test with the server's traceback.
"""

import logging
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings, strategies
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from weconomics.api.tests.helpers import draft
from weconomics.bookings.tests.helpers import community_of, scheduled
from weconomics.conftest import make_account
from weconomics.identity import services as identity

# Examples per operation and caller (179 operations x 3 callers); raise it to explore
# (WECONOMICS_FUZZ_EXAMPLES=200), the suite keeps the small fixed budget.
EXAMPLES = int(os.environ.get("WECONOMICS_FUZZ_EXAMPLES", "4"))


class ServerError(Exception):
    pass


class ServerErrors(logging.Handler):
    """Collects what the server logs with a traceback (the API's 500 handler, django.request)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.exc_info:
            self.records.append(self.format(record))


@pytest.fixture
def server_errors():
    handler = ServerErrors()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
def api_schema(db):
    # The requests run in the test's transaction: like Django's test client, keep the
    # connection open between them (the handler would close it after each request).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Something to find: a provider with a published training and a date in a community.
    provider = make_account("fuzz@example.org", "Fuzz Provider")
    scheduled(provider)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "read", "write"])
def caller(request, db):
    scope = request.param
    if scope == "anonymous":
        return {}
    account = make_account(f"{scope}-caller@example.org", f"{scope.title()} Caller")
    # The caller's own community and draft product, for the operations on one's own things.
    community_of(account, slug=f"{scope}-club")
    draft(account)
    _, raw = identity.create_token(actor=account, name=f"fuzz {scope}", scope=scope)
    return {"Authorization": f"Bearer {raw}"}


def test_no_request_ends_in_a_server_error(api_schema, caller, server_errors):
    headers = {**caller, "Accept-Language": "en"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 100  # the whole document, not a fraction of it

    for operation in operations:
        cases = strategies.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                                  operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def fuzz(case):
            server_errors.records.clear()
            response = case.call(headers=headers)
            if response.status_code >= 500:
                raise ServerError(f"{case.method} {case.formatted_path} answered "
                                  f"{response.status_code}:\n{case.as_curl_command()}\n\n"
                                  + "\n\n".join(server_errors.records))
            case.validate_response(response, checks=[not_a_server_error])

        try:
            fuzz()
        except Exception as failure:  # noqa: BLE001 - every operation is tried, all are reported
            failures.append(f"{operation.label}: {failure}")
    if failures:
        pytest.fail(f"{len(failures)} operation(s) ended in a server error:\n\n"
                    + "\n\n".join(failures), pytrace=False)
