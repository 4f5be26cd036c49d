"""Sessions, API tokens, the data export and account deletion, through the settings pages."""

import json

import pytest
from allauth.usersessions.models import UserSession
from django.core import checks
from django.test import Client

from weconomics.audit.models import AuditRecord
from weconomics.communities.models import Community, Membership
from weconomics.conftest import PASSWORD
from weconomics.identity import privacy
from weconomics.identity.models import Account, PersonalAccessToken
from weconomics.identity.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def browser(account, user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"):
    client = Client(HTTP_USER_AGENT=user_agent)
    assert sign_in(client, account.email).status_code == 302
    return client


def test_the_sessions_page_lists_each_device_with_ip_and_last_seen(member):
    laptop = browser(member)
    browser(member, user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1")
    page = laptop.get("/settings/sessions/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert {row["device"] for row in rows} == {"Chrome · Linux", "Safari · iPhone"}
    assert [row["current"] for row in rows].count(True) == 1
    assert b"127.0.0.1" in page.content


def test_ending_a_session_signs_that_device_out_and_is_audited(member):
    laptop = browser(member)
    phone = browser(member, user_agent="Mozilla/5.0 (iPhone) Safari/604.1")
    phone_session = UserSession.objects.get(user=member, user_agent__contains="iPhone")
    response = laptop.post("/settings/sessions/", {"session": phone_session.pk})
    assert response.status_code == 302
    assert not phone.get("/").context["user"].is_authenticated
    assert laptop.get("/").context["user"] == member
    record = AuditRecord.objects.get(action="identity.session_ended")
    assert record.actor_id == member.pk and record.target_id == str(phone_session.pk)


def test_ending_all_other_sessions_keeps_this_one(member):
    laptop = browser(member)
    others = [browser(member, user_agent=f"Agent {n}") for n in range(2)]
    laptop.post("/settings/sessions/", {"all_others": "1"})
    assert laptop.get("/").context["user"] == member
    assert all(not other.get("/").context["user"].is_authenticated for other in others)


def test_nobody_can_end_another_persons_session(member, outsider):
    victim = browser(member)
    attacker = browser(outsider)
    session = UserSession.objects.get(user=member)
    response = attacker.post("/settings/sessions/", {"session": session.pk}, follow=True)
    assert response.status_code == 200
    assert victim.get("/").context["user"] == member
    assert attacker.post("/settings/sessions/", {"session": "not a number"}).status_code == 302


def test_a_new_token_is_shown_once_and_kept_only_as_a_hash(member):
    client = browser(member)
    response = client.post("/settings/tokens/", {"name": "Planning script", "scope": "write",
                                                  "expires_in_days": "30"})
    assert response.status_code == 200
    raw = response.context["created"]["raw"]
    assert raw.startswith("wec_") and raw.encode() in response.content
    token = PersonalAccessToken.objects.get(account=member)
    assert raw not in (token.token_hash, token.hint) and token.scope == "write"
    assert token.expires_at is not None
    again = client.get("/settings/tokens/")
    assert raw.encode() not in again.content and token.hint.encode() in again.content
    assert AuditRecord.objects.filter(action="identity.token_created", actor=member).exists()


def test_a_token_form_with_bad_input_says_what_is_wrong(member):
    client = browser(member)
    response = client.post("/settings/tokens/", {"name": "", "scope": "admin",
                                                  "expires_in_days": "7"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "scope", "expires_in_days"}
    assert not PersonalAccessToken.objects.exists()


def test_revoking_a_token_stops_it_at_once(member, outsider):
    client = browser(member)
    raw = client.post("/settings/tokens/", {"name": "ci", "scope": "read",
                                            "expires_in_days": "0"}).context["created"]["raw"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me").status_code == 200
    token = PersonalAccessToken.objects.get(account=member)
    # Another person cannot revoke it.
    browser(outsider).post(f"/settings/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me").status_code == 200
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me").status_code == 401
    assert AuditRecord.objects.filter(action="identity.token_revoked", actor=member).count() == 1


def test_the_export_holds_what_every_module_keeps(member, outsider):
    community = Community.objects.create(name="Coaches", slug="coaches", kind="cooperative",
                                         purpose="p", audience="a")
    Membership.objects.create(community=community, account=member, role="steward")
    client = browser(member)
    client.post("/settings/tokens/", {"name": "ci", "scope": "read", "expires_in_days": "30"})
    response = client.post("/settings/data/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert set(data) >= {source.name for source in privacy.sources()}
    assert data["account"]["email"] == member.email
    [membership] = data["community_memberships"]
    assert (membership["community"], membership["role"]) == ("Coaches", "steward")
    assert data["api_tokens"][0]["name"] == "ci" and "token_hash" not in data["api_tokens"][0]
    assert "identity.signed_in" in {r["action"] for r in data["audit"]}
    assert outsider.email not in response.content.decode()
    assert AuditRecord.objects.filter(action="identity.exported", actor=member).exists()


def test_the_export_needs_a_post_so_a_link_cannot_trigger_it(member):
    assert browser(member).get("/settings/data/export/").status_code == 405


def test_deleting_needs_the_password_and_the_confirmation(member):
    client = browser(member)
    response = client.post("/settings/data/delete/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 422
    assert "password" in response.context["form"].errors
    response = client.post("/settings/data/delete/", {"password": PASSWORD})
    assert response.status_code == 422 and "confirm" in response.context["form"].errors
    assert Account.objects.filter(pk=member.pk).exists()


def test_deleting_the_account_removes_its_data_and_keeps_others(member, outsider):
    community = Community.objects.create(name="C", slug="c", kind="cooperative",
                                         purpose="p", audience="a")
    Membership.objects.create(community=community, account=member)
    Membership.objects.create(community=community, account=outsider)
    client = browser(member)
    other_device = browser(member, user_agent="Other")
    client.post("/settings/tokens/", {"name": "ci", "scope": "read", "expires_in_days": "30"})
    member_id = member.pk

    response = client.post("/settings/data/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not Account.objects.filter(pk=member_id).exists()
    assert not Membership.objects.filter(account_id=member_id).exists()
    assert not PersonalAccessToken.objects.filter(account_id=member_id).exists()
    assert not UserSession.objects.filter(user_id=member_id).exists()
    assert not other_device.get("/").context["user"].is_authenticated
    assert Membership.objects.filter(account=outsider).exists()
    deleted = AuditRecord.objects.get(action="identity.account_deleted")
    assert deleted.actor_id == member_id
    # The security log keeps the number, not the person.
    assert member.email not in json.dumps(list(AuditRecord.objects.values("data")))


def test_every_model_pointing_at_an_account_is_in_the_export_registry():
    assert [e for e in checks.run_checks() if e.id == "identity.E001"] == []
    removed = privacy._sources.pop("api_tokens")
    try:
        errors = [e for e in checks.run_checks() if e.id == "identity.E001"]
        assert [e.obj for e in errors] == [PersonalAccessToken]
    finally:
        privacy._sources["api_tokens"] = removed


def test_settings_pages_need_a_signed_in_person(client):
    for url in ["/settings/", "/settings/sessions/", "/settings/tokens/", "/settings/data/",
                "/settings/data/delete/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_htmx_revokes_a_token_in_place(member):
    client = browser(member)
    client.post("/settings/tokens/", {"name": "ci", "scope": "read", "expires_in_days": "30"})
    token = PersonalAccessToken.objects.get(account=member)
    page = client.get("/settings/tokens/").content.decode()
    assert f'hx-post="/settings/tokens/{token.pk}/revoke/"' in page
    response = client.post(f"/settings/tokens/{token.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    token.refresh_from_db()
    assert token.revoked_at is not None
