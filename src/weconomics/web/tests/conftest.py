"""Fixtures of the browser tests (marked `browser`): one Chromium per test, a watch on what
its pages load and log, and fresh pages with their own cookies."""

import pytest
from playwright.sync_api import Page, sync_playwright

from weconomics.web.tests.browser import CHROMIUM_ARGS, Watch


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(request, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from a thread with a running loop unless told this is safe (it is: the loop only
    # drives the browser). Scoped to the browser tests, so no other test inherits it.
    if request.node.get_closest_marker("browser"):
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(chromium_path):
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # Queries a test made while Playwright's loop ran used connections of that context
        # (Django keeps connections per async context); close them here, inside it, or
        # PostgreSQL refuses to drop the test database ("accessed by other users").
        from django.db import connections

        connections.close_all()


@pytest.fixture
def watch(live_server):
    return Watch(live_server.url)


@pytest.fixture
def new_page(browser, watch):
    """A page in a fresh context (its own cookies: one signed-in person each). A dialog
    counts as an error: a script that ran from user text would show up as one."""
    contexts = []

    def make(*, locale: str = "nl-NL", **options) -> Page:
        context = watch.attach(browser.new_context(locale=locale, **options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (watch.errors.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))
        return page

    yield make
    for context in contexts:
        context.close()


# The booking pages' roles: the owner offers products, the member books them.
@pytest.fixture
def provider(owner):
    return owner


@pytest.fixture
def customer(member):
    return member
