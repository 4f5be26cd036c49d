"""What the browser tests share: Chromium's flags, a watch on what the pages load and log,
screenshots, and the steps of signing in and out. The fixtures that start the browser are in
conftest.py beside this module."""

from pathlib import Path

from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class Watch:
    """Records what the pages of every context load and log."""

    def __init__(self, origin: str):
        self.origin = origin
        self.foreign: list[str] = []
        self.requests = 0
        self.errors: list[str] = []

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(f"page error: {error.error}"))
        return context

    def _request(self, request):
        url = request.url
        self.requests += 1
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", "blob:"))):
            self.foreign.append(url)

    def _console(self, message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            self.errors.append(f"{message.type} on {message.page.url if message.page else '?'}: "
                               f"{text}")

    def assert_clean(self):
        assert self.requests > 0, "no request was recorded: the watch is not attached"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"
        assert self.errors == [], "console errors or CSP violations:\n" + "\n".join(self.errors)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")


def heading(page: Page):
    return page.locator("main h1")


def submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()


def nav_link(page: Page, name: str):
    return page.locator(f".site-header nav a[href='{reverse(name)}']")


# --- steps ---

def sign_out(page: Page, screenshot: str = "") -> None:
    page.locator(f".site-header nav a[href='{reverse('account_logout')}']").click()
    expect(heading(page)).to_have_text("Uitloggen")
    expect(page.get_by_text("Weet je zeker dat je wilt uitloggen?")).to_be_visible()
    if screenshot:
        shot(page, screenshot)
    submit(page, f"main form[action='{reverse('account_logout')}']")
    expect(page.locator(f".site-header nav a[href='{reverse('account_login')}']")).to_be_visible()


def fill_in_sign_in(page: Page, email: str, password: str, screenshot: str = "") -> None:
    """On the (Dutch) sign-in page: fill in the form and send it."""
    expect(heading(page)).to_have_text("Inloggen")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    if screenshot:
        shot(page, screenshot)
    submit(page, "form.login")


def sign_in_with_password(page: Page, email: str, password: str, screenshot: str = "") -> None:
    page.locator(f".site-header nav a[href='{reverse('account_login')}']").click()
    fill_in_sign_in(page, email, password, screenshot)
