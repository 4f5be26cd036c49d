"""How the API knows who is calling: session, personal access token or OIDC token."""

from dataclasses import dataclass

from allauth.idp.oidc.internal.resources import is_resources_subset
from allauth.idp.oidc.models import Token as OIDCToken
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from weconomics.api.problems import Problem
from weconomics.identity import services as identity
from weconomics.identity.adapters import API_READ_SCOPE, API_WRITE_SCOPE
from weconomics.identity.models import TOKEN_PREFIX
from weconomics.identity.oidc_clients import is_channels_client

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Caller:
    """The authenticated account and what its credential allows."""

    account: object
    method: str  # "session", "token" or "oidc"
    can_write: bool
    token_id: int | None = None


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


class PersonalTokenAuth(HttpBearer):
    """Authorization: Bearer wec_... (a personal access token)."""

    def __call__(self, request):
        raw = _bearer(request)
        if raw is None or not raw.startswith(TOKEN_PREFIX):
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request, token):
        found = identity.authenticate_token(token)
        if found is None:
            raise Problem(401, "The access token is invalid, expired or revoked.",
                          code="invalid_token")
        return _allow(request, Caller(found.account, "token", found.allows_writes, found.pk))


class OIDCTokenAuth(HttpBearer):
    """Authorization: Bearer <access token issued by our OpenID Connect provider>."""

    def __call__(self, request):
        raw = _bearer(request)
        if raw is None or raw.startswith(TOKEN_PREFIX):
            return None
        return self.authenticate(request, raw)

    def authenticate(self, request, token):
        found = OIDCToken.objects.lookup(OIDCToken.Type.ACCESS_TOKEN, token)
        if (found is None or found.user is None or found.client_id is None
                or not found.user.is_active):
            raise Problem(401, "The access token is invalid, expired or revoked.",
                          code="invalid_token")
        if not is_resources_subset([request.build_absolute_uri(request.path)],
                                   found.get_resources()):
            raise Problem(403, "The token was issued for another service.",
                          code="invalid_target")
        scopes = set(found.get_scopes())
        if is_channels_client(found.client):
            # The channels' sign-in client skips consent: it never acts through the API,
            # whatever scopes its row may once have been given.
            scopes = set()
        if not scopes & {API_READ_SCOPE, API_WRITE_SCOPE}:
            raise Problem(403, f"The token lacks the '{API_READ_SCOPE}' scope.",
                          code="insufficient_scope")
        return _allow(request, Caller(found.user, "oidc", API_WRITE_SCOPE in scopes))


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; unsafe methods must carry the CSRF token."""

    param_name = "sessionid"

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise Problem(403, "CSRF check failed: send the X-CSRFToken header.",
                          code="csrf_failed")
        return _allow(request, Caller(request.user, "session", True))

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


def _allow(request: HttpRequest, caller: Caller) -> Caller:
    if request.method not in SAFE_METHODS and not caller.can_write:
        raise Problem(403, "This token may only read; create a read-write token to change data.",
                      code="read_only_token")
    request.user = caller.account
    return caller


api_auth = [PersonalTokenAuth(), OIDCTokenAuth(), SessionAuth()]
