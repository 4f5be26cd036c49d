"""Error answers: a lost database is a 503 everywhere in a request, other faults a 500.

Every query fails here through Django's own execute_wrapper hook, as when the database
server went away; test_outage.py does the same over real processes and a real outage.
"""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client

from weconomics.conftest import make_account


def _server_gone(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@contextlib.contextmanager
def database_gone():
    with connection.execute_wrapper(_server_gone):
        yield


@pytest.fixture
def browser(db):
    browser = Client(raise_request_exception=False)
    browser.force_login(make_account("mo@example.org", "Mo Member"))
    return browser


def test_a_page_of_a_signed_in_person_answers_503_when_the_session_cannot_be_read(browser):
    # The session and the user are loaded by middleware, before any view runs.
    with database_gone():
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="nl">' in page and "<h1>Even niet beschikbaar</h1>" in page
    # Then briefly in English too.
    assert '<section lang="en">' in page and "<h2>Briefly unavailable</h2>" in page


def test_the_503_page_speaks_english_when_asked(browser):
    with database_gone():
        response = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="en">' in page and "<h1>Briefly unavailable</h1>" in page
    assert '<section lang="nl">' in page and "<h2>Even niet beschikbaar</h2>" in page


def test_an_anonymous_page_answers_503_from_the_view(db):
    with database_gone():
        response = Client(raise_request_exception=False).get("/communities/")
    assert response.status_code == 503


def test_the_api_answers_503_with_a_problem_document(browser):
    with database_gone():
        response = browser.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable" and body["status"] == 503


def test_an_api_token_that_cannot_be_checked_answers_503(db):
    visitor = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer wec_x")
    with database_gone():
        response = visitor.post("/api/v1/bookings", {}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_healthz_says_whether_the_database_answers(db):
    visitor = Client(raise_request_exception=False)
    assert visitor.get("/healthz").status_code == 200
    with database_gone():
        response = visitor.get("/healthz")
    assert response.status_code == 503 and response.content == b"database unavailable"


def test_with_debug_on_a_view_that_lost_the_database_still_answers_503(db, settings):
    settings.DEBUG = True
    with database_gone():
        response = Client(raise_request_exception=False).get("/communities/")
    assert response.status_code == 503


def test_a_mistake_in_the_schema_stays_a_500(db):
    # SQLite reports a missing table as OperationalError too; that is a bug, not an outage.
    def missing_table(execute, sql, params, many, context):
        raise OperationalError("no such table: communities_community")

    with connection.execute_wrapper(missing_table):
        response = Client(raise_request_exception=False).get("/communities/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


def test_a_channel_host_that_cannot_be_looked_up_answers_503(db, settings):
    # The community behind a host name is looked up by middleware, before any view.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "coaches.example"]
    with database_gone():
        response = Client(raise_request_exception=False).get("/", HTTP_HOST="coaches.example")
    assert response.status_code == 503
    assert "<h1>Even niet beschikbaar</h1>" in response.content.decode()


def test_a_query_over_the_databases_own_limits_stays_a_500(db):
    # Both databases report a limit of theirs (here: too many columns) as OperationalError,
    # like an outage; but no retry mends it, so it is a bug of ours: a 500, not a 503.
    def too_wide(execute, sql, params, many, context):
        return execute("SELECT " + ", ".join(["1"] * 2100), (), False, context)

    with connection.execute_wrapper(too_wide):
        response = Client(raise_request_exception=False).get("/communities/")
    assert response.status_code == 500
