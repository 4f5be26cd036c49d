"""The OpenID Connect provider, end to end: Authlib as the channel, a live server as us.

A channel (an OIDC client) is registered with the `oidc_client` command, a person signs
in with a plain requests session (the browser), and Authlib's OAuth2Session plays the
channel: it builds the authorization URL with PKCE, exchanges the code, refreshes and
calls the endpoints. id_tokens are checked against the published JWKS.
"""

import importlib.util
import io
import re
import runpy
import subprocess
import sys
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.idp.oidc.models import Client
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.core.management import call_command
from django.core.management.base import CommandError

from weconomics import datadir
from weconomics.audit.models import AuditRecord
from weconomics.conftest import PASSWORD, make_account

with warnings.catch_warnings():
    # authlib.jose still works; importing it warns that joserfc replaces it.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt

REDIRECT_URI = "https://app.example.org/callback"
LOGOUT_REDIRECT_URI = "https://app.example.org/signed-out"
EVIL_URI = "https://evil.example.net/callback"
AUTHORIZE_PATH = "/identity/o/authorize"
LOGOUT_PATH = "/identity/o/logout"
EVERY_SCOPE = ("openid", "profile", "email", "api:read")
EMAIL = "olivia@example.org"
NAME = "Olivia Owner"

live = pytest.mark.django_db(transaction=True)


# --- helpers -------------------------------------------------------------------------
#
# The HTTP clients below close their connection after every response. On a reused
# connection Django's test server is heard only after TCP's delayed ACK (~40 ms a
# request), and a connection left open keeps a server thread waiting that wakes after
# the live server stopped sharing its SQLite connection (a DatabaseError in that thread).
# Sending "Connection: close" instead races: the server hangs up without saying so in
# its response, and urllib3 sometimes reuses the dying connection.


def hang_up(session: requests.Session, response: requests.Response) -> requests.Response:
    """Close the (already read) response's connection; the session keeps its cookies."""
    response.close()  # gives the connection back to its pool
    for adapter in session.adapters.values():
        pools = adapter.poolmanager.pools
        for key in pools.keys():  # noqa: SIM118 - the container refuses iteration
            pools[key].close()  # urllib3 2.8's PoolManager.clear() only forgets the pools
    session.close()
    return response


class Browser(requests.Session):
    """The person's browser: it keeps cookies and never waits forever."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", 10)
        return hang_up(self, super().request(*args, **kwargs))


class Channel(OAuth2Session):
    """Authlib's client, keeping the token endpoint's raw responses to assert on."""

    def __init__(self, client_id: str, secret: str | None, scopes=EVERY_SCOPE) -> None:
        super().__init__(
            client_id, secret, scope=" ".join(scopes), redirect_uri=REDIRECT_URI,
            code_challenge_method="S256", default_timeout=10,
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
        )
        self.token_responses: list[requests.Response] = []
        self.register_compliance_hook("access_token_response", self._keep)
        self.register_compliance_hook("refresh_token_response", self._keep)

    def request(self, *args, **kwargs):
        return hang_up(self, super().request(*args, **kwargs))

    def _keep(self, response: requests.Response) -> requests.Response:
        self.token_responses.append(response)
        return response

    def refused(self, call, *args, **kwargs) -> tuple[int, str]:
        """Call a token method that must fail; return the HTTP status and OAuth error."""
        self.token_responses.clear()
        with pytest.raises(OAuthError) as raised:
            call(*args, **kwargs)
        [response] = self.token_responses
        return response.status_code, raised.value.error


class _FormReader(HTMLParser):
    """Collect each <form>'s action and the fields a browser would submit from it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self._open["fields"].append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def form_fields(html: str, action_path: str) -> list[tuple[str, str]]:
    """The fields of the page's form that posts to action_path, as a browser sends them."""
    reader = _FormReader()
    reader.feed(html)
    for form in reader.forms:
        if urlparse(form["action"]).path == action_path:
            return form["fields"]
    raise AssertionError(f"the page has no form posting to {action_path}")


