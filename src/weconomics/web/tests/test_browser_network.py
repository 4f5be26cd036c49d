"""A real Chromium walks the Contact module: profile, search, connect, endorse, message.

Two members sign in through the sign-in form in two browser contexts. Anna fills in her
profile (Markdown with a <script> that must stay inert, skills, visibility, a photo); Bram
finds her by skill, asks to connect with a note; Anna accepts (htmx, no reload); Bram
endorses her skill and writes her; Anna sees the unread badge, reads the message and the
badge goes away; the footer switch turns the pages English and back to Dutch. Everything
happens through clicks and typing, and the browser must not contact another host, log a
console error or hit the Content-Security-Policy.
"""

import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from weconomics.conftest import PASSWORD, make_account
from weconomics.web.tests.browser import heading, nav_link, shot, sign_in_with_password

pytestmark = pytest.mark.browser

ANNA = ("anna@example.org", "Anna Aalbers")
BRAM = ("bram@example.org", "Bram Bakker")
ABOUT = ("Ik begeleid teams bij **samenwerken**.\n\n"
         "<script>document.body.dataset.injected = 'yes'</script>\n\n"
         "Bel gerust.")
NOTE = "We spraken elkaar op de ledendag."


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "anna.png"
    image = Image.new("RGB", (200, 160), (40, 120, 90))
    image.paste((230, 200, 60), (50, 40, 150, 120))
    image.save(path, format="PNG")
    return path


def expect_image_loaded(image) -> None:
    """The <img> has loaded a real picture: the photo, re-encoded to a 512 px square."""
    expect(image).to_be_visible()
    # A web-first assertion: it retries, and finds the element again after an htmx swap.
    expect(image).to_have_js_property("naturalWidth", 512)


@pytest.fixture
def members(transactional_db):
    # Made before the browser starts: once Playwright's loop runs in this thread, the ORM
    # would open a second database connection here that nothing closes (PostgreSQL then
    # refuses to drop the test database).
    return make_account(*ANNA), make_account(*BRAM)


