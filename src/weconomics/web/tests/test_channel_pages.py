"""A community's channel: home, domains, members, discussion board, curation, own host name.

Isolation is the heart of it: each page is tried by a member, a steward, a supervisor, a
member of an allied community, an outsider and an anonymous visitor, on a public, a
listed and a hidden community.
"""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image

from weconomics.audit.models import AuditRecord
from weconomics.communities import board, publications, services
from weconomics.communities.models import (
    Alliance,
    Article,
    Community,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.conftest import make_account
from weconomics.contacts import services as contacts

pytestmark = pytest.mark.django_db

VIEWERS = ["member", "steward", "supervisor", "ally", "outsider", "anonymous"]
INSIDERS = {"member", "steward", "supervisor"}


def browser(account=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        client.force_login(account)
    return client


def make_community(steward, slug, visibility, **extra) -> Community:
    return services.create_community(
        actor=steward, name=f"The {slug.title()}", slug=slug, purpose=f"Purpose of {slug}",
        audience=f"Audience of {slug}", kind="professional_network", visibility=visibility,
        join_policy="open", **extra)


def add(community, account, role="member") -> Membership:
    return Membership.objects.create(community=community, account=account, role=role)


@pytest.fixture
def world(db):
    """Three communities (public, listed, hidden), each with a member, a steward, a
    supervisor, a topic with a reply, a publication for allies and one for members only;
    an allied community's member; an outsider."""
    people = SimpleNamespace(
        steward=make_account("stella@example.org", "Stella Steward"),
        member=make_account("mira@example.org", "Mira Member"),
        supervisor=make_account("sam@example.org", "Sam Supervisor"),
        ally=make_account("alex@example.org", "Alex Ally"),
        outsider=make_account("otto@example.org", "Otto Outsider"),
        anonymous=None,
        admin=make_account("ada@example.org", "Ada Admin", staff=True),
    )
    for account in (people.steward, people.member, people.supervisor, people.ally):
        # Cards visible to everyone, so the members directory lists them.
        contacts.update_profile(actor=account, profile_visibility="public")
    partner = make_community(people.ally, "partner", "public")
    communities = {}
    for visibility in ("public", "listed", "hidden"):
        community = make_community(people.steward, f"c-{visibility}", visibility)
        add(community, people.member)
        services.appoint_supervisor(actor=people.admin, community=community,
                                    account=people.supervisor)
        Alliance.objects.create(proposer=community, partner=partner,
                                status=Alliance.Status.ACTIVE)
        topic = board.start_topic(actor=people.member, community=community,
                                  title=f"Topic in {visibility}", body="Hello board")
        board.reply(actor=people.steward, community=community, topic_id=topic.pk,
                    body=f"Reply in {visibility}")
        shared = publications.create_article(actor=people.member, title=f"Shared {visibility}",
                                             summary="For allies too", body="Text")
        publications.publish(actor=people.member, content=shared,
                             targets=[(community.slug, "coaching")], allies_may_see=True)
        private = publications.create_article(actor=people.member,
                                              title=f"Private {visibility}", body="Text")
        publications.publish(actor=people.member, content=private,
                             targets=[(community.slug, "advice")], allies_may_see=False)
        communities[visibility] = SimpleNamespace(community=community, topic=topic)
    return SimpleNamespace(people=people, partner=partner, **communities)


def client_for(world, viewer) -> Client:
    return browser(getattr(world.people, viewer))


# --- the isolation matrix ----------------------------------------------------------------

def expected_status(visibility, viewer, page):
    """What each viewer gets on each page of each kind of community."""
    insider = viewer in INSIDERS
    if visibility == "hidden" and not insider:
        return 404
    if page == "curation":
        if viewer == "anonymous":
            return 302
        return 200 if viewer in ("steward", "supervisor") else 403
    if page == "new":
        if viewer == "anonymous":
            return 302
        return 200 if insider else 403
    if insider or visibility == "public":
        return 200
    if page == "home":
        return 200
    if page == "domain":
        return 200 if viewer == "ally" else 403
    return 403  # members, board, topic: a listed community's content is for members


PAGES = {
    "home": "", "domain": "d/coaching/", "members": "members/", "board": "board/",
    "topic": "board/{topic}/", "new": "board/new/", "curation": "manage/publications/",
    "theme": "theme.css",
}


@pytest.mark.parametrize("visibility", ["public", "listed", "hidden"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_channel_page_answers_each_viewer_as_the_visibility_allows(world, visibility,
                                                                         viewer):
    place = getattr(world, visibility)
    client = client_for(world, viewer)
    for page, route in PAGES.items():
        url = f"/c/{place.community.slug}/" + route.format(topic=place.topic.pk)
        response = client.get(url)
        expected = 404 if visibility == "hidden" and viewer not in INSIDERS else (
            200 if page == "theme" else expected_status(visibility, viewer, page))
        assert response.status_code == expected, (page, response.status_code)


@pytest.mark.parametrize("visibility", ["public", "listed", "hidden"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_home_page_shows_only_what_the_viewer_may_see(world, visibility, viewer):
    place = getattr(world, visibility)
    response = client_for(world, viewer).get(f"/c/{place.community.slug}/")
    if visibility == "hidden" and viewer not in INSIDERS:
        assert response.status_code == 404
        assert b"The C-Hidden" not in response.content
        return
    html = response.content.decode()
    assert place.community.name in html
    assert f"Purpose of {place.community.slug}" in html
    assert f"Audience of {place.community.slug}" in html
    sees_content = viewer in INSIDERS or visibility == "public"
    assert (f"Topic in {visibility}" in html) == sees_content
    assert (f"Private {visibility}" in html) == sees_content
    assert ("Mira Member" in html) == (sees_content or viewer == "ally")  # author of a pub
    assert (f"/c/{place.community.slug}/members/" in html) == sees_content
    assert (f"/c/{place.community.slug}/board/" in html) == sees_content
    assert ("3 members" in html) == sees_content
    assert (f"Shared {visibility}" in html) == (sees_content or viewer == "ally")
    if not sees_content and viewer != "ally":
        # Not even the domains or their counts.
        assert "/d/coaching/" not in html and "1 item" not in html


def test_a_listed_community_shows_an_ally_only_what_its_publishers_share_with_allies(world):
    response = browser(world.people.ally).get("/c/c-listed/d/coaching/")
    assert response.status_code == 200
    assert b"Shared listed" in response.content
    assert browser(world.people.ally).get("/c/c-listed/d/advice/").content.count(
        b"Private listed") == 0


def test_the_steward_sees_manage_and_curation_links_and_a_member_does_not(world):
    steward = browser(world.people.steward).get("/c/c-public/").content.decode()
    member = browser(world.people.member).get("/c/c-public/").content.decode()
    supervisor = browser(world.people.supervisor).get("/c/c-public/").content.decode()
    assert 'href="/c/c-public/manage/"' in steward
    assert 'href="/c/c-public/manage/publications/"' in steward
    assert 'href="/c/c-public/manage/"' not in member
    assert "manage/publications/" not in member
    assert "manage/publications/" in supervisor and 'href="/c/c-public/manage/"' not in supervisor


def test_an_unknown_community_or_domain_is_not_found(world):
    client = browser(world.people.member)
    assert client.get("/c/no-such-thing/").status_code == 404
    assert client.get("/c/c-public/d/no-such-domain/").status_code == 404
    assert client.get("/c/c-public/board/999999/").status_code == 404


def test_the_theme_sets_the_colours_as_custom_properties_in_a_stylesheet(world):
    community = world.public.community
    services.update_community(actor=world.people.steward, community=community,
                              colour="#fafafa", accent_colour="#102030")
    response = browser().get("/c/c-public/theme.css")
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--channel-colour: #fafafa" in css and "--channel-accent: #102030" in css
    # Light background, dark text; dark accent, white text.
    assert "--channel-on-colour: #1b2430" in css and "--channel-on-accent: #ffffff" in css
    page = browser().get("/c/c-public/").content.decode()
    assert 'href="/c/c-public/theme.css?v=' in page
    assert "style=" not in page.split("<main", 1)[1]


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "#336699").save(buffer, "JPEG")
    return SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.parametrize("viewer,status", [("member", 200), ("outsider", 404),
                                           ("anonymous", 404), ("ally", 404)])
def test_the_logo_of_a_hidden_community_is_served_only_to_its_members(world, viewer, status):
    services.set_logo(actor=world.people.steward, community=world.hidden.community,
                      upload=jpeg())
    response = client_for(world, viewer).get("/c/c-hidden/logo")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]


def test_the_logo_of_a_listed_community_is_part_of_its_public_face(world):
    services.set_logo(actor=world.people.steward, community=world.listed.community,
                      upload=jpeg())
    assert browser().get("/c/c-listed/logo").status_code == 200
    assert b'src="/c/c-listed/logo?v=' in browser().get("/c/c-listed/").content
    assert browser().get("/c/c-public/logo").status_code == 404  # none uploaded


# --- members ---------------------------------------------------------------------------

def test_the_members_directory_lists_visible_people_with_their_roles_and_the_total(world):
    hidden_card = make_account("quiet@example.org", "Quentin Quiet")
    contacts.update_profile(actor=hidden_card, profile_visibility="private")
    add(world.public.community, hidden_card)
    html = browser(world.people.outsider).get("/c/c-public/members/").content.decode()
    assert "Stella Steward" in html and "Mira Member" in html and "Sam Supervisor" in html
    assert "Quentin Quiet" not in html
    assert "4 members in all" in html
    assert "role-steward" in html and "role-supervisor" in html


def test_the_members_directory_searches_by_name(world):
    html = browser(world.people.member).get("/c/c-public/members/?q=stel").content.decode()
    assert "Stella Steward" in html and "Mira Member" not in html
    empty = browser(world.people.member).get("/c/c-public/members/?q=zzz").content.decode()
    assert "No member you may see matches this name." in empty


# --- the board ---------------------------------------------------------------------------

def test_a_member_starts_a_topic_and_it_is_audited(world):
    client = browser(world.people.member)
    response = client.post("/c/c-public/board/new/", {"title": "Lunch?", "body": "Friday",
                                                       "domain": "coaching"})
    topic = Topic.objects.get(title="Lunch?")
    assert response.status_code == 302
    assert response["Location"] == f"/c/c-public/board/{topic.pk}/"
    assert topic.domain.slug == "coaching" and topic.author == world.people.member
    assert AuditRecord.objects.filter(action="communities.topic_started",
                                      actor=world.people.member).exists()
    board_page = client.get("/c/c-public/board/?domain=coaching").content.decode()
    assert "Lunch?" in board_page and "Topic in public" not in board_page


@pytest.mark.parametrize("data,message", [
    ({"title": "", "body": "Text"}, "Give the topic a title."),
    ({"title": "Title", "body": "   "}, "Write something first."),
    ({"title": "Bad\x07title", "body": "Text"}, "Use no line breaks or control characters."),
    ({"title": "T", "body": "x", "domain": "nope"}, "Select a valid choice."),
])
def test_a_topic_without_title_or_text_is_refused_with_a_message(world, data, message):
    response = browser(world.people.member).post("/c/c-public/board/new/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Topic.objects.filter(body=data["body"]).exists()


def test_an_outsider_cannot_start_a_topic_on_a_public_board(world):
    response = browser(world.people.outsider).post("/c/c-public/board/new/",
                                                   {"title": "Spam", "body": "Buy"})
    assert response.status_code == 403
    assert not Topic.objects.filter(title="Spam").exists()


def test_a_reply_by_a_plain_post_is_added_and_audited(world):
    topic = world.public.topic
    response = browser(world.people.member).post(f"/c/c-public/board/{topic.pk}/reply/",
                                                 {"body": "Count me in"})
    answer = Reply.objects.get(body="Count me in")
    assert response.status_code == 302
    assert response["Location"] == f"/c/c-public/board/{topic.pk}/#reply-{answer.pk}"
    assert AuditRecord.objects.filter(action="communities.replied").count() == 4


def test_a_reply_by_htmx_comes_back_as_a_fragment_with_a_fresh_form(world):
    topic = world.public.topic
    response = browser(world.people.member).post(
        f"/c/c-public/board/{topic.pk}/reply/", {"body": "By *htmx*"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>htmx</em>" in html and 'hx-swap-oob="true"' in html
    assert "<html" not in html


def test_an_empty_reply_by_htmx_retargets_the_form_with_the_message(world):
    topic = world.public.topic
    response = browser(world.people.member).post(
        f"/c/c-public/board/{topic.pk}/reply/", {"body": " "}, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#reply-form"
    assert "Write something first." in response.content.decode()


def test_a_reply_to_a_closed_topic_is_refused_but_a_moderator_may_still_reply(world):
    topic = world.public.topic
    steward = browser(world.people.steward)
    assert steward.post(f"/c/c-public/board/{topic.pk}/moderate/",
                        {"action": "close"}).status_code == 302
    response = browser(world.people.member).post(f"/c/c-public/board/{topic.pk}/reply/",
                                                 {"body": "Too late"})
    assert response.status_code == 409
    assert "This topic is closed for replies." in response.content.decode()
    assert not Reply.objects.filter(body="Too late").exists()
    assert steward.post(f"/c/c-public/board/{topic.pk}/reply/",
                        {"body": "Closing words"}).status_code == 302
    assert AuditRecord.objects.filter(action="communities.topic_moderated",
                                      data__locked=True).exists()


def test_an_outsider_cannot_reply_on_a_public_board(world):
    topic = world.public.topic
    response = browser(world.people.outsider).post(f"/c/c-public/board/{topic.pk}/reply/",
                                                   {"body": "Hi"})
    assert response.status_code == 403
    assert "You are not a member of The C-Public." in response.content.decode()


@pytest.mark.parametrize("viewer,status", [("ally", 403), ("outsider", 403),
                                           ("anonymous", 302)])
def test_nobody_outside_replies_on_a_listed_board(world, viewer, status):
    topic = world.listed.topic
    response = client_for(world, viewer).post(f"/c/c-listed/board/{topic.pk}/reply/",
                                              {"body": "Sneaky"})
    assert response.status_code == status
    assert not Reply.objects.filter(body="Sneaky").exists()


def test_the_author_edits_and_deletes_their_topic_and_others_cannot(world):
    topic = world.public.topic
    other = browser(world.people.steward)
    assert other.get(f"/c/c-public/board/{topic.pk}/edit/").status_code == 403
    assert other.post(f"/c/c-public/board/{topic.pk}/delete/").status_code == 403
    author = browser(world.people.member)
    response = author.post(f"/c/c-public/board/{topic.pk}/edit/",
                           {"title": "New title", "body": "New body"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.title, topic.body) == ("New title", "New body")
    assert author.post(f"/c/c-public/board/{topic.pk}/delete/").status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert {"communities.topic_edited", "communities.topic_deleted"} <= set(
        AuditRecord.objects.values_list("action", flat=True))


def test_the_author_edits_and_deletes_their_reply(world):
    topic = world.public.topic
    answer = board.reply(actor=world.people.member, community=world.public.community,
                         topic_id=topic.pk, body="First draft")
    base = f"/c/c-public/board/{topic.pk}/replies/{answer.pk}"
    assert browser(world.people.steward).post(f"{base}/edit/",
                                              {"body": "Hijack"}).status_code == 403
    client = browser(world.people.member)
    assert client.post(f"{base}/edit/", {"body": ""}).status_code == 422
    assert client.post(f"{base}/edit/", {"body": "Final"}).status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Final"
    assert client.post(f"{base}/delete/").status_code == 302
    assert not Reply.objects.filter(pk=answer.pk).exists()


def test_stewards_pin_and_hide_topics_and_members_cannot(world):
    topic = world.public.topic
    url = f"/c/c-public/board/{topic.pk}/moderate/"
    assert browser(world.people.member).post(url, {"action": "pin"}).status_code == 403
    assert browser(world.people.steward).post(url, {"action": "wobble"}).status_code == 422
    supervisor = browser(world.people.supervisor)
    assert supervisor.post(url, {"action": "pin"}).status_code == 302
    assert supervisor.post(url, {"action": "hide"}).status_code == 302
    topic.refresh_from_db()
    assert topic.pinned and topic.hidden_at is not None
    assert browser(world.people.member).get(f"/c/c-public/board/{topic.pk}/").status_code == 404
    assert b"Topic in public" not in browser(world.people.member).get(
        "/c/c-public/board/").content
    assert b"Topic in public" in browser(world.people.steward).get("/c/c-public/board/").content
    supervisor.post(url, {"action": "show"})
    supervisor.post(url, {"action": "unpin"})
    topic.refresh_from_db()
    assert not topic.pinned and topic.hidden_at is None


def test_pinned_topics_come_first_on_the_board(world):
    community = world.public.community
    newer = board.start_topic(actor=world.people.member, community=community,
                              title="Newer topic", body="x")
    board.moderate_topic(actor=world.people.steward, community=community,
                         topic_id=world.public.topic.pk, pinned=True)
    html = browser(world.people.member).get("/c/c-public/board/").content.decode()
    assert html.index("Topic in public") < html.index(newer.title)


def test_stewards_hide_a_reply_and_members_no_longer_see_it(world):
    topic = world.public.topic
    answer = topic.replies.get()
    url = f"/c/c-public/board/{topic.pk}/replies/{answer.pk}/moderate/"
    assert browser(world.people.member).post(url, {"action": "hide"}).status_code == 403
    assert browser(world.people.steward).post(url, {"action": "hide"}).status_code == 302
    member_page = browser(world.people.member).get(f"/c/c-public/board/{topic.pk}/")
    assert b"Reply in public" not in member_page.content
    assert b"Reply in public" in browser(world.people.steward).get(
        f"/c/c-public/board/{topic.pk}/").content
    board_page = browser(world.people.member).get("/c/c-public/board/").content.decode()
    assert "<td>0</td>" in board_page  # the hidden reply is not counted for members
    assert AuditRecord.objects.filter(action="communities.reply_moderated").exists()


# --- curation ----------------------------------------------------------------------------

@pytest.fixture
def waiting(world):
    community = world.listed.community
    services.update_community(actor=world.people.steward, community=community,
                              review_publications=True)
    article = publications.create_article(actor=world.people.member, title="Please approve",
                                          body="Text")
    [publication] = publications.publish(actor=world.people.member, content=article,
                                         targets=[("c-listed", "workshop")])
    assert publication.status == Publication.Status.PENDING
    return publication


def test_the_curation_page_shows_waiting_publications_first(world, waiting):
    html = browser(world.people.steward).get("/c/c-listed/manage/publications/").content
    assert b"Please approve" in html and b"Shared listed" not in html
    shown = browser(world.people.supervisor).get(
        "/c/c-listed/manage/publications/?status=approved").content
    assert b"Shared listed" in shown and b"Please approve" not in shown


def test_a_steward_approves_features_and_hides_and_each_decision_is_audited(world, waiting):
    client = browser(world.people.steward)
    url = f"/c/c-listed/manage/publications/{waiting.pk}/"
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert client.post(url, {"action": "feature"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Publication.Status.APPROVED and waiting.featured
    assert b"Please approve" in browser(world.people.member).get("/c/c-listed/").content
    assert client.post(url, {"action": "hide"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Publication.Status.HIDDEN and not waiting.featured
    assert b"Please approve" not in browser(world.people.member).get("/c/c-listed/").content
    assert [r.data["action"] for r in AuditRecord.objects.filter(
        action="communities.curated").order_by("pk")] == ["approve", "feature", "hide"]
    # The content itself is untouched.
    assert Article.objects.get(title="Please approve").body == "Text"


def test_featuring_a_waiting_publication_says_why_not(world, waiting):
    response = browser(world.people.steward).post(
        f"/c/c-listed/manage/publications/{waiting.pk}/", {"action": "feature"}, follow=True)
    assert "Approve a publication before featuring it." in response.content.decode()


@pytest.mark.parametrize("viewer,status", [("member", 403), ("ally", 403), ("outsider", 403),
                                           ("anonymous", 302)])
def test_curating_as_a_non_steward_changes_nothing(world, waiting, viewer, status):
    response = client_for(world, viewer).post(
        f"/c/c-listed/manage/publications/{waiting.pk}/", {"action": "approve"})
    assert response.status_code == status
    waiting.refresh_from_db()
    assert waiting.status == Publication.Status.PENDING
    assert not AuditRecord.objects.filter(action="communities.curated").exists()


def test_curating_a_publication_of_another_channel_is_not_found(world, waiting):
    response = browser(world.people.steward).post(
        f"/c/c-public/manage/publications/{waiting.pk}/", {"action": "approve"})
    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Publication.Status.PENDING


def test_a_bad_curation_action_is_refused_with_a_message(world, waiting):
    response = browser(world.people.steward).post(
        f"/c/c-listed/manage/publications/{waiting.pk}/", {"action": "burn"}, follow=True)
    assert "Choose approve, hide, feature or unfeature." in response.content.decode()


# --- fixed numbers of queries --------------------------------------------------------------

def grow(world, n):
    """Give the public community n more members, publications and topics."""
    community = world.public.community
    for i in range(n):
        account = make_account(f"grow{n}-{i}@example.org", f"Grown {i}")
        contacts.update_profile(actor=account, profile_visibility="public")
        add(community, account)
        article = publications.create_article(actor=account, title=f"Item {i}", body="x")
        publications.publish(actor=account, content=article,
                             targets=[("c-public", "coaching")])
        topic = board.start_topic(actor=account, community=community, title=f"T {i}",
                                  body="x")
        board.reply(actor=world.people.member, community=community, topic_id=topic.pk,
                    body="y")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/c/c-public/", "/c/c-public/board/",
                                 "/c/c-public/members/", "/c/c-public/d/coaching/",
                                 "/c/c-public/manage/publications/?status=approved"])
def test_channel_pages_run_a_fixed_number_of_queries_whatever_the_size(world, url):
    client = browser(world.people.steward)
    grow(world, 5)
    count_queries(client, url)  # the first request of a session writes it down once
    small = count_queries(client, url)
    grow(world, 45)
    assert count_queries(client, url) == small


# --- own host names ------------------------------------------------------------------------

HOST = "coaches.example.nl"


@pytest.fixture
def hosted(world):
    with override_settings(ALLOWED_HOSTS=["testserver", HOST, "other.example.nl"]):
        for place in (world.public, world.hidden):
            services.update_community(actor=world.people.steward, community=place.community,
                                      host=HOST if place is world.public else
                                      "other.example.nl")
        yield world


def on_host(account=None, host=HOST) -> Client:
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        client.force_login(account)
    return client


def test_the_own_host_name_serves_the_channel_at_the_root(hosted):
    client = on_host(hosted.people.member)
    html = client.get("/").content.decode()
    assert "The C-Public" in html and "Topic in public" in html
    assert 'href="/board/"' in html and 'href="/members/"' in html
    assert 'href="/d/coaching/"' in html and 'href="/theme.css?v=' in html
    assert client.get("/board/").status_code == 200
    assert client.get(f"/board/{hosted.public.topic.pk}/").status_code == 200
    assert b"Mira Member" in client.get("/members/").content
    assert b"Shared public" in client.get("/d/coaching/").content
    assert client.get("/theme.css")["Content-Type"].startswith("text/css")


def test_a_reply_on_the_own_host_name_goes_back_to_the_channel_there(hosted):
    topic = hosted.public.topic
    response = on_host(hosted.people.member).post(f"/board/{topic.pk}/reply/",
                                                  {"body": "From the host"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/board/{topic.pk}/#reply-")


def test_the_rest_of_the_site_still_works_on_the_own_host_name(hosted):
    client = on_host()
    # Signing in on a channel host hands over to the platform (web/channel_signin.py).
    assert client.get("/accounts/login/")["Location"].startswith("/channel-auth/login")
    assert client.get("/accounts/password/reset/").status_code == 200
    assert client.get("/c/c-listed/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_hidden_community_on_its_own_host_is_not_found_for_outsiders(hosted):
    assert on_host(None, "other.example.nl").get("/").status_code == 404
    assert on_host(hosted.people.outsider, "other.example.nl").get("/board/").status_code == 404
    assert on_host(hosted.people.member, "other.example.nl").get("/").status_code == 200


def test_the_platform_host_is_not_a_channel(hosted):
    assert b'class="channel"' not in browser().get("/").content
    with CaptureQueriesContext(connection) as queries:
        browser().get("/healthz")
    assert not any("communities_community" in q["sql"] for q in queries.captured_queries)


def test_an_unknown_host_name_gets_the_platform_itself(hosted):
    with override_settings(ALLOWED_HOSTS=["testserver", HOST, "plain.example.nl"]):
        response = on_host(None, "plain.example.nl").get("/")
    assert response.status_code == 200
    assert b'class="channel"' not in response.content