def query_of(response: requests.Response) -> dict[str, str]:
    """The query parameters of a redirect's Location, one value each."""
    query = parse_qs(urlparse(response.headers["Location"]).query)
    return {key: values[0] for key, values in query.items()}


def register(*scopes: str, public: bool = False) -> tuple[str, str | None]:
    """Register a channel through the management command; return its id and secret."""
    out = io.StringIO()
    args = ["oidc_client", "create", "--name", "Test app", "--redirect-uri", REDIRECT_URI,
            "--post-logout-redirect-uri", LOGOUT_REDIRECT_URI]
    for scope in scopes or EVERY_SCOPE:
        args += ["--scope", scope]
    if public:
        args.append("--public")
    call_command(*args, stdout=out)
    output = out.getvalue()
    client_id = re.search(r"^client_id: (\S+)$", output, re.MULTILINE)
    secret = re.search(r"^client_secret: (\S+)$", output, re.MULTILINE)
    assert client_id, output
    return client_id.group(1), secret.group(1) if secret else None


def create(*options: str) -> None:
    call_command("oidc_client", "create", *options, stdout=io.StringIO())


def sign_in(base_url: str, email: str = EMAIL) -> Browser:
    """A browser signed in to the platform with the person's password."""
    browser = Browser()
    page = browser.get(f"{base_url}/accounts/login/")
    fields = dict(form_fields(page.text, "/accounts/login/"))
    response = browser.post(f"{base_url}/accounts/login/", allow_redirects=False,
                            data={**fields, "login": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return browser


def discover(base_url: str) -> dict:
    response = requests.get(f"{base_url}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def consent(browser: Browser, authorization_url: str, action: str = "grant"):
    """Open the consent page as the person and answer it; return the provider's redirect."""
    page = browser.get(authorization_url, allow_redirects=False)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    fields = form_fields(page.text, AUTHORIZE_PATH)
    endpoint = authorization_url.split("?")[0]
    return browser.post(endpoint, data=[*fields, ("action", action)], allow_redirects=False)


@dataclass
class Flow:
    """What an authorization code flow leaves behind."""

    config: dict
    browser: Browser
    oauth: Channel
    client_id: str
    code_verifier: str
    nonce: str
    redirect: requests.Response
    token: dict | None


def run_flow(base_url: str, *, scopes=EVERY_SCOPE, registered=EVERY_SCOPE,
             public: bool = False, exchange: bool = True) -> Flow:
    """Register a channel, sign Olivia in, consent, and (unless told not to) get tokens."""
    config = discover(base_url)
    client_id, secret = register(*registered, public=public)
    browser = sign_in(base_url)
    oauth = Channel(client_id, secret, scopes)
    code_verifier, nonce = generate_token(48), generate_token(20)
    url, state = oauth.create_authorization_url(
        config["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce)
    redirect = consent(browser, url)
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith(REDIRECT_URI + "?")
    assert query_of(redirect)["state"] == state
    token = None
    if exchange:
        token = oauth.fetch_token(config["token_endpoint"],
                                  authorization_response=redirect.headers["Location"],
                                  state=state, code_verifier=code_verifier)
    return Flow(config, browser, oauth, client_id, code_verifier, nonce, redirect, token)


def verified_claims(flow: Flow) -> dict:
    """The id_token's claims, once its signature checks out against the published JWKS."""
    keys = JsonWebKey.import_key_set(requests.get(flow.config["jwks_uri"], timeout=10).json())
    claims = jwt.decode(flow.token["id_token"], keys, claims_options={
        "iss": {"essential": True, "value": flow.config["issuer"]},
        "aud": {"essential": True, "value": flow.client_id},
        "nonce": {"essential": True, "value": flow.nonce},
        "sub": {"essential": True},
        "exp": {"essential": True},
    })
    claims.validate()
    return claims


def assert_error_page(response: requests.Response, message: str) -> None:
    """An error page for the person: no redirect anywhere and no server error."""
    assert response.status_code < 500
    assert not response.is_redirect
    assert "Location" not in response.headers
    assert message in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def olivia(transactional_db):
    return make_account(EMAIL, NAME)


# --- discovery -----------------------------------------------------------------------


@live
def test_discovery_describes_the_provider(live_server):
    config = discover(live_server.url)

    assert config["issuer"] == live_server.url
    assert config["authorization_endpoint"] == f"{live_server.url}{AUTHORIZE_PATH}"
    assert config["token_endpoint"] == f"{live_server.url}/identity/o/api/token"
    assert config["userinfo_endpoint"] == f"{live_server.url}/identity/o/api/userinfo"
    assert config["end_session_endpoint"] == f"{live_server.url}{LOGOUT_PATH}"
    assert config["jwks_uri"] == f"{live_server.url}/.well-known/jwks.json"
    assert "S256" in config["code_challenge_methods_supported"]
    assert {"api:read", "api:write"} <= set(config["scopes_supported"])
    assert "RS256" in config["id_token_signing_alg_values_supported"]
    keys = requests.get(config["jwks_uri"], timeout=10).json()["keys"]
    assert [(key["kty"], "d" in key) for key in keys] == [("RSA", False)]


# --- the authorization code flow -----------------------------------------------------


@live
def test_a_confidential_client_gets_a_signed_id_token_through_pkce(live_server, olivia):
    flow = run_flow(live_server.url)

    assert flow.token["token_type"].lower() == "bearer"
    assert flow.token["access_token"] and flow.token["refresh_token"]
    sent = flow.oauth.token_responses[-1].request
    assert sent.headers["Authorization"].startswith("Basic ")
    assert "code_verifier=" in sent.body
    claims = verified_claims(flow)
    assert claims["sub"] == str(olivia.pk)
    assert claims["email"] == EMAIL


@live
def test_a_public_client_completes_the_pkce_flow_without_a_secret(live_server, olivia):
    flow = run_flow(live_server.url, public=True)

    sent = flow.oauth.token_responses[-1].request
    assert "Authorization" not in sent.headers
    assert "client_secret" not in sent.body
    assert "code_verifier=" in sent.body
    assert verified_claims(flow)["sub"] == str(olivia.pk)


@live
def test_a_public_client_without_pkce_is_sent_back_with_an_error(live_server, olivia):
    config = discover(live_server.url)
    client_id, _ = register(public=True)
    url, state = Channel(client_id, None).create_authorization_url(
        config["authorization_endpoint"])  # no code_verifier, so no code_challenge

    response = sign_in(live_server.url).get(url, allow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")
    assert query_of(response)["error"] == "invalid_request"
    assert query_of(response)["state"] == state
    assert "code" not in query_of(response)


@live
def test_userinfo_returns_the_persons_subject_email_and_name(live_server, olivia):
    flow = run_flow(live_server.url)

    response = flow.oauth.get(flow.config["userinfo_endpoint"])

    assert response.status_code == 200
    info = response.json()
    assert info["sub"] == str(olivia.pk)
    assert info["email"] == EMAIL
    assert info["email_verified"] is True
    assert info["name"] == NAME


@live
def test_refreshing_gives_a_new_access_token_and_retires_the_old_refresh_token(
    live_server, olivia
):
    flow = run_flow(live_server.url)
    first = dict(flow.token)

    second = flow.oauth.refresh_token(flow.config["token_endpoint"])

    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    userinfo = flow.oauth.get(flow.config["userinfo_endpoint"])  # with the new token
    assert userinfo.json()["sub"] == str(olivia.pk)
    status, error = flow.oauth.refused(
        flow.oauth.refresh_token, flow.config["token_endpoint"],
        refresh_token=first["refresh_token"])
    assert (status, error) == (400, "invalid_grant")


@live
def test_declining_consent_sends_the_person_back_with_access_denied(live_server, olivia):
    config = discover(live_server.url)
    client_id, secret = register()
    url, state = Channel(client_id, secret).create_authorization_url(
        config["authorization_endpoint"], code_verifier=generate_token(48))

    response = consent(sign_in(live_server.url), url, action="cancel")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")
    assert query_of(response) == {"error": "access_denied", "state": state}
    assert not AuditRecord.objects.filter(action="identity.oidc_consent").exists()


@live
def test_giving_consent_writes_an_audit_record(live_server, olivia):
    flow = run_flow(live_server.url, exchange=False)

    record = AuditRecord.objects.get(action="identity.oidc_consent")
    assert record.actor_id == olivia.pk
    assert record.data == {"client_id": flow.client_id, "scopes": sorted(EVERY_SCOPE)}


# --- our API with an OIDC access token -----------------------------------------------


@live
def test_an_access_token_with_api_read_reads_the_api_as_the_person(live_server, olivia):
    flow = run_flow(live_server.url)

    response = flow.oauth.get(f"{live_server.url}/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == EMAIL


@live
def test_an_access_token_without_api_read_is_refused_with_a_problem_document(
    live_server, olivia
):
    flow = run_flow(live_server.url, scopes=("openid", "email"))

    response = flow.oauth.get(f"{live_server.url}/api/v1/me")

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"


@live
def test_an_api_read_token_may_not_change_data(live_server, olivia):
    flow = run_flow(live_server.url)

    response = flow.oauth.patch(f"{live_server.url}/api/v1/me", json={"name": "Someone Else"})

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "read_only_token"
    olivia.refresh_from_db()
    assert olivia.name == NAME


@live
def test_an_api_write_token_may_change_data(live_server, olivia):
    scopes = ("openid", "api:read", "api:write")
    flow = run_flow(live_server.url, scopes=scopes, registered=scopes)

    response = flow.oauth.patch(f"{live_server.url}/api/v1/me", json={"name": "Liv Owner"})

    assert response.status_code == 200
    olivia.refresh_from_db()
    assert olivia.name == "Liv Owner"


# --- signing out ---------------------------------------------------------------------


@live
def test_signing_out_at_the_end_session_endpoint_ends_the_platform_session(
    live_server, olivia
):
    flow = run_flow(live_server.url)
    browser = flow.browser
    assert browser.get(f"{live_server.url}/settings/", allow_redirects=False).status_code == 200

    # allauth asks the person whether to sign out of the platform as well
    # (IDP_OIDC_RP_INITIATED_LOGOUT_ASKS_FOR_OP_LOGOUT is True by default).
    page = browser.get(flow.config["end_session_endpoint"], allow_redirects=False, params={
        "id_token_hint": flow.token["id_token"],
        "post_logout_redirect_uri": LOGOUT_REDIRECT_URI, "state": "bye"})
    assert page.status_code == 200
    fields = form_fields(page.text, LOGOUT_PATH)
    response = browser.post(flow.config["end_session_endpoint"], allow_redirects=False,
                            data=[*fields, ("action", "logout")])

    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGOUT_REDIRECT_URI}?state=bye"
    settings_page = browser.get(f"{live_server.url}/settings/", allow_redirects=False)
    assert settings_page.status_code == 302
    assert urlparse(settings_page.headers["Location"]).path == "/accounts/login/"
    # The channel's tokens are revoked with the session.
    assert flow.oauth.get(flow.config["userinfo_endpoint"]).status_code == 401


@live
def test_signing_out_never_redirects_to_an_unregistered_post_logout_uri(live_server, olivia):
    flow = run_flow(live_server.url)

    response = flow.browser.get(flow.config["end_session_endpoint"], allow_redirects=False,
                                params={"id_token_hint": flow.token["id_token"],
                                        "post_logout_redirect_uri": EVIL_URI})

    assert_error_page(response, "post_logout_redirect_uri")
    assert flow.browser.get(f"{live_server.url}/settings/",
                            allow_redirects=False).status_code == 200


# --- bad input -----------------------------------------------------------------------


def bad_authorization(base_url: str, kind: str) -> requests.Response:
    """Olivia's browser opening an authorization URL with an unknown client or callback."""
    config = discover(base_url)
    client_id, secret = register()
    extra = {}
    if kind == "unknown client":
        client_id, secret = "no-such-client", None
    else:
        extra["redirect_uri"] = EVIL_URI
    url, _ = Channel(client_id, secret).create_authorization_url(
        config["authorization_endpoint"], code_verifier=generate_token(48), **extra)
    return sign_in(base_url).get(url, allow_redirects=False)


@live
def test_it_refuses_an_unknown_client(live_server, olivia):
    response = bad_authorization(live_server.url, "unknown client")

    assert_error_page(response, "Invalid client_id")


@live
def test_it_refuses_a_redirect_uri_that_is_not_registered(live_server, olivia):
    response = bad_authorization(live_server.url, "unregistered redirect URI")

    assert_error_page(response, "Mismatching redirect URI")


@pytest.mark.parametrize("kind", ["unknown client", "unregistered redirect URI"])
@live
def test_an_authorization_error_page_answers_with_a_client_error_status(
    live_server, olivia, kind
):
    response = bad_authorization(live_server.url, kind)

    assert response.status_code == 400


@live
def test_an_unknown_scope_is_sent_back_as_invalid_scope(live_server, olivia):
    config = discover(live_server.url)
    client_id, secret = register()
    url, state = Channel(client_id, secret, ("openid", "admin")).create_authorization_url(
        config["authorization_endpoint"], code_verifier=generate_token(48))

    response = sign_in(live_server.url).get(url, allow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?")
    assert query_of(response)["error"] == "invalid_scope"
    assert query_of(response)["state"] == state
    assert not AuditRecord.objects.filter(action="identity.oidc_consent").exists()


@live
def test_a_wrong_code_verifier_is_an_invalid_grant(live_server, olivia):
    flow = run_flow(live_server.url, exchange=False)

    status, error = flow.oauth.refused(
        flow.oauth.fetch_token, flow.config["token_endpoint"],
        authorization_response=flow.redirect.headers["Location"],
        code_verifier=generate_token(48))

    assert (status, error) == (400, "invalid_grant")


@live
def test_a_missing_code_verifier_is_refused_when_the_authorization_used_pkce(
    live_server, olivia
):
    flow = run_flow(live_server.url, exchange=False)

    status, error = flow.oauth.refused(
        flow.oauth.fetch_token, flow.config["token_endpoint"],
        authorization_response=flow.redirect.headers["Location"])

    assert (status, error) == (400, "invalid_request")


@live
def test_an_authorization_code_works_only_once(live_server, olivia):
    flow = run_flow(live_server.url)

    status, error = flow.oauth.refused(
        flow.oauth.fetch_token, flow.config["token_endpoint"],
        authorization_response=flow.redirect.headers["Location"],
        code_verifier=flow.code_verifier)

    assert (status, error) == (400, "invalid_grant")


@live
def test_a_wrong_client_secret_is_an_invalid_client(live_server, olivia):
    flow = run_flow(live_server.url, exchange=False)
    impostor = Channel(flow.client_id, "not-the-secret")

    status, error = impostor.refused(
        impostor.fetch_token, flow.config["token_endpoint"],
        authorization_response=flow.redirect.headers["Location"],
        code_verifier=flow.code_verifier)

    assert (status, error) == (401, "invalid_client")


@live
def test_userinfo_refuses_an_invalid_access_token(live_server):
    config = discover(live_server.url)
    stranger = Channel("anyone", None)
    stranger.token = {"access_token": "not-a-token", "token_type": "Bearer"}

    response = stranger.get(config["userinfo_endpoint"])

    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


# --- the management command ----------------------------------------------------------


def test_the_command_registers_a_confidential_client_with_a_secret_shown_once(db):
    client_id, secret = register()

    client = Client.objects.get(pk=client_id)
    assert client.type == Client.Type.CONFIDENTIAL
    assert client.check_secret(secret)
    assert secret not in client.secret
    assert client.get_redirect_uris() == [REDIRECT_URI]
    assert client.get_post_logout_redirect_uris() == [LOGOUT_REDIRECT_URI]
    assert client.get_scopes() == list(EVERY_SCOPE)
    assert AuditRecord.objects.filter(action="identity.oidc_client_registered",
                                      target_id=client_id).exists()


def test_the_command_registers_a_public_client_without_a_secret(db):
    client_id, secret = register(public=True)

    assert secret is None
    assert Client.objects.get(pk=client_id).type == Client.Type.PUBLIC


def test_the_command_requires_a_redirect_uri(db):
    with pytest.raises(CommandError, match="--redirect-uri"):
        create("--name", "No callback")

    assert not Client.objects.exists()


def test_the_command_refuses_a_redirect_uri_that_is_not_http(db):
    with pytest.raises(CommandError, match="javascript"):
        create("--name", "Sneaky", "--redirect-uri", "javascript:alert(1)")

    assert not Client.objects.exists()


def test_the_command_refuses_an_unknown_scope(db):
    with pytest.raises(CommandError, match="admin"):
        create("--name", "Greedy", "--redirect-uri", REDIRECT_URI,
               "--scope", "openid", "--scope", "admin")

    assert not Client.objects.exists()


@pytest.mark.parametrize(("options", "complaint"), [
    (["--name", "  ", "--redirect-uri", REDIRECT_URI], "name"),
    (["--name", "x" * 101, "--redirect-uri", REDIRECT_URI], "100 characters"),
    (["--name", "App", "--redirect-uri", REDIRECT_URI + "#top"], "fragment"),
    (["--name", "App", "--redirect-uri", "https://"], "https://"),
    (["--name", "App", "--redirect-uri", REDIRECT_URI,
      "--post-logout-redirect-uri", "ftp://app.example.org/bye"], "ftp://"),
], ids=["blank name", "name too long", "fragment", "no host", "ftp post-logout URI"])
def test_the_command_refuses_other_bad_input_and_registers_nothing(db, options, complaint):
    with pytest.raises(CommandError, match=re.escape(complaint)):
        create(*options)

    assert not Client.objects.exists()
    assert not AuditRecord.objects.filter(action="identity.oidc_client_registered").exists()


# --- the signing key -----------------------------------------------------------------


def test_the_signing_key_is_generated_once_into_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("WECONOMICS_OIDC_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("WECONOMICS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "weconomics.settings")
    key_file = tmp_path / "oidc_private_key.pem"

    def check():
        done = subprocess.run([sys.executable, "-m", "weconomics", "check"],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr

    check()
    generated = key_file.read_bytes()
    assert generated.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_file.stat().st_mode & 0o777 == 0o600

    check()

    assert key_file.read_bytes() == generated


def test_the_signing_key_comes_from_the_environment_when_given(tmp_path, monkeypatch):
    key = datadir.new_rsa_private_key()
    # A deployer may write the key on one line, with \n for its line breaks.
    monkeypatch.setenv("WECONOMICS_OIDC_PRIVATE_KEY", key.replace("\n", "\\n"))
    monkeypatch.setenv("WECONOMICS_DATA_DIR", str(tmp_path))

    # Run the settings file afresh, as a new process would.
    loaded = runpy.run_path(importlib.util.find_spec("weconomics.settings").origin)

    assert loaded["IDP_OIDC_PRIVATE_KEY"] == key
    assert not (tmp_path / "oidc_private_key.pem").exists()


# --- silent sign-in (prompt=none) ----------------------------------------------------


def silent_authorization(flow: Flow, client_id: str, scope: str = "openid api:read"):
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
              "scope": scope, "state": "s1", "prompt": "none",
              "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
              "code_challenge_method": "S256"}
    return flow.browser.get(flow.config["authorization_endpoint"], params=params,
                            allow_redirects=False)


def test_a_channel_signs_in_silently_with_its_own_earlier_consent(live_server, olivia):
    flow = run_flow(live_server.url)
    response = silent_authorization(flow, flow.client_id)
    assert response.status_code == 302 and "code" in query_of(response)
    assert AuditRecord.objects.filter(action="identity.oidc_silent_grant").count() == 1


def test_consent_given_to_one_channel_does_not_serve_another(live_server, olivia):
    flow = run_flow(live_server.url)
    other_client, _ = register()
    response = silent_authorization(flow, other_client)
    assert response.status_code == 302
    assert query_of(response) == {"error": "consent_required", "state": "s1"}
    assert not AuditRecord.objects.filter(action="identity.oidc_silent_grant").exists()
