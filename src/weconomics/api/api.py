"""The web API, version 1: /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

import datetime as dt
from typing import Literal

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from ninja import Field, NinjaAPI, Router, Schema, Status, Swagger
from ninja.openapi.schema import OpenAPISchema
from pydantic import StrictInt, field_validator

from weconomics import __version__
from weconomics.api import problems
from weconomics.api.auth import api_auth
from weconomics.identity import services as identity
from weconomics.identity.models import PersonalAccessToken, clean_display_text


class UniqueNamesOpenAPISchema(OpenAPISchema):
    """ninja keeps one definition per name: a second schema or enum of the same class name
    (say, two modules' MemberPatch) would silently replace the first in the document, which
    then describes one endpoint's body with another's fields. Refuse to write it instead."""

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, schema in definitions.items():
            if self.schemas.get(name, schema) != schema:
                raise ImproperlyConfigured(
                    f"Two different API schemas are named {name!r}; rename one of them.")
        super().add_schema_definitions(definitions)


class WeconomicsAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return UniqueNamesOpenAPISchema(self, path_prefix)


api = WeconomicsAPI(
    title="Weconomics API",
    version="1",
    description=(
        "The web API of the Weconomics core. Authenticate with your browser session "
        "(send the CSRF token in X-CSRFToken on writes), with a personal access token "
        "(`Authorization: Bearer wec_...`, made under Settings → API tokens) or with an "
        "OpenID Connect access token carrying the `api:read` or `api:write` scope. "
        "Errors are RFC 9457 problem documents (application/problem+json)."
    ),
    urls_namespace="api-v1",
    auth=api_auth,
    docs_url="/docs",
    # No validator badge: Swagger UI would fetch it from another host.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)
problems.install(api)

me = Router(tags=["me"])


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str


def required_line(value: str) -> str:
    """Validate a one-line text field: stripped, no control characters, not empty."""
    value = clean_display_text(value)
    if not value:
        raise ValueError("must not be empty")
    return value


class AccountOut(Schema):
    id: int
    email: str
    name: str
    language: str
    date_joined: dt.datetime
    two_factor_enabled: bool


class AccountPatch(Schema):
    name: str | None = Field(None, max_length=150)
    language: Literal["nl", "en"] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return None if value is None else required_line(value)


class SessionOut(Schema):
    id: int
    ip: str
    user_agent: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


class TokenOut(Schema):
    id: int
    name: str
    scope: str
    hint: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    scope: Literal["read", "write"] = "read"
    expires_in_days: StrictInt | None = Field(
        90, ge=1, le=3650, description="Days until the token expires; null for no expiry.")

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return required_line(value)


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself. Shown only this once.")


ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}


def _account_out(account) -> dict:
    return {
        "id": account.pk,
        "email": account.email,
        "name": account.name,
        "language": account.language or settings.LANGUAGE_CODE,
        "date_joined": account.date_joined,
        "two_factor_enabled": Authenticator.objects.filter(
            user=account, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists(),
    }


@me.get("", response={200: AccountOut, **ERRORS}, summary="The account calling")
def get_me(request):
    return _account_out(request.user)


@me.patch("", response={200: AccountOut, **ERRORS}, summary="Change name or language")
def patch_me(request, payload: AccountPatch):
    account = request.user
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    identity.update_account(actor=account, request=request, **changes)
    return _account_out(account)


@me.get("/sessions", response={200: list[SessionOut], **ERRORS}, summary="Your active sessions")
def list_sessions(request):
    current = request.session.session_key if request.auth.method == "session" else None
    return [
        {"id": s.pk, "ip": s.ip, "user_agent": s.user_agent, "created_at": s.created_at,
         "last_seen_at": s.last_seen_at, "current": s.session_key == current}
        for s in identity.sessions_of(request.user)
    ]


@me.delete("/sessions/{session_id}", response={204: None, **ERRORS}, summary="End a session")
def end_session(request, session_id: int):
    identity.end_sessions(actor=request.user, session_ids=[session_id], request=request)
    return Status(204, None)


@me.get("/tokens", response={200: list[TokenOut], **ERRORS},
        summary="Your active personal access tokens")
def list_tokens(request):
    return list(PersonalAccessToken.objects.filter(account=request.user).active())


@me.post("/tokens", response={201: TokenCreatedOut, **ERRORS, 409: ProblemOut},
         summary="Create a personal access token")
def create_token(request, payload: TokenIn):
    if request.auth.method != "session":
        # A token must not mint tokens: revoking a channel's or a token's access
        # would otherwise leave behind credentials it made for itself.
        raise problems.Problem(403, "Tokens can be created only from a signed-in session.",
                               code="session_required")
    expires_at = None
    if payload.expires_in_days:
        expires_at = timezone.now() + dt.timedelta(days=payload.expires_in_days)
    token, raw = identity.create_token(actor=request.user, name=payload.name,
                                       scope=payload.scope, expires_at=expires_at,
                                       request=request)
    out = TokenOut.model_validate(token).model_dump()
    return Status(201, {**out, "token": raw})


@me.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke a token")
def revoke_token(request, token_id: int):
    identity.revoke_token(actor=request.user, token_id=token_id, request=request)
    return Status(204, None)


@me.get("/export", response={200: dict, **ERRORS},
        summary="Everything the platform holds about you")
def export(request):
    return identity.export_account(actor=request.user, request=request)


@api.get("/", auth=None, summary="About this API", tags=["meta"])
def index(request):
    return {"name": "Weconomics API", "version": "1", "software_version": __version__,
            "openapi": request.build_absolute_uri("openapi.json"),
            "docs": request.build_absolute_uri("docs")}


api.add_router("/me", me)

# The contacts routers use this module's schemas, so they are imported once it is complete.
from weconomics.api import organisations, people  # noqa: E402

api.add_router("", people.router)
api.add_router("", organisations.router)
from weconomics.api import conversations as conversations_api  # noqa: E402

api.add_router("", conversations_api.router)
from weconomics.api import communities as communities_api  # noqa: E402
from weconomics.api import community_posts  # noqa: E402

api.add_router("", communities_api.router)
api.add_router("", community_posts.router)
from weconomics.api import bookings as bookings_api  # noqa: E402
from weconomics.api import catalogue as catalogue_api  # noqa: E402

api.add_router("", catalogue_api.router)
api.add_router("", bookings_api.router)
from weconomics.api import wiki as wiki_api  # noqa: E402

api.add_router("", wiki_api.router)
