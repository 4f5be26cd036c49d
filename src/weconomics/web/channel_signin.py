"""One login on every channel: a channel on its own host name signs in through our OIDC provider.

The platform's pages and every /c/<slug>/ channel share one session cookie. A community
served on its own host name (coaches.example.nl) cannot read that cookie, so its pages sign
in with the authorization code flow (PKCE, state and nonce) against the platform's own
OpenID Connect provider, as any channel would:

  1. /channel-auth/login on the channel host remembers state, nonce and the PKCE verifier in
     the channel host's session and sends the browser to the platform's /identity/o/authorize;
  2. the platform signs the person in if needed (a person already signed in there types
     nothing) and, the channels' client being first-party, skips the consent page; it
     sends codes only to callbacks on host names the operator listed exactly in
     WECONOMICS_ALLOWED_HOSTS and grants nothing but "openid" (`refuse_authorization`);
  3. /channel-auth/callback on the channel host redeems the code at the provider's token
     endpoint (in-process: same code and database), checks the ID token and signs the person
     in on that host; the tokens, which the channel has no further use for, are dropped.

Where every channel lives under one parent domain, WECONOMICS_SESSION_COOKIE_DOMAIN shares
the cookie itself and this flow is not needed (see the README).
"""

import base64
import hashlib
import json
import secrets
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.idp.oidc.adapter import get_adapter as get_oidc_adapter
from allauth.idp.oidc.internal.tokens import decode_jwt_token
from allauth.idp.oidc.models import Client, Token
from allauth.idp.oidc.views import token as token_view
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.communities.access import community_by_host
from weconomics.communities.models import Community
from weconomics.identity.oidc_clients import (
    CHANNELS_CLIENT_NAME,
    CHANNELS_CLIENT_SCOPES,
    is_channels_client,
    operator_listed_host,
)
from weconomics.notifications.services import site_url

CLIENT_NAME = CHANNELS_CLIENT_NAME
SESSION_KEY = "channel_signin"
CALLBACK_PATH = "/channel-auth/callback"


def _platform_url() -> str:
    return site_url()


def channel_callback_allowed(uri: str, hosts: set[str] | None = None) -> bool:
    """True when a redirect URI is the callback of a channel host the operator listed.

    A steward chooses the community's host name; only the operator's exact entry in
    WECONOMICS_ALLOWED_HOSTS makes it a place where the platform sends sign-in codes.
    """
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or parts.path != CALLBACK_PATH:
        return False
    if parts.query or parts.fragment or parts.username or parts.password:
        return False
    host = (parts.hostname or "").lower()
    if hosts is None:
        hosts = _listed_channel_hosts()
    return host in hosts


def _listed_channel_hosts() -> set[str]:
    hosts = Community.objects.exclude(host__isnull=True).values_list("host", flat=True)
    return {host.lower() for host in hosts if operator_listed_host(host)}


def _channel_client(callback: str) -> Client:
    """The channels' first-party client, its redirect URIs those of today's channel hosts
    that the operator listed; it may ask for nothing but "openid"."""
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(name=CLIENT_NAME).first()
        if client is None:
            client = Client(name=CLIENT_NAME)
        hosts = _listed_channel_hosts()
        wanted = {uri for uri in [callback, *client.get_redirect_uris()]
                  if channel_callback_allowed(uri, hosts)}
        settled = (client.pk is not None and set(client.get_redirect_uris()) == wanted
                   and client.get_scopes() == CHANNELS_CLIENT_SCOPES
                   and client.get_default_scopes() == CHANNELS_CLIENT_SCOPES
                   and client.grant_types == Client.GrantType.AUTHORIZATION_CODE
                   and client.type == Client.Type.PUBLIC and client.skip_consent)
        if not settled:
            client.type, client.skip_consent = Client.Type.PUBLIC, True
            client.set_scopes(CHANNELS_CLIENT_SCOPES)
            client.set_default_scopes(CHANNELS_CLIENT_SCOPES)
            client.grant_types = Client.GrantType.AUTHORIZATION_CODE
            client.response_types = "code"
            client.set_redirect_uris(sorted(wanted))
            client.save()
    return client


