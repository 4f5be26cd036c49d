"""Sign-up, email confirmation, sign-in, sign-out and passwords, through the pages."""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD
from weconomics.identity.models import Account
from weconomics.identity.tests.helpers import last_mail_link, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 42"


def actions(account=None):
    records = AuditRecord.objects.order_by("id")
    if account is not None:
        records = records.for_account(account.pk)
    return list(records.values_list("action", flat=True))


def sign_up(client, email="new@example.org", name="Nina Nieuw"):
    return client.post("/accounts/signup/", {
        "name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_signing_up_sends_a_confirmation_link_that_signs_the_person_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    account = Account.objects.get(email="new@example.org")
    assert account.name == "Nina Nieuw"
    assert account.password.startswith("argon2")
    assert not EmailAddress.objects.get(user=account).verified
    assert len(mail.outbox) == 1
    link = last_mail_link(r"/accounts/confirm-email/")

    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=account).verified
    assert client.get("/").context["user"] == account
    assert actions(account)[:3] == ["identity.signed_up", "identity.email_confirmed",
                                    "identity.signed_in"]


def test_an_unconfirmed_address_cannot_sign_in(client):
    sign_up(client)
    client.logout()
    response = sign_in(client, "new@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated


def test_a_bad_confirmation_link_says_so_and_confirms_nothing(client):
    sign_up(client)
    link = last_mail_link(r"/accounts/confirm-email/")
    bad = link[:-3] + "xx/"
    page = client.get(bad)
    assert page.status_code == 200 and page.context["confirmation"] is None
    assert client.get("/accounts/email/", follow=True).status_code == 200
    assert client.post(bad).status_code == 404
    assert not EmailAddress.objects.get(email="new@example.org").verified


def test_a_confirmation_link_used_twice_does_no_harm(client):
    sign_up(client)
    link = last_mail_link(r"/accounts/confirm-email/")
    client.post(link)
    client.logout()
    again = client.post(link)
    assert again.status_code in (200, 302, 404)
    assert EmailAddress.objects.get(email="new@example.org").verified


def test_signing_up_twice_with_one_address_makes_one_account(client, member):
    response = sign_up(client, email=member.email)
    # Enumeration is prevented: the page looks like a success, the owner gets a mail.
    assert response.status_code == 302
    assert Account.objects.filter(email__iexact=member.email).count() == 1


def test_sign_up_refuses_a_weak_password_and_a_missing_name(client):
    response = client.post("/accounts/signup/", {
        "name": "", "email": "x@example.org", "password1": "12345", "password2": "12345"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors and "password1" in form.errors
    assert not Account.objects.filter(email="x@example.org").exists()


def test_signing_in_and_out_is_audited(client, member):
    response = sign_in(client, member.email)
    assert response.status_code == 302
    assert client.get("/").context["user"] == member
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated
    assert actions(member) == ["identity.signed_in", "identity.signed_out"]


def test_a_wrong_password_is_refused_with_a_message_and_audited(client, member):
    response = sign_in(client, member.email, "not the password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not client.get("/").context["user"].is_authenticated
    failed = AuditRecord.objects.get(action="identity.sign_in_failed")
    assert failed.subject_id == member.pk and failed.actor_id is None
    assert failed.ip_address == "127.0.0.1"


def test_an_unknown_address_gets_the_same_message_as_a_wrong_password(client, member):
    unknown = sign_in(client, "nobody@example.org", "whatever it is")
    wrong = sign_in(client, member.email, "whatever it is")
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    first = AuditRecord.objects.filter(action="identity.sign_in_failed").order_by("id").first()
    assert first.subject_id is None and first.data == {"known_account": False}


def test_repeated_wrong_passwords_are_rate_limited(client, member):
    for _ in range(5):
        sign_in(client, member.email, "wrong password")
    response = sign_in(client, member.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert not client.get("/").context["user"].is_authenticated


def test_a_password_reset_link_sets_a_new_password_once(client, member):
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
    link = last_mail_link(r"/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert "identity.password_reset" in actions(member)

    reused = client.get(link, follow=True)
    assert reused.context["token_fail"] is True
    client.logout()
    assert sign_in(client, member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_for_an_unknown_address_reveals_nothing_and_sends_no_link(client, member):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_changing_the_password_needs_the_current_one_and_is_audited(client, member):
    sign_in(client, member.email)
    wrong = client.post("/accounts/password/change/", {
        "oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "oldpassword" in wrong.context["form"].errors
    right = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert right.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert actions(member)[-1] == "identity.password_changed"


def test_signing_in_brings_back_the_language_the_person_chose(client, member):
    member.language = "en"
    member.save(update_fields=["language"])
    sign_in(client, member.email)
    page = client.get("/")
    assert page.headers["Content-Language"] == "en"


def test_an_administrator_registers_a_channel_in_the_admin_and_it_is_audited(
    client, admin_account
):
    client.force_login(admin_account)
    response = client.post("/admin/allauth_idp_oidc/client/add/", {
        "id": "channel-one", "name": "Coaching channel", "scopes": "openid\nprofile",
        "default_scopes": "openid", "type": "confidential", "grant_types": "authorization_code",
        "redirect_uris": "https://coaching.example/callback", "cors_origins": "",
        "response_types": "code", "created_at_0": "2026-11-23", "created_at_1": "12:00:00",
    }, follow=True)
    assert response.status_code == 200
    assert b'id="client-secret"' in response.content  # shown once, on this page
    entry = AuditRecord.objects.get(action="identity.oidc_client_registered")
    assert entry.actor_id == admin_account.pk and entry.data["via"] == "admin"


def test_an_expired_reset_link_is_refused(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    link = last_mail_link(r"/accounts/password/reset/key/")
    # A day past the limit, so no time-zone offset can bring it back inside.
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT,
                                                      days=1)
    with time_machine.travel(later):
        page = client.get(link, follow=True)
    assert page.context["token_fail"] is True
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
