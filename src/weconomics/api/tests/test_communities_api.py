"""The communities API: communities, domains, joining, members, invitations, alliances, the
board, publications and articles, and who may see what of them."""

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from weconomics.api.tests.helpers import (
    API,
    actions,
    assert_problem,
    patch_json,
    post_json,
    put_json,
    token_client,
    visitor,
)
from weconomics.audit.models import AuditRecord
from weconomics.communities import board, services
from weconomics.communities import publications as published
from weconomics.communities.models import (
    Alliance,
    Community,
    CommunityDomain,
    Invitation,
    JoinRequest,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.conftest import make_account
from weconomics.contacts import services as contacts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def person(account, visibility="public"):
    contacts.ensure_person(account)
    contacts.update_profile(actor=account, profile_visibility=visibility)
    return account


def start(steward, name, **fields):
    fields = {"kind": "professional_network", "purpose": f"{name}'s purpose",
              "audience": "Coaches", **fields}
    return services.create_community(actor=steward, name=name, **fields)


@pytest.fixture
def steward(db):
    return person(make_account("stella@example.org", "Stella Steward"))


@pytest.fixture
def coaches(steward):
    """A public, open professional network run by the steward."""
    return start(steward, "Coaches", slug="coaches", domains=["coaching", "advice"])


# --- communities ------------------------------------------------------------------------

def test_a_community_is_started_from_its_template_with_its_creator_as_steward(steward):
    api = token_client(steward)
    created = post_json(api, f"{API}/communities", {
        "name": "Zorg Samen", "kind": "shared_service_centre", "purpose": "Share *care*",
        "audience": "Care workers"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["slug"] == "zorg-samen" and body["my_role"] == "steward"
    assert body["visibility"] == "listed" and body["join_policy"] == "invitation"
    assert body["review_publications"] is True and body["member_count"] == 1
    assert [d["kind"] for d in body["domains"]] == [
        "recruitment", "advice", "interim", "assessment", "wiki"]
    assert body["can_see_content"] is True and body["share_profile"] is True
    assert "communities.created" in actions()

    chosen = post_json(api, f"{API}/communities", {
        "name": "Buurt", "slug": "buurt-oost", "kind": "neighbourhood", "purpose": "Help",
        "audience": "Neighbours", "visibility": "hidden", "join_policy": "open",
        "domains": ["workshop"]})
    assert chosen.status_code == 201, chosen.content
    assert chosen.json()["slug"] == "buurt-oost" and chosen.json()["visibility"] == "hidden"
    assert [d["kind"] for d in chosen.json()["domains"]] == ["workshop"]
    assert api.get(f"{API}/communities/buurt-oost").json()["domains"][0]["published"] == 0


@pytest.mark.parametrize("payload, code", [
    ({"name": ""}, "validation_error"),
    ({"name": "Two\nlines"}, "validation_error"),
    ({"name": "x" * 201}, "validation_error"),
    ({"kind": "empire"}, "validation_error"),
    ({"purpose": "   "}, "validation_error"),
    ({"audience": "a\x00b"}, "validation_error"),
    ({"visibility": "secret"}, "validation_error"),
    ({"review_publications": "yes"}, "validation_error"),
    ({"domains": ["no spaces"]}, "validation_error"),
    ({"domains": ["telepathy"]}, "invalid"),
    ({"slug": "api"}, "invalid"),
    ({"slug": "admin"}, "invalid"),
    ({"slug": "x"}, "invalid"),
    ({"name": 5}, "validation_error"),
])
def test_bad_community_input_is_a_422_problem_and_creates_nothing(steward, payload, code):
    api = token_client(steward)
    before = actions()
    body = {"name": "Good", "kind": "cooperative", "purpose": "P", "audience": "A", **payload}
    problem = assert_problem(post_json(api, f"{API}/communities", body),
                             422, code)
    if code == "validation_error":
        assert problem["errors"]
    assert not Community.objects.exists() and not Membership.objects.exists()
    assert actions() == before


def test_a_reserved_short_name_is_explained(steward):
    problem = assert_problem(post_json(token_client(steward), f"{API}/communities", {
        "name": "API", "slug": "api", "kind": "cooperative", "purpose": "P", "audience": "A"}),
        422, "invalid")
    assert "reserved" in problem["detail"]


def test_a_taken_short_name_is_a_conflict(steward, coaches):
    before = Community.objects.count()
    problem = assert_problem(post_json(token_client(steward), f"{API}/communities", {
        "name": "Other", "slug": "coaches", "kind": "cooperative", "purpose": "P",
        "audience": "A"}), 409, "conflict")
    assert "taken" in problem["detail"]
    assert Community.objects.count() == before


def test_a_read_token_cannot_start_a_community_and_a_visitor_must_sign_in(steward):
    body = {"name": "X", "kind": "cooperative", "purpose": "P", "audience": "A"}
    assert_problem(post_json(token_client(steward, "read"), f"{API}/communities", body),
                   403, "read_only_token")
    assert_problem(post_json(visitor(), f"{API}/communities", body), 401, "not_authenticated")
    assert_problem(visitor().get(f"{API}/me/communities"), 401, "not_authenticated")
    assert not Community.objects.exists()


def test_communities_are_found_with_counts_only_where_visible(steward, coaches, member):
    listed = start(steward, "Zorg", slug="zorg", visibility="listed")
    start(steward, "Secret", slug="secret", visibility="hidden")
    anyone = visitor().get(f"{API}/communities").json()
    assert [(c["slug"], c["member_count"], c["my_role"]) for c in anyone["items"]] == [
        ("coaches", 1, None), ("zorg", None, None)]
    mine = token_client(steward, "read").get(f"{API}/communities?mine=true").json()
    assert [(c["slug"], c["member_count"], c["my_role"]) for c in mine["items"]] == [
        ("coaches", 1, "steward"), ("secret", 1, "steward"), ("zorg", 1, "steward")]
    theirs = token_client(member, "read")
    assert [c["slug"] for c in theirs.get(f"{API}/communities?q=ZORG").json()["items"]] == [
        "zorg"]
    assert theirs.get(f"{API}/communities?q=secret").json()["items"] == []
    assert theirs.get(f"{API}/communities?mine=true").json()["items"] == []
    assert [c["slug"] for c in theirs.get(
        f"{API}/communities?kind=professional_network").json()["items"]] == ["coaches", "zorg"]
    assert_problem(theirs.get(f"{API}/communities?kind=empire"), 422, "validation_error")
    assert_problem(theirs.get(f"{API}/communities?q=a%00b"), 422, "validation_error")
    assert_problem(theirs.get(f"{API}/communities?page=0"), 422, "validation_error")
    detail = theirs.get(f"{API}/communities/{listed.slug}").json()
    assert detail["member_count"] is None and detail["can_see_content"] is False
    assert detail["domains"] == []  # as on its page: nothing inside shows to outsiders
    assert_problem(theirs.get(f"{API}/communities/secret"), 404, "not_found")
    assert_problem(visitor().get(f"{API}/communities/nope"), 404, "not_found")


def test_the_community_list_takes_a_fixed_number_of_queries(steward, member):
    api = token_client(member, "read")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{API}/communities").status_code == 200
        return len(queries)

    start(steward, "One", slug="one")
    count()  # the token's first use is recorded once
    few = count()
    for n in range(6):
        start(steward, f"More {n}", slug=f"more-{n}", visibility="listed")
    assert count() == few


def test_stewards_change_the_settings_and_a_taken_host_is_a_conflict(steward, coaches, member):
    start(steward, "Other", slug="other")
    services.update_community(actor=steward, community=Community.objects.get(slug="other"),
                              host="other.example.org")
    Membership.objects.create(community=coaches, account=member)
    path = f"{API}/communities/coaches"
    assert_problem(patch_json(token_client(member), path, {"name": "Ours"}), 403, "not_allowed")
    api = token_client(steward)
    changed = patch_json(api, path, {"name": "Coaches NL", "colour": "#AA3300",
                                     "accent_colour": "#112233", "host": "Coaches.Example.org",
                                     "review_publications": True, "visibility": "listed"})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["name"] == "Coaches NL" and body["colour"] == "#aa3300"
    assert body["host"] == "coaches.example.org" and body["review_publications"] is True
    assert body["visibility"] == "listed"
    record = AuditRecord.objects.filter(action="communities.updated").order_by("pk").last()
    assert record.data["to"]["host"] == "coaches.example.org"

    before = Community.objects.get(slug="coaches").host
    assert_problem(patch_json(api, path, {"host": "other.example.org"}), 409, "conflict")
    assert_problem(patch_json(api, path, {"host": "http://x.example.org/path"}), 422, "invalid")
    assert_problem(patch_json(api, path, {"colour": "red"}), 422, "validation_error")
    assert_problem(patch_json(api, path, {"name": None}), 422, "validation_error")
    assert_problem(patch_json(api, path, {"purpose": "  "}), 422, "validation_error")
    assert Community.objects.get(slug="coaches").host == before
    cleared = patch_json(api, path, {"host": None})
    assert cleared.status_code == 200 and cleared.json()["host"] is None


def test_a_steward_uploads_and_removes_the_logo(steward, coaches):
    api = token_client(steward)
    data = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 120, 100)).save(data, format="PNG")
    data.seek(0)
    data.name = "logo.png"
    uploaded = api.post(f"{API}/communities/coaches/logo", {"logo": data})
    assert uploaded.status_code == 200, uploaded.content
    # The address is the channel's logo view, which applies the community's visibility.
    assert uploaded.json()["logo_url"] == "/c/coaches/logo"
    from django.test import Client

    assert Client().get("/c/coaches/logo")["Content-Type"] == "image/jpeg"
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    assert_problem(api.post(f"{API}/communities/coaches/logo", {"logo": bad}), 422, "invalid")
    assert api.delete(f"{API}/communities/coaches/logo").status_code == 204
    assert api.get(f"{API}/communities/coaches").json()["logo_url"] is None
    assert actions().count("communities.logo_changed") == 2


# --- domains ----------------------------------------------------------------------------

def test_stewards_open_change_and_close_domains(steward, coaches, member):
    kinds = visitor().get(f"{API}/domain-kinds").json()
    assert {"coaching", "training", "wiki"} <= {k["slug"] for k in kinds}
    assert all(k["name"] and k["description"] for k in kinds)
    api = token_client(steward)
    path = f"{API}/communities/coaches/domains"
    opened = post_json(api, path, {"kind": "training", "intro": "Learn *together*"})
    assert opened.status_code == 201, opened.content
    assert opened.json() == {"kind": "training", "name": "Training",
                             "description": "Courses and trainings.",
                             "intro": "Learn *together*", "published": 0}
    assert_problem(post_json(api, path, {"kind": "training"}), 409, "conflict")
    assert_problem(post_json(api, path, {"kind": "telepathy"}), 422, "invalid")
    assert_problem(post_json(api, path, {"kind": ""}), 422, "validation_error")
    assert_problem(post_json(api, path, {"kind": "wiki", "intro": "x" * 2001}),
                   422, "validation_error")
    changed = patch_json(api, f"{path}/training", {"intro": "New"})
    assert changed.status_code == 200 and changed.json()["intro"] == "New"
    assert_problem(patch_json(api, f"{path}/wiki", {"intro": "New"}), 404, "not_found")
    Membership.objects.create(community=coaches, account=member)
    assert_problem(post_json(token_client(member), path, {"kind": "wiki"}), 403, "not_allowed")
    assert_problem(token_client(member).delete(f"{path}/training"), 403, "not_allowed")
    assert api.delete(f"{path}/training").status_code == 204
    assert_problem(api.delete(f"{path}/training"), 404, "not_found")
    assert not CommunityDomain.objects.filter(community=coaches, kind__slug="training").exists()
    assert {"communities.domain_opened", "communities.domain_updated",
            "communities.domain_closed"} <= set(actions())


# --- joining and leaving ----------------------------------------------------------------

def test_an_open_community_admits_at_once_and_joining_twice_is_a_conflict(coaches, member):
    api = token_client(member)
    joined = post_json(api, f"{API}/communities/coaches/join")
    assert joined.status_code == 201, joined.content
    assert joined.json()["community"]["slug"] == "coaches" and joined.json()["role"] == "member"
    assert joined.json()["community"]["member_count"] == 2
    assert_problem(post_json(api, f"{API}/communities/coaches/join"), 409, "already_member")
    assert Membership.objects.filter(community=coaches).count() == 2
    assert AuditRecord.objects.filter(action="communities.joined", actor=member).exists()
    mine = api.get(f"{API}/me/communities").json()
    assert [(m["community"]["slug"], m["role"], m["share_profile"]) for m in mine] == [
        ("coaches", "member", True)]


def test_a_community_on_approval_records_a_request_the_stewards_answer(steward, member,
                                                                          outsider):
    start(steward, "Zorg", slug="zorg", visibility="listed", join_policy="approval")
    mo = token_client(member)
    asked = post_json(mo, f"{API}/communities/zorg/join", {"message": "Hello, I nurse."})
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "pending" and asked.json()["message"] == "Hello, I nurse."
    assert_problem(post_json(mo, f"{API}/communities/zorg/join"), 409, "conflict")
    assert mo.get(f"{API}/communities/zorg").json()["join_request_pending"] is True
    assert_problem(post_json(mo, f"{API}/communities/zorg/join", {"message": "x" * 1001}),
                   422, "validation_error")

    assert mo.delete(f"{API}/communities/zorg/join-request").status_code == 204
    assert_problem(mo.delete(f"{API}/communities/zorg/join-request"), 404, "not_found")
    asked = post_json(mo, f"{API}/communities/zorg/join", {"message": "Again"}).json()
    other = post_json(token_client(outsider), f"{API}/communities/zorg/join").json()

    requests_path = f"{API}/communities/zorg/join-requests"
    assert_problem(mo.get(requests_path), 403, "not_allowed")
    api = token_client(steward)
    waiting = api.get(requests_path).json()
    assert [(r["id"], r["name"], r["message"]) for r in waiting] == [
        (asked["id"], "Mo Member", "Again"), (other["id"], "Otto Outsider", "")]
    approved = post_json(api, f"{requests_path}/{asked['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    declined = post_json(api, f"{requests_path}/{other['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert_problem(post_json(api, f"{requests_path}/{other['id']}/approve"), 409, "conflict")
    assert_problem(post_json(api, f"{requests_path}/999999/approve"), 404, "not_found")
    assert api.get(requests_path).json() == []
    assert Membership.objects.filter(community__slug="zorg", account=member).exists()
    assert not Membership.objects.filter(community__slug="zorg", account=outsider).exists()
    assert {"communities.join_requested", "communities.join_request_withdrawn",
            "communities.join_approved", "communities.join_declined"} <= set(actions())


def test_a_community_by_invitation_only_refuses_to_be_joined_and_a_hidden_one_is_not_found(
        steward, member):
    start(steward, "Club", slug="club", join_policy="invitation")
    start(steward, "Secret", slug="secret", visibility="hidden", join_policy="open")
    mo = token_client(member)
    assert_problem(post_json(mo, f"{API}/communities/club/join"), 403, "not_allowed")
    assert_problem(post_json(mo, f"{API}/communities/secret/join"), 404, "not_found")
    assert not Membership.objects.filter(account=member).exists()


def test_members_leave_but_the_last_steward_cannot(steward, coaches, member):
    Membership.objects.create(community=coaches, account=member)
    api = token_client(steward)
    problem = assert_problem(post_json(api, f"{API}/communities/coaches/leave"),
                             409, "last_steward")
    assert "steward" in problem["detail"]
    assert_problem(api.delete(f"{API}/communities/coaches/members/{steward.pk}"),
                   409, "last_steward")
    assert_problem(patch_json(api, f"{API}/communities/coaches/members/{steward.pk}",
                              {"role": "member"}), 409, "last_steward")
    assert Membership.objects.get(community=coaches, account=steward).role == "steward"
    assert post_json(token_client(member), f"{API}/communities/coaches/leave").status_code == 204
    assert_problem(post_json(token_client(member), f"{API}/communities/coaches/leave"),
                   403, "not_allowed")
    assert AuditRecord.objects.filter(action="communities.left", actor=member).exists()


# --- members ----------------------------------------------------------------------------

def test_members_are_listed_when_their_profile_is_visible_and_stewards_change_roles(
        steward, coaches, member, outsider):
    person(member, "public")
    person(outsider, "private")
    for account in (member, outsider):
        Membership.objects.create(community=coaches, account=account)
    path = f"{API}/communities/coaches/members"
    seen = visitor().get(path).json()
    assert {m["person"]["display_name"] for m in seen["items"]} == {"Stella Steward",
                                                                    "Mo Member"}
    assert seen["has_next"] is False
    stewards = visitor().get(f"{path}?role=steward").json()["items"]
    assert [(m["account_id"], m["role"]) for m in stewards] == [(steward.pk, "steward")]
    assert_problem(visitor().get(f"{path}?role=king"), 422, "validation_error")

    api = token_client(steward)
    promoted = patch_json(api, f"{path}/{outsider.pk}", {"role": "steward"})
    assert promoted.status_code == 200, promoted.content
    # Promoted, but their hidden profile is not revealed by the answer.
    assert promoted.json()["role"] == "steward" and promoted.json()["person"] is None
    assert_problem(patch_json(api, f"{path}/{member.pk}", {"role": "supervisor"}),
                   422, "validation_error")
    assert_problem(patch_json(api, f"{path}/{member.pk}", {"role": "king"}),
                   422, "validation_error")
    assert_problem(patch_json(token_client(member), f"{path}/{member.pk}", {"role": "steward"}),
                   403, "not_allowed")
    assert_problem(token_client(member).delete(f"{path}/{steward.pk}"), 403, "not_allowed")
    assert_problem(api.delete(f"{path}/999999"), 404, "not_found")
    assert api.delete(f"{path}/{member.pk}").status_code == 204
    assert not Membership.objects.filter(community=coaches, account=member).exists()
    assert {"communities.role_changed", "communities.member_removed"} <= set(actions())


def test_the_member_list_takes_a_fixed_number_of_queries(steward, coaches):
    api = token_client(steward, "read")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{API}/communities/coaches/members")
            assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    count()  # the token's first use is recorded once
    few, shown = count()
    for n in range(8):
        account = person(make_account(f"m{n}@example.org", f"Member {n}"))
        contacts.set_skills(actor=account, names=["Coaching", f"Skill {n}"])
        Membership.objects.create(community=coaches, account=account)
    many, shown_now = count()
    assert shown_now == shown + 8 and many == few


def test_platform_supervisors_appoint_and_dismiss_a_community_supervisor(
        steward, member, admin_account):
    start(steward, "Secret", slug="secret", visibility="hidden")
    path = f"{API}/communities/secret/supervisors/{member.pk}"
    # To a steward it is forbidden; to an outsider, the hidden community does not exist.
    assert_problem(put_json(token_client(steward), path), 403, "not_allowed")
    assert_problem(put_json(token_client(member), path), 404, "not_found")
    appointed = put_json(token_client(admin_account), path)
    assert appointed.status_code == 200, appointed.content
    assert appointed.json()["role"] == "supervisor"
    assert_problem(put_json(token_client(admin_account),
                            f"{API}/communities/secret/supervisors/999999"), 404, "not_found")
    assert_problem(patch_json(token_client(steward),
                              f"{API}/communities/secret/members/{member.pk}",
                              {"role": "member"}), 403, "not_allowed")
    assert token_client(admin_account).delete(path).status_code == 204
    assert Membership.objects.get(community__slug="secret", account=member).role == "member"
    assert_problem(token_client(admin_account).delete(path), 404, "not_found")
    assert {"communities.supervisor_appointed", "communities.supervisor_dismissed"} <= set(
        actions())


def test_a_member_chooses_what_a_community_sees_of_their_profile(coaches, member):
    Membership.objects.create(community=coaches, account=member)
    api = token_client(member)
    changed = patch_json(api, f"{API}/me/communities/coaches", {"share_profile": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["share_profile"] is False
    assert api.get(f"{API}/communities/coaches").json()["share_profile"] is False
    assert_problem(patch_json(api, f"{API}/me/communities/coaches", {"share_profile": "no"}),
                   422, "validation_error")
    assert_problem(patch_json(api, f"{API}/me/communities/nope", {"share_profile": True}),
                   404, "not_found")
    assert AuditRecord.objects.filter(action="communities.consent_changed").exists()


# --- invitations ------------------------------------------------------------------------

def test_an_invitation_link_is_shown_once_previewed_and_used_until_used_up(
        steward, member, outsider):
    start(steward, "Club", slug="club", visibility="hidden", join_policy="invitation")
    api = token_client(steward)
    path = f"{API}/communities/club/invitations"
    made = post_json(api, path, {"max_uses": 1, "days": 3, "role": "member"})
    assert made.status_code == 201, made.content
    body = made.json()
    token = body["token"]
    assert body["is_link"] is True and body["email"] == "" and body["max_uses"] == 1
    assert body["url"].endswith(f"/c/invitations/{token}/")
    listed = api.get(path).json()
    assert [i["id"] for i in listed] == [body["id"]] and "token" not in listed[0]
    assert Invitation.objects.get().token_hash != token

    preview = visitor().get(f"{API}/communities/invitations/{token}")
    assert preview.status_code == 200, preview.content
    assert preview.json()["community"]["slug"] == "club"
    assert preview.json()["community"]["member_count"] is None
    assert preview.json()["uses_left"] == 1
    accepted = post_json(token_client(member), f"{API}/communities/invitations/{token}/accept")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["community"]["slug"] == "club" and accepted.json()["role"] == "member"
    problem = assert_problem(visitor().get(f"{API}/communities/invitations/{token}"),
                             409, "invitation_unusable")
    assert "used up" in problem["detail"]
    assert_problem(post_json(token_client(outsider),
                             f"{API}/communities/invitations/{token}/accept"),
                   409, "invitation_unusable")
    assert api.get(path).json() == []
    assert_problem(visitor().get(f"{API}/communities/invitations/wrong-token"),
                   404, "not_found")
    assert not Membership.objects.filter(account=outsider).exists()


def test_an_expired_or_withdrawn_invitation_cannot_be_used(steward, member):
    start(steward, "Club", slug="club", join_policy="invitation")
    api = token_client(steward)
    path = f"{API}/communities/club/invitations"
    expiring = post_json(api, path, {"days": 1}).json()
    withdrawn = post_json(api, path, {}).json()
    assert withdrawn["max_uses"] == 25
    assert api.delete(f"{path}/{withdrawn['id']}").status_code == 204
    assert_problem(api.delete(f"{path}/{withdrawn['id']}"), 404, "not_found")
    mo = token_client(member)
    assert_problem(mo.get(f"{API}/communities/invitations/{withdrawn['token']}"),
                   404, "not_found")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        problem = assert_problem(post_json(mo, f"{API}/communities/invitations/"
                                               f"{expiring['token']}/accept"),
                                 409, "invitation_unusable")
    assert "expired" in problem["detail"]
    assert not Membership.objects.filter(account=member).exists()
    assert "communities.invitation_revoked" in actions()


@pytest.mark.parametrize("payload", [
    {"days": 0}, {"days": 91}, {"max_uses": 0}, {"max_uses": 1001}, {"role": "supervisor"},
    {"email": "a\nb@example.org"}, {"days": "3"},
])
def test_bad_invitation_input_is_a_422_problem(steward, payload):
    start(steward, "Club", slug="club")
    assert_problem(post_json(token_client(steward), f"{API}/communities/club/invitations",
                             payload), 422, "validation_error")
    assert not Invitation.objects.exists()


def test_an_email_invitation_is_mailed_and_accepted_by_that_address_only(
        steward, member, outsider, django_capture_on_commit_callbacks):
    start(steward, "Club", slug="club", join_policy="invitation")
    api = token_client(steward)
    path = f"{API}/communities/club/invitations"
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_json(api, path, {"email": "Member@Example.org", "role": "steward"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["email"] == "member@example.org" and sent.json()["token"] is None
    assert sent.json()["url"] is None
    assert_problem(post_json(api, path, {"email": "member@example.org"}), 409, "conflict")
    assert_problem(post_json(api, path, {"email": "not an address"}), 422, "invalid")
    token = re.search(r"/c/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert_problem(post_json(token_client(outsider),
                             f"{API}/communities/invitations/{token}/accept"),
                   403, "not_allowed")
    accepted = post_json(token_client(member), f"{API}/communities/invitations/{token}/accept")
    assert accepted.status_code == 201 and accepted.json()["role"] == "steward"
    assert_problem(post_json(api, path, {"email": "member@example.org"}), 409, "already_member")


def test_only_stewards_invite(steward, coaches, member):
    Membership.objects.create(community=coaches, account=member)
    mo = token_client(member)
    assert_problem(post_json(mo, f"{API}/communities/coaches/invitations", {}), 403,
                   "not_allowed")
    assert_problem(mo.get(f"{API}/communities/coaches/invitations"), 403, "not_allowed")
    assert not Invitation.objects.exists()


# --- alliances --------------------------------------------------------------------------

def test_two_communities_ally_and_the_alliance_ends(steward, coaches, member, outsider):
    partner_steward = person(make_account("pete@example.org", "Pete Partner"))
    start(partner_steward, "Trainers", slug="trainers")
    start(partner_steward, "Secret", slug="secret", visibility="hidden")
    Membership.objects.create(community=coaches, account=member)
    api = token_client(steward)
    path = f"{API}/communities/coaches/alliances"
    assert_problem(post_json(api, path, {"partner": "secret"}), 404, "not_found")
    assert_problem(post_json(api, path, {"partner": "coaches"}), 422, "invalid")
    assert_problem(post_json(api, path, {"partner": "no such!"}), 422, "validation_error")
    assert_problem(post_json(token_client(member), path, {"partner": "trainers"}),
                   403, "not_allowed")
    proposed = post_json(api, path, {"partner": "trainers", "message": "Let us ally"})
    assert proposed.status_code == 201, proposed.content
    alliance = proposed.json()
    assert alliance["status"] == "proposed" and alliance["direction"] == "sent"
    assert_problem(post_json(api, path, {"partner": "trainers"}), 409, "conflict")
    # Members see active alliances only; the asked side's stewards see the proposal.
    assert token_client(member, "read").get(path).json() == []
    theirs = token_client(partner_steward)
    received = theirs.get(f"{API}/communities/trainers/alliances").json()
    assert [(a["id"], a["direction"]) for a in received] == [(alliance["id"], "received")]
    # Only the asked community answers.
    assert_problem(post_json(api, f"{path}/{alliance['id']}/accept"), 404, "not_found")
    accepted = post_json(theirs, f"{API}/communities/trainers/alliances/{alliance['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert_problem(post_json(theirs, f"{API}/communities/trainers/alliances/"
                                     f"{alliance['id']}/decline"), 409, "conflict")
    assert [a["status"] for a in visitor().get(path).json()] == ["active"]
    ended = post_json(api, f"{path}/{alliance['id']}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert_problem(post_json(api, f"{path}/{alliance['id']}/end"), 409, "conflict")
    again = post_json(api, path, {"partner": "trainers"}).json()
    declined = post_json(theirs, f"{API}/communities/trainers/alliances/{again['id']}/decline")
    assert declined.json()["status"] == "declined"
    assert [a["status"] for a in api.get(path).json()] == ["declined", "ended"]
    assert {"communities.alliance_proposed", "communities.alliance_accepted",
            "communities.alliance_ended", "communities.alliance_declined"} <= set(actions())


# --- the board --------------------------------------------------------------------------

def test_members_discuss_on_the_board_and_edit_only_their_own_posts(steward, coaches, member,
                                                                    outsider):
    person(member)
    Membership.objects.create(community=coaches, account=member)
    mo = token_client(member)
    path = f"{API}/communities/coaches/topics"
    started = post_json(mo, path, {"title": "Intervision", "body": "Who *joins*?",
                                   "domain": "coaching"})
    assert started.status_code == 201, started.content
    topic = started.json()
    assert topic["domain"] == "coaching" and topic["mine"] is True and topic["replies"] == []
    assert topic["author"] == {"name": "Mo Member", "handle": member.person.handle}
    assert "<em>joins</em>" in topic["body_html"]
    post_json(mo, path, {"title": "Other", "body": "Text"})
    assert_problem(post_json(mo, path, {"title": "X", "body": "Y", "domain": "wiki"}),
                   422, "invalid")
    assert_problem(post_json(mo, path, {"title": "", "body": "Y"}), 422, "validation_error")
    assert_problem(post_json(mo, path, {"title": "A\nB", "body": "Y"}), 422, "validation_error")
    assert_problem(post_json(mo, path, {"title": "X", "body": " "}), 422, "validation_error")
    assert_problem(post_json(mo, path, {"title": "x" * 151, "body": "Y"}),
                   422, "validation_error")
    assert_problem(post_json(token_client(outsider), path, {"title": "X", "body": "Y"}),
                   403, "not_allowed")

    listed = visitor().get(path).json()
    assert [t["title"] for t in listed["items"]] == ["Other", "Intervision"]
    assert [t["title"] for t in visitor().get(f"{path}?domain=coaching").json()["items"]] == [
        "Intervision"]
    assert_problem(visitor().get(f"{path}?domain=wiki"), 404, "not_found")

    topic_path = f"{path}/{topic['id']}"
    api = token_client(steward)
    answered = post_json(api, f"{topic_path}/replies", {"body": "Me!"})
    assert answered.status_code == 201, answered.content
    reply = answered.json()
    assert reply["author"]["name"] == "Stella Steward" and reply["mine"] is True
    assert_problem(patch_json(mo, f"{API}/communities/coaches/replies/{reply['id']}",
                              {"body": "Hijack"}), 403, "not_allowed")
    edited = patch_json(api, f"{API}/communities/coaches/replies/{reply['id']}", {"body": "Me"})
    assert edited.status_code == 200 and edited.json()["body"] == "Me"
    shown = visitor().get(topic_path).json()
    assert [r["body"] for r in shown["replies"]] == ["Me"] and shown["reply_count"] == 1
    assert shown["mine"] is False

    assert_problem(patch_json(api, topic_path, {"title": "Mine now"}), 403, "not_allowed")
    changed = patch_json(mo, topic_path, {"title": "Intervision in May"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Intervision in May"
    assert changed.json()["body"] == "Who *joins*?"
    assert_problem(patch_json(mo, topic_path, {"title": None}), 422, "validation_error")

    assert_problem(mo.delete(f"{API}/communities/coaches/replies/{reply['id']}"),
                   403, "not_allowed")
    assert api.delete(f"{API}/communities/coaches/replies/{reply['id']}").status_code == 204
    assert_problem(api.delete(topic_path), 403, "not_allowed")
    assert mo.delete(topic_path).status_code == 204
    assert_problem(visitor().get(topic_path), 404, "not_found")
    assert {"communities.topic_started", "communities.replied", "communities.reply_edited",
            "communities.topic_edited", "communities.reply_deleted",
            "communities.topic_deleted"} <= set(actions())


def test_moderators_pin_close_and_hide_posts(steward, coaches, member):
    Membership.objects.create(community=coaches, account=member)
    topic = board.start_topic(actor=member, community=coaches, title="Hot", body="Take")
    answer = board.reply(actor=member, community=coaches, topic_id=topic.pk, body="Rude")
    path = f"{API}/communities/coaches/topics/{topic.pk}"
    mo = token_client(member)
    assert_problem(post_json(mo, f"{path}/moderation", {"pinned": True}), 403, "not_allowed")
    api = token_client(steward)
    assert_problem(post_json(api, f"{path}/moderation", {}), 422, "validation_error")
    assert_problem(post_json(api, f"{path}/moderation", {"pinned": "yes"}),
                   422, "validation_error")
    board.start_topic(actor=member, community=coaches, title="Newer", body="Later")
    moderated = post_json(api, f"{path}/moderation", {"pinned": True, "locked": True})
    assert moderated.status_code == 200, moderated.content
    assert moderated.json()["pinned"] is True and moderated.json()["locked"] is True
    assert [t["title"] for t in mo.get(f"{API}/communities/coaches/topics").json()[
        "items"]] == ["Hot", "Newer"]
    assert_problem(post_json(mo, f"{path}/replies", {"body": "More"}), 409, "conflict")
    hidden = post_json(api, f"{API}/communities/coaches/replies/{answer.pk}/moderation",
                       {"hidden": True})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert mo.get(path).json()["replies"] == [] and mo.get(path).json()["reply_count"] == 0
    assert [r["hidden"] for r in api.get(path).json()["replies"]] == [True]
    post_json(api, f"{path}/moderation", {"hidden": True})
    assert_problem(mo.get(path), 404, "not_found")
    assert [t["title"] for t in mo.get(f"{API}/communities/coaches/topics").json()[
        "items"]] == ["Newer"]
    assert [t["hidden"] for t in api.get(f"{API}/communities/coaches/topics").json()[
        "items"]] == [True, False]
    assert {"communities.topic_moderated", "communities.reply_moderated"} <= set(actions())


def test_the_topic_list_takes_a_fixed_number_of_queries(steward, coaches):
    api = token_client(steward, "read")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{API}/communities/coaches/topics").status_code == 200
        return len(queries)

    board.start_topic(actor=steward, community=coaches, title="First", body="Text")
    count()  # the token's first use is recorded once
    few = count()
    for n in range(6):
        author = person(make_account(f"t{n}@example.org", f"Talker {n}"))
        Membership.objects.create(community=coaches, account=author)
        found = board.start_topic(actor=author, community=coaches, title=f"T{n}", body="B",
                                  domain="coaching")
        board.reply(actor=steward, community=coaches, topic_id=found.pk, body="R")
    assert count() == few


# --- articles and publications ----------------------------------------------------------

def test_an_article_is_written_once_and_published_to_many_domains(steward, coaches, member):
    start(steward, "Zorg", slug="zorg", visibility="listed", review_publications=True,
          domains=["advice"])
    for community in Community.objects.all():
        Membership.objects.create(community=community, account=member)
    mo = token_client(member)
    written = post_json(mo, f"{API}/articles", {"title": "Good feedback",
                                                "summary": "How to give it",
                                                "body": "Be *kind*."})
    assert written.status_code == 201, written.content
    article = written.json()
    assert article["mine"] is True and "<em>kind</em>" in article["body_html"]
    assert [a["id"] for a in mo.get(f"{API}/articles").json()["items"]] == [article["id"]]
    assert_problem(visitor().get(f"{API}/articles/{article['id']}"), 404, "not_found")

    path = f"{API}/articles/{article['id']}/publications"
    made = post_json(mo, path, {"targets": [{"community": "coaches", "domain": "coaching"},
                                            {"community": "zorg", "domain": "advice"}],
                                "allies_may_see": False})
    assert made.status_code == 201, made.content
    assert [(p["community"]["slug"], p["domain"], p["status"], p["allies_may_see"])
            for p in made.json()] == [("coaches", "coaching", "approved", False),
                                      ("zorg", "advice", "pending", False)]
    assert made.json()[0]["content_type"] == "article"
    assert made.json()[0]["content_id"] == article["id"]
    assert_problem(post_json(mo, path, {"targets": [{"community": "coaches",
                                                     "domain": "coaching"}]}),
                   409, "conflict")
    assert_problem(post_json(mo, path, {"targets": [{"community": "coaches",
                                                     "domain": "wiki"}]}), 422, "invalid")
    assert_problem(post_json(mo, path, {"targets": []}), 422, "validation_error")
    assert_problem(post_json(token_client(steward), path, {"targets": [
        {"community": "coaches", "domain": "advice"}]}), 404, "not_found")
    assert len(mo.get(path).json()) == 2
    assert visitor().get(f"{API}/articles/{article['id']}").status_code == 200

    changed = patch_json(mo, f"{API}/articles/{article['id']}", {"title": "Better feedback"})
    assert changed.status_code == 200 and changed.json()["summary"] == "How to give it"
    assert_problem(patch_json(token_client(steward), f"{API}/articles/{article['id']}",
                              {"title": "Mine"}), 404, "not_found")
    assert_problem(patch_json(mo, f"{API}/articles/{article['id']}", {"body": ""}),
                   422, "validation_error")
    channel = visitor().get(f"{API}/communities/coaches/publications").json()
    assert [p["title"] for p in channel["items"]] == ["Better feedback"]
    assert visitor().get(
        f"{API}/communities/coaches/publications?domain=advice").json()["items"] == []

    # Unpublishing from one channel leaves it on the other; the content stays.
    on_coaches = made.json()[0]["id"]
    assert_problem(token_client(steward).delete(f"{API}/publications/{on_coaches}"),
                   403, "not_allowed")
    allowed = patch_json(mo, f"{API}/publications/{on_coaches}", {"allies_may_see": True})
    assert allowed.status_code == 200 and allowed.json()["allies_may_see"] is True
    assert_problem(patch_json(token_client(steward), f"{API}/publications/{on_coaches}",
                              {"allies_may_see": False}), 404, "not_found")
    assert mo.delete(f"{API}/publications/{on_coaches}").status_code == 204
    assert [p["community"]["slug"] for p in mo.get(path).json()] == ["zorg"]
    assert mo.get(f"{API}/articles/{article['id']}").status_code == 200
    assert mo.delete(f"{API}/articles/{article['id']}").status_code == 204
    assert not Publication.objects.exists()
    assert {"communities.article_created", "communities.published",
            "communities.article_updated", "communities.publication_changed",
            "communities.unpublished", "communities.article_deleted"} <= set(actions())


def test_stewards_curate_their_channel_without_touching_the_content(steward, member):
    zorg = start(steward, "Zorg", slug="zorg", visibility="listed", review_publications=True,
                 domains=["advice"])
    Membership.objects.create(community=zorg, account=member)
    article = published.create_article(actor=member, title="Waiting", body="Text")
    [publication] = published.publish(actor=member, content=article,
                                      targets=[("zorg", "advice")])
    path = f"{API}/communities/zorg/publications"
    mo, api = token_client(member), token_client(steward)
    assert mo.get(path).json()["items"] == []
    assert_problem(mo.get(f"{path}?curating=true"), 403, "not_allowed")
    assert [p["status"] for p in api.get(f"{path}?curating=true").json()["items"]] == [
        "pending"]
    curation = f"{path}/{publication.pk}/curation"
    assert_problem(post_json(mo, curation, {"action": "approve"}), 403, "not_allowed")
    assert_problem(post_json(api, curation, {"action": "delete"}), 422, "validation_error")
    assert_problem(post_json(api, curation, {"action": "feature"}), 409, "conflict")
    approved = post_json(api, curation, {"action": "approve"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    featured = post_json(api, curation, {"action": "feature"})
    assert featured.json()["featured"] is True
    assert [p["title"] for p in mo.get(path).json()["items"]] == ["Waiting"]
    hidden = post_json(api, curation, {"action": "hide"})
    assert hidden.json()["status"] == "hidden" and hidden.json()["featured"] is False
    assert mo.get(path).json()["items"] == []
    article.refresh_from_db()
    assert article.title == "Waiting" and article.body == "Text"
    assert_problem(post_json(api, f"{path}/999999/curation", {"action": "hide"}),
                   404, "not_found")
    assert actions().count("communities.curated") == 3


def test_the_publication_list_takes_a_fixed_number_of_queries(steward, coaches):
    api = token_client(steward, "read")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{API}/communities/coaches/publications").status_code == 200
        return len(queries)

    first = published.create_article(actor=steward, title="First", body="B")
    published.publish(actor=steward, content=first, targets=[("coaches", "coaching")])
    count()  # the token's first use is recorded once
    few = count()
    for n in range(6):
        author = person(make_account(f"p{n}@example.org", f"Publisher {n}"))
        Membership.objects.create(community=coaches, account=author)
        article = published.create_article(actor=author, title=f"A{n}", body="B")
        published.publish(actor=author, content=article,
                          targets=[("coaches", "coaching"), ("coaches", "advice")])
    assert count() == few


# --- who sees what ----------------------------------------------------------------------

@pytest.fixture
def matrix(db, admin_account):
    """A hidden and a listed community, each with a member, a steward and a supervisor, a
    topic and two published articles (one for allies too); an allied community's member,
    an outsider and an anonymous visitor."""
    who = SimpleNamespace()
    who.steward = person(make_account("stew@example.org", "Stew Ard"), "communities")
    who.member = person(make_account("mem@example.org", "Mem Ber"), "public")
    who.supervisor = person(make_account("sup@example.org", "Sue Pervisor"), "public")
    who.ally = person(make_account("ally@example.org", "Al Ly"), "public")
    who.outsider = person(make_account("out@example.org", "Out Sider"), "public")
    who.anonymous = None
    allies = start(who.ally, "Allies", slug="allies")
    who.places = {}
    for visibility in ("hidden", "listed"):
        community = start(who.steward, f"{visibility} place", slug=visibility,
                          visibility=visibility, join_policy="approval",
                          domains=["advice", "coaching"])
        Membership.objects.create(community=community, account=who.member)
        services.appoint_supervisor(actor=admin_account, community=community,
                                    account=who.supervisor)
        alliance = services.propose_alliance(actor=who.steward, community=community,
                                             partner_slug="allies")
        services.respond_to_alliance(actor=who.ally, community=allies,
                                     alliance_id=alliance.pk, accept=True)
        topic = board.start_topic(actor=who.member, community=community,
                                  title=f"Talk in {visibility}", body="Secret talk")
        board.reply(actor=who.steward, community=community, topic_id=topic.pk,
                    body="Secret reply")
        shared = published.create_article(actor=who.member, title=f"Shared {visibility}",
                                          body="For allies too")
        own = published.create_article(actor=who.member, title=f"Own {visibility}",
                                       body="Members only")
        published.publish(actor=who.member, content=shared,
                          targets=[(visibility, "advice")], allies_may_see=True)
        published.publish(actor=who.member, content=own,
                          targets=[(visibility, "advice")], allies_may_see=False)
        who.places[visibility] = SimpleNamespace(community=community, topic=topic,
                                                 shared=shared, own=own)
    return who


def client_of(who, name):
    account = getattr(who, name)
    return visitor() if account is None else token_client(account, "read")


INSIDERS = ("member", "steward", "supervisor")
OTHERS = ("ally", "outsider", "anonymous")


@pytest.mark.parametrize("viewer", INSIDERS + OTHERS)
def test_the_hidden_community_exists_only_for_its_members(matrix, viewer):
    place = matrix.places["hidden"]
    api = client_of(matrix, viewer)
    base = f"{API}/communities/hidden"
    reads = [base, f"{base}/members", f"{base}/topics", f"{base}/topics/{place.topic.pk}",
             f"{base}/publications", f"{base}/alliances",
             f"{API}/articles/{place.own.pk}"]
    found = [api.get(path) for path in reads]
    if viewer in INSIDERS:
        assert [r.status_code for r in found] == [200] * len(reads)
        assert found[0].json()["my_role"] == viewer
        assert found[0].json()["member_count"] == 3
        assert {m["person"]["display_name"] for m in found[1].json()["items"]} >= {
            "Mem Ber", "Sue Pervisor"}
        assert [t["title"] for t in found[2].json()["items"]] == ["Talk in hidden"]
        assert [r["body"] for r in found[3].json()["replies"]] == ["Secret reply"]
        assert {p["title"] for p in found[4].json()["items"]} == {"Shared hidden",
                                                                  "Own hidden"}
        assert [(a["proposer"]["slug"], a["partner"]["slug"], a["status"])
                for a in found[5].json()] == [("hidden", "allies", "active")]
        return
    for response in found:
        assert_problem(response, 404, "not_found")
        assert b"Secret" not in response.content and b"hidden place" not in response.content
    listing = api.get(f"{API}/communities").json()
    assert "hidden" not in {c["slug"] for c in listing["items"]}
    # An allied community's member reads an article its publisher shares with allies;
    # nobody else outside does.
    shared = api.get(f"{API}/articles/{place.shared.pk}")
    if viewer == "ally":
        assert shared.status_code == 200 and shared.json()["title"] == "Shared hidden"
    else:
        assert_problem(shared, 404, "not_found")


@pytest.mark.parametrize("viewer", INSIDERS + OTHERS)
def test_the_listed_community_shows_its_card_and_its_content_only_to_members(matrix, viewer):
    place = matrix.places["listed"]
    api = client_of(matrix, viewer)
    base = f"{API}/communities/listed"
    detail = api.get(base)
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["name"] == "listed place" and body["purpose"]
    members = api.get(f"{base}/members")
    topics = api.get(f"{base}/topics")
    topic = api.get(f"{base}/topics/{place.topic.pk}")
    channel = api.get(f"{base}/publications")
    shared = api.get(f"{API}/articles/{place.shared.pk}")
    own = api.get(f"{API}/articles/{place.own.pk}")
    assert members.status_code == topics.status_code == channel.status_code == 200
    if viewer in INSIDERS:
        assert body["can_see_content"] is True and body["member_count"] == 3
        assert {m["person"]["display_name"] for m in members.json()["items"]} >= {
            "Mem Ber", "Sue Pervisor"}
        assert [t["title"] for t in topics.json()["items"]] == ["Talk in listed"]
        assert topic.status_code == 200
        assert {p["title"] for p in channel.json()["items"]} == {"Shared listed",
                                                                 "Own listed"}
        assert shared.status_code == own.status_code == 200
        return
    assert body["can_see_content"] is False and body["member_count"] is None
    assert body["my_role"] is None and body["allied"] is (viewer == "ally")
    if viewer == "ally":  # allies see the domains, as on the channel's page, without counts
        assert body["domains"] and all(d["published"] is None for d in body["domains"])
    else:
        assert body["domains"] == []
    assert members.json()["items"] == [] and topics.json()["items"] == []
    assert_problem(topic, 404, "not_found")
    assert_problem(own, 404, "not_found")
    for response in (members, topics, topic, own):
        assert b"Secret" not in response.content and b"Members only" not in response.content
    if viewer == "ally":
        assert [p["title"] for p in channel.json()["items"]] == ["Shared listed"]
        assert shared.status_code == 200
    else:
        assert channel.json()["items"] == []
        assert_problem(shared, 404, "not_found")
    card = next(c for c in api.get(f"{API}/communities").json()["items"]
                if c["slug"] == "listed")
    assert card["member_count"] is None


@pytest.mark.parametrize("viewer", OTHERS)
def test_outside_a_community_nobody_writes_to_it(matrix, viewer):
    account = getattr(matrix, viewer)
    api = visitor() if account is None else token_client(account)
    for slug, refused in (("hidden", (404, "not_found")), ("listed", (403, "not_allowed"))):
        place = matrix.places[slug]
        if account is None:
            refused = (401, "not_authenticated")
        base = f"{API}/communities/{slug}"
        writes = [
            post_json(api, f"{base}/topics", {"title": "X", "body": "Y"}),
            post_json(api, f"{base}/topics/{place.topic.pk}/replies", {"body": "Y"}),
            post_json(api, f"{base}/topics/{place.topic.pk}/moderation", {"hidden": True}),
            patch_json(api, base, {"name": "Taken"}),
            post_json(api, f"{base}/invitations", {}),
            post_json(api, f"{base}/domains", {"kind": "wiki"}),
        ]
        for response in writes:
            assert_problem(response, *refused)
        if account is not None:
            hidden_pub = Publication.objects.filter(community__slug=slug).first()
            status = 404 if slug == "hidden" else 403
            assert_problem(post_json(api, f"{base}/publications/{hidden_pub.pk}/curation",
                                     {"action": "hide"}), status,
                           "not_found" if slug == "hidden" else "not_allowed")
    assert Topic.objects.count() == 2 and Reply.objects.count() == 2
    assert not Topic.objects.filter(hidden_at__isnull=False).exists()


def test_a_publication_in_a_hidden_community_cannot_be_probed_by_outsiders(matrix):
    publication = Publication.objects.filter(community__slug="hidden").first()
    api = token_client(matrix.outsider)
    assert_problem(api.delete(f"{API}/publications/{publication.pk}"), 404, "not_found")
    assert_problem(patch_json(api, f"{API}/publications/{publication.pk}",
                              {"allies_may_see": False}), 404, "not_found")
    assert Publication.objects.filter(pk=publication.pk).exists()


# --- the export and the API document ----------------------------------------------------

def test_the_account_export_holds_memberships_posts_and_invitations(steward, coaches, member):
    services.invite(actor=steward, community=coaches, email="member@example.org")
    Membership.objects.create(community=coaches, account=member)
    topic = board.start_topic(actor=member, community=coaches, title="Hello", body="Hi all")
    board.reply(actor=member, community=coaches, topic_id=topic.pk, body="Me again")
    exported = token_client(member, "read").get(f"{API}/me/export")
    assert exported.status_code == 200, exported.content
    data = exported.json()
    assert [(m["slug"], m["role"]) for m in data["community_memberships"]] == [
        ("coaches", "member")]
    assert [t["title"] for t in data["community_posts"]["topics"]] == ["Hello"]
    assert [r["text"] for r in data["community_posts"]["replies"]] == ["Me again"]
    assert [i["community"] for i in data["community_invitations"]["received"]] == ["Coaches"]
    sent = token_client(steward, "read").get(f"{API}/me/export").json()
    assert [i["email"] for i in sent["community_invitations"]["sent"]] == ["member@example.org"]


def test_the_openapi_document_lists_the_community_endpoints():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/communities", "/api/v1/communities/{slug}",
                 "/api/v1/communities/{slug}/members/{account_id}",
                 "/api/v1/communities/{slug}/join", "/api/v1/communities/invitations/{token}",
                 "/api/v1/communities/{slug}/alliances/{alliance_id}/accept",
                 "/api/v1/communities/{slug}/topics/{topic_id}/moderation",
                 "/api/v1/communities/{slug}/publications/{publication_id}/curation",
                 "/api/v1/articles/{article_id}/publications",
                 "/api/v1/publications/{publication_id}",
                 "/api/v1/me/communities/{slug}", "/api/v1/domain-kinds"):
        assert path in paths, path
    tags = {tag for item in paths.values() for op in item.values() for tag in op["tags"]}
    assert {"communities", "board", "publications", "alliances"} <= tags


def test_every_community_write_is_audited_with_its_actor(steward, member):
    """One write of each kind through the API, each leaving a record naming who did it."""
    api, mo = token_client(steward), token_client(member)
    post_json(api, f"{API}/communities", {"name": "Audit", "kind": "cooperative",
                                          "purpose": "P", "audience": "A",
                                          "join_policy": "open"})
    post_json(mo, f"{API}/communities/audit/join")
    patch_json(api, f"{API}/communities/audit/members/{member.pk}", {"role": "steward"})
    patch_json(api, f"{API}/communities/audit/members/{member.pk}", {"role": "member"})
    post_json(mo, f"{API}/communities/audit/leave")
    records = AuditRecord.objects.filter(action__startswith="communities.").order_by("pk")
    assert [(r.action, r.actor_id) for r in records] == [
        ("communities.created", steward.pk), ("communities.joined", member.pk),
        ("communities.role_changed", steward.pk), ("communities.role_changed", steward.pk),
        ("communities.left", member.pk)]
    assert [r.subject_id for r in records][2:] == [member.pk] * 3
    assert JoinRequest.objects.count() == 0 and Alliance.objects.count() == 0
