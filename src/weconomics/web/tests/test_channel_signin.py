"""One login on every channel: a community on its own host name signs in through the
platform's OpenID Connect provider, without a password when already signed in there."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings

from weconomics.audit.models import AuditRecord
from weconomics.communities import services

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("_hosts")]

CHANNEL_HOST = "coaches.example.nl"


@pytest.fixture
def _hosts():
    with override_settings(ALLOWED_HOSTS=["testserver", CHANNEL_HOST], SITE_URL=""):
        yield


@pytest.fixture
def community(owner):
    community = services.create_community(actor=owner, name="Coaches", purpose="Share",
                                          audience="Coaches", kind="professional_network")
    return services.update_community(actor=owner, community=community, host=CHANNEL_HOST)


def start(channel: Client, next_path="/members/"):
    response = channel.get("/channel-auth/login", {"next": next_path})
    assert response.status_code == 302
    return urlsplit(response["Location"])


def test_a_person_signed_in_on_the_platform_signs_in_on_a_channel_host_without_a_password(
        community, member):
    channel = Client(HTTP_HOST=CHANNEL_HOST)
    authorize = start(channel)
    assert (authorize.netloc, authorize.path) == ("testserver", "/identity/o/authorize")
    platform = Client()
    platform.force_login(member)
    answer = platform.get(f"{authorize.path}?{authorize.query}")
    assert answer.status_code == 302
    back = urlsplit(answer["Location"])
    assert (back.netloc, back.path) == (CHANNEL_HOST, "/channel-auth/callback")
    done = channel.get(f"{back.path}?{back.query}")
    assert done.status_code == 302 and done["Location"] == "/members/"
    assert channel.session["_auth_user_id"] == str(member.pk)
    assert AuditRecord.objects.filter(action="identity.channel_signed_in", actor=member,
                                      data__host=CHANNEL_HOST).exists()
    # The channel keeps no token that could act for the person.
    from allauth.idp.oidc.models import Token

    assert not Token.objects.filter(user=member).exists()


def test_a_visitor_not_signed_in_on_the_platform_is_asked_to_sign_in_there(community):
    authorize = start(Client(HTTP_HOST=CHANNEL_HOST))
    answer = Client().get(f"{authorize.path}?{authorize.query}")
    assert answer.status_code == 302
    assert urlsplit(answer["Location"]).path == "/accounts/login/"


def test_a_forged_state_or_a_replayed_code_signs_nobody_in(community, member):
    channel = Client(HTTP_HOST=CHANNEL_HOST)
    authorize = start(channel)
    platform = Client()
    platform.force_login(member)
    back = urlsplit(platform.get(f"{authorize.path}?{authorize.query}")["Location"])
    query = parse_qs(back.query)
    forged = channel.get(back.path, {"code": query["code"][0], "state": "forged"})
    assert forged.status_code == 400
    assert "_auth_user_id" not in channel.session
    # A second attempt with the real state fails too: the first one used up the session.
    replay = channel.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400
    assert "_auth_user_id" not in channel.session


@pytest.mark.parametrize(("language", "heading", "message", "again"), [
    ("nl", "Dit is niet mogelijk", "Deze inloglink is niet meer geldig.", "Opnieuw inloggen"),
    ("en", "This is not possible", "This sign-in link is not valid any more.", "Sign in again"),
])
def test_a_refused_sign_in_is_a_page_of_the_site_with_a_way_on(community, language, heading,
                                                                 message, again):
    """Not a line of bare text: the site's layout, the reason in the visitor's language,
    a button to sign in again and one to the start page."""
    for host in (CHANNEL_HOST, "testserver"):
        answer = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language).get(
            "/channel-auth/callback", {"state": "stale", "code": "x"})
        assert answer.status_code == 400
        assert answer["Content-Type"].startswith("text/html")
        page = answer.content.decode()
        assert f"<h1>{heading}</h1>" in page and message in page
        assert f'href="/channel-auth/login">{again}</a>' in page
        assert 'href="/">' in page and 'class="site-header' in page


def test_a_code_is_redeemed_once_only(community, member):
    channel = Client(HTTP_HOST=CHANNEL_HOST)
    authorize = start(channel)
    platform = Client()
    platform.force_login(member)
    back = urlsplit(platform.get(f"{authorize.path}?{authorize.query}")["Location"])
    assert channel.get(f"{back.path}?{back.query}").status_code == 302
    other = Client(HTTP_HOST=CHANNEL_HOST)
    start(other)
    session = other.session
    pending = session["channel_signin"]
    pending["state"] = parse_qs(back.query)["state"][0]
    session["channel_signin"] = pending
    session.save()
    assert other.get(f"{back.path}?{back.query}").status_code == 400
    assert "_auth_user_id" not in other.session


def test_signing_in_on_the_platform_itself_is_the_usual_sign_in(community):
    response = Client().get("/channel-auth/login", {"next": "/communities/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unsafe_next_address_is_replaced_by_the_channel_home(community, member):
    channel = Client(HTTP_HOST=CHANNEL_HOST)
    authorize = start(channel, next_path="https://evil.example/")
    platform = Client()
    platform.force_login(member)
    back = urlsplit(platform.get(f"{authorize.path}?{authorize.query}")["Location"])
    assert channel.get(f"{back.path}?{back.query}")["Location"] == "/"


def test_the_sign_in_page_of_a_channel_host_hands_over_to_the_platform(community):
    channel = Client(HTTP_HOST=CHANNEL_HOST)
    response = channel.get("/accounts/login/", {"next": "/board/"})
    assert response.status_code == 302
    assert response["Location"] == "/channel-auth/login?next=%2Fboard%2F"
    page = channel.get("/").content.decode()
    assert "/channel-auth/login?next=/" in page


# --- a steward's host name is not a place to send codes ---------------------------------

EVIL_HOST = "steward-owned.example"


def _authorize_query(client, redirect_uri, scope="openid"):
    return {"client_id": client.id, "response_type": "code", "scope": scope,
            "redirect_uri": redirect_uri, "state": "s", "nonce": "n",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbPTVkS_g3kQ",
            "code_challenge_method": "S256"}


def _channels_client(community):
    from allauth.idp.oidc.models import Client as OIDCClient

    start(Client(HTTP_HOST=CHANNEL_HOST))
    return OIDCClient.objects.get(name="Weconomics channels")


def test_a_host_the_operator_did_not_list_gets_no_codes(community, owner, member):
    """A steward points the community at a host they control; a wildcard lets requests in,
    but the platform neither registers nor honours a callback there."""
    from allauth.idp.oidc.models import Token

    channels = _channels_client(community)
    services.update_community(actor=owner, community=community, host=EVIL_HOST)
    evil_callback = f"http://{EVIL_HOST}/channel-auth/callback"
    with override_settings(ALLOWED_HOSTS=["testserver", CHANNEL_HOST, ".example"]):
        refused = Client(HTTP_HOST=EVIL_HOST).get("/channel-auth/login")
        assert refused.status_code == 400
        channels.refresh_from_db()
        assert evil_callback not in channels.get_redirect_uris()
        # Even a stale registration (the operator listed it once) is refused at once.
        channels.set_redirect_uris([*channels.get_redirect_uris(), evil_callback])
        channels.save()
        platform = Client()
        platform.force_login(member)
        answer = platform.get("/identity/o/authorize", _authorize_query(channels, evil_callback))
        assert answer.status_code == 400
        assert "code=" not in answer.get("Location", "")
    assert not Token.objects.filter(user=member).exists()


@pytest.mark.parametrize("scope", ["openid api:read", "openid api:write", "openid email"])
def test_the_channels_client_may_ask_for_nothing_but_openid(community, member, scope):
    from allauth.idp.oidc.models import Token

    channels = _channels_client(community)
    # Even when someone gave the client's row more scopes in the admin.
    channels.set_scopes(["openid", "profile", "email", "api:read", "api:write"])
    channels.save()
    platform = Client()
    platform.force_login(member)
    answer = platform.get("/identity/o/authorize", _authorize_query(
        channels, f"http://{CHANNEL_HOST}/channel-auth/callback", scope))
    assert answer.status_code == 400
    assert not Token.objects.filter(user=member).exists()


def test_a_token_of_the_channels_client_cannot_call_the_api(community, member):
    """Even a token that names API scopes (a row edited by hand) is refused by the API."""
    from allauth.idp.oidc.models import Token

    channels = _channels_client(community)
    raw = "channels-access-token-for-the-test"
    token = Token(client=channels, user=member, type=Token.Type.ACCESS_TOKEN)
    token.set_value(raw)
    token.set_scopes(["openid", "api:read", "api:write"])
    token.save()
    for path in ("/api/v1/me", "/api/v1/me/tokens"):
        response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path)
        assert response.status_code in (401, 403), (path, response.status_code)
        assert response.json()["code"] == "insufficient_scope"
