"""A real Chromium uploads a profile photo that is too large.

The browser refuses the file beside the field, in the page's language, before anything is
sent (the server would refuse the whole request with a bare 413 page). A browser that
sends it anyway gets that page with a way back to the form it came from.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from weconomics.conftest import PASSWORD, make_account
from weconomics.web.tests.browser import heading, shot, sign_in_with_password

pytestmark = pytest.mark.browser

ANNA = ("anna@example.org", "Anna Aalbers")


@pytest.fixture
def anna(transactional_db, settings):
    settings.PHOTO_MAX_BYTES = 2 * 1024 * 1024
    settings.UPLOAD_MAX_BODY_BYTES = settings.PHOTO_MAX_BYTES + settings.MAX_BODY_BYTES
    return make_account(*ANNA)


def test_too_large_photo_is_refused_beside_the_field(anna, live_server, new_page, watch,
                                                      tmp_path):
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024))
    page = new_page()
    posts = []
    page.on("request", lambda request: posts.append(request.url)
            if request.method == "POST" and reverse("profile_photo") in request.url else None)
    page.goto(live_server.url + "/")
    sign_in_with_password(page, ANNA[0], PASSWORD)
    page.goto(live_server.url + reverse("profile_edit"))
    photo = page.locator("#photo")
    expect(photo.locator(".help")).to_contain_text("tot 2 MB")

    photo.locator("input[type=file]").set_input_files(big)
    photo.get_by_role("button", name="Foto uploaden").click()
    expect(photo.get_by_role("alert")).to_have_text(
        "Dit bestand is te groot: hoogstens 2 MB. Kies een kleiner bestand.")
    shot(page, "upload-too-large-field")
    assert page.url.endswith(reverse("profile_edit"))
    assert posts == []
    watch.assert_clean()

    # A browser without the check (no script) sends it: the 413 page leads back.
    photo.locator("input[type=file]").evaluate(
        "input => input.replaceWith(Object.assign(input.cloneNode(), {id: 'bare'}))")
    photo.locator("#bare").set_input_files(big)
    photo.get_by_role("button", name="Foto uploaden").click()
    expect(heading(page)).to_have_text("Te veel ineens verstuurd")
    shot(page, "upload-too-large-page")
    page.get_by_role("link", name="Terug naar de vorige pagina").click()
    expect(heading(page)).to_have_text("Je profiel bewerken")