def test_two_members_connect_endorse_and_message(members, live_server, new_page, watch,
                                                 photo_file):
    base = live_server.url

    # --- Anna fills in her profile ---------------------------------------------------
    anna = new_page()
    anna.goto(base + "/")
    sign_in_with_password(anna, ANNA[0], PASSWORD)
    expect(anna).to_have_url(base + "/")
    anna.locator(f"main a[href='{reverse('profile_edit')}']").first.click()
    expect(heading(anna)).to_have_text("Je profiel bewerken")

    anna.locator("#id_headline").fill("Teamcoach & trainer")
    anna.locator("#id_about").fill(ABOUT)
    anna.locator("#id_skills").fill("Coaching, Python")
    # Open enough for a stranger to find her by skill and see her photo.
    anna.locator("#id_profile_visibility").select_option("public")
    anna.locator("#id_skills_visibility").select_option("public")
    anna.locator("#id_photo_visibility").select_option("public")
    anna.get_by_role("button", name="Profiel opslaan").click()
    expect(anna.locator("main .messages")).to_contain_text("Je profiel is opgeslagen.")
    expect(anna.locator("#id_skills")).to_have_value("Coaching, Python")
    expect(anna.locator("#id_profile_visibility")).to_have_value("public")

    anna.locator("#photo input[type=file]").set_input_files(photo_file)
    anna.get_by_role("button", name="Foto uploaden").click()
    expect(anna.locator("main .messages")).to_contain_text("Je foto is opgeslagen.")
    expect_image_loaded(anna.locator("#photo img.avatar"))

    anna.get_by_role("link", name="Je profiel bekijken").click()
    expect(heading(anna)).to_have_text(ANNA[1])
    handle = re.fullmatch(re.escape(base) + r"/people/([\w-]+)/", anna.url).group(1)
    profile_url = base + reverse("person", args=[handle])
    expect(anna.locator(".profile-head .headline")).to_have_text("Teamcoach & trainer")
    about = anna.locator(".profile .prose").first
    expect(about.locator("strong")).to_have_text("samenwerken")
    expect(about).to_contain_text("Bel gerust.")
    # The <script> is gone from the page, and nothing of it ran.
    expect(about.locator("script")).to_have_count(0)
    expect(about).not_to_contain_text("dataset.injected")
    assert anna.evaluate("document.body.dataset.injected") is None
    expect_image_loaded(anna.locator(".profile-head img.avatar"))
    shot(anna, "contact-01-own-profile")

    # --- Bram finds her by skill and asks to connect -----------------------------------
    bram = new_page()
    bram.goto(base + "/")
    sign_in_with_password(bram, BRAM[0], PASSWORD)
    expect(bram).to_have_url(base + "/")
    expect(nav_link(bram, "people")).to_have_text("Mensen")
    nav_link(bram, "people").click()
    expect(heading(bram)).to_have_text("Mensen")
    search = bram.get_by_role("search")
    # The form searches as one types (after a pause) and on the button; wait for both
    # answers, so that no late swap replaces the results under the clicks below.
    searched = re.compile(r"/people/\?.*skill=python")
    with bram.expect_response(searched):
        search.get_by_label("Vaardigheid").fill("python")
    with bram.expect_response(searched):
        search.get_by_role("button", name="Zoeken").click()
    card = bram.locator("#directory-results .person-card", has_text=ANNA[1])
    expect(card).to_have_count(1)
    expect(card.locator(".tags")).to_contain_text("Python")
    expect_image_loaded(card.locator("img.avatar"))
    expect(bram).to_have_url(re.compile(r"/people/\?skill=python$"))
    shot(bram, "contact-02-search-by-skill")
    card.get_by_role("link", name=ANNA[1]).click()

    expect(bram).to_have_url(profile_url)
    actions = bram.locator(".profile-actions")
    actions.locator("summary", has_text="Verbinden").click()
    connect = actions.locator(f"form[action='{reverse('person_connect', args=[handle])}']")
    connect.get_by_label("Een korte toelichting (optioneel)").fill(NOTE)
    connect.get_by_role("button", name="Verzoek versturen").click()
    expect(bram.locator("main .messages")).to_contain_text("Je connectieverzoek is verstuurd.")
    expect(actions).to_contain_text("Verzoek verstuurd")

    # --- Anna accepts on her network page, without a page load -------------------------
    nav_link(anna, "network").click()
    expect(heading(anna)).to_have_text("Jouw netwerk")
    request_row = anna.locator("section[aria-labelledby=received] li", has_text=BRAM[1])
    expect(request_row.locator("blockquote.note")).to_have_text(NOTE)
    shot(anna, "contact-03-request-received")
    anna.evaluate("window.stillTheSamePage = true")
    request_row.get_by_role("button", name=re.compile(r"^Accepteren")).click()
    expect(anna.locator("section[aria-labelledby=received] li[role=status]")).to_have_text(
        f"Jij en {BRAM[1]} zijn nu connecties.")
    assert anna.evaluate("window.stillTheSamePage") is True, "accepting reloaded the page"
    anna.reload()
    connections = anna.locator("section[aria-labelledby=connections] li", has_text=BRAM[1])
    expect(connections).to_have_count(1)

    # --- Bram endorses her Python --------------------------------------------------------
    bram.reload()
    expect(bram.locator(".profile-head")).to_contain_text("Verbonden")
    python = bram.locator("li.skill", has=bram.locator(".skill-name", has_text="Python"))
    expect(python.locator(".count")).to_have_count(0)
    python.get_by_role("button", name=re.compile(r"^Onderschrijven")).click()
    expect(python.locator(".count")).to_have_text(re.compile(r"^1 "))
    expect(python.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    coaching = bram.locator("li.skill", has=bram.locator(".skill-name", has_text="Coaching"))
    expect(coaching.locator(".count")).to_have_count(0)

    # --- Bram writes her from her profile ----------------------------------------------
    actions.get_by_role("link", name="Bericht", exact=True).click()
    expect(heading(bram)).to_have_text("Berichten")
    direct = bram.locator(f"form[action='{reverse('conversation_start')}']")
    expect(direct.locator("select")).to_have_value(handle)
    direct.get_by_role("textbox").fill("Hallo A")
    direct.get_by_role("button", name="Versturen").click()
    expect(heading(bram)).to_have_text(ANNA[1])
    expect(bram.locator("#thread li.msg.mine")).to_contain_text("Hallo A")

    # --- Anna sees the unread badge, reads, and the badge goes away ----------------------
    messages = nav_link(anna, "conversations")
    expect(messages.locator(".count")).to_have_count(0)
    anna.reload()
    expect(messages.locator(".count")).to_have_text("1")
    messages.click()
    conversation = anna.locator(".conv-item.unread", has_text=BRAM[1])
    expect(conversation).to_contain_text("Hallo A")
    shot(anna, "contact-04-unread-message")
    conversation.locator("a.conv-link").click()
    expect(heading(anna)).to_have_text(BRAM[1])
    expect(anna.locator("#thread li.msg:not(.mine)")).to_contain_text("Hallo A")
    expect(anna.locator("#thread li.msg .msg-sender")).to_have_text(BRAM[1])
    expect(messages.locator(".count")).to_have_count(0)
    nav_link(anna, "conversations").click()
    expect(anna.locator(".conv-item", has_text=BRAM[1])).not_to_have_class(re.compile("unread"))

    # --- The footer switch turns the pages English, and back to Dutch -------------------
    expect(nav_link(anna, "people")).to_have_text("Mensen")
    anna.locator("footer #language-select").select_option("en")
    anna.locator("footer .language-switch button").click()
    expect(anna.locator("html")).to_have_attribute("lang", "en")
    expect(anna).to_have_url(base + reverse("conversations"))
    expect(nav_link(anna, "people")).to_have_text("People")
    expect(nav_link(anna, "network")).to_have_text("Network")
    expect(heading(anna)).to_have_text("Messages")
    anna.locator(".site-header .brand").click()
    anna.locator(f"main a[href='{reverse('person', args=[handle])}']").click()
    expect(anna.locator("#who-sees")).to_have_text("Who sees what")
    # Her own profile counts Bram's endorsement too.
    endorsed = anna.locator("li.skill", has=anna.locator(".skill-name", has_text="Python"))
    expect(endorsed.locator(".count")).to_have_text(re.compile(r"^1 "))
    shot(anna, "contact-05-profile-in-english")
    anna.locator("footer #language-select").select_option("nl")
    anna.locator("footer .language-switch button").click()
    expect(anna.locator("html")).to_have_attribute("lang", "nl")
    expect(nav_link(anna, "people")).to_have_text("Mensen")
    expect(anna.locator("#who-sees")).to_have_text("Wie ziet wat")

    watch.assert_clean()
