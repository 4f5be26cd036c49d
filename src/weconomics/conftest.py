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


@pytest.fixture(autouse=True, scope="session")
def _flush_through_the_append_only_bypass():
    """Let the flush between transactional tests empty the append-only tables.

    The database refuses DELETE and TRUNCATE of audit records and booking events; Django's
    flush (pytest-django runs it after every `transaction=True` test and live server test)
    does both. In the test run only, its statements run with the bypass of
    `weconomics.audit.append_only` raised inside the flush's own transaction.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    from weconomics.audit import append_only

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        raise_flag, lower_flag = append_only.statements(self.connection.vendor)
        return original(self, [*raise_flag, *sql_list, *lower_flag])

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits live in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_domain_kinds(request):
    """The kinds of domain a migration adds; a transactional test's flush removes them."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(names & {"transactional_db", "live_server"}) or bool(
        marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from weconomics.communities.domain_kinds import ensure_default_kinds

    ensure_default_kinds()


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


# One profile with a different visibility on each level, and one viewer per relation.
WORLD_VISIBILITY = {
    "profile": "public", "about": "public", "languages": "public",
    "skills": "communities", "region": "communities", "recommendations": "communities",
    "experience": "connections", "availability": "connections", "photo": "connections",
    "education": "private", "links": "private",
}
# Which sections each viewer of the world's profile sees.
WORLD_SEES = {
    "owner": set(WORLD_VISIBILITY),
    "connection": {s for s, v in WORLD_VISIBILITY.items() if v != "private"},
    "fellow": {s for s, v in WORLD_VISIBILITY.items() if v in ("public", "communities")},
    "stranger": {s for s, v in WORLD_VISIBILITY.items() if v == "public"},
    "blocked": {s for s, v in WORLD_VISIBILITY.items() if v == "public"},
    "anonymous": {s for s, v in WORLD_VISIBILITY.items() if v == "public"},
}


@pytest.fixture
def world(db):
    """The owner's profile and five viewers: a connection, a fellow community member,
    a stranger, someone the owner blocked, and (as None) an anonymous visitor."""
    from types import SimpleNamespace

    from weconomics.communities.models import Community, Membership
    from weconomics.contacts import services

    owner = make_account("olivia@example.org", "Olivia Owner")
    connection = make_account("conny@example.org", "Conny Connection")
    fellow = make_account("felix@example.org", "Felix Fellow")
    stranger = make_account("stan@example.org", "Stan Stranger")
    blocked = make_account("boris@example.org", "Boris Blocked")
    services.update_profile(actor=owner, headline="Coach", about="Hello *world*",
                            region="Utrecht", languages=[{"code": "nl", "level": "native"}],
                            hours_per_month=20, available_from="2027-01-01",
                            links=[{"label": "Site", "url": "https://olivia.example.org/"}],
                            **{f"{s}_visibility": v for s, v in WORLD_VISIBILITY.items()})
    services.set_skills(actor=owner, names=["Coaching", "Python"])
    services.save_experience(actor=owner, title="Team coach", organisation_name="Samen",
                             started_on="2020-01-01")
    services.save_education(actor=owner, institution="Hogeschool", qualification="Bachelor")
    for other in (connection, fellow, stranger, blocked):
        services.ensure_person(other)
    request = services.request_connection(actor=connection, handle=owner.person.handle)
    services.respond_to_request(actor=owner, request_id=request.pk, answer="accept")
    community = Community.objects.create(name="Coaches", slug="coaches",
                                         kind="professional_network",
                                         purpose="Share", audience="Coaches")
    for account in (owner, fellow, blocked):
        Membership.objects.create(community=community, account=account)
    services.block(actor=owner, handle=blocked.person.handle)
    return SimpleNamespace(owner=owner, connection=connection, fellow=fellow, stranger=stranger,
                           blocked=blocked, anonymous=None, community=community,
                           handle=owner.person.handle)
