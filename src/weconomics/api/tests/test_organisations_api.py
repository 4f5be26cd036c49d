"""The organisations API: profiles, members and the last owner, invitations, follows, news."""

import re

import pytest
from django.core import mail
from django.test import Client

from weconomics.api.tests.helpers import assert_problem, patch_json, post_json, token_client
from weconomics.audit.models import AuditRecord
from weconomics.contacts import organisations as orgs
from weconomics.contacts import services
from weconomics.contacts.models import (
    Follow,
    NetworkRole,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPost,
)
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery(owner, member):
    """An organisation owned by `owner`, with `member` as a plain member."""
    created = orgs.create_organisation(actor=owner, name="Bakkerij de Korf", kind="cooperative",
                                       region="Zwolle", about="Bread *daily*")
    OrganisationMembership.objects.create(organisation=created, account=member)
    for account in (owner, member):
        services.update_profile(actor=account, profile_visibility="public")
    return created


def memberships():
    return sorted(OrganisationMembership.objects.values_list("account_id", "role"))


def test_an_organisation_is_created_with_its_creator_as_owner(member):
    api = token_client(member)
    response = post_json(api, "/api/v1/organisations", {
        "name": "Zorg Samen", "kind": "foundation", "about": "<script>x()</script>We *care*",
        "website": "https://zorg.example.org/"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "zorg-samen" and body["my_role"] == "owner"
    assert body["member_count"] == 1 and body["following"] is False
    assert body["about"] == "<script>x()</script>We *care*"
    assert "<script" not in body["about_html"] and "<em>care</em>" in body["about_html"]
    assert AuditRecord.objects.filter(action="contacts.organisation_created").exists()
    assert_problem(post_json(api, "/api/v1/organisations",
                             {"name": "Other", "slug": "zorg-samen", "kind": "school"}),
                   409, "conflict")


@pytest.mark.parametrize("payload, code", [
    ({"name": "", "kind": "school"}, "validation_error"),
    ({"name": "Two\nlines", "kind": "school"}, "validation_error"),
    ({"name": "X", "kind": "empire"}, "validation_error"),
    ({"name": "x" * 201, "kind": "school"}, "validation_error"),
    ({"name": "X", "kind": "school", "website": "javascript:alert(1)"}, "invalid"),
    ({"name": "X", "kind": "school", "slug": "admin"}, "invalid"),
    ({"name": 5, "kind": "school"}, "validation_error"),
])
def test_bad_organisation_input_is_a_422_problem_and_creates_nothing(member, payload, code):
    api = token_client(member)
    before = AuditRecord.objects.count()
    assert_problem(post_json(api, "/api/v1/organisations", payload), 422, code)
    assert not Organisation.objects.exists() and not OrganisationMembership.objects.exists()
    assert AuditRecord.objects.count() == before


def test_organisations_are_found_and_shown_to_everyone_signed_in(bakery, outsider):
    api = token_client(outsider, "read")
    found = api.get("/api/v1/organisations?q=korf").json()
    assert [o["slug"] for o in found["items"]] == [bakery.slug]
    assert found["items"][0]["member_count"] == 2
    assert api.get("/api/v1/organisations?kind=school").json()["items"] == []
    assert api.get("/api/v1/organisations?region=zwolle").json()["items"]
    detail = api.get(f"/api/v1/organisations/{bakery.slug}").json()
    assert detail["about_html"] == "<p>Bread <em>daily</em></p>" and detail["my_role"] is None
    assert_problem(api.get("/api/v1/organisations/nope"), 404, "not_found")
    assert_problem(api.get("/api/v1/organisations?kind=empire"), 422, "validation_error")
    assert_problem(Client().get("/api/v1/organisations"), 401, "not_authenticated")


def test_only_owners_and_administrators_change_the_organisation(bakery, owner, member):
    assert_problem(patch_json(token_client(member), f"/api/v1/organisations/{bakery.slug}",
                              {"headline": "Ours"}), 403, "not_allowed")
    changed = patch_json(token_client(owner), f"/api/v1/organisations/{bakery.slug}",
                         {"headline": "Fresh bread", "slug": "korf"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["slug"] == "korf" and changed.json()["headline"] == "Fresh bread"
    assert_problem(patch_json(token_client(owner), "/api/v1/organisations/korf", {"name": None}),
                   422, "validation_error")


def test_members_are_listed_when_their_profiles_are_visible(bakery, owner, member, outsider):
    services.update_profile(actor=member, profile_visibility="private")
    listed = token_client(outsider, "read").get(f"/api/v1/organisations/{bakery.slug}/members")
    assert [(m["display_name"], m["role"]) for m in listed.json()] == [("Olivia Owner", "owner")]
    mine = token_client(member, "read").get(f"/api/v1/organisations/{bakery.slug}/members")
    assert {m["account_id"] for m in mine.json()} == {owner.pk, member.pk}


def test_changing_the_role_of_a_hidden_member_does_not_reveal_their_profile(bakery, owner,
                                                                             member):
    services.update_profile(actor=member, profile_visibility="private",
                            headline="Secret baker")
    api = token_client(owner)
    changed = patch_json(api, f"/api/v1/organisations/{bakery.slug}/members/{member.pk}",
                         {"role": "admin"})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["account_id"] == member.pk and body["role"] == "admin"
    assert body["handle"] is None and body["display_name"] is None and body["headline"] is None
    assert b"Secret baker" not in changed.content
    assert member.person.handle.encode() not in changed.content


def test_the_last_owner_can_neither_step_down_nor_leave(bakery, owner, member):
    api = token_client(owner)
    members_path = f"/api/v1/organisations/{bakery.slug}/members"
    before = memberships()
    assert_problem(patch_json(api, f"{members_path}/{owner.pk}", {"role": "member"}),
                   409, "last_owner")
    assert_problem(api.delete(f"{members_path}/{owner.pk}"), 409, "last_owner")
    assert memberships() == before

    # A member can neither promote themselves nor remove the owner.
    mo = token_client(member)
    assert_problem(patch_json(mo, f"{members_path}/{member.pk}", {"role": "owner"}),
                   403, "not_allowed")
    assert_problem(mo.delete(f"{members_path}/{owner.pk}"), 403, "not_allowed")
    assert memberships() == before

    promoted = patch_json(api, f"{members_path}/{member.pk}", {"role": "owner"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    assert AuditRecord.objects.filter(action="contacts.organisation_role_changed").exists()
    assert api.delete(f"{members_path}/{owner.pk}").status_code == 204
    assert memberships() == [(member.pk, "owner")]
    assert_problem(mo.delete(f"{members_path}/{member.pk}"), 409, "last_owner")
    assert_problem(patch_json(mo, f"{members_path}/{member.pk}", {"role": "king"}),
                   422, "validation_error")


def test_an_invitation_is_sent_listed_accepted_once(bakery, owner, outsider,
                                                    django_capture_on_commit_callbacks):
    api = token_client(owner)
    path = f"/api/v1/organisations/{bakery.slug}/invitations"
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_json(api, path, {"email": "Outsider@Example.org", "role": "admin"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["email"] == "outsider@example.org" and "token" not in sent.json()
    assert [i["id"] for i in api.get(path).json()] == [sent.json()["id"]]
    assert_problem(post_json(api, path, {"email": "outsider@example.org"}), 409, "conflict")
    assert_problem(post_json(api, path, {"email": "not an address"}), 422, "invalid")
    assert_problem(post_json(api, path, {"email": "x@example.org", "role": "boss"}),
                   422, "validation_error")

    token = re.search(r"/organisations/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    theirs = token_client(outsider)
    preview = theirs.get(f"/api/v1/invitations/{token}").json()
    assert preview["organisation"]["slug"] == bakery.slug and preview["role"] == "admin"
    accepted = post_json(theirs, f"/api/v1/invitations/{token}/accept")
    assert accepted.status_code == 201 and accepted.json()["role"] == "admin"
    assert_problem(post_json(theirs, f"/api/v1/invitations/{token}/accept"), 409, "conflict")
    assert_problem(post_json(theirs, "/api/v1/invitations/wrong-token/accept"), 404, "not_found")
    mine = theirs.get("/api/v1/me/organisations").json()
    assert [(m["organisation"]["slug"], m["role"]) for m in mine] == [(bakery.slug, "admin")]
    assert mine[0]["organisation"]["member_count"] == 3


def test_an_invitation_for_another_address_or_withdrawn_cannot_be_used(
        bakery, owner, member, outsider, django_capture_on_commit_callbacks):
    api = token_client(owner)
    path = f"/api/v1/organisations/{bakery.slug}/invitations"
    assert_problem(post_json(token_client(member), path, {"email": "new@example.org"}),
                   403, "not_allowed")
    assert_problem(token_client(member).get(path), 403, "not_allowed")
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_json(api, path, {"email": "someone@example.org"})
    token = re.search(r"/organisations/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    before = memberships()
    assert_problem(post_json(token_client(outsider), f"/api/v1/invitations/{token}/accept"),
                   403, "not_allowed")
    assert api.delete(f"{path}/{sent.json()['id']}").status_code == 204
    assert_problem(api.delete(f"{path}/{sent.json()['id']}"), 404, "not_found")
    assert_problem(post_json(token_client(outsider), f"/api/v1/invitations/{token}/accept"),
                   404, "not_found")
    assert memberships() == before
    assert OrganisationInvitation.objects.get().revoked_at is not None


def test_followers_get_the_news_rendered_inert(bakery, owner, outsider):
    theirs = token_client(outsider)
    assert theirs.put(f"/api/v1/organisations/{bakery.slug}/follow").status_code == 204
    assert theirs.put(f"/api/v1/organisations/{bakery.slug}/follow").status_code == 204
    assert Follow.objects.count() == 1
    assert theirs.get(f"/api/v1/organisations/{bakery.slug}").json()["following"] is True

    api = token_client(owner)
    news_path = f"/api/v1/organisations/{bakery.slug}/news"
    posted = post_json(api, news_path, {"title": "<b>Open</b> day",
                                        "body": "Come <img src=x onerror=alert(1)> **Saturday**"})
    assert posted.status_code == 201, posted.content
    post = posted.json()
    assert post["title"] == "<b>Open</b> day"
    assert "<img" not in post["body_html"] and "<strong>Saturday</strong>" in post["body_html"]
    assert [n["id"] for n in theirs.get("/api/v1/me/news").json()] == [post["id"]]
    assert Notification.objects.filter(recipient=outsider,
                                       kind="contacts.organisation_news").exists()
    assert [n["id"] for n in theirs.get(news_path).json()["items"]] == [post["id"]]

    assert_problem(post_json(theirs, news_path, {"title": "Mine", "body": "x"}),
                   403, "not_allowed")
    assert_problem(post_json(api, news_path, {"title": "", "body": "x"}), 422, "validation_error")
    assert_problem(post_json(api, news_path, {"title": "T", "body": "x" * 5001}),
                   422, "validation_error")
    assert_problem(theirs.delete(f"{news_path}/{post['id']}"), 403, "not_allowed")
    assert api.delete(f"{news_path}/{post['id']}").status_code == 204
    assert not OrganisationPost.objects.exists()

    assert theirs.delete(f"/api/v1/organisations/{bakery.slug}/follow").status_code == 204
    assert theirs.get("/api/v1/me/news").json() == []


def test_an_organisation_takes_network_roles_through_its_administrators(bakery, owner, member):
    path = f"/api/v1/organisations/{bakery.slug}/roles"
    taken = token_client(owner).put(f"{path}/network_supplier", {"specialty": "research"},
                                    content_type="application/json")
    assert taken.json() == {"role": "network_supplier", "specialty": "research"}
    assert_problem(token_client(member).put(f"{path}/customer"), 403, "not_allowed")
    assert_problem(token_client(owner).put(f"{path}/supervisor"), 403, "not_allowed")
    found = token_client(member, "read").get("/api/v1/organisations?role=network_supplier")
    assert [o["roles"] for o in found.json()["items"]] == [
        [{"role": "network_supplier", "specialty": "research"}]]
    assert token_client(owner).delete(f"{path}/network_supplier").status_code == 204
    assert not NetworkRole.objects.exists()


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/organisations", {"name": "New", "kind": "school"}),
    ("patch", "/api/v1/organisations/SLUG", {"headline": "x"}),
    ("post", "/api/v1/organisations/SLUG/invitations", {"email": "a@example.org"}),
    ("post", "/api/v1/organisations/SLUG/news", {"title": "T", "body": "B"}),
    ("put", "/api/v1/organisations/SLUG/follow", None),
    ("delete", "/api/v1/organisations/SLUG/members/OWNER", None),
])
def test_a_read_only_token_is_refused_on_every_write(bakery, owner, method, path, body):
    path = path.replace("SLUG", bakery.slug).replace("OWNER", str(owner.pk))
    api = token_client(owner, "read")
    before = (memberships(), Organisation.objects.values().get(), Follow.objects.count(),
              OrganisationPost.objects.count(), OrganisationInvitation.objects.count())
    kwargs = {"content_type": "application/json"} if body is not None else {}
    args = (body,) if body is not None else ()
    assert_problem(getattr(api, method)(path, *args, **kwargs), 403, "read_only_token")
    assert (memberships(), Organisation.objects.values().get(), Follow.objects.count(),
            OrganisationPost.objects.count(), OrganisationInvitation.objects.count()) == before


def test_the_openapi_document_lists_the_organisation_endpoints():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path, methods in {
        "/api/v1/organisations": {"get", "post"},
        "/api/v1/organisations/{slug}": {"get", "patch"},
        "/api/v1/organisations/{slug}/members": {"get"},
        "/api/v1/organisations/{slug}/members/{account_id}": {"patch", "delete"},
        "/api/v1/organisations/{slug}/invitations": {"get", "post"},
        "/api/v1/organisations/{slug}/invitations/{invitation_id}": {"delete"},
        "/api/v1/invitations/{token}/accept": {"post"},
        "/api/v1/organisations/{slug}/follow": {"put", "delete"},
        "/api/v1/organisations/{slug}/news": {"get", "post"},
        "/api/v1/organisations/{slug}/news/{post_id}": {"delete"},
        "/api/v1/organisations/{slug}/roles/{role}": {"put", "delete"},
        "/api/v1/me/organisations": {"get"},
        "/api/v1/me/news": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
        for operation in methods:
            assert paths[path][operation]["summary"]


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/organisations?q=%00&region=%0A", None),
    ("get", "/api/v1/organisations/a%00b", None),
    ("post", "/api/v1/invitations/a%00b/accept", None),
    ("post", "/api/v1/organisations", {"name": "N", "kind": "school", "about": "a\x00"}),
    ("post", "/api/v1/organisations/SLUG/news", {"title": "T", "body": "a\x00b"}),
    ("post", "/api/v1/organisations/SLUG/invitations", {"email": "a\x00@example.org"}),
    ("patch", "/api/v1/organisations/SLUG/members/99999999999999999999", {"role": "admin"}),
])
def test_odd_input_is_a_4xx_problem_never_a_server_error(bakery, owner, method, path, body):
    api = token_client(owner)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    path = path.replace("SLUG", bakery.slug)
    response = getattr(api, method)(path, *((body,) if body is not None else ()), **kwargs)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"]
