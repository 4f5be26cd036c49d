"""The people pages: directory, profiles, the profile editor, your network, recommendations."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext, override_settings
from PIL import Image

from weconomics.conftest import WORLD_SEES, make_account
from weconomics.contacts import services
from weconomics.contacts.models import (
    ConnectionRequest,
    Endorsement,
    Experience,
    NetworkRole,
    Person,
    Recommendation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The assertions read English interface text; Dutch is the default.
    client.cookies["django_language"] = "en"


def as_viewer(client, account):
    client.logout()
    client.cookies["django_language"] = "en"
    if account is not None:
        client.force_login(account)
    return client


def picture(size=(200, 200), fmt="JPEG", name="me.jpg", noise=False) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (20, 120, 100))
    if noise:
        image = Image.effect_noise(size, 80).convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def world_with_photo_and_recommendation(world):
    """The world's owner with a photo and an approved recommendation from their connection."""
    services.set_photo(actor=world.owner, upload=picture())
    services.write_recommendation(actor=world.connection, handle=world.handle,
                                  body="Olivia is a *steady* facilitator.")
    rec = Recommendation.objects.get(subject__handle=world.handle)
    services.decide_recommendation(actor=world.owner, recommendation_id=rec.pk, approve=True)
    return world


# What on the page shows that a section is there: content only that section holds.
MARKERS = {
    "photo": "/photo?v=",
    "about": "Hello <em>world</em>",
    "skills": "Python",
    "experience": "Team coach",
    "education": "Hogeschool",
    "languages": "Dutch",
    "region": "Utrecht",
    "availability": "20 hours per month",
    "links": "olivia.example.org",
    "recommendations": "<em>steady</em> facilitator",
}


# --- the profile page: the access matrix -----------------------------------------------

@pytest.mark.parametrize("viewer", list(WORLD_SEES))
def test_each_viewer_sees_exactly_their_sections_on_the_profile_page(
        client, world_with_photo_and_recommendation, viewer):
    world = world_with_photo_and_recommendation
    page = as_viewer(client, getattr(world, viewer)).get(f"/people/{world.handle}/")
    html = text_of(page)
    assert page.status_code == 200
    assert "Olivia Owner" in html and "Coach" in html
    for section, marker in MARKERS.items():
        assert (marker in html) is (section in WORLD_SEES[viewer]), (viewer, section)


@pytest.mark.parametrize("viewer", list(WORLD_SEES))
def test_the_photo_is_sent_only_to_viewers_who_may_see_it(
        client, world_with_photo_and_recommendation, viewer):
    world = world_with_photo_and_recommendation
    response = as_viewer(client, getattr(world, viewer)).get(f"/people/{world.handle}/photo")
    if "photo" in WORLD_SEES[viewer]:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    else:
        assert response.status_code == 404


def test_a_profile_without_a_photo_has_no_photo_address(client, world):
    assert as_viewer(client, world.owner).get(f"/people/{world.handle}/photo").status_code == 404


def test_the_owner_sees_edit_and_who_sees_what(client, world):
    html = text_of(as_viewer(client, world.owner).get(f"/people/{world.handle}/"))
    assert 'href="/profile/"' in html and "Who sees what" in html
    assert "Only me" in html and "My connections" in html
    assert "/connect/" not in html and "/block/" not in html


def test_a_stranger_can_connect_block_and_report_but_not_message(client, world):
    html = text_of(as_viewer(client, world.stranger).get(f"/people/{world.handle}/"))
    assert f"/people/{world.handle}/connect/" in html
    assert f"/people/{world.handle}/block/" in html and f"/people/{world.handle}/report/" in html
    assert "?to=" not in html and "/endorse/" not in html


def test_a_connection_can_message_endorse_and_recommend(client, world):
    html = text_of(as_viewer(client, world.connection).get(f"/people/{world.handle}/"))
    assert f'href="/messages/?to={world.handle}"' in html
    assert "/endorse/" in html and "/recommendation/write/" in html
    assert "/recommendation/ask/" in html and "/disconnect/" in html
    assert "/connect/" not in html


