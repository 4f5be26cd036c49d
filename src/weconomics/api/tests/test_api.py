"""The web API: authentication, scopes, problem documents and the /me endpoints."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD
from weconomics.identity import services as identity
from weconomics.identity.models import PersonalAccessToken
from weconomics.identity.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def token_client(account, scope="read", **kwargs):
    _, raw = identity.create_token(actor=account, name=f"{scope} token", scope=scope, **kwargs)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"] and body["type"] == "about:blank"
    return body


def test_without_credentials_the_api_answers_401_with_a_problem(client):
    body = assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")
    assert "Bearer" in body["detail"]


def test_a_read_token_reads_but_does_not_write(member):
    api = token_client(member, "read")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == member.email
    assert_problem(api.patch("/api/v1/me", {"name": "X"}, content_type="application/json"),
                   403, "read_only_token")
    member.refresh_from_db()
    assert member.name == "Mo Member"


def test_a_write_token_changes_the_account_and_the_change_is_audited(member):
    api = token_client(member, "write")
    response = api.patch("/api/v1/me", {"name": "Mo M.", "language": "en"},
                         content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "Mo M." and response.json()["language"] == "en"
    assert AuditRecord.objects.filter(action="identity.account_updated", actor=member).exists()


@pytest.mark.parametrize("header", [
    "Bearer wec_this-token-does-not-exist",
    "Bearer some-opaque-oidc-token-that-is-unknown",
])
def test_unknown_tokens_are_refused(header):
    assert_problem(Client(HTTP_AUTHORIZATION=header).get("/api/v1/me"), 401, "invalid_token")


def test_revoked_and_expired_tokens_are_refused(member):
    token, raw = identity.create_token(actor=member, name="old", scope="read")
    identity.revoke_token(actor=member, token_id=token.pk)
    assert_problem(Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me"),
                   401, "invalid_token")
    expired = token_client(member, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_problem(expired.get("/api/v1/me"), 401, "invalid_token")


def test_a_token_notes_its_last_use_at_most_once_a_minute(member):
    token, raw = identity.create_token(actor=member, name="cli", scope="read",
                                       expires_at=timezone.now() + dt.timedelta(hours=1))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api.get("/api/v1/me").status_code == 200  # valid until its expiry
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert api.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == start  # a read stays a read within the minute
    later = start + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert api.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == later
    with time_machine.travel(start + dt.timedelta(hours=1, seconds=1), tick=False):
        assert_problem(api.get("/api/v1/me"), 401, "invalid_token")


def test_a_token_of_a_deactivated_account_is_refused(member):
    api = token_client(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert_problem(api.get("/api/v1/me"), 401, "invalid_token")


def test_the_session_works_and_writes_need_the_csrf_token(member):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    browser.post("/accounts/login/", {"login": member.email, "password": PASSWORD,
                                      "csrfmiddlewaretoken": csrf})
    assert browser.get("/api/v1/me").json()["email"] == member.email
    csrf = browser.cookies["csrftoken"].value
    assert_problem(browser.patch("/api/v1/me", {"name": "N"}, content_type="application/json"),
                   403, "csrf_failed")
    ok = browser.patch("/api/v1/me", {"name": "N"}, content_type="application/json",
                       HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 200 and ok.json()["name"] == "N"


def test_malformed_json_is_a_400_problem(member):
    api = token_client(member, "write")
    assert_problem(api.patch("/api/v1/me", "{not json", content_type="application/json"),
                   400, "malformed_body")


def test_an_oversized_body_is_a_413_problem(member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = token_client(member, "write")
    body = json.dumps({"name": "x" * 5000})
    assert_problem(api.patch("/api/v1/me", body, content_type="application/json"),
                   413, "payload_too_large")
    member.refresh_from_db()
    assert member.name == "Mo Member"


@pytest.mark.parametrize("payload", [{"name": ""}, {"language": "de"}, {"name": "x" * 151},
                                     {"name": 12}])
def test_invalid_fields_are_a_422_problem_naming_the_field(member, payload):
    api = token_client(member, "write")
    body = assert_problem(api.patch("/api/v1/me", payload, content_type="application/json"),
                          422, "validation_error")
    assert body["errors"][0]["location"][-1] in payload
    member.refresh_from_db()
    assert member.name == "Mo Member" and member.language == ""


def test_a_blank_name_is_refused(member):
    api = token_client(member, "write")
    assert_problem(api.patch("/api/v1/me", {"name": "   "}, content_type="application/json"),
                   422, "validation_error")


def test_tokens_are_created_listed_and_revoked_through_the_api(client, member, outsider):
    api = token_client(member, "write")
    client.force_login(member)
    created = client.post("/api/v1/me/tokens", {"name": "robot", "scope": "read",
                                             "expires_in_days": 30},
                       content_type="application/json")
    assert created.status_code == 201
    new = created.json()
    assert new["token"].startswith("wec_") and new["scope"] == "read"
    listed = api.get("/api/v1/me/tokens").json()
    assert {t["name"] for t in listed} == {"write token", "robot"}
    assert all("token" not in t for t in listed)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new['token']}").get("/api/v1/me").status_code == 200

    other = token_client(outsider, "write")
    assert_problem(other.delete(f"/api/v1/me/tokens/{new['id']}"), 404, "not_found")
    assert api.delete(f"/api/v1/me/tokens/{new['id']}").status_code == 204
    assert_problem(Client(HTTP_AUTHORIZATION=f"Bearer {new['token']}").get("/api/v1/me"),
                   401, "invalid_token")
    assert_problem(api.delete(f"/api/v1/me/tokens/{new['id']}"), 404, "not_found")


def test_a_token_cannot_create_tokens(member):
    api = token_client(member, "write")
    response = api.post("/api/v1/me/tokens", {"name": "persist", "expires_in_days": None},
                        content_type="application/json")
    assert_problem(response, 403, "session_required")
    assert PersonalAccessToken.objects.filter(account=member).count() == 1


@pytest.mark.parametrize("name", ["a\u0000b", "two\nlines", "   "])
def test_names_with_control_characters_or_only_spaces_are_refused(client, member, name):
    client.force_login(member)
    body = json.dumps({"name": name})
    assert_problem(client.post("/api/v1/me/tokens", body, content_type="application/json"),
                   422, "validation_error")
    assert_problem(client.patch("/api/v1/me", body, content_type="application/json"),
                   422, "validation_error")
    member.refresh_from_db()
    assert member.name == "Mo Member" and not PersonalAccessToken.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"name": "x", "scope": "admin"},
                                     {"name": "x", "expires_in_days": 0},
                                     {"name": "x", "expires_in_days": 99999},
                                     {"name": "x", "expires_in_days": True}])
def test_bad_token_requests_are_refused_and_create_nothing(member, payload):
    api = token_client(member, "write")
    assert_problem(api.post("/api/v1/me/tokens", payload, content_type="application/json"),
                   422, "validation_error")
    assert PersonalAccessToken.objects.filter(account=member).count() == 1


def test_sessions_are_listed_and_ended_through_the_api(member):
    browser = Client(HTTP_USER_AGENT="Firefox/128.0")
    sign_in(browser, member.email)
    api = token_client(member, "write")
    sessions = api.get("/api/v1/me/sessions").json()
    assert len(sessions) == 1 and sessions[0]["user_agent"] == "Firefox/128.0"
    assert api.delete(f"/api/v1/me/sessions/{sessions[0]['id']}").status_code == 204
    assert not browser.get("/").context["user"].is_authenticated
    assert_problem(api.delete(f"/api/v1/me/sessions/{sessions[0]['id']}"), 404, "not_found")


def test_the_export_is_available_through_the_api_and_audited(member):
    data = token_client(member).get("/api/v1/me/export").json()
    assert data["account"]["email"] == member.email
    assert data["format"] == "weconomics-account-export"
    assert AuditRecord.objects.filter(action="identity.exported", actor=member).count() == 1


def test_the_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Weconomics API"
    assert {"/api/v1/me", "/api/v1/me/sessions", "/api/v1/me/sessions/{session_id}",
            "/api/v1/me/tokens", "/api/v1/me/tokens/{token_id}", "/api/v1/me/export"} <= set(
        document["paths"])


def test_the_docs_page_loads_only_from_this_site(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html


def test_an_unknown_endpoint_is_a_404_problem(member):
    assert_problem(token_client(member).get("/api/v1/no/such/thing"), 404, "not_found")


def test_a_method_an_endpoint_lacks_is_a_405_problem(member):
    response = token_client(member, "write").put("/api/v1/me/export")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
