"""The community pages: directory, starting one in three steps, joining and leaving,
invitations, and the stewards' pages (settings, domains, members, alliances, supervisor)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from PIL import Image

from weconomics.audit.models import AuditRecord
from weconomics.communities import services
from weconomics.communities.models import (
    Alliance,
    Community,
    CommunityDomain,
    Invitation,
    JoinRequest,
    Membership,
)
from weconomics.conftest import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The messages checked below are the English source texts.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def english_client(account=None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        browser.force_login(account)
    return browser


def start(actor, name="Coaches Collectief", slug="coaches", kind="professional_network",
          **fields) -> Community:
    return services.create_community(actor=actor, name=name, slug=slug, purpose="Share work",
                                     audience="Coaches", kind=kind, **fields)


def add(community, steward, account, role="member"):
    _invitation, token = services.invite(actor=steward, community=community,
                                         email=account.email, role=role)
    return services.accept_invitation(actor=account, token=token)


def role_of(community, account):
    found = Membership.objects.filter(community=community, account=account).first()
    return found.role if found else None


def actions():
    return set(AuditRecord.objects.values_list("action", flat=True))


def html_of(response) -> str:
    return response.content.decode()


STEP_ONE = {"step": "1", "name": "Leerkring Zorg", "slug": "", "kind": "learning_community",
            "purpose": "Samen leren in de zorg."}
STEP_TWO = {"step": "2", "audience": "Zorgprofessionals", "visibility": "public",
            "join_policy": "approval"}


# --- the directory -------------------------------------------------------------------------

def test_the_directory_lists_finds_and_hides_what_it_must(client, owner, member, outsider):
    start(owner)
    start(owner, "SSC Zorg", "ssc", "shared_service_centre", visibility="listed",
          join_policy="invitation")
    start(owner, "Buurt Oost", "buurt", "neighbourhood", visibility="hidden")
    html = html_of(client.get("/communities/"))
    assert "Coaches Collectief" in html and "SSC Zorg" in html and "Buurt Oost" not in html
    assert "Open to join" in html and "By invitation only" in html
    assert "1 member" in html  # the public one shows its count ...
    assert html.count("1 member") == 1  # ... the listed one does not
    assert 'href="/communities/new/"' in html
    found = html_of(client.get("/communities/?q=ssc&kind=shared_service_centre"))
    assert "SSC Zorg" in found and "Coaches Collectief" not in found
    mine = english_client(owner)
    assert "Buurt Oost" in html_of(mine.get("/communities/?mine=on"))
    assert "Buurt Oost" not in html_of(english_client(outsider).get("/communities/?q=buurt"))
    for query in ("?kind=spaceship", "?page=abc", "?page=-3", "?page=99999", "?q=" + "x" * 500):
        assert client.get("/communities/" + query).status_code == 200


def test_the_directory_answers_htmx_with_only_the_results(client, owner):
    start(owner)
    response = client.get("/communities/?q=coach", HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="community-results")
    html = html_of(response)
    assert "Coaches Collectief" in html and "<html" not in html
    assert response["HX-Push-Url"] == "/communities/?q=coach"


def test_the_directory_pages_in_a_fixed_number_of_queries(client, owner,
                                                          django_assert_max_num_queries):
    for n in range(3):
        start(owner, f"Community {n}", f"community-{n}")
    viewer = english_client(owner)
    with django_assert_max_num_queries(12) as few:
        assert viewer.get("/communities/").status_code == 200
    for n in range(3, 30):
        start(owner, f"Community {n}", f"community-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = html_of(viewer.get("/communities/"))
    assert 'rel="next"' in html
    assert "Community 9" in html_of(viewer.get("/communities/?page=2"))


# --- starting a community in three steps -------------------------------------------------

def test_starting_a_community_takes_three_steps_and_lands_on_the_invite_page(client, owner):
    client.force_login(owner)
    first = client.get("/communities/new/")
    assert first.status_code == 200 and "Step 1 of 3" in html_of(first)
    response = client.post("/communities/new/", STEP_ONE)
    assert response.status_code == 302 and response["Location"] == "/communities/new/?step=2"
    second = html_of(client.get(response["Location"]))
    assert "Step 2 of 3" in second
    # The template of a learning community fills in public and open.
    assert re.search(r'value="public"[^>]*checked', second)
    assert re.search(r'value="open"[^>]*checked', second)
    response = client.post("/communities/new/", STEP_TWO)
    assert response["Location"] == "/communities/new/?step=3"
    third = html_of(client.get(response["Location"]))
    assert "Step 3 of 3" in third and "/c/leerkring-zorg/" in third
    assert re.search(r'value="training"[^>]*checked', third)
    assert not re.search(r'value="recruitment"[^>]*checked', third)
    assert not Community.objects.exists()
    response = client.post("/communities/new/", {"step": "3", "domains": ["training", "wiki"]})
    assert response.status_code == 302
    assert response["Location"] == "/c/leerkring-zorg/manage/invite/"
    community = Community.objects.get(slug="leerkring-zorg")
    assert (community.kind, community.audience, community.join_policy) == (
        "learning_community", "Zorgprofessionals", "approval")
    assert set(CommunityDomain.objects.filter(community=community)
               .values_list("kind__slug", flat=True)) == {"training", "wiki"}
    assert role_of(community, owner) == "steward"
    assert "communities.created" in actions()
    landing = client.get(response["Location"])
    assert landing.status_code == 200 and "Make an invitation link" in html_of(landing)
    # The wizard starts afresh afterwards.
    assert "Leerkring Zorg" not in html_of(client.get("/communities/new/"))


def test_back_keeps_what_was_typed_and_a_new_kind_refills_the_later_steps(client, owner):
    client.force_login(owner)
    client.post("/communities/new/", STEP_ONE)
    response = client.post("/communities/new/", {**STEP_TWO, "back": "1"})
    assert response["Location"] == "/communities/new/?step=1"
    html = html_of(client.get("/communities/new/?step=1"))
    assert 'value="Leerkring Zorg"' in html and "Samen leren in de zorg." in html
    client.post("/communities/new/", {**STEP_ONE, "kind": "shared_service_centre"})
    html = html_of(client.get("/communities/new/?step=2"))
    assert "Zorgprofessionals" in html  # the target group typed stays
    assert re.search(r'value="invitation"[^>]*checked', html)  # the new kind's policy
    client.post("/communities/new/", {**STEP_TWO, "join_policy": "invitation",
                                      "visibility": "listed"})
    assert re.search(r'value="recruitment"[^>]*checked',
                     html_of(client.get("/communities/new/?step=3")))


def test_a_later_step_cannot_be_reached_before_the_earlier_ones(client, owner):
    client.force_login(owner)
    response = client.get("/communities/new/?step=3")
    assert response["Location"] == "/communities/new/?step=1"
    response = client.post("/communities/new/", {"step": "3", "domains": ["wiki"]})
    assert response["Location"] == "/communities/new/?step=1"
    assert client.get("/communities/new/?step=x").status_code == 200
    assert not Community.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"slug": "coaches"}, "slug", "is taken"),
    ({"slug": "api"}, "slug", "is reserved"),
    ({"slug": "admin"}, "slug", "is reserved"),
    ({"purpose": "   "}, "purpose", "State the community&#x27;s purpose."),
    ({"name": "Line\nbreak"}, "name", "line breaks"),
    ({"kind": "spaceship"}, "kind", "Select a valid choice"),
])
def test_bad_input_on_step_one_shows_there_and_creates_nothing(client, owner, fields, field,
                                                               message):
    start(owner)
    client.force_login(owner)
    response = client.post("/communities/new/", {**STEP_ONE, **fields})
    assert response.status_code == 422
    html = html_of(response)
    assert "Step 1 of 3" in html and message in html and 'class="field has-errors"' in html
    assert Community.objects.count() == 1


def test_bad_input_on_step_two_shows_there(client, owner):
    client.force_login(owner)
    client.post("/communities/new/", STEP_ONE)
    response = client.post("/communities/new/", {**STEP_TWO, "audience": "",
                                                 "visibility": "secret"})
    html = html_of(response)
    assert response.status_code == 422 and "Step 2 of 3" in html
    assert "State who the community is for." in html
    response = client.post("/communities/new/", {"step": "3", "domains": ["wiki"]})
    assert response["Location"] == "/communities/new/?step=2"
    assert not Community.objects.exists()


def test_a_short_name_taken_between_the_steps_sends_back_to_step_one(client, owner, member):
    client.force_login(owner)
    client.post("/communities/new/", {**STEP_ONE, "slug": "kring"})
    client.post("/communities/new/", STEP_TWO)
    start(member, "Someone else", "kring")
    response = client.post("/communities/new/", {"step": "3", "domains": ["wiki"]})
    html = html_of(response)
    assert response.status_code == 409 and "Step 1 of 3" in html and "is taken" in html
    assert Community.objects.count() == 1
    response = client.post("/communities/new/", {"step": "3", "domains": ["nonsense"]})
    assert response.status_code == 422 and Community.objects.count() == 1


def test_starting_needs_an_account(client):
    response = client.get("/communities/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/communities/new/", STEP_ONE).status_code == 302
    assert not Community.objects.exists()


# --- joining and leaving -------------------------------------------------------------------

def test_joining_an_open_community_makes_a_member(client, owner, member):
    start(owner)
    client.force_login(member)
    response = client.post("/c/coaches/join/")
    assert response.status_code == 302 and response["Location"] == "/c/coaches/"
    assert role_of(Community.objects.get(), member) == "member"
    assert "communities.joined" in actions()
    again = client.post("/c/coaches/join/")
    assert again.status_code == 409 and "already a member" in html_of(again)


def test_joining_on_approval_sends_a_request_that_a_steward_approves(client, owner, member):
    community = start(owner, join_policy="approval")
    client.force_login(member)
    response = client.post("/c/coaches/join/", {"message": "I coach teams."})
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert request.message == "I coach teams." and role_of(community, member) is None
    again = client.post("/c/coaches/join/")
    assert again.status_code == 409 and "asked to join" in html_of(again)
    steward = english_client(owner)
    page = html_of(steward.get("/c/coaches/manage/members/"))
    assert "Requests to join" in page and "I coach teams." in page
    response = steward.post(f"/c/coaches/manage/requests/{request.pk}/",
                            {"decision": "approve"})
    assert response.status_code == 302 and role_of(community, member) == "member"
    assert {"communities.join_requested", "communities.join_approved"} <= actions()
    again = steward.post(f"/c/coaches/manage/requests/{request.pk}/", {"decision": "approve"})
    assert again.status_code == 409


def test_a_request_can_be_withdrawn_or_declined(client, owner, member, outsider):
    community = start(owner, join_policy="approval")
    client.force_login(member)
    client.post("/c/coaches/join/")
    response = client.post("/c/coaches/request/withdraw/", {"next": "/settings/communities/"})
    assert response["Location"] == "/settings/communities/"
    assert JoinRequest.objects.get().status == "withdrawn"
    assert client.post("/c/coaches/request/withdraw/").status_code == 404
    services.join(actor=outsider, community=community)
    request = JoinRequest.objects.get(account=outsider)
    english_client(owner).post(f"/c/coaches/manage/requests/{request.pk}/",
                               {"decision": "decline"})
    request.refresh_from_db()
    assert request.status == "declined" and role_of(community, outsider) is None
    assert {"communities.join_request_withdrawn", "communities.join_declined"} <= actions()
    bad = english_client(owner).post(f"/c/coaches/manage/requests/{request.pk}/",
                                     {"decision": "maybe"})
    assert bad.status_code == 422


def test_an_invitation_only_community_says_so(client, owner, member):
    start(owner, join_policy="invitation")
    client.force_login(member)
    response = client.post("/c/coaches/join/")
    assert response.status_code == 403 and "by invitation only" in html_of(response)
    assert not Membership.objects.filter(account=member).exists()


def test_the_last_steward_cannot_leave(client, owner, member):
    community = start(owner)
    add(community, owner, member)
    client.force_login(owner)
    response = client.post("/c/coaches/leave/")
    assert response.status_code == 409 and "needs at least one steward" in html_of(response)
    assert role_of(community, owner) == "steward"
    member_client = english_client(member)
    response = member_client.post("/c/coaches/leave/")
    assert response.status_code == 302 and role_of(community, member) is None
    assert "communities.left" in actions()


def test_joining_and_leaving_need_a_signed_in_post(client, owner):
    start(owner)
    assert client.get("/c/coaches/join/").status_code == 405
    response = client.post("/c/coaches/join/")
    assert response.status_code == 302 and "/accounts/login/?next=/c/coaches/" in \
        response["Location"]
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(make_account("x@example.org", "X"))
    assert csrf.post("/c/coaches/join/").status_code == 403
    assert Membership.objects.count() == 1


def test_the_membership_box_shows_the_right_button(owner, member, outsider, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from weconomics.communities.access import community_for
    from weconomics.web.community_views import membership_box

    open_one = start(owner)
    start(owner, "Approval", "approval", join_policy="approval")
    start(owner, "Invited", "invited", join_policy="invitation")
    services.join(actor=outsider, community=Community.objects.get(slug="approval"))
    add(open_one, owner, member)

    def box(viewer, slug):
        request = rf.get("/")
        request.user = viewer
        context = membership_box(request, community_for(viewer, slug))
        return render_to_string("web/communities/_membership_box.html",
                                {**context, "user": viewer}, request=request)

    assert "/c/coaches/join/" in box(outsider, "coaches")
    assert "/c/coaches/leave/" in box(member, "coaches")
    assert "/c/coaches/manage/" in box(owner, "coaches")
    assert 'name="message"' in box(member, "approval")
    assert "/c/approval/request/withdraw/" in box(outsider, "approval")
    assert "/join/" not in box(member, "invited")
    assert "/accounts/login/?next=/c/coaches/" in box(AnonymousUser(), "coaches")


# --- invitations ---------------------------------------------------------------------------

def test_an_emailed_invitation_is_accepted_once(client, owner, member, outsider,
                                                django_capture_on_commit_callbacks):
    community = start(owner, join_policy="invitation")
    steward = english_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = steward.post("/c/coaches/manage/invitations/",
                                {"kind": "email", "email": member.email, "role": "steward"})
    assert response.status_code == 302
    link = re.search(r"https?://\S+(/c/invitations/\S+/)", mail.outbox[-1].body).group(1)
    assert member.email in html_of(steward.get("/c/coaches/manage/members/"))
    wrong = english_client(outsider)
    response = wrong.post(link)
    assert response.status_code == 403 and "another email address" in html_of(response)
    invitee = english_client(member)
    page = html_of(invitee.get(link))
    assert "Coaches Collectief" in page and "Steward" in page and "Olivia Owner" in page
    response = invitee.post(link)
    assert response.status_code == 302 and response["Location"] == "/c/coaches/"
    assert role_of(community, member) == "steward"
    assert invitee.get(link).status_code == 410  # used now
    assert {"communities.invited", "communities.joined"} <= actions()


def test_a_visitor_is_sent_to_sign_in_and_back(client, owner):
    community = start(owner)
    _inv, token = services.invite(actor=owner, community=community, max_uses=3)
    path = f"/c/invitations/{token}/"
    html = html_of(client.get(path))
    assert f'href="/accounts/login/?next={path}"' in html
    response = client.post(path)
    assert response.status_code == 302 and f"next={path}" in response["Location"]


def test_an_expired_invitation_says_so(client, owner, member):
    community = start(owner)
    _inv, token = services.invite(actor=owner, community=community, max_uses=5, days=2)
    client.force_login(member)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2, minutes=1)):
        response = client.get(f"/c/invitations/{token}/")
        assert response.status_code == 410 and "has expired" in html_of(response)
        response = client.post(f"/c/invitations/{token}/")
        assert response.status_code == 410
    assert role_of(community, member) is None
    assert client.get("/c/invitations/nonsense/").status_code == 404


def test_a_link_is_used_up_at_its_limit_and_an_existing_member_is_told(client, owner, member,
                                                                       outsider):
    community = start(owner)
    steward = english_client(owner)
    response = steward.post("/c/coaches/manage/invitations/",
                            {"kind": "link", "role": "member", "max_uses": "1", "days": "7"})
    assert response["Location"] == "/c/coaches/manage/members/"
    page = html_of(steward.get(response["Location"]))
    url = re.search(r'value="https?://[^"]+(/c/invitations/[^"]+/)"', page).group(1)
    assert "0 of 1" in page
    # The link is shown once only.
    assert url not in html_of(steward.get("/c/coaches/manage/members/"))
    assert Invitation.objects.get().token_hash not in page
    already = steward.get(url)
    assert already.status_code == 409 and "already a member" in html_of(already)
    assert english_client(member).post(url).status_code == 302
    assert role_of(community, member) == "member"
    late = english_client(outsider).post(url)
    assert late.status_code == 410 and "used up" in html_of(late)
    assert role_of(community, outsider) is None


def test_a_withdrawn_invitation_no_longer_works(client, owner, member):
    community = start(owner)
    invitation, token = services.invite(actor=owner, community=community, max_uses=4)
    steward = english_client(owner)
    response = steward.post(f"/c/coaches/manage/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert english_client(member).get(f"/c/invitations/{token}/").status_code == 404
    again = steward.post(f"/c/coaches/manage/invitations/{invitation.pk}/revoke/")
    assert again.status_code == 404
    assert "communities.invitation_revoked" in actions()


def test_bad_invitation_input_gives_form_errors(client, owner):
    start(owner)
    steward = english_client(owner)
    for data in ({"kind": "email", "email": "nope", "role": "member"},
                 {"kind": "email", "email": "a@example.org", "role": "supervisor"},
                 {"kind": "link", "role": "member", "max_uses": "0", "days": "7"},
                 {"kind": "link", "role": "member", "max_uses": "5", "days": "400"}):
        response = steward.post("/c/coaches/manage/invitations/", data)
        assert response.status_code == 422, data
    response = steward.post("/c/coaches/manage/invitations/",
                            {"kind": "email", "email": "owner@example.org", "role": "member",
                             "back": "start"})
    assert response.status_code == 409 and "already a member" in html_of(response)
    assert not Invitation.objects.exists()


# --- stewards only -------------------------------------------------------------------------

MANAGE_PAGES = ["manage/", "manage/domains/", "manage/members/", "manage/alliances/",
                "manage/invite/"]


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_manage_pages_refuse_members_and_outsiders(client, owner, member, outsider, page):
    community = start(owner)
    add(community, owner, member)
    assert english_client(owner).get(f"/c/coaches/{page}").status_code == 200
    for viewer in (member, outsider):
        response = english_client(viewer).get(f"/c/coaches/{page}")
        assert response.status_code == 403 and "Only a steward" in html_of(response)
    response = client.get(f"/c/coaches/{page}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", [*MANAGE_PAGES, "manage/supervisors/"])
def test_a_hidden_community_is_not_found_by_outsiders(owner, outsider, path):
    start(owner, visibility="hidden")
    response = english_client(outsider).get(f"/c/coaches/{path}")
    assert response.status_code == 404 and "no such community" in html_of(response)


@pytest.mark.parametrize("action", ["join/", "leave/", "request/withdraw/", "consent/",
                                    "manage/", "manage/members/1/role/",
                                    "manage/alliances/"])
def test_posts_to_a_hidden_community_are_not_found(owner, outsider, action):
    start(owner, visibility="hidden")
    response = english_client(outsider).post(f"/c/coaches/{action}", {"role": "steward"})
    assert response.status_code == 404
    assert Membership.objects.count() == 1


def test_a_member_cannot_post_steward_actions(owner, member, outsider):
    community = start(owner)
    add(community, owner, member)
    viewer = english_client(member)
    for path, data in (("manage/", {"name": "Taken over"}),
                       (f"manage/members/{owner.pk}/role/", {"role": "member"}),
                       (f"manage/members/{owner.pk}/remove/", {}),
                       ("manage/invitations/", {"kind": "link", "role": "steward",
                                                "max_uses": "5", "days": "5"}),
                       ("manage/domains/wiki/close/", {})):
        assert viewer.post(f"/c/coaches/{path}", data).status_code == 403, path
    community.refresh_from_db()
    assert community.name == "Coaches Collectief" and role_of(community, owner) == "steward"
    assert not Invitation.objects.filter(email="").exists()


# --- managing ------------------------------------------------------------------------------

SETTINGS = {"name": "Coaches NL", "purpose": "Coaching together", "audience": "All coaches",
            "visibility": "listed", "join_policy": "approval", "review_publications": "on",
            "colour": "#112233", "accent_colour": "#ffcc00", "host": "coaches.example.org"}


def test_a_steward_changes_the_settings(client, owner, member):
    community = start(owner)
    client.force_login(owner)
    page = html_of(client.get("/c/coaches/manage/"))
    assert 'type="color"' in page and "/c/coaches/manage/publications/" in page
    response = client.post("/c/coaches/manage/", SETTINGS)
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.visibility, community.join_policy, community.colour,
            community.host, community.review_publications) == (
        "Coaches NL", "listed", "approval", "#112233", "coaches.example.org", True)
    assert "communities.updated" in actions()
    other = start(member, "Other", "other")
    response = english_client(member).post("/c/other/manage/", SETTINGS)
    assert response.status_code == 409 and "used by another community" in html_of(response)
    for bad in ({"colour": "red"}, {"host": "http://x/"}, {"name": ""},
                {"visibility": "everyone"}, {"purpose": " "}):
        response = english_client(member).post("/c/other/manage/", {**SETTINGS, "host": "",
                                                                     **bad})
        assert response.status_code in (409, 422), bad
    other.refresh_from_db()
    assert other.name == "Other" and other.host is None


def test_a_steward_uploads_and_removes_the_logo(client, owner, tmp_path):
    community = start(owner)
    client.force_login(owner)
    path = tmp_path / "logo.png"
    Image.new("RGB", (300, 300), (20, 90, 60)).save(path)
    with path.open("rb") as upload:
        response = client.post("/c/coaches/manage/logo/", {"logo": upload})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.logo
    assert "communities.logo_changed" in actions()
    response = client.post("/c/coaches/manage/logo/", {"logo": b"not an image"})
    assert response.status_code == 422
    response = client.post("/c/coaches/manage/logo/", {"remove": "1"})
    community.refresh_from_db()
    assert response.status_code == 302 and not community.logo


def test_a_steward_opens_edits_and_closes_domains(client, owner):
    community = start(owner, domains=["wiki"])
    client.force_login(owner)
    response = client.post("/c/coaches/manage/domains/open/",
                           {"kind": "coaching", "intro": "Our coaches"})
    assert response.status_code == 302
    assert client.post("/c/coaches/manage/domains/open/",
                       {"kind": "coaching"}).status_code == 422  # open already
    response = client.post("/c/coaches/manage/domains/wiki/", {"wiki-intro": "What we know"})
    assert response.status_code == 302
    assert CommunityDomain.objects.get(community=community, kind__slug="wiki").intro == \
        "What we know"
    page = html_of(client.get("/c/coaches/manage/domains/"))
    assert "What we know" in page and "/c/coaches/d/coaching/" in page
    assert client.post("/c/coaches/manage/domains/wiki/close/").status_code == 302
    assert client.post("/c/coaches/manage/domains/wiki/close/").status_code == 404
    assert list(CommunityDomain.objects.values_list("kind__slug", flat=True)) == ["coaching"]
    assert {"communities.domain_opened", "communities.domain_updated",
            "communities.domain_closed"} <= actions()


def test_a_steward_changes_roles_and_removes_members(client, owner, member, outsider,
                                                     admin_account):
    community = start(owner)
    add(community, owner, member)
    add(community, owner, outsider)
    services.appoint_supervisor(actor=admin_account, community=community, account=admin_account)
    client.force_login(owner)
    page = html_of(client.get("/c/coaches/manage/members/"))
    assert "Mo Member" in page and "Supervisor" in page
    assert f"/manage/members/{admin_account.pk}/role/" not in page  # supervisors not here
    response = client.post(f"/c/coaches/manage/members/{member.pk}/role/", {"role": "steward"})
    assert response.status_code == 302 and role_of(community, member) == "steward"
    response = client.post(f"/c/coaches/manage/members/{admin_account.pk}/role/",
                           {"role": "member"})
    assert response.status_code == 403 and role_of(community, admin_account) == "supervisor"
    response = client.post(f"/c/coaches/manage/members/{member.pk}/role/",
                           {"role": "supervisor"})
    assert response.status_code == 422 and role_of(community, member) == "steward"
    response = client.post(f"/c/coaches/manage/members/{outsider.pk}/remove/")
    assert response.status_code == 302 and role_of(community, outsider) is None
    assert client.post(f"/c/coaches/manage/members/{outsider.pk}/remove/").status_code == 404
    response = english_client(member).post(f"/c/coaches/manage/members/{owner.pk}/role/",
                                           {"role": "member"})
    assert response.status_code == 302 and role_of(community, owner) == "member"
    response = english_client(member).post(f"/c/coaches/manage/members/{member.pk}/role/",
                                           {"role": "member"})
    assert response.status_code == 409 and "at least one steward" in html_of(response)
    assert {"communities.role_changed", "communities.member_removed"} <= actions()


def test_the_members_page_has_a_fixed_number_of_queries(owner,
                                                        django_assert_max_num_queries):
    community = start(owner, join_policy="approval")
    steward = english_client(owner)

    def fill(start_at, count):
        for n in range(start_at, start_at + count):
            account = make_account(f"m{n}@example.org", f"Member {n}")
            add(community, owner, account)
            asking = make_account(f"r{n}@example.org", f"Asking {n}")
            services.join(actor=asking, community=community, message="hello")
            services.invite(actor=owner, community=community, email=f"i{n}@example.org")

    fill(0, 2)
    with django_assert_max_num_queries(20) as few:
        assert steward.get("/c/coaches/manage/members/").status_code == 200
    fill(2, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = html_of(steward.get("/c/coaches/manage/members/"))
    assert "Member 9" in html and "Asking 9" in html and "i9@example.org" in html


# --- alliances -----------------------------------------------------------------------------

def test_alliances_are_proposed_accepted_and_ended(client, owner, member):
    start(owner)
    start(member, "Data Leren", "data-leren", "learning_community")
    proposer = english_client(owner)
    response = proposer.post("/c/coaches/manage/alliances/",
                             {"partner": "data-leren", "message": "Samen leren?"})
    assert response.status_code == 302
    alliance = Alliance.objects.get()
    again = proposer.post("/c/coaches/manage/alliances/", {"partner": "data-leren"})
    assert again.status_code == 409 and "waiting for an answer" in html_of(again)
    assert proposer.post("/c/coaches/manage/alliances/",
                         {"partner": "nowhere"}).status_code == 404
    assert proposer.post("/c/coaches/manage/alliances/",
                         {"partner": "coaches"}).status_code == 422
    partner = english_client(member)
    page = html_of(partner.get("/c/data-leren/manage/alliances/"))
    assert "Proposals to you" in page and "Samen leren?" in page
    # Only the partner's stewards answer.
    assert proposer.post(f"/c/coaches/manage/alliances/{alliance.pk}/respond/",
                         {"decision": "accept"}).status_code == 404
    response = partner.post(f"/c/data-leren/manage/alliances/{alliance.pk}/respond/",
                            {"decision": "accept"})
    assert response.status_code == 302
    alliance.refresh_from_db()
    assert alliance.status == "active"
    assert "Active alliances" in html_of(proposer.get("/c/coaches/manage/alliances/"))
    response = proposer.post(f"/c/coaches/manage/alliances/{alliance.pk}/end/")
    alliance.refresh_from_db()
    assert response.status_code == 302 and alliance.status == "ended"
    assert proposer.post(f"/c/coaches/manage/alliances/{alliance.pk}/end/").status_code == 409
    assert {"communities.alliance_proposed", "communities.alliance_accepted",
            "communities.alliance_ended"} <= actions()


def test_a_proposal_is_declined_or_withdrawn(owner, member):
    start(owner)
    start(member, "Data Leren", "data-leren", "learning_community")
    proposer, partner = english_client(owner), english_client(member)
    proposer.post("/c/coaches/manage/alliances/", {"partner": "data-leren"})
    first = Alliance.objects.get()
    partner.post(f"/c/data-leren/manage/alliances/{first.pk}/respond/", {"decision": "decline"})
    first.refresh_from_db()
    assert first.status == "declined"
    proposer.post("/c/coaches/manage/alliances/", {"partner": "data-leren"})
    second = Alliance.objects.exclude(pk=first.pk).get()
    proposer.post(f"/c/coaches/manage/alliances/{second.pk}/end/")
    second.refresh_from_db()
    assert second.status == "ended" and "communities.alliance_declined" in actions()


# --- the supervisor ------------------------------------------------------------------------

def test_only_platform_supervisors_appoint_the_supervisor(client, owner, member,
                                                          admin_account):
    community = start(owner, visibility="hidden")
    add(community, owner, member)
    steward = english_client(owner)
    response = steward.get("/c/coaches/manage/supervisors/")
    assert response.status_code == 403 and "administrators and supervisors" in html_of(response)
    assert steward.post("/c/coaches/manage/supervisors/",
                        {"email": member.email}).status_code == 403
    assert role_of(community, member) == "member"
    platform = english_client(admin_account)
    page = platform.get("/c/coaches/manage/supervisors/")  # a hidden one too
    assert page.status_code == 200 and "This community has no supervisor." in html_of(page)
    response = platform.post("/c/coaches/manage/supervisors/", {"email": "MEMBER@example.org"})
    assert response.status_code == 302 and role_of(community, member) == "supervisor"
    response = platform.post("/c/coaches/manage/supervisors/", {"email": "nobody@example.org"})
    assert response.status_code == 422 and "no account" in html_of(response)
    response = platform.post("/c/coaches/manage/supervisors/", {"email": owner.email})
    assert response.status_code == 409 and role_of(community, owner) == "steward"
    assert steward.post(f"/c/coaches/manage/supervisors/{member.pk}/dismiss/").status_code == 403
    response = platform.post(f"/c/coaches/manage/supervisors/{member.pk}/dismiss/")
    assert response.status_code == 302 and role_of(community, member) == "member"
    assert platform.post(f"/c/coaches/manage/supervisors/{member.pk}/dismiss/").status_code \
        == 404
    assert {"communities.supervisor_appointed", "communities.supervisor_dismissed"} <= actions()
    assert "/c/coaches/manage/supervisors/" not in html_of(steward.get("/c/coaches/manage/"))


# --- my communities and consent ------------------------------------------------------------

def test_my_communities_lists_memberships_and_toggles_consent(client, owner, member):
    community = start(owner)
    add(community, owner, member)
    start(owner, "Approval", "approval", join_policy="approval")
    client.force_login(member)
    services.join(actor=member, community=Community.objects.get(slug="approval"))
    page = html_of(client.get("/settings/communities/"))
    assert "Coaches Collectief" in page and "Member" in page and 'href="/c/coaches/"' in page
    assert "Waiting for a steward" in page and "/c/approval/request/withdraw/" in page
    assert 'href="/settings/communities/"' in page  # in the settings navigation
    response = client.post("/c/coaches/consent/", {"share_profile": ""})
    assert response.status_code == 302 and response["Location"] == "/settings/communities/"
    assert Membership.objects.get(account=member, community=community).share_profile is False
    response = client.post("/c/coaches/consent/", {"share_profile": "on"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved." in html_of(response)
    assert "<html" not in html_of(response)
    assert Membership.objects.get(account=member, community=community).share_profile is True
    assert "communities.consent_changed" in actions()
    response = client.post("/c/approval/consent/", {"share_profile": "on"})
    assert response.status_code == 403
    response = client.post("/c/coaches/leave/", {"next": "/settings/communities/"})
    assert response["Location"] == "/settings/communities/"
    response = client.post("/c/approval/request/withdraw/", {"next": "https://evil.example/"})
    assert response["Location"] == "/c/approval/"


def test_the_start_page_links_to_communities(client, owner):
    start(owner)
    client.force_login(owner)
    html = html_of(client.get("/"))
    assert 'href="/c/coaches/"' in html and 'href="/communities/new/"' in html
    assert 'href="/settings/communities/"' in html
    assert client.get("/settings/communities/").status_code == 200
    assert english_client().get("/settings/communities/").status_code == 302