def refuse_authorization(request) -> HttpResponse | None:
    """Refuse an authorization request of the channels' client that it may not make.

    Checked on every request, not only when the client's redirect URIs are refreshed: a
    host the operator no longer lists, or any scope beyond "openid" (API scopes above all),
    is refused before a code is issued, with an error page and no redirect.
    """
    client_id = request.GET.get("client_id", "")
    client = Client.objects.filter(pk=client_id).only("name").first() if client_id else None
    if not is_channels_client(client):
        return None
    scopes = set(request.GET.get("scope", "").split())
    if not channel_callback_allowed(request.GET.get("redirect_uri", "")) or (
            scopes - set(CHANNELS_CLIENT_SCOPES)):
        return _refused(request, _("This sign-in request is refused: the address to return "
                                   "to or the access it asks for is not allowed."))
    return None


def _refused(request, message: str, *, retry: bool = False) -> HttpResponse:
    """400: a page that says why, with a way to sign in again or back to the start page."""
    return render(request, "web/channel_signin_refused.html",
                  {"message": message, "retry": reverse("channel_signin") if retry else ""},
                  status=400)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def login(request):
    """Start signing in on a channel host through the platform's OIDC provider."""
    community = community_by_host(request.get_host())
    if community is None:
        # On the platform itself there is nothing to hand over: sign in as usual.
        return redirect(f"{reverse('account_login')}?{urlencode({'next': _next(request)})}")
    callback = request.build_absolute_uri(CALLBACK_PATH)
    if not channel_callback_allowed(callback):
        # Served through a wildcard entry only: the operator has not listed this host.
        return _refused(request, _("Signing in is not available on this host name yet: the "
                                   "platform's operator has not enabled it."))
    client = _channel_client(callback)
    state, nonce, verifier = (secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                              secrets.token_urlsafe(48))
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier,
                                    "next": _next(request), "callback": callback}
    query = urlencode({"client_id": client.id, "response_type": "code", "scope": "openid",
                       "redirect_uri": callback, "state": state, "nonce": nonce,
                       "code_challenge": _challenge(verifier),
                       "code_challenge_method": "S256"})
    return redirect(f"{_platform_url()}{reverse('oidc_authorize')}?{query}")


def _next(request) -> str:
    wanted = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/"
    return wanted


def callback(request):
    """Redeem the code, check the ID token, and sign the person in on this host."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending is None or not secrets.compare_digest(str(request.GET.get("state", "")),
                                                     pending["state"]):
        return _refused(request, _("This sign-in link is not valid any more. Try again."),
                        retry=True)
    if request.GET.get("error"):
        messages.error(request, _("Signing in did not succeed. Try again."))
        return redirect(pending["next"])
    client = Client.objects.filter(name=CLIENT_NAME).first()
    claims = _redeem(client, request.GET.get("code", ""), pending) if client else None
    if claims is None:
        return _refused(request, _("Signing in did not succeed. Try again."), retry=True)
    account = get_oidc_adapter().get_user_by_sub(client, claims["sub"])
    if account is None or not account.is_active:
        return _refused(request, _("Signing in did not succeed. Try again."), retry=True)
    # The channel has no use for the tokens: nothing stays that could act for the person.
    Token.objects.filter(client=client, user=account).delete()
    get_account_adapter(request).login(request, account)
    record("identity.channel_signed_in", actor=account, request=request,
           data={"host": request.get_host().split(":")[0]})
    return redirect(pending["next"])


def _redeem(client: Client, code: str, pending: dict) -> dict | None:
    """Exchange the code at the token endpoint, in-process, and verify the ID token."""
    platform = urlsplit(_platform_url())
    token_request = RequestFactory().post(
        reverse("idp:oidc:token"),
        {"grant_type": "authorization_code", "code": code, "client_id": client.id,
         "redirect_uri": pending["callback"], "code_verifier": pending["verifier"]},
        HTTP_HOST=platform.netloc, secure=platform.scheme == "https")
    response = token_view(token_request)
    if response.status_code != 200:
        return None
    try:
        id_token = json.loads(response.content)["id_token"]
    except (KeyError, ValueError):
        return None
    # The provider's own check: signature by an active key, audience and expiry.
    claims = decode_jwt_token(id_token, client_id=client.id, verify_exp=True, verify_iss=False)
    if not claims or "sub" not in claims:
        return None
    if not secrets.compare_digest(str(claims.get("nonce", "")), pending["nonce"]):
        return None
    return claims
