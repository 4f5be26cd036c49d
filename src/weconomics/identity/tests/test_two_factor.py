"""Two-factor sign-in with an authenticator app and recovery codes."""

import datetime as dt

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD
from weconomics.identity.tests.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db


def activate_totp(client, account) -> str:
    sign_in(client, account.email)
    # Turning on a second factor asks for the password again, even right after sign-in.
    first = client.get("/accounts/2fa/totp/activate/")
    assert first["Location"].startswith("/accounts/reauthenticate/")
    client.post(first["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return secret


# allauth writes its MFA signals on commit, so these run with real transactions.
@pytest.mark.django_db(transaction=True)
def test_turning_on_totp_creates_recovery_codes_and_is_audited(client, member):
    activate_totp(client, member)
    types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    recorded = set(AuditRecord.objects.filter(actor=member, action="identity.mfa_added")
                   .values_list("data__type", flat=True))
    assert "totp" in recorded


def test_a_wrong_activation_code_turns_nothing_on(client, member):
    sign_in(client, member.email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Authenticator.objects.filter(user=member).exists()


def test_sign_in_with_totp_needs_a_right_code(client, member):
    secret = activate_totp(client, member)
    client.post("/accounts/logout/")

    first_step = sign_in(client, member.email)
    assert first_step["Location"] == "/accounts/2fa/authenticate/"
    assert not client.get("/").context["user"].is_authenticated

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert AuditRecord.objects.filter(action="identity.mfa_failed", subject_id=member.pk).exists()

    # A code is good once: the next one comes 30 seconds after the activation code.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=31)):
        right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert client.get("/").context["user"] == member


def test_a_recovery_code_signs_in_once(client, member):
    activate_totp(client, member)
    codes = Authenticator.objects.get(user=member, type="recovery_codes").wrap()
    code = codes.get_unused_codes()[0]
    client.post("/accounts/logout/")

    sign_in(client, member.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in(client, member.email)
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200 and again.context["form"].errors


@pytest.mark.django_db(transaction=True)
def test_turning_totp_off_is_audited(client, member):
    activate_totp(client, member)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member, type="totp").exists()
    assert AuditRecord.objects.filter(actor=member, action="identity.mfa_removed").exists()


def test_the_two_factor_page_offers_passkeys(client, member):
    sign_in(client, member.email)
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200
    assert b"/accounts/2fa/webauthn/" in page.content