def test_a_blocked_viewer_sees_no_connect_message_or_endorse(client, world):
    html = text_of(as_viewer(client, world.blocked).get(f"/people/{world.handle}/"))
    assert "/connect/" not in html and "?to=" not in html and "/endorse/" not in html


def test_a_visitor_is_asked_to_sign_in_to_connect(client, world):
    html = text_of(as_viewer(client, None).get(f"/people/{world.handle}/"))
    assert "/accounts/login/?next=" in html and "/connect/" not in html


def test_an_unknown_or_hidden_profile_is_not_found(client, world):
    assert as_viewer(client, world.stranger).get("/people/nobody-here/").status_code == 404
    services.update_profile(actor=world.owner, profile_visibility="connections")
    assert client.get(f"/people/{world.handle}/").status_code == 404
    assert as_viewer(client, world.connection).get(
        f"/people/{world.handle}/").status_code == 200


def test_html_in_the_about_text_and_headline_is_inert(client, world):
    services.update_profile(
        actor=world.owner, headline='<script>alert("head")</script>',
        about='<script>alert("about")</script> **bold** <img src=x onerror=alert(1)> '
              '[link](javascript:alert(2))')
    html = text_of(as_viewer(client, world.stranger).get(f"/people/{world.handle}/"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;head&quot;)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html
    assert "onerror" not in html and "javascript:alert" not in html


# --- the directory ----------------------------------------------------------------------

def directory_names(client, viewer, **params) -> str:
    return text_of(as_viewer(client, viewer).get("/people/", params))


@pytest.mark.parametrize("params, viewer, found", [
    ({"q": "olivia"}, "stranger", True),
    ({"q": "olivia owner"}, "anonymous", True),
    ({"q": "nobody"}, "fellow", False),
    ({"skill": "python"}, "fellow", True),
    ({"skill": "python"}, "stranger", False),
    ({"region": "utrecht"}, "connection", True),
    ({"region": "utrecht"}, "anonymous", False),
    ({"community": "coaches"}, "fellow", True),
    ({"community": "coaches"}, "stranger", True),
    ({"q": "olivia"}, "blocked", False),
])
def test_the_directory_searches_and_respects_visibility_and_blocks(client, world, params,
                                                                    viewer, found):
    html = directory_names(client, getattr(world, viewer), **params)
    assert (f'href="/people/{world.handle}/"' in html) is found


def test_the_directory_searches_by_role(client, world):
    services.add_role(actor=world.owner, role="product_supplier")
    assert world.handle in directory_names(client, world.stranger, role="product_supplier")
    assert world.handle not in directory_names(client, world.stranger, role="customer")


def test_a_community_the_viewer_may_not_list_gives_no_results(client, world):
    world.community.visibility = "listed"
    world.community.save()
    html = directory_names(client, world.stranger, community="coaches")
    assert world.handle not in html and "Select a valid choice" in html


def test_the_owner_does_not_find_the_person_they_blocked(client, world):
    blocked_handle = world.blocked.person.handle
    html = directory_names(client, world.owner, q="boris")
    assert blocked_handle not in html


def results(html: str) -> str:
    return html[html.index('id="directory-results"'):]


def test_directory_cards_show_skills_and_region_only_when_visible(client, world):
    fellow_html = results(directory_names(client, world.fellow, q="olivia"))
    stranger_html = results(directory_names(client, world.stranger, q="olivia"))
    assert "Python" in fellow_html and "Utrecht" in fellow_html
    assert "Python" not in stranger_html and "Utrecht" not in stranger_html


def test_a_visitor_finds_only_public_profiles(client, world):
    html = directory_names(client, None)
    assert world.handle in html
    assert world.fellow.person.handle not in html and world.stranger.person.handle not in html


def test_htmx_gets_only_the_results(client, world):
    response = as_viewer(client, world.stranger).get(
        "/people/", {"q": "olivia"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="directory-results")
    html = text_of(response)
    assert "<html" not in html and world.handle in html
    assert "HX-Request" in response["Vary"]


def test_the_directory_pages_through_people(client, db):
    for n in range(23):
        account = make_account(f"p{n}@example.org", f"Page Person {n:02d}")
        services.update_profile(actor=account, profile_visibility="public")
    first = text_of(client.get("/people/"))
    assert "page=2" in first and "Page Person 19" in first and "Page Person 20" not in first
    second = text_of(client.get("/people/", {"page": "2"}))
    assert "Page Person 22" in second and "page=1" in second and "page=3" not in second


def _public_people(start: int, count: int):
    for n in range(start, start + count):
        account = make_account(f"many{n}@example.org", f"Many Person {n}")
        services.update_profile(actor=account, profile_visibility="public",
                                photo_visibility="public", skills_visibility="public",
                                region="Utrecht", region_visibility="public")
        services.set_skills(actor=account, names=["Python", f"Skill {n}"])
        services.add_role(actor=account, role="customer")


def _queries(client, url) -> int:
    client.get(url)  # once before counting: the first request also refreshes the session
    with CaptureQueriesContext(db_connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_directory_runs_the_same_queries_for_3_and_25_people(client, world):
    as_viewer(client, world.fellow)
    _public_people(0, 3)
    few = _queries(client, "/people/?skill=python")
    _public_people(3, 22)
    many = _queries(client, "/people/?skill=python")
    assert few == many


def test_the_network_page_runs_the_same_queries_for_3_and_25_people(client, world):
    def grow(start, count):
        for n in range(start, start + count):
            account = make_account(f"net{n}@example.org", f"Net Person {n}")
            services.set_skills(actor=account, names=["Python"])
            asked = services.request_connection(actor=account, handle=world.handle)
            if n % 2:
                services.respond_to_request(actor=world.owner, request_id=asked.pk,
                                            answer="accept")
    as_viewer(client, world.owner)
    grow(0, 3)
    few = _queries(client, "/network/")
    grow(3, 22)
    many = _queries(client, "/network/")
    assert few == many


# --- connecting, endorsing --------------------------------------------------------------

def test_connect_accept_endorse_and_withdraw(client, world):
    handle = world.handle
    as_viewer(client, world.stranger)
    response = client.post(f"/people/{handle}/connect/", {"note": "We met at the fair."})
    assert response.status_code == 302
    assert "Request sent" in text_of(client.get(f"/people/{handle}/"))

    as_viewer(client, world.owner)
    network = text_of(client.get("/network/"))
    assert "Stan Stranger" in network and "We met at the fair." in network
    asked = ConnectionRequest.objects.get(sender__account=world.stranger, status="pending")
    done = client.post(f"/network/requests/{asked.pk}/accept/", HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "You are now connected with Stan Stranger" in text_of(done)

    as_viewer(client, world.stranger)
    html = text_of(client.get(f"/people/{handle}/"))
    assert "Connected" in html and "Team coach" in html
    python = world.owner.person.person_skills.get(skill__key="python")
    swapped = client.post(f"/people/{handle}/skills/{python.pk}/endorse/",
                          HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and 'class="count"' in text_of(swapped)
    assert Endorsement.objects.filter(person_skill=python).count() == 1
    assert client.post(f"/people/{handle}/skills/{python.pk}/endorse/").status_code == 302
    assert "already endorsed" in text_of(client.get(f"/people/{handle}/"))
    client.post(f"/people/{handle}/skills/{python.pk}/withdraw/")
    assert not Endorsement.objects.filter(person_skill=python).exists()


def test_declining_ignoring_and_withdrawing_requests(client, world):
    as_viewer(client, world.fellow)
    client.post(f"/people/{world.handle}/connect/")
    mine = ConnectionRequest.objects.get(sender__account=world.fellow)
    assert "Withdraw" in text_of(client.get("/network/"))
    client.post(f"/network/requests/{mine.pk}/withdraw/")
    mine.refresh_from_db()
    assert mine.status == "withdrawn"

    as_viewer(client, world.stranger).post(f"/people/{world.handle}/connect/")
    theirs = ConnectionRequest.objects.get(sender__account=world.stranger)
    as_viewer(client, world.owner).post(f"/network/requests/{theirs.pk}/decline/")
    theirs.refresh_from_db()
    assert theirs.status == "declined"
    # Answering again is refused clearly, not with an error page.
    again = client.post(f"/network/requests/{theirs.pk}/accept/", follow=True)
    assert "no longer open" in text_of(again)


def test_removing_a_connection_from_the_network_page(client, world):
    as_viewer(client, world.owner)
    assert "Conny Connection" in text_of(client.get("/network/"))
    response = client.post(f"/people/{world.connection.person.handle}/disconnect/",
                           HTTP_HX_REQUEST="true")
    assert "The connection is removed" in text_of(response)
    assert "Conny Connection" not in text_of(client.get("/network/"))


def test_the_network_page_shows_second_degree_and_suggestions(client, world):
    friend = make_account("fred@example.org", "Fred Friend")
    services.update_profile(actor=world.connection, profile_visibility="public")
    services.update_profile(actor=friend, profile_visibility="public")
    asked = services.request_connection(actor=friend, handle=world.connection.person.handle)
    services.respond_to_request(actor=world.connection, request_id=asked.pk, answer="accept")
    html = text_of(as_viewer(client, world.owner).get("/network/"))
    assert "Connections of your connections" in html and "Fred Friend" in html
    assert "1 mutual" in html
    assert "People you may know" in html
    assert f"/people/{friend.person.handle}/connect/" in html
    # The fellow community member is suggested; the blocked person never is.
    assert "Felix Fellow" in html
    assert f"/people/{world.blocked.person.handle}/connect/" not in html


def test_the_network_page_lists_blocked_people_and_organisations(client, world):
    from weconomics.contacts import organisations

    organisations.create_organisation(actor=world.owner, name="Samen Werkt", kind="cooperative")
    html = text_of(as_viewer(client, world.owner).get("/network/"))
    assert "People you blocked" in html and "Boris Blocked" in html
    assert "Samen Werkt" in html and 'href="/organisations/samen-werkt/"' in html
    client.post(f"/people/{world.blocked.person.handle}/unblock/")
    assert "People you blocked" not in text_of(client.get("/network/"))


def test_the_network_and_recommendation_pages_need_a_sign_in(client, db):
    for url in ("/network/", "/network/recommendations/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- recommendations --------------------------------------------------------------------

def test_ask_write_and_approve_a_recommendation_shows_it_on_the_profile(client, world):
    conny = world.connection.person.handle
    as_viewer(client, world.owner)
    assert client.post(f"/people/{conny}/recommendation/ask/",
                       {"note": "About our coaching work"}).status_code == 302

    as_viewer(client, world.connection)
    page = text_of(client.get("/network/recommendations/"))
    assert "asks you for a recommendation" in page and "About our coaching work" in page
    rec = Recommendation.objects.get(subject__account=world.owner)
    empty = client.post("/network/recommendations/",
                        {"action": "write", "recommendation": rec.pk, f"write-{rec.pk}-body": ""})
    assert empty.status_code == 422
    written = client.post("/network/recommendations/", {
        "action": "write", "recommendation": rec.pk,
        f"write-{rec.pk}-body": "Olivia listens **well**."})
    assert written.status_code == 302
    assert "Waiting for approval" in text_of(client.get("/network/recommendations/"))

    as_viewer(client, world.owner)
    assert "Olivia listens <strong>well</strong>." in text_of(
        client.get("/network/recommendations/"))
    assert "listens" not in text_of(as_viewer(client, world.fellow).get(
        f"/people/{world.handle}/"))
    as_viewer(client, world.owner).post("/network/recommendations/",
                                        {"action": "approve", "recommendation": rec.pk})
    html = text_of(as_viewer(client, world.fellow).get(f"/people/{world.handle}/"))
    assert "Olivia listens <strong>well</strong>." in html and "Conny Connection" in html


def test_writing_a_recommendation_from_the_profile_and_declining_it(client, world):
    as_viewer(client, world.connection)
    client.post(f"/people/{world.handle}/recommendation/write/", {"body": "Reliable."})
    rec = Recommendation.objects.get(subject__account=world.owner)
    assert rec.status == "written"
    as_viewer(client, world.owner).post("/network/recommendations/",
                                        {"action": "decline", "recommendation": rec.pk})
    rec.refresh_from_db()
    assert rec.status == "declined"
    assert "Reliable." not in text_of(client.get(f"/people/{world.handle}/"))


def test_a_stranger_cannot_ask_for_a_recommendation(client, world):
    response = as_viewer(client, world.stranger).post(
        f"/people/{world.handle}/recommendation/ask/", {"note": "Please"})
    assert response.status_code == 403
    assert "only your connections" in text_of(response)
    assert not Recommendation.objects.exists()


# --- blocks and bad input ---------------------------------------------------------------

def test_a_block_hides_from_the_directory_and_stops_connecting(client, world):
    stan = world.stranger.person.handle
    services.update_profile(actor=world.stranger, profile_visibility="public")
    as_viewer(client, world.owner).post(f"/people/{stan}/block/")
    assert world.handle not in directory_names(client, world.stranger, q="olivia")
    html = text_of(as_viewer(client, world.stranger).get(f"/people/{world.handle}/"))
    assert "/connect/" not in html
    response = client.post(f"/people/{world.handle}/connect/", {"note": "hi"})
    assert response.status_code == 403 and "You cannot connect with this person" in text_of(
        response)
    assert not ConnectionRequest.objects.filter(sender__account=world.stranger).exists()


def test_connecting_with_yourself_is_refused(client, world):
    response = as_viewer(client, world.owner).post(f"/people/{world.handle}/connect/")
    assert response.status_code == 422 and "cannot connect with yourself" in text_of(response)
    assert not ConnectionRequest.objects.filter(sender__account=world.owner,
                                                recipient__account=world.owner).exists()


def test_a_duplicate_request_is_refused_and_keeps_the_note(client, world):
    as_viewer(client, world.stranger)
    client.post(f"/people/{world.handle}/connect/", {"note": "First"})
    response = client.post(f"/people/{world.handle}/connect/", {"note": "Second try"})
    assert response.status_code == 409 and "already asked" in text_of(response)
    assert ConnectionRequest.objects.filter(sender__account=world.stranger).count() == 1


def test_a_request_to_a_person_who_blocked_you_is_refused(client, world):
    response = as_viewer(client, world.blocked).post(f"/people/{world.handle}/connect/")
    assert response.status_code == 403
    assert not ConnectionRequest.objects.filter(sender__account=world.blocked).exists()


def test_a_note_that_is_too_long_is_refused(client, world):
    response = as_viewer(client, world.stranger).post(f"/people/{world.handle}/connect/",
                                                      {"note": "x" * 301})
    assert response.status_code == 422
    assert not ConnectionRequest.objects.exists() or not ConnectionRequest.objects.filter(
        sender__account=world.stranger).exists()


def test_endorsing_someone_you_are_not_connected_with_is_refused(client, world):
    python = world.owner.person.person_skills.get(skill__key="python")
    response = as_viewer(client, world.fellow).post(
        f"/people/{world.handle}/skills/{python.pk}/endorse/", follow=True)
    assert response.status_code == 200
    assert "only the skills of your connections" in text_of(response)
    assert not Endorsement.objects.exists()


def test_reporting_a_profile(client, world):
    as_viewer(client, world.stranger)
    bad = client.post(f"/people/{world.handle}/report/", {"reason": "nonsense"})
    assert bad.status_code == 422
    good = client.post(f"/people/{world.handle}/report/",
                       {"reason": "spam", "details": "Sells things"}, follow=True)
    assert "moderators will look" in text_of(good)
    from weconomics.contacts.models import Report

    assert Report.objects.get().reason == "spam"


def test_actions_need_a_post(client, world):
    as_viewer(client, world.stranger)
    assert client.get(f"/people/{world.handle}/connect/").status_code == 405
    assert client.get(f"/people/{world.handle}/block/").status_code == 405


# --- the profile editor -----------------------------------------------------------------

def profile_data(person: Person, **changes) -> dict:
    data = {
        "display_name": person.display_name, "handle": person.handle, "headline": "",
        "about": "", "region": "", "skills": "", "hours_per_month": "", "available_from": "",
        "language_rows": "2", "link_rows": "2", "specialty": "",
    }
    for section in ("profile", "photo", "about", "skills", "experience", "education",
                    "languages", "region", "availability", "links", "recommendations"):
        data[f"{section}_visibility"] = getattr(person, f"{section}_visibility")
    data.update(changes)
    return data


def test_a_new_account_gets_a_profile_to_edit(client, db):
    account = make_account("new@example.org", "Nina Nieuw")
    html = text_of(as_viewer(client, account).get("/profile/"))
    assert "Nina Nieuw" in html and 'enctype="multipart/form-data"' in html
    assert Person.objects.get(account=account).handle == "nina-nieuw"


def test_saving_the_profile(client, owner):
    as_viewer(client, owner)
    person = services.ensure_person(owner)
    response = client.post("/profile/", profile_data(
        person, display_name="Olivia O.", handle="olivia-o", headline="Coach",
        about="I *coach*.", region="Utrecht", skills="Coaching, Python, coaching",
        hours_per_month="12", available_from="2027-02-01",
        language_0="nl", level_0="native", language_1="en", level_1="good",
        link_label_0="Site", link_url_0="https://olivia.example.org/",
        skills_visibility="public", roles=["customer", "network_supplier"], specialty="it"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.handle, person.hours_per_month) == (
        "Olivia O.", "olivia-o", 12)
    assert person.languages == [{"code": "nl", "level": "native"},
                                {"code": "en", "level": "good"}]
    assert person.links == [{"label": "Site", "url": "https://olivia.example.org/"}]
    assert person.skills_visibility == "public"
    assert [ps.skill.name for ps in person.person_skills.all()] == ["Coaching", "Python"]
    assert {(r.role, r.specialty) for r in person.roles.all()} == {
        ("customer", ""), ("network_supplier", "it")}
    html = text_of(client.get("/profile/"))
    assert 'value="Coaching, Python"' in html

    client.post("/profile/", profile_data(person, roles=["customer"]))
    assert [r.role for r in person.roles.all()] == ["customer"]


def test_the_supervisor_role_is_shown_but_cannot_be_chosen(client, owner, admin_account):
    person = services.ensure_person(owner)
    services.grant_supervisor(actor=admin_account, person=person)
    as_viewer(client, owner)
    html = text_of(client.get("/profile/"))
    assert "granted you the supervisor role" in html and 'value="supervisor"' not in html
    response = client.post("/profile/", profile_data(person, roles=["supervisor"]))
    assert response.status_code == 422
    client.post("/profile/", profile_data(person))
    assert NetworkRole.objects.filter(person=person, role="supervisor").exists()


def test_a_taken_profile_address_is_a_form_error(client, owner, member):
    services.ensure_person(member)
    person = services.ensure_person(owner)
    response = as_viewer(client, owner).post("/profile/", profile_data(
        person, handle=member.person.handle, headline="Changed"))
    assert response.status_code == 422 and "That profile address is taken" in text_of(response)
    person.refresh_from_db()
    assert person.headline == "" and person.handle != member.person.handle


@pytest.mark.parametrize("changes, message", [
    ({"display_name": ""}, "This field is required"),
    ({"headline": "two\nlines"}, "no line breaks"),
    ({"hours_per_month": "900"}, "744"),
    ({"available_from": "soon"}, "Enter a valid date"),
    ({"language_0": "nl"}, "Choose a level"),
    ({"link_url_0": "not a url"}, "Enter a valid URL"),
    ({"link_url_0": "ftp://files.example.org/"}, "is not a web address"),
    ({"skills": "x" * 61}, "at most 60 characters"),
    ({"profile_visibility": "everyone"}, "Select a valid choice"),
])
def test_bad_profile_input_is_a_form_error_and_nothing_is_saved(client, owner, changes,
                                                                  message):
    person = services.ensure_person(owner)
    data = profile_data(person, headline="Should not be saved")
    data.update(changes)
    response = as_viewer(client, owner).post("/profile/", data)
    assert response.status_code == 422
    assert message in text_of(response)
    person.refresh_from_db()
    assert person.headline == ""


def test_adding_editing_and_removing_experience_and_education(client, owner):
    as_viewer(client, owner)
    response = client.post("/profile/experience/", {
        "experience-new-title": "Team coach", "experience-new-organisation_name": "Samen",
        "experience-new-started_on": "2020-01-01"})
    assert response.status_code == 302
    entry = Experience.objects.get(title="Team coach")
    client.post(f"/profile/experience/{entry.pk}/", {
        f"experience-{entry.pk}-title": "Lead coach",
        f"experience-{entry.pk}-started_on": "2020-01-01",
        f"experience-{entry.pk}-ended_on": "2021-01-01"})
    entry.refresh_from_db()
    assert entry.title == "Lead coach" and str(entry.ended_on) == "2021-01-01"
    bad = client.post(f"/profile/experience/{entry.pk}/", {
        f"experience-{entry.pk}-title": "Lead coach",
        f"experience-{entry.pk}-started_on": "2020-01-01",
        f"experience-{entry.pk}-ended_on": "2019-01-01"})
    assert bad.status_code == 422 and "cannot be before the start" in text_of(bad)
    client.post(f"/profile/experience/{entry.pk}/remove/")
    assert not Experience.objects.exists()

    client.post("/profile/education/", {"education-new-institution": "Hogeschool",
                                        "education-new-qualification": "Bachelor"})
    assert "Hogeschool" in text_of(client.get("/profile/"))


def test_someone_elses_entry_cannot_be_changed(client, owner, member):
    entry = services.save_experience(actor=member, title="Mine", started_on="2020-01-01")
    as_viewer(client, owner)
    response = client.post(f"/profile/experience/{entry.pk}/", {
        f"experience-{entry.pk}-title": "Stolen",
        f"experience-{entry.pk}-started_on": "2020-01-01"})
    assert response.status_code == 404
    client.post(f"/profile/experience/{entry.pk}/remove/")
    entry.refresh_from_db()
    assert entry.title == "Mine"


def test_uploading_and_removing_a_photo(client, owner):
    as_viewer(client, owner)
    assert client.post("/profile/photo/", {"photo": picture(fmt="PNG", name="me.png")}
                       ).status_code == 302
    person = Person.objects.get(account=owner)
    assert person.photo
    assert client.get(f"/people/{person.handle}/photo").status_code == 200
    client.post("/profile/photo/", {"remove": "1"})
    person.refresh_from_db()
    assert not person.photo


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("x.jpg", b"just some text, not a picture", content_type="image/jpeg"),
     "not a picture we can read"),
    (picture(size=(10, 10)), "too small"),
])
def test_a_bad_photo_is_refused_with_a_clear_message(client, owner, upload, message):
    response = as_viewer(client, owner).post("/profile/photo/", {"photo": upload})
    assert response.status_code == 422 and message in text_of(response)
    assert not Person.objects.get(account=owner).photo


@override_settings(PHOTO_MAX_BYTES=10_000)
def test_an_oversized_photo_is_refused(client, owner):
    big = picture(size=(400, 400), noise=True)
    assert big.size > 10_000
    response = as_viewer(client, owner).post("/profile/photo/", {"photo": big})
    assert response.status_code == 422 and "too large" in text_of(response)
    assert not Person.objects.get(account=owner).photo


def test_the_start_page_shows_the_network_box(client, world):
    html = text_of(as_viewer(client, world.owner).get("/"))
    assert "1 connection" in html and f'href="/people/{world.handle}/"' in html
    assert 'href="/profile/"' in html


def test_script_in_a_headline_is_inert_in_the_directory_too(client, world):
    services.update_profile(actor=world.owner, headline="<script>alert(1)</script>")
    html = directory_names(client, None, q="olivia")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ignoring_a_request_swaps_the_row_and_keeps_it_open_for_the_sender(client, world):
    asked = services.request_connection(actor=world.stranger, handle=world.handle)
    response = as_viewer(client, world.owner).post(
        f"/network/requests/{asked.pk}/ignore/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "You ignored the request of Stan Stranger" in text_of(
        response)
    assert "Stan Stranger" not in text_of(client.get("/network/")).split("Your connections")[0]
    # The sender still sees the request as sent: an ignore is not told.
    assert "Request sent" in text_of(as_viewer(client, world.stranger).get(
        f"/people/{world.handle}/"))


def test_connecting_from_the_network_page_answers_with_a_row(client, world):
    as_viewer(client, world.fellow)
    response = client.post(f"/people/{world.handle}/connect/", {"next": "/network/"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Request sent." in text_of(response)
    refused = client.post(f"/people/{world.handle}/connect/", {"next": "/network/"},
                          HTTP_HX_REQUEST="true")
    assert refused["HX-Refresh"] == "true"
    assert "already asked" in text_of(client.get("/network/"))


def test_asking_the_same_connection_twice_for_a_recommendation_is_refused(client, world):
    conny = world.connection.person.handle
    as_viewer(client, world.owner)
    client.post(f"/people/{conny}/recommendation/ask/")
    again = client.post(f"/people/{conny}/recommendation/ask/", {"note": "Again"})
    assert again.status_code == 409 and "already asked this person" in text_of(again)
    assert Recommendation.objects.count() == 1


def _pages_with_a_handle():
    """Every page whose address takes a handle, from the site's URL configuration itself."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    # The API has its own test over every operation (api/tests/test_invisible_is_not_found).
    return sorted({p for p in walk(get_resolver().url_patterns)
                   if "<slug:handle>" in p and not p.startswith("api/")})


@pytest.mark.parametrize("pattern", _pages_with_a_handle())
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_of_a_hidden_profile_answers_like_an_unknown_handle(client, world, pattern,
                                                                      method):
    from django.contrib.messages import get_messages

    services.update_profile(actor=world.owner, profile_visibility="connections")
    skill_id = world.owner.person.person_skills.first().pk
    answers = []
    for handle in (world.handle, "nobody-by-this-name"):
        as_viewer(client, world.stranger)
        client.cookies.pop("messages", None)
        path = "/" + pattern.replace("<slug:handle>", handle).replace(
            "<int:skill_id>", str(skill_id))
        response = getattr(client, method)(path, {"note": "Hi", "body": "Good", "reason": "spam"})
        said = [str(m) for m in get_messages(response.wsgi_request)]
        answers.append((response.status_code,
                        response.get("Location", "").replace(handle, "HANDLE"), said))
    assert answers[0] == answers[1]
    # 403: a page for platform supervisors refuses everyone else before any lookup.
    assert answers[0][0] in (302, 403, 404, 405)
