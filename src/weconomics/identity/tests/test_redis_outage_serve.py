"""`weconomics serve` with its Redis behind a fault-injection proxy: Redis goes away and
comes back while the server runs, and no request answers 500."""

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from weconomics.conftest import PASSWORD
from weconomics.web.tests.faultproxy import FaultProxy
from weconomics.web.tests.processes import free_port, scratch_site, start_serve, stop_serve

REDIS_URL = os.environ.get("WECONOMICS_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture(scope="module")
def real_redis():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: Redis outage test skipped")
    return client


class Browser(requests.Session):
    """A client that signs in through the form as a browser does."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def sign_in(self, email, password):
        page = self.get(self.base + "/accounts/login/", timeout=30)
        assert page.status_code == 200, page.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.post(self.base + "/accounts/login/", timeout=30, allow_redirects=False,
                         data={"csrfmiddlewaretoken": token, "login": email,
                               "password": password})


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_redis):
    """weconomics serve (one web process) with its Redis behind a FaultProxy; it trusts one
    proxy, so a test may choose its client address with X-Forwarded-For."""
    host, port, db = re.match(r"redis://([^:/]+):(\d+)/(\d+)", REDIS_URL).groups()
    proxy = FaultProxy(host, int(port))
    try:
        with scratch_site(tmp_path_factory.mktemp("serve")) as site:
            yield from _serve(site, proxy, db, real_redis)
    finally:
        proxy.close()


def _serve(site, proxy, db, real_redis):
    env = site.env(**{
        "WECONOMICS_TRUSTED_PROXY_COUNT": "1",
        "WECONOMICS_REDIS_URL": f"redis://127.0.0.1:{proxy.port}/{db}",
        # This run's counts apart from other runs' on the same Redis database.
        "WECONOMICS_REDIS_KEY_PREFIX": uuid.uuid4().hex,
        "WECONOMICS_REDIS_TIMEOUT_MS": "300",
        "WECONOMICS_REDIS_RETRY_SECONDS": "1"})
    web_port = free_port()
    process = start_serve(env, web_port, "--no-worker", "--workers", "1",
                          log=site.data_dir / "serve.log")
    try:
        email = f"{uuid.uuid4().hex[:12]}@example.org"
        script = ("from weconomics.conftest import make_account; "
                  "from weconomics.identity import services; "
                  f"a = make_account({email!r}, 'Rita Redis'); "
                  "print(services.create_token(actor=a, name='t', scope='read')[1])")
        made = subprocess.run([sys.executable, "-m", "weconomics", "shell", "-c", script],
                              env=env, capture_output=True, text=True, timeout=120)
        token = made.stdout.strip().splitlines()[-1]
        yield {"base": f"http://127.0.0.1:{web_port}", "proxy": proxy, "email": email,
               "token": token, "redis": real_redis}
    finally:
        stop_serve(process)


def test_the_site_degrades_while_redis_is_away_and_recovers_by_itself(server):
    base, proxy, email = server["base"], server["proxy"], server["email"]
    api = {"Authorization": f"Bearer {server['token']}"}
    member = Browser(base)
    assert member.sign_in(email, PASSWORD).status_code == 302
    accepted = proxy.accepted

    for mode in ("refuse", "hang"):
        proxy.set_mode(mode)
        time.sleep(1.2)  # past RETRY_AFTER: the next request asks Redis, in this mode
        statuses = {
            "sign-in page": requests.get(base + "/accounts/login/", timeout=30).status_code,
            "sign-in attempt": Browser(base).sign_in(email, PASSWORD).status_code,
            "signed-in page": member.get(base + "/settings/sessions/", timeout=30).status_code,
            "home": member.get(base + "/", timeout=30).status_code,
            "API with a token": requests.get(base + "/api/v1/me", headers=api,
                                             timeout=30).status_code,
            "catalogue": requests.get(base + "/api/v1/products", timeout=30).status_code,
        }
        assert proxy.accepted > accepted, "Redis was not asked in this mode"
        accepted = proxy.accepted
        assert statuses == {"sign-in page": 200, "sign-in attempt": 429,
                            "signed-in page": 200, "home": 200, "API with a token": 200,
                            "catalogue": 200}, mode
        refused = Browser(base).sign_in(email, "a wrong guess")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"

    # Redis is back: after RETRY_AFTER (1 s here) the next request finds it again, and
    # the failed sign-in is counted in Redis.
    proxy.set_mode("pass")
    guesser = Browser(base)
    deadline = time.monotonic() + 20
    while (answer := guesser.sign_in(email, "a wrong guess")).status_code == 429:
        assert time.monotonic() < deadline, "the site did not return to Redis"
        time.sleep(0.5)
    assert answer.status_code == 200
    # The account's count of failed sign-ins (identity.throttling) is in Redis.
    digest = hashlib.sha256(email.encode()).hexdigest()
    assert server["redis"].keys(f"*signin:account:{digest}")
    assert Browser(base).sign_in(email, PASSWORD).status_code == 302


def test_parallel_guesses_stay_within_the_limits_counted_in_redis(server):
    base = server["base"]
    target = f"{uuid.uuid4().hex[:12]}@example.org"
    address = {"X-Forwarded-For": "198.51.100.77"}
    guessers = []
    for _ in range(24):
        guesser = Browser(base)
        guesser.headers.update(address)
        page = guesser.get(base + "/accounts/login/", timeout=30)
        guesser.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                                  page.text).group(1)
        guessers.append(guesser)
    barrier = threading.Barrier(len(guessers))

    def guess(n):
        guesser = guessers[n]
        barrier.wait(timeout=30)
        return guesser.post(base + "/accounts/login/", timeout=60, allow_redirects=False,
                            data={"csrfmiddlewaretoken": guesser.token, "login": target,
                                  "password": f"guess {n}"}).status_code

    with ThreadPoolExecutor(len(guessers)) as pool:
        statuses = list(pool.map(guess, range(len(guessers))))
    # At most the account's five failures were compared; every other guess was refused.
    assert statuses.count(200) <= 5 and statuses.count(200) + statuses.count(429) == 24
    digest = hashlib.sha256(target.encode()).hexdigest()
    assert server["redis"].keys(f"*signin:account:{digest}")
