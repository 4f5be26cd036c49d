"""A real Chromium walks the member journey, through the real mail path.

Sign up, confirm the address from the outbox, sign out and in, turn on two-factor
sign-in with an authenticator app, sign in with the app's code, visit every settings
page, switch the language; an administrator reads the outbox and the API docs.
Along the way every page is photographed into test-artifacts/screenshots/, and the
browser must not contact another host, log a console error or hit the
Content-Security-Policy.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from weconomics.conftest import PASSWORD
from weconomics.identity import mail
from weconomics.web.tests.browser import (
    SCREENSHOTS,
    heading,
    shot,
    sign_in_with_password,
    sign_out,
    submit,
)

pytestmark = pytest.mark.browser


NAME = "Sanne de Vries"
EMAIL = "sanne@example.org"
MEMBER_PASSWORD = "blauwe fiets onder de linde"


# --- one-time passwords (RFC 4226 / RFC 6238), as an authenticator app computes them ---

def hotp(secret: str, counter: int, digits: int = 6) -> str:
    key = base64.b32decode(secret.replace(" ", "").upper(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


def totp(secret: str, period: int = 30) -> str:
    """The current code; waits for the next window when this one is about to close."""
    left = period - time.time() % period
    if left < 3:
        # allauth accepts only the current window: a code typed in its last
        # seconds could reach the server after it expired.
        time.sleep(left + 0.2)
    return hotp(secret, int(time.time()) // period)


def test_hotp_matches_rfc_4226_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert [hotp(secret, c) for c in range(3)] == ["755224", "287082", "359152"]


def expect_start_page(page: Page) -> None:
    # The member's start page greets them by first name (in whichever language).
    expect(page.locator("main .dashboard")).to_be_visible()
    expect(heading(page)).to_contain_text("Sanne")


def confirmation_url(email: str) -> str:
    sent = [m for m in mail.outbox_messages() if email in (m["to"] or "")]
    assert len(sent) == 1, f"expected one confirmation mail, outbox has {sent}"
    found = re.search(r"https?://\S+/accounts/confirm-email/\S+/", sent[0]["body"])
    assert found, sent[0]["body"]
    return found.group(0)


@pytest.fixture
def real_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "weconomics.identity.mail.QueuedEmailBackend"
    settings.WECONOMICS_EMAIL_DELIVERY_BACKEND = "weconomics.identity.mail.OutboxEmailBackend"
    settings.OUTBOX_DIR = tmp_path / "outbox"
    return settings.OUTBOX_DIR


def test_member_journey(admin_account, live_server, real_mail, new_page, watch):
    base = live_server.url
    page = new_page()

    # A Dutch visitor lands on the start page.
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("main h1")).to_be_visible()
    shot(page, "nl-01-landing")

    # Sign up: name, email, password twice.
    page.locator(f"main .hero a[href='{reverse('account_signup')}']").click()
    expect(heading(page)).to_have_text("Registreren")
    page.locator("#id_name").fill(NAME)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(MEMBER_PASSWORD)
    page.locator("#id_password2").fill(MEMBER_PASSWORD)
    shot(page, "nl-02-signup")
    submit(page, "form.signup")
    expect(heading(page)).to_have_text("Verifieer je e-mailadres")
    shot(page, "nl-03-verification-sent")

    # The confirmation mail went through the task queue into the outbox.
    url = confirmation_url(EMAIL)
    assert url.startswith(base + "/")
    page.goto(url)
    expect(heading(page)).to_have_text("Bevestig e-mailadres")
    expect(page.locator("main")).to_contain_text(EMAIL)
    shot(page, "nl-04-confirm-email")
    # The form posts to a freshly signed key, not the one in the mail.
    submit(page, "main form[action^='/accounts/confirm-email/']")

    # Confirming signs the new member in, on their start page.
    expect(page).to_have_url(base + "/")
    expect_start_page(page)
    shot(page, "nl-05-start-page")

    sign_out(page, screenshot="nl-06-sign-out")
    shot(page, "nl-06-signed-out")
    sign_in_with_password(page, EMAIL, MEMBER_PASSWORD, screenshot="nl-07-sign-in")
    expect(page).to_have_url(base + "/")
    expect_start_page(page)

    # Settings → Two-factor sign-in → activate an authenticator app.
    page.locator(f".site-header nav a[href='{reverse('settings')}']").click()
    expect(page).to_have_url(base + reverse("settings"))
    shot(page, "nl-08-settings-account")
    page.locator(f".settings-nav a[href='{reverse('mfa_index')}']").click()
    expect(heading(page)).to_have_text("Tweestapsverificatie")
    shot(page, "nl-09-two-factor")
    page.locator(f"main a[href='{reverse('mfa_activate_totp')}']").click()
    # allauth asks for the password again: signing in does not count as reauthenticating.
    expect(heading(page)).to_have_text("Toegang bevestigen")
    page.locator("#id_password").fill(MEMBER_PASSWORD)
    shot(page, "nl-10-reauthenticate")
    submit(page, f"main form[action='{reverse('account_reauthenticate')}']")
    expect(heading(page)).to_have_text("Authenticator-app activeren")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    shot(page, "nl-11-two-factor-setup")
    page.locator("#id_code").fill(totp(secret))
    submit(page, f"main form[action='{reverse('mfa_activate_totp')}']")

    # allauth made recovery codes and shows them once after activation.
    expect(page).to_have_url(base + reverse("mfa_view_recovery_codes"))
    expect(heading(page)).to_have_text("Herstelcodes")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", code) for code in codes), codes
    shot(page, "nl-12-recovery-codes")

    # Sign in again: password, then the code from the app. allauth does not mark
    # the activation code as used, so even the same window's code is accepted.
    sign_out(page)
    sign_in_with_password(page, EMAIL, MEMBER_PASSWORD)
    expect(page).to_have_url(base + reverse("mfa_authenticate"))
    expect(heading(page)).to_have_text("Tweestapsverificatie")
    shot(page, "nl-13-sign-in-code")
    page.locator("#id_code").fill(totp(secret))
    submit(page, f"main form[action='{reverse('mfa_authenticate')}']")
    expect(page).to_have_url(base + "/")
    expect_start_page(page)

    # Every settings page, through the settings menu.
    page.locator(f".site-header nav a[href='{reverse('settings')}']").click()
    page.locator(f".settings-nav a[href='{reverse('sessions')}']").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table")).to_contain_text("Chrome")
    shot(page, "nl-14-sessions")
    page.locator(f".settings-nav a[href='{reverse('tokens')}']").click()
    expect(page.locator("#id_name")).to_be_visible()
    shot(page, "nl-15-tokens")
    page.locator(f".settings-nav a[href='{reverse('privacy')}']").click()
    expect(page.locator(f"main form[action='{reverse('export')}']")).to_be_visible()
    shot(page, "nl-16-data")
    page.locator(f"main a[href='{reverse('delete_account')}']").click()
    expect(page.locator("#id_password")).to_be_visible()
    shot(page, "nl-17-delete")

    # Switch to English with the footer language switch, on a page allauth translates.
    page.locator(f".settings-nav a[href='{reverse('mfa_index')}']").click()
    expect(heading(page)).to_have_text("Tweestapsverificatie")
    page.locator("footer #language-select").select_option("en")
    page.locator("footer .language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(base + reverse("mfa_index"))
    expect(heading(page)).to_have_text("Two-Factor Authentication")
    expect(page.get_by_text("Authentication using an authenticator app is active.")).to_be_visible()
    page.locator(".site-header .brand").click()
    expect_start_page(page)
    expect(heading(page)).to_have_text("Welcome, Sanne")
    expect(page.locator("footer #language-select")).to_have_value("en")
    shot(page, "en-05-start-page")

    # An administrator reads the outbox, and the API documentation.
    staff = new_page()
    staff.goto(base + "/")
    sign_in_with_password(staff, admin_account.email, PASSWORD)
    expect(staff).to_have_url(base + "/")
    staff.locator(f".site-header nav a[href='{reverse('outbox')}']").click()
    rows = staff.locator("main table tbody tr")
    expect(rows.filter(has_text=EMAIL)).not_to_have_count(0)
    shot(staff, "nl-18-outbox")
    rows.filter(has_text=EMAIL).last.locator("a").click()
    expect(staff.locator("main")).to_contain_text("/accounts/confirm-email/")
    shot(staff, "nl-19-outbox-message")
    staff.locator("footer a[href='/api/v1/docs']").click()
    # The OpenAPI document is built on first use; give a busy machine time for it.
    expect(staff.locator(".swagger-ui .info .title")).to_contain_text("Weconomics API",
                                                                      timeout=20_000)
    expect(staff.locator(".swagger-ui .opblock").first).to_be_visible()
    shot(staff, "nl-20-api-docs")

    watch.assert_clean()


def test_visitor_pages(live_server, new_page, watch):
    base = live_server.url

    # English through the footer switch, as a visitor.
    page = new_page()
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.locator("footer #language-select").select_option("en")
    page.locator("footer .language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("footer #language-select")).to_have_value("en")
    shot(page, "en-01-landing")

    # A phone: nothing may be wider than the screen; the menu opens and closes.
    phone = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                     is_mobile=True, has_touch=True)
    phone.goto(base + "/")
    expect(phone.locator("main h1")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(phone, "nl-01-landing-phone")
    menu = phone.locator(".site-header details.menu")
    expect(menu).not_to_have_attribute("open", "")
    menu.locator("summary").click()
    expect(menu.locator(f"a[href='{reverse('account_login')}']")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "nl-01-landing-phone-menu.png")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390px phone"

    watch.assert_clean()
