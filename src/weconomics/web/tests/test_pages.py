"""Start pages, the layout, languages, communities, the outbox and demo data."""

import re

import pytest
from django.core import mail as django_mail
from django.core.management import call_command

from weconomics.communities.models import Community, Membership
from weconomics.identity.models import Account
from weconomics.identity.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_what_weconomics_is_and_how_to_join(client):
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="nl">' in html
    assert 'href="/accounts/signup/"' in html and 'href="/accounts/login/"' in html
    assert "<main" in html and "<nav" in html and "<footer" in html


def test_a_member_start_page_leads_to_communities_network_offers_and_bookings(client, member):
    community = Community.objects.create(name="Coaches Collectief", slug="coaches",
                                         kind="professional_network", purpose="p", audience="a")
    Membership.objects.create(community=community, account=member)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Coaches Collectief" in html and 'href="/c/coaches/"' in html
    for section in ("my-communities", "my-network", "my-offers", "my-bookings"):
        assert f'id="{section}"' in html


def test_dutch_is_the_default_and_english_is_one_switch_away(client, member):
    client.force_login(member)
    assert client.get("/").headers["Content-Language"] == "nl"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/settings/"})
    assert response.status_code == 302 and response["Location"] == "/settings/"
    page = client.get("/settings/")
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    member.refresh_from_db()
    assert member.language == "en"


def test_a_dutch_page_shows_dutch_words(client):
    html = client.get("/").content.decode()
    assert "Aanmelden" in html or "Inloggen" in html
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in" in english


def test_hidden_communities_are_listed_only_to_their_members(client, member, outsider):
    hidden = Community.objects.create(name="Geheime Buurtclub", slug="buurt",
                                      kind="neighbourhood",
                                      purpose="p", audience="a", visibility="hidden")
    Community.objects.create(name="Open", slug="open", kind="cooperative", purpose="p",
                             audience="a")
    Membership.objects.create(community=hidden, account=member)
    assert client.get("/c/buurt/").status_code == 404
    assert b"Geheime" not in client.get("/communities/").content
    client.force_login(outsider)
    assert client.get("/c/buurt/").status_code == 404
    client.force_login(member)
    assert client.get("/c/buurt/").status_code == 200
    assert b"Geheime" in client.get("/communities/").content


def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/communities/",
                                 "/accounts/password/reset/", "/api/v1/docs"])
def test_pages_load_nothing_from_another_host(client, url):
    html = client.get(url).content.decode()
    external = re.findall(r'(?:src|href)=["\'](?:https?:)?//[^"\']+', html)
    assert external == []


def test_the_outbox_is_for_administrators_only(client, member, admin_account, settings,
                                               tmp_path):
    settings.OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "weconomics.identity.mail.QueuedEmailBackend"
    settings.WECONOMICS_EMAIL_DELIVERY_BACKEND = "weconomics.identity.mail.OutboxEmailBackend"
    django_mail.send_mail("Welkom bij Weconomics", "Bevestig: http://testserver/x/",
                          None, ["nina@example.org"])
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1

    client.force_login(member)
    assert client.get("/outbox/").status_code == 302
    client.force_login(admin_account)
    page = client.get("/outbox/")
    assert b"Welkom bij Weconomics" in page.content
    message_id = files[0].stem
    detail = client.get(f"/outbox/{message_id}/")
    assert b"http://testserver/x/" in detail.content
    assert client.get("/outbox/..%2F..%2Fsecret_key/").status_code == 404
    assert client.get("/outbox/20990101T000000000000-nothere/").status_code == 404


def test_queued_mail_goes_through_the_task_to_the_delivery_backend(settings, tmp_path):
    settings.MAIL_QUEUE_DIR = tmp_path
    settings.EMAIL_BACKEND = "weconomics.identity.mail.QueuedEmailBackend"
    settings.WECONOMICS_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.send_mail("Onderwerp é", "Tekst met ë", "from@example.org", ["to@example.org"])
    assert len(django_mail.outbox) == 1
    raw = django_mail.outbox[0].message().as_bytes().decode()
    assert "To: to@example.org" in raw
    # Delivered messages leave the private queue folder.
    assert list(tmp_path.iterdir()) == []


def test_the_demo_command_can_run_twice_and_prints_accounts(capsys):
    call_command("demo")
    counts = (Account.objects.count(), Community.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (Account.objects.count(), Community.objects.count(),
            Membership.objects.count()) == counts
    out = capsys.readouterr().out
    assert "admin@example.org" in out and "weconomics-demo" in out
    assert Account.objects.get(email="admin@example.org").is_staff


def test_a_demo_account_can_sign_in(client):
    call_command("demo")
    assert sign_in(client, "anna@example.org", "weconomics-demo").status_code == 302
    assert client.get("/").context["user"].email == "anna@example.org"


def test_unknown_pages_answer_with_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"<main" in response.content
