"""Fixtures shared by every test: three people and a client for each."""

import os

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

PASSWORD = "correct horse battery staple"


def make_account(email: str, name: str, *, staff: bool = False):
    from weconomics.identity.models import Account

    account = Account.objects.create_user(email=email, password=PASSWORD, name=name,
                                          is_staff=staff, is_superuser=staff)
    EmailAddress.objects.create(user=account, email=email, verified=True, primary=True)
    return account


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits live in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return make_account("owner@example.org", "Olivia Owner")


@pytest.fixture
def member(db):
    return make_account("member@example.org", "Mo Member")


@pytest.fixture
def outsider(db):
    return make_account("outsider@example.org", "Otto Outsider")


@pytest.fixture
def admin_account(db):
    return make_account("admin@example.org", "Ada Admin", staff=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def chromium_path():
    path = os.environ.get("WECONOMICS_CHROMIUM") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if os.path.exists(p)),
        None)
    if not path:
        pytest.skip("Chromium is not installed: browser test skipped "
                    "(apt-get install chromium; CI installs it)")
    return path
