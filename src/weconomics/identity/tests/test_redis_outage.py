"""With Redis configured and away, the site degrades: no page answers 500.

The cache falls back to memory, sign-in attempts (whose rate limits cannot be counted)
answer 429 with a clear message, and everything else keeps working.
"""

import pytest

from weconomics.conftest import PASSWORD
from weconomics.identity import services
from weconomics.identity.tests.helpers import sign_in
from weconomics.settings import redis_caches
from weconomics.web.tests.faultproxy import FaultProxy
from weconomics.web.tests.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis(settings):
    """The cache on a Redis at a port where nothing listens."""
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{free_port()}/6")


@pytest.fixture
def refusing_redis(settings):
    """The cache on a Redis behind a proxy that resets every connection and counts them."""
    proxy = FaultProxy("127.0.0.1", free_port())
    proxy.set_mode("refuse")
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{proxy.port}/6")
    settings.CACHES["default"]["OPTIONS"]["RETRY_AFTER"] = 600
    yield proxy
    proxy.close()


def test_the_sign_in_page_still_answers(client, dead_redis):
    assert client.get("/accounts/login/").status_code == 200


def test_a_sign_in_attempt_is_refused_with_429_and_a_clear_message(client, member, dead_redis):
    response = sign_in(client, member.email, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Probeer het over een minuut opnieuw" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


def test_signed_in_pages_keep_working(client, member, dead_redis):
    client.force_login(member)
    for path in ("/", "/settings/", "/settings/sessions/"):
        assert client.get(path).status_code == 200, path


def test_the_api_keeps_working_with_a_token_and_for_visitors(client, member, dead_redis):
    _, raw = services.create_token(actor=member, name="script", scope="read")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["email"] == member.email
    # The visitors' catalogue is cached: the cache falls back to memory.
    assert client.get("/api/v1/products").status_code == 200
    assert client.get("/api/v1/products").status_code == 200


def test_a_dead_redis_is_not_asked_on_every_request(client, member, refusing_redis):
    client.force_login(member)
    for _ in range(10):
        assert client.get("/api/v1/products").status_code == 200
        assert client.get("/").status_code == 200
    # One failed call (a connection and its one retry) opened the breaker; the other
    # nineteen requests did not wait on Redis.
    assert refusing_redis.accepted <= 2
