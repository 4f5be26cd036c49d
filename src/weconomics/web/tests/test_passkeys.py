"""Passkeys in a real Chromium, with the browser's virtual authenticator.

A member signs in with their password, adds a passwordless security key (a passkey)
under Settings → Two-factor sign-in, signs out, and signs in again with only the
passkey. Removing the key afterwards is audited too. The authenticator is Chromium's
built-in virtual one, switched on through the DevTools protocol, so no hardware and
no prompt is involved. Like the member journey, the browser must not contact another
host, log a console error or hit the Content-Security-Policy.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import Page, expect

from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD
from weconomics.web.tests.browser import (
    Watch,
    heading,
    shot,
    sign_in_with_password,
    sign_out,
    submit,
)

pytestmark = pytest.mark.browser

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture
def base(live_server) -> str:
    # WebAuthn needs a secure context: plain http is one only on localhost.
    return live_server.url.replace("://127.0.0.1:", "://localhost:")


@pytest.fixture
def watch(base):
    return Watch(base)


@pytest.fixture
def page(watch, browser):
    context = watch.attach(browser.new_context(locale="nl-NL"))
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def add_virtual_authenticator(page: Page):
    """Give the page a platform authenticator that keeps passkeys and verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, found["authenticatorId"]


def audited(member, action: str) -> list[str]:
    return sorted(r.data.get("type") for r in AuditRecord.objects.filter(actor=member,
                                                                          action=action))


def test_passkey_sign_in(base, page, watch, member):
    cdp, authenticator_id = add_virtual_authenticator(page)
    page.goto(base + "/")
    sign_in_with_password(page, member.email, PASSWORD)
    expect(page).to_have_url(base + "/")
    expect(page.locator("main .dashboard")).to_be_visible()

    # Settings → Two-factor sign-in → security keys → add.
    page.locator(f".site-header nav a[href='{reverse('settings')}']").click()
    page.locator(f".settings-nav a[href='{reverse('mfa_index')}']").click()
    expect(heading(page)).to_have_text("Tweestapsverificatie")
    page.locator(f"main a[href='{reverse('mfa_add_webauthn')}']").click()
    # allauth asks for the password again before a key may be added.
    expect(heading(page)).to_have_text("Toegang bevestigen")
    page.locator("#id_password").fill(PASSWORD)
    submit(page, f"main form[action='{reverse('account_reauthenticate')}']")

    expect(page).to_have_url(base + reverse("mfa_add_webauthn"))
    expect(heading(page)).to_have_text("Voeg beveiligingssleutel toe")
    expect(page.locator("#id_name")).to_have_value("Hoofdsleutel")
    expect(page.locator("label[for=id_name]")).to_have_text("Naam")
    page.locator("#id_name").fill("Laptop")
    page.locator("#id_passwordless").check()
    shot(page, "nl-30-passkey-add")
    # The button runs navigator.credentials.create(); the virtual authenticator answers.
    page.locator("#mfa_webauthn_add").click()

    # No app or codes were needed first: allauth makes recovery codes along with
    # the first key, and shows them once.
    expect(page).to_have_url(base + reverse("mfa_view_recovery_codes"))
    expect(heading(page)).to_have_text("Herstelcodes")
    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Laptop"
    assert key.wrap().is_passwordless is True
    assert audited(member, "identity.mfa_added") == ["recovery_codes", "webauthn"]
    credentials = cdp.send("WebAuthn.getCredentials",
                           {"authenticatorId": authenticator_id})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"], credentials

    # Sign out, then sign in with the passkey alone: no address, no password.
    sign_out(page)
    page.locator(f".site-header nav a[href='{reverse('account_login')}']").click()
    expect(heading(page)).to_have_text("Inloggen")
    passkey_button = page.locator("main #passkey_login")
    expect(passkey_button).to_have_text("Inloggen met een passkey")
    shot(page, "nl-31-passkey-sign-in")
    signed_in_before = AuditRecord.objects.filter(actor=member,
                                                  action="identity.signed_in").count()
    passkey_button.click()
    expect(page).to_have_url(base + "/")
    expect(page.locator("main .dashboard")).to_be_visible()
    expect(heading(page)).to_contain_text("Mo")
    assert AuditRecord.objects.filter(actor=member,
                                      action="identity.signed_in").count() == signed_in_before + 1
    key.refresh_from_db()
    assert key.last_used_at is not None

    # Remove the key in the settings; the now-dangling recovery codes go with it.
    page.locator(f".site-header nav a[href='{reverse('settings')}']").click()
    page.locator(f".settings-nav a[href='{reverse('mfa_index')}']").click()
    page.locator(f"main a[href='{reverse('mfa_list_webauthn')}']").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table")).to_contain_text("Laptop")
    remove_url = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})
    page.locator(f"main a[href='{remove_url}']").click()
    # Signing in with a passkey is no reauthentication, so allauth asks again; this
    # time the key itself confirms it is the member.
    expect(heading(page)).to_have_text("Toegang bevestigen")
    page.locator(f"main a[href^='{reverse('mfa_reauthenticate_webauthn')}']").click()
    page.locator("main #mfa_webauthn_reauthenticate").click()
    expect(heading(page)).to_have_text("Verwijder beveiligingssleutel")
    submit(page, f"main form[action='{remove_url}']")
    expect(page).to_have_url(base + reverse("mfa_list_webauthn"))
    expect(page.locator("main table")).to_have_count(0)
    assert not Authenticator.objects.filter(user=member).exists()
    assert audited(member, "identity.mfa_removed") == ["recovery_codes", "webauthn"]

    watch.assert_clean()
