"""The wiki's API: pages, revisions, diff, revert, protection, hidden revisions, changes;
edit conflicts as 409 problems with the newest text and a merge; visibility as the pages."""

import pytest

from weconomics.api.tests.helpers import (
    assert_problem,
    patch_json,
    post_json,
    put_json,
    token_client,
    visitor,
)
from weconomics.communities import services as communities
from weconomics.communities.models import Membership
from weconomics.conftest import make_account
from weconomics.wiki.models import Page, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(db):
    steward = make_account("stella@example.org", "Stella Steward")
    member = make_account("mira@example.org", "Mira Member")
    other = make_account("olaf@example.org", "Olaf Other")
    outsider = make_account("otto@example.org", "Otto Outsider")
    made = {}
    for visibility in ("public", "listed", "hidden"):
        community = communities.create_community(
            actor=steward, name=f"Club {visibility}", slug=f"club-{visibility}", purpose="p",
            audience="a", kind="professional_network", visibility=visibility,
            join_policy="open", domains=["wiki"])
        for account in (member, other):
            Membership.objects.create(community=community, account=account)
        made[visibility] = community
    return steward, member, other, outsider, made


PAGE = "/api/v1/communities/club-public/wiki/pages/Getting_started"


def test_a_member_saves_pages_and_reads_history_and_diff(club):
    steward, member, other, outsider, made = club
    api = token_client(member)
    created = put_json(api, PAGE, {"text": "Hello [[World]]", "summary": "first"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Getting started" and body["latest_revision"]["size"] == 15
    assert 'class="new"' in body["html"] and body["may_edit"] is True
    first = body["latest_revision"]["id"]
    changed = put_json(api, PAGE, {"text": "Hello there", "minor": True, "base_revision": first})
    assert changed.status_code == 200
    second = changed.json()["latest_revision"]
    assert (second["size_change"], second["minor"], second["parent_id"]) == (-4, True, first)
    history = visitor().get(PAGE + "/revisions").json()
    assert [r["id"] for r in history["items"]] == [second["id"], first]
    diff = visitor().get(PAGE + f"/diff?from={first}&to={second['id']}").json()
    assert '<del class="diff-del">[[World]]</del>' in diff["html"] or "diff-del" in diff["html"]
    assert visitor().get("/api/v1/communities/club-public/wiki/changes").json()["items"][0][
        "id"] == second["id"]
    assert visitor().get("/api/v1/communities/club-public/wiki/pages?q=there").json()[
        "items"][0]["title"] == "Getting started"


def test_a_stale_base_is_a_409_with_the_newest_text_and_a_merge(club):
    steward, member, other, outsider, made = club
    first = put_json(token_client(member), PAGE, {"text": "a\nb\nc\n"}).json()
    base = first["latest_revision"]["id"]
    assert put_json(token_client(other), PAGE, {"text": "A\nb\nc\n", "base_revision": base}
                    ).status_code == 200
    body = assert_problem(put_json(token_client(member), PAGE,
                                   {"text": "a\nb\nC\n", "base_revision": base}),
                          409, "edit_conflict")
    assert body["latest_text"] == "A\nb\nc\n" and body["merged_text"] == "A\nb\nC\n"
    assert Revision.objects.count() == 2
    again = put_json(token_client(member), PAGE, {"text": body["merged_text"],
                                                  "base_revision": body["latest_revision"]})
    assert again.status_code == 200


def test_revert_protect_and_hide(club):
    steward, member, other, outsider, made = club
    one = put_json(token_client(member), PAGE, {"text": "good"}).json()["latest_revision"]["id"]
    two = put_json(token_client(other), PAGE, {"text": "bad", "base_revision": one}).json()[
        "latest_revision"]["id"]
    reverted = post_json(token_client(member), PAGE + "/revert", {"revision": one})
    assert reverted.status_code == 201
    assert Page.objects.get().latest.text == "good"
    other_page = put_json(token_client(member), PAGE.replace("Getting_started", "Other"),
                          {"text": "x"}).json()["latest_revision"]["id"]
    assert_problem(post_json(token_client(member), PAGE + "/revert", {"revision": other_page}),
                   404, "not_found")
    assert_problem(visitor().get(PAGE + f"/diff?from={other_page}&to={one}"), 404, "not_found")
    assert_problem(patch_json(token_client(member), PAGE, {"protected": True}), 403,
                   "not_allowed")
    assert patch_json(token_client(steward), PAGE, {"protected": True}).json()["protected"]
    latest = Page.objects.get(title="Getting started").latest_id
    assert_problem(put_json(token_client(member), PAGE, {"text": "new", "base_revision": latest}),
                   403, "protected")
    path = PAGE + f"/revisions/{two}/visibility"
    assert_problem(post_json(token_client(steward), path, {"hidden": True}), 422, "invalid")
    assert post_json(token_client(steward), path, {"hidden": True, "reason": "abuse"}
                     ).json()["hidden"] is True
    assert visitor().get(PAGE + f"/revisions/{two}").json()["text"] is None
    assert_problem(visitor().get(PAGE + f"/diff?to={two}"), 403, "not_allowed")


def test_bad_input_is_a_clear_problem_and_saves_nothing(club):
    steward, member, other, outsider, made = club
    api = token_client(member)
    assert_problem(put_json(api, PAGE, {"text": "  "}), 422, "invalid")
    assert_problem(put_json(api, PAGE, {"text": "x" * 500_001}), 422, "invalid")
    assert_problem(put_json(api, "/api/v1/communities/club-public/wiki/pages/%07bad",
                            {"text": "x"}), 422, "invalid")
    assert_problem(put_json(api, "/api/v1/communities/club-public/wiki/pages/Special:X",
                            {"text": "x"}), 422, "invalid")
    assert_problem(put_json(api, PAGE, {"text": 5}), 422, "validation_error")
    assert_problem(put_json(api, PAGE, {"text": "x", "base_revision": 99}), 404, "not_found")
    assert Revision.objects.count() == 0


def test_visibility_follows_the_community(club):
    steward, member, other, outsider, made = club
    for slug in ("club-listed", "club-hidden"):
        put_json(token_client(member), f"/api/v1/communities/{slug}/wiki/pages/Doc",
                 {"text": "inside"})
    for client in (visitor(), token_client(outsider)):
        for path in ("pages", "pages/Doc", "pages/Doc/revisions", "pages/Doc/diff", "changes"):
            assert_problem(client.get(f"/api/v1/communities/club-hidden/wiki/{path}"), 404,
                           "not_found")
            response = client.get(f"/api/v1/communities/club-listed/wiki/{path}")
            assert response.status_code in (401, 403) and b"inside" not in response.content
    assert_problem(put_json(token_client(outsider),
                            "/api/v1/communities/club-hidden/wiki/pages/Doc", {"text": "x"}),
                   404, "not_found")
    assert token_client(member).get("/api/v1/communities/club-hidden/wiki/pages/Doc"
                                    ).json()["text"] == "inside"
