"""Registering the channels that sign in through our OpenID Connect provider."""

from urllib.parse import urlsplit

from allauth.idp.oidc.adapter import get_adapter
from allauth.idp.oidc.models import Client
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from weconomics.audit import services as audit

ALLOWED_SCOPES = ["openid", "profile", "email", "api:read", "api:write"]
# The platform's own client for channels on their own host names (web/channel_signin.py):
# public, without a consent page, so it may only say who signed in ("openid"): never API
# scopes, and its tokens are refused by the API.
CHANNELS_CLIENT_NAME = "Weconomics channels"
CHANNELS_CLIENT_SCOPES = ["openid"]
NAME_MAX_LENGTH = Client._meta.get_field("name").max_length


def register_client(
    *,
    name: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    public: bool = False,
    scopes: list[str] | None = None,
    skip_consent: bool = False,
    actor=None,
) -> tuple[Client, str | None]:
    """Register a client; return it with its secret (None for a public client), shown once."""
    name = name.strip()
    if not name:
        raise ValidationError("A client needs a name.")
    if name == CHANNELS_CLIENT_NAME:
        raise ValidationError(f"The name {CHANNELS_CLIENT_NAME!r} is the platform's own.")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"A client's name has at most {NAME_MAX_LENGTH} characters.")
    if not redirect_uris:
        raise ValidationError("A client needs at least one redirect URI.")
    check_url = URLValidator(schemes=["http", "https"])
    for uri in [*redirect_uris, *(post_logout_redirect_uris or [])]:
        try:
            check_url(uri)
        except ValidationError:
            raise ValidationError(f"{uri!r} is not a valid http(s) URL.") from None
        if urlsplit(uri).fragment:
            # RFC 6749 section 3.1.2: a redirection endpoint has no fragment.
            raise ValidationError(f"{uri!r} must not contain a fragment (#...).")
    scopes = scopes or ["openid", "profile", "email"]
    unknown = sorted(set(scopes) - set(ALLOWED_SCOPES))
    if unknown:
        raise ValidationError(f"Unknown scope(s): {', '.join(unknown)}")
    adapter = get_adapter()
    secret = None if public else adapter.generate_client_secret()
    with transaction.atomic():
        client = Client(
            name=name,
            type=Client.Type.PUBLIC if public else Client.Type.CONFIDENTIAL,
            skip_consent=skip_consent,
        )
        client.secret = make_password(secret) if secret else ""
        client.set_redirect_uris(redirect_uris)
        client.set_scopes(scopes)
        client.set_default_scopes(["openid"])
        client.grant_types = "\n".join([Client.GrantType.AUTHORIZATION_CODE,
                                        Client.GrantType.REFRESH_TOKEN])
        client.response_types = "code"
        if post_logout_redirect_uris:
            client.set_post_logout_redirect_uris(post_logout_redirect_uris)
        client.save()
        audit.record("identity.oidc_client_registered", actor=actor, target=client,
                     data={"name": client.name, "public": public, "scopes": scopes})
    return client, secret


def is_channels_client(client) -> bool:
    return client is not None and client.name == CHANNELS_CLIENT_NAME


def operator_listed_host(host: str) -> bool:
    """True when the operator named this host exactly in WECONOMICS_ALLOWED_HOSTS.

    A wildcard entry (`*`, `.example.org`) admits requests, but it does not vouch for a
    host name a steward typed: only an exact entry does.
    """
    from django.conf import settings

    host = (host or "").lower().rstrip(".")
    return bool(host) and any(
        entry.lower() == host for entry in settings.ALLOWED_HOSTS
        if entry and "*" not in entry and not entry.startswith("."))
