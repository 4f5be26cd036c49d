"""Guessing passwords is slowed per address and per account, and no stranger can lock the
owner out of a device they signed in on before (README, "Sign-in limits")."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD
from weconomics.identity.tests.helpers import last_mail_link
from weconomics.identity.throttling import KNOWN_DEVICE_COOKIE

pytestmark = pytest.mark.django_db

A, B, C = "203.0.113.1", "198.51.100.2", "192.0.2.3"
NEW_PASSWORD = "another long passphrase 42"


def attempt(client, email, password, address):
    return client.post("/accounts/login/", {"login": email, "password": password},
                       REMOTE_ADDR=address)


def device_of(account, address=C) -> Client:
    """A browser the account signed in on (and then signed out of)."""
    browser = Client()
    assert attempt(browser, account.email, PASSWORD, address).status_code == 302
    assert KNOWN_DEVICE_COOKIE in browser.cookies
    browser.post("/accounts/logout/", REMOTE_ADDR=address)
    return browser


def limited(response, rule_message="Te veel mislukte inlogpogingen"):
    return (response.status_code == 429 and int(response["Retry-After"]) > 0
            and rule_message in response.content.decode())


def test_an_address_that_keeps_guessing_is_limited_for_every_account(client, owner, member):
    answers = [attempt(client, owner.email, f"guess {n}", A) for n in range(10)]
    # The account's own limit refuses the sixth guess already, without comparing it.
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 5
    assert limited(answers[5]) and 240 < int(answers[5]["Retry-After"]) <= 300
    # Ten attempts from A: A is limited, for another account and the right password too.
    assert limited(attempt(client, member.email, PASSWORD, A))
    # Another address is not.
    assert attempt(Client(), member.email, PASSWORD, B).status_code == 302


def test_an_address_stays_limited_while_it_keeps_trying(client, member):
    for n in range(10):
        attempt(client, f"nobody{n}@example.org", "guess", A)
    with time_machine.travel(dt.timedelta(minutes=4)):
        for n in range(10):
            assert limited(attempt(client, f"nobody{n}@example.org", "guess", A))
    with time_machine.travel(dt.timedelta(minutes=8)):
        # Refused tries count: eight minutes after its first ten, A is still limited.
        assert limited(attempt(client, member.email, PASSWORD, A))
    with time_machine.travel(dt.timedelta(minutes=14)):
        assert attempt(client, member.email, PASSWORD, A).status_code == 302


def test_a_stranger_cannot_lock_the_owner_out_of_a_known_device(owner):
    browser = device_of(owner)
    for n, address in enumerate([A] * 10 + [B] * 10):
        attempt(Client(), owner.email, f"guess {n}", address)
    # The owner's device signs in at once, even from the stranger's address.
    assert attempt(browser, owner.email, PASSWORD, A).status_code == 302


def test_a_new_device_with_the_right_password_waits_while_the_account_is_limited(owner):
    for n in range(5):
        attempt(Client(), owner.email, f"guess {n}", A)
    # Refused without comparing the password: otherwise a limited stranger who guesses
    # right would still get in, and the limit would stop no guessing at all.
    refused = attempt(Client(), owner.email, PASSWORD, B)
    assert limited(refused)
    assert "een apparaat waarop je eerder bent ingelogd" in refused.content.decode()
    with time_machine.travel(dt.timedelta(minutes=5, seconds=1)):
        assert attempt(Client(), owner.email, PASSWORD, B).status_code == 302


def test_a_known_device_has_a_count_of_its_own(owner):
    browser = device_of(owner)
    answers = [attempt(browser, owner.email, f"guess {n}", C) for n in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert limited(attempt(browser, owner.email, PASSWORD, C))
    # The device's failures did not limit the account elsewhere.
    assert attempt(Client(), owner.email, PASSWORD, B).status_code == 302


def test_a_device_known_to_another_account_is_a_new_device_for_this_one(owner, outsider):
    browser = device_of(outsider, A)
    answers = [attempt(browser, owner.email, f"guess {n}", A) for n in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]


def test_a_forged_device_cookie_is_ignored(owner):
    browser = Client()
    browser.cookies[KNOWN_DEVICE_COOKIE] = f"[[{owner.pk}, \"x\"]]"
    answers = [attempt(browser, owner.email, f"guess {n}", A) for n in range(6)]
    assert answers[-1].status_code == 429


def test_finishing_a_password_reset_makes_the_device_known(owner):
    for n in range(5):
        attempt(Client(), owner.email, f"guess {n}", A)
    browser = Client()
    assert browser.post("/accounts/password/reset/", {"email": owner.email},
                        REMOTE_ADDR=B).status_code == 302
    link = last_mail_link(r"/accounts/password/reset/key/")
    form_page = browser.get(link, follow=True, REMOTE_ADDR=B)
    set_url = form_page.redirect_chain[-1][0]
    assert browser.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
                        REMOTE_ADDR=B).status_code == 302
    # The stranger keeps guessing, but the device that proved the mailbox gets in.
    for n in range(5):
        attempt(Client(), owner.email, f"guess {n}", A)
    assert attempt(browser, owner.email, NEW_PASSWORD, B).status_code == 302


def test_limited_attempts_are_audited_for_the_account(owner):
    for n in range(6):
        attempt(Client(), owner.email, f"guess {n}", A)
    limited_record = AuditRecord.objects.get(action="identity.sign_in_limited")
    assert limited_record.subject_id == owner.pk and limited_record.ip_address == A
    assert limited_record.data["rule"] == "account"
    assert AuditRecord.objects.filter(action="identity.sign_in_failed").count() == 5


def test_the_limit_message_is_in_english_too(owner):
    for n in range(6):
        response = Client(headers={"accept-language": "en"}).post(
            "/accounts/login/", {"login": owner.email, "password": f"guess {n}"},
            REMOTE_ADDR=A, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 5 minutes" in (
        response.content.decode())


def test_an_unknown_address_is_limited_like_a_known_one(member):
    unknown = [attempt(Client(), "nobody@example.org", f"g{n}", A).status_code
               for n in range(6)]
    known = [attempt(Client(), member.email, f"g{n}", B).status_code for n in range(6)]
    assert unknown == known == [200] * 5 + [429]


def test_sign_in_posts_are_limited_per_address_and_per_known_device(owner, member):
    browser = device_of(owner)
    # Someone behind the same address signs in thirty times a minute, from new browsers.
    posts = [attempt(Client(), member.email, PASSWORD, A) for _ in range(31)]
    assert [p.status_code for p in posts[:30]] == [302] * 30
    assert posts[-1].status_code == 429 and 0 < int(posts[-1]["Retry-After"]) <= 60
    assert limited(attempt(Client(), owner.email, PASSWORD, A))
    # The owner's device has a count of its own.
    assert attempt(browser, owner.email, PASSWORD, A).status_code == 302


def test_a_device_becomes_known_only_after_the_second_factor(owner):
    from weconomics.identity.tests.helpers import totp_code
    from weconomics.identity.tests.test_two_factor import activate_totp

    secret = activate_totp(Client(), owner)
    browser = Client()
    assert attempt(browser, owner.email, PASSWORD, B)["Location"] == (
        "/accounts/2fa/authenticate/")
    # The password alone does not make a device known: someone who learnt it gets no
    # way past the account's limit.
    assert KNOWN_DEVICE_COOKIE not in browser.cookies
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=31)):
        code = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)},
                            REMOTE_ADDR=B)
    assert code.status_code == 302 and KNOWN_DEVICE_COOKIE in browser.cookies


@pytest.mark.parametrize("forwarded", ["203.0.113.9", "not an address", "203.0.113.9, junk"])
def test_a_forwarded_header_shorter_or_stranger_than_the_proxy_chain_is_no_server_error(
        client, settings, member, forwarded):
    """Behind two proxies, a request that reached the inner one directly (one entry) or
    carries rubbish is still answered and counted against a real address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    page = client.get("/accounts/login/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=A)
    assert page.status_code == 200
    for _ in range(10):
        response = client.post("/accounts/login/", {"login": member.email, "password": "wrong"},
                               HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=A)
        assert response.status_code in (200, 429)
    assert limited(client.post("/accounts/login/", {"login": member.email, "password": PASSWORD},
                               HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=A))
