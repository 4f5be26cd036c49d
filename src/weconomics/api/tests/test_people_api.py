"""The people API: what each caller sees of a profile, the directory, the network, bad input."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from weconomics.audit.models import AuditRecord
from weconomics.conftest import WORLD_SEES, make_account
from weconomics.contacts import services
from weconomics.contacts.models import (
    SECTIONS,
    Block,
    Connection,
    ConnectionRequest,
    Endorsement,
    Experience,
    NetworkRole,
    Person,
    Recommendation,
    Report,
)
from weconomics.identity import services as identity

pytestmark = pytest.mark.django_db

# The fields of a profile answer that belong to each section ("profile" is the card itself).
SECTION_FIELDS = {
    "photo": ["photo_url"], "about": ["about", "about_html"], "skills": ["skills"],
    "experience": ["experience"], "education": ["education"], "languages": ["languages"],
    "region": ["region"], "availability": ["availability"], "links": ["links"],
    "recommendations": ["recommendations"],
}


def token_client(account, scope="write"):
    _, raw = identity.create_token(actor=account, name=f"{scope} token", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"]
    return body


def image_file(size=(200, 120), fmt="PNG", name="me.png"):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(data, format=fmt)
    data.seek(0)
    data.name = name
    return data


def post_json(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def connect(a, b):
    asked = services.request_connection(actor=a, handle=services.ensure_person(b).handle)
    services.respond_to_request(actor=b, request_id=asked.pk, answer="accept")


def counts():
    return (ConnectionRequest.objects.count(), Connection.objects.count(),
            Endorsement.objects.count(), Recommendation.objects.count(), Block.objects.count(),
            Report.objects.count(), AuditRecord.objects.count())


# --- what each caller sees --------------------------------------------------------------

@pytest.fixture
def full_world(world):
    """The world's profile with something in every section, a photo and a recommendation."""
    services.set_photo(actor=world.owner, upload=_upload(image_file()))
    asked = services.ask_recommendation(actor=world.owner, handle=world.connection.person.handle)
    services.write_recommendation(actor=world.connection, handle=world.handle, body="Great *coach*")
    services.decide_recommendation(actor=world.owner, recommendation_id=asked.pk, approve=True)
    return world


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(data.name, data.getvalue(), content_type="image/png")


@pytest.mark.parametrize("viewer", [v for v in WORLD_SEES if v != "anonymous"])
def test_each_caller_gets_exactly_the_sections_they_may_see(full_world, viewer):
    api = token_client(getattr(full_world, viewer), "read")
    response = api.get(f"/api/v1/people/{full_world.handle}")
    assert response.status_code == 200, response.content
    body = response.json()
    seen = {section for section, shown in body["visible"].items() if shown}
    assert seen == WORLD_SEES[viewer]
    assert set(body["visible"]) == set(SECTIONS)
    for section, fields in SECTION_FIELDS.items():
        for field in fields:
            if section in WORLD_SEES[viewer]:
                assert body[field] is not None, field
            else:
                assert body[field] is None, field
    assert body["display_name"] == "Olivia Owner" and body["headline"] == "Coach"


def test_the_visible_sections_carry_their_content(full_world):
    body = token_client(full_world.connection, "read").get(
        f"/api/v1/people/{full_world.handle}").json()
    assert body["relation"] == "connection"
    assert body["about"] == "Hello *world*" and body["about_html"] == "<p>Hello <em>world</em></p>"
    assert [s["name"] for s in body["skills"]] == ["Coaching", "Python"]
    assert body["experience"][0]["title"] == "Team coach"
    assert body["availability"] == {"hours_per_month": 20, "available_from": "2027-01-01"}
    assert body["recommendations"][0]["body_html"] == "<p>Great <em>coach</em></p>"
    assert body["recommendations"][0]["author"]["handle"] == full_world.connection.person.handle
    assert body["photo_url"] == f"/api/v1/people/{full_world.handle}/photo"


def test_a_blocked_caller_sees_only_public_sections_and_is_called_a_stranger(full_world):
    body = token_client(full_world.blocked, "read").get(
        f"/api/v1/people/{full_world.handle}").json()
    assert body["relation"] == "stranger"
    assert body["skills"] is None and body["region"] is None and body["photo_url"] is None


def test_anonymous_callers_are_refused(world):
    assert_problem(Client().get(f"/api/v1/people/{world.handle}"), 401, "not_authenticated")
    assert_problem(Client().get("/api/v1/people"), 401, "not_authenticated")


def test_a_profile_hidden_from_the_caller_is_not_found(world):
    services.update_profile(actor=world.owner, profile_visibility="connections")
    assert_problem(token_client(world.fellow, "read").get(f"/api/v1/people/{world.handle}"),
                   404, "not_found")
    assert token_client(world.connection, "read").get(
        f"/api/v1/people/{world.handle}").status_code == 200
    assert_problem(token_client(world.fellow, "read").get("/api/v1/people/nobody-here"),
                   404, "not_found")


def test_the_photo_is_served_only_to_those_who_may_see_it(full_world):
    path = f"/api/v1/people/{full_world.handle}/photo"
    shown = token_client(full_world.connection, "read").get(path)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "private" in shown["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(shown.streaming_content))).size == (512, 512)
    for viewer in ("fellow", "stranger", "blocked"):
        assert_problem(token_client(getattr(full_world, viewer), "read").get(path),
                       404, "not_found")


# --- the directory ----------------------------------------------------------------------

@pytest.mark.parametrize("viewer", [v for v in WORLD_SEES if v != "anonymous"])
def test_directory_cards_show_only_the_sections_the_caller_may_see(full_world, viewer):
    body = token_client(getattr(full_world, viewer), "read").get("/api/v1/people?q=olivia").json()
    if viewer == "blocked":
        assert body["items"] == []
        return
    [found] = body["items"]
    assert found["handle"] == full_world.handle and found["headline"] == "Coach"
    sees = WORLD_SEES[viewer]
    assert (found["region"] == "Utrecht") is ("region" in sees)
    assert (found["skills"] == ["Coaching", "Python"]) is ("skills" in sees)
    assert (found["photo_url"] is not None) is ("photo" in sees)
    for field, section in (("region", "region"), ("skills", "skills"), ("photo_url", "photo")):
        if section not in sees:
            assert found[field] is None


@pytest.mark.parametrize("viewer, found", [("connection", True), ("fellow", True),
                                           ("stranger", False)])
def test_a_skill_or_region_search_finds_only_who_shows_it(world, viewer, found):
    api = token_client(getattr(world, viewer), "read")
    for query in ("skill=python", "region=utrecht"):
        handles = [p["handle"] for p in api.get(f"/api/v1/people?{query}").json()["items"]]
        assert (world.handle in handles) is found, query


def test_the_directory_filters_by_role_and_community_and_pages(world):
    services.add_role(actor=world.owner, role="customer")
    api = token_client(world.fellow, "read")
    by_role = api.get("/api/v1/people?role=customer").json()["items"]
    assert [p["handle"] for p in by_role] == [world.handle]
    assert by_role[0]["roles"] == [{"role": "customer", "specialty": ""}]
    members = {p["handle"] for p in api.get("/api/v1/people?community=coaches").json()["items"]}
    assert world.handle in members and world.stranger.person.handle not in members
    first = api.get("/api/v1/people?page=1").json()
    assert first["page"] == 1 and first["has_next"] is False
    assert_problem(api.get("/api/v1/people?role=emperor"), 422, "validation_error")
    assert_problem(api.get("/api/v1/people?page=0"), 422, "validation_error")
    assert_problem(api.get("/api/v1/people?q=" + "x" * 101), 422, "validation_error")


def _directory_of(n):
    viewer = make_account("viewer@example.org", "Vera Viewer")
    services.ensure_person(viewer)
    for i in range(n):
        account = make_account(f"p{i}@example.org", f"Person {i:02d}")
        services.update_profile(actor=account, profile_visibility="public",
                                skills_visibility="public", region="Utrecht")
        services.set_skills(actor=account, names=["Python", f"Skill {i}"])
        services.add_role(actor=account, role="customer")
        connect(viewer, account)
    client = Client()
    client.force_login(viewer)
    return client


def _queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


@pytest.mark.parametrize("path", ["/api/v1/people", "/api/v1/me/connections"])
def test_lists_run_the_same_number_of_queries_for_3_and_25_people(path):
    few_queries, few = _queries_for(_directory_of(3), path)
    Person.objects.all().delete()
    from weconomics.identity.models import Account

    Account.objects.all().delete()
    many_queries, many = _queries_for(_directory_of(25), path)
    assert len(many["items"]) >= 20 > len(few["items"]) >= 3
    assert all(p["skills"] for p in many["items"])
    assert many_queries == few_queries


# --- your own profile -------------------------------------------------------------------

def test_my_profile_shows_every_field_and_the_visibility_of_each_section(world):
    body = token_client(world.owner, "read").get("/api/v1/me/profile").json()
    assert body["relation"] == "self" and all(body["visible"].values())
    assert body["visibility"]["education"] == "private"
    assert body["visibility"]["profile"] == "public"
    assert body["links"] == [{"label": "Site", "url": "https://olivia.example.org/"}]


def test_the_profile_changes_with_a_write_token_and_is_audited(member):
    api = token_client(member)
    response = api.patch("/api/v1/me/profile", {
        "display_name": "Mo Maker", "headline": "Baker", "region": "Zwolle",
        "languages": [{"code": "nl", "level": "native"}],
        "links": [{"label": "Shop", "url": "https://shop.example.org/"}],
        "availability": {"hours_per_month": 40, "available_from": "2030-05-01"},
        "visibility": {"skills": "public", "links": "connections"},
    }, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Mo Maker" and body["region"] == "Zwolle"
    assert body["availability"] == {"hours_per_month": 40, "available_from": "2030-05-01"}
    assert body["visibility"]["skills"] == "public"
    assert AuditRecord.objects.filter(action="contacts.profile_updated", actor=member).exists()
    cleared = api.patch("/api/v1/me/profile", {"availability": {"hours_per_month": None}},
                        content_type="application/json").json()
    assert cleared["availability"]["hours_per_month"] is None


@pytest.mark.parametrize("payload, code", [
    ({"display_name": ""}, "validation_error"),
    ({"display_name": None}, "validation_error"),
    ({"headline": "two\nlines"}, "validation_error"),
    ({"headline": "x" * 161}, "validation_error"),
    ({"about": "x" * 5001}, "validation_error"),
    ({"visibility": {"about": "everyone"}}, "validation_error"),
    ({"visibility": {"secrets": "public"}}, "validation_error"),
    ({"availability": {"hours_per_month": 745}}, "validation_error"),
    ({"availability": {"hours_per_month": "20"}}, "validation_error"),
    ({"availability": {"available_from": "someday"}}, "validation_error"),
    ({"languages": [{"code": "Dutch", "level": "native"}]}, "validation_error"),
    ({"links": [{"label": "x", "url": "javascript:alert(1)"}]}, "invalid"),
    ({"links": [{"label": "x", "url": "https://a.example/"}] * 11}, "validation_error"),
    ({"handle": "a!"}, "validation_error"),
])
def test_bad_profile_input_is_a_422_problem_and_changes_nothing(member, payload, code):
    services.ensure_person(member)
    before = Person.objects.values().get(account=member)
    api = token_client(member)
    assert_problem(api.patch("/api/v1/me/profile", payload, content_type="application/json"),
                   422, code)
    assert Person.objects.values().get(account=member) == before


def test_a_taken_profile_address_is_a_conflict(member, outsider):
    services.ensure_person(outsider)
    assert_problem(token_client(member).patch(
        "/api/v1/me/profile", {"handle": outsider.person.handle},
        content_type="application/json"), 409, "conflict")


def test_html_and_script_are_kept_as_text_and_rendered_inert(member):
    api = token_client(member)
    about = ("<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> "
             "[click](javascript:alert(1)) **bold**")
    body = api.patch("/api/v1/me/profile", {"about": about, "headline": "<b>Boss</b>"},
                     content_type="application/json").json()
    assert body["about"] == about and body["headline"] == "<b>Boss</b>"
    html = body["about_html"]
    assert "<script" not in html and "<img" not in html and "onerror" not in html
    assert "javascript:" not in html and "<strong>bold</strong>" in html
    entry = post_json(api, "/api/v1/me/profile/experience", {
        "title": "<i>Chef</i>", "started_on": "2020-01-01",
        "description": "<iframe src=//evil></iframe>ok"}).json()
    assert entry["title"] == "<i>Chef</i>" and "<iframe" not in entry["description_html"]


def test_skills_are_replaced_and_kept_skills_keep_their_endorsements(world):
    api = token_client(world.owner)
    skill_id = world.owner.person.person_skills.get(skill__key="python").pk
    token_client(world.connection).put(f"/api/v1/people/{world.handle}/skills/{skill_id}"
                                       "/endorsement")
    response = api.put("/api/v1/me/profile/skills", {"skills": ["Python", "Baking", " "]},
                       content_type="application/json")
    assert response.status_code == 200, response.content
    assert [(s["name"], s["endorsement_count"]) for s in response.json()] == [
        ("Python", 1), ("Baking", 0)]
    assert_problem(api.put("/api/v1/me/profile/skills", {"skills": ["x" * 61]},
                           content_type="application/json"), 422, "validation_error")
    assert_problem(api.put("/api/v1/me/profile/skills", {"skills": ["a"] * 51},
                           content_type="application/json"), 422, "validation_error")


def test_experience_and_education_are_added_changed_and_removed(member, outsider):
    api = token_client(member)
    created = post_json(api, "/api/v1/me/profile/experience", {
        "title": "Baker", "organisation_name": "Bakkerij", "started_on": "2019-03-01",
        "description": "Bread *daily*"})
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["description_html"] == "<p>Bread <em>daily</em></p>"
    changed = api.patch(f"/api/v1/me/profile/experience/{entry['id']}",
                        {"ended_on": "2021-01-01"}, content_type="application/json").json()
    assert changed["ended_on"] == "2021-01-01" and changed["title"] == "Baker"
    assert_problem(api.patch(f"/api/v1/me/profile/experience/{entry['id']}",
                             {"ended_on": "2000-01-01"}, content_type="application/json"),
                   422, "invalid")
    other = token_client(outsider)
    assert_problem(other.delete(f"/api/v1/me/profile/experience/{entry['id']}"),
                   404, "not_found")
    assert api.delete(f"/api/v1/me/profile/experience/{entry['id']}").status_code == 204
    assert not Experience.objects.exists()
    school = post_json(api, "/api/v1/me/profile/education",
                       {"institution": "ROC", "qualification": "MBO 4"})
    assert school.status_code == 201
    assert_problem(post_json(api, "/api/v1/me/profile/education", {"qualification": "x"}),
                   422, "validation_error")
    assert api.delete(f"/api/v1/me/profile/education/{school.json()['id']}").status_code == 204


def test_a_photo_is_uploaded_re_encoded_and_removed(member):
    api = token_client(member)
    response = api.post("/api/v1/me/profile/photo", {"photo": image_file()})
    assert response.status_code == 200, response.content
    assert response.json()["photo_url"].endswith("/photo")
    member.person.refresh_from_db()
    with Image.open(member.person.photo.path) as stored:
        assert stored.format == "JPEG" and stored.size == (512, 512)
    assert api.delete("/api/v1/me/profile/photo").status_code == 204
    member.person.refresh_from_db()
    assert not member.person.photo


@pytest.mark.parametrize("upload", ["text", "tiny", "oversized"])
def test_bad_photo_uploads_are_422_problems_and_keep_the_old_photo(member, settings, upload):
    services.set_photo(actor=member, upload=_upload(image_file()))
    old = Person.objects.get(account=member).photo.name
    if upload == "text":
        file = io.BytesIO(b"<svg onload=alert(1)></svg>")
        file.name = "me.png"
    elif upload == "tiny":
        file = image_file(size=(10, 10))
    else:
        settings.PHOTO_MAX_BYTES = 1000
        file = image_file(size=(600, 600), fmt="BMP", name="big.bmp")
    assert_problem(token_client(member).post("/api/v1/me/profile/photo", {"photo": file}),
                   422, "invalid")
    assert Person.objects.get(account=member).photo.name == old


def test_a_photo_upload_without_a_file_is_a_422_problem(member):
    assert_problem(token_client(member).post("/api/v1/me/profile/photo", {}),
                   422, "validation_error")


def test_network_roles_are_chosen_but_the_supervisor_role_is_granted(member, outsider,
                                                                     admin_account):
    api = token_client(member)
    taken = api.put("/api/v1/me/roles/network_supplier", {"specialty": "it"},
                    content_type="application/json")
    assert taken.json() == {"role": "network_supplier", "specialty": "it"}
    assert api.put("/api/v1/me/roles/customer").json() == {"role": "customer", "specialty": ""}
    assert_problem(api.put("/api/v1/me/roles/supervisor"), 403, "not_allowed")
    assert_problem(api.put("/api/v1/me/roles/emperor"), 422, "validation_error")
    assert api.delete("/api/v1/me/roles/customer").status_code == 204
    handle = services.ensure_person(member).handle
    services.ensure_person(admin_account)
    services.update_profile(actor=member, profile_visibility="public")
    assert_problem(post_json(token_client(outsider), f"/api/v1/people/{handle}/supervisor"),
                   403, "not_allowed")
    assert not NetworkRole.objects.filter(role="supervisor").exists()
    staff = token_client(admin_account)
    assert post_json(staff, f"/api/v1/people/{handle}/supervisor").status_code == 204
    assert AuditRecord.objects.filter(action="contacts.supervisor_granted").exists()
    assert_problem(api.delete("/api/v1/me/roles/supervisor"), 403, "not_allowed")
    assert staff.delete(f"/api/v1/people/{handle}/supervisor").status_code == 204
    assert not NetworkRole.objects.filter(role="supervisor").exists()


# --- the network ------------------------------------------------------------------------

def test_connect_accept_endorse_and_withdraw(member, outsider):
    services.ensure_person(member)
    them = services.update_profile(actor=outsider, profile_visibility="public")
    mine, theirs = token_client(member), token_client(outsider)
    asked = post_json(mine, "/api/v1/me/connection-requests",
                      {"handle": them.handle, "note": "Hi <b>there</b>"})
    assert asked.status_code == 201, asked.content
    request_id = asked.json()["id"]
    received = theirs.get("/api/v1/me/connection-requests").json()
    assert [r["id"] for r in received["received"]] == [request_id]
    assert received["received"][0]["person"]["display_name"] == "Mo Member"
    assert received["received"][0]["note"] == "Hi <b>there</b>"
    assert [r["id"] for r in mine.get("/api/v1/me/connection-requests").json()["sent"]] == [
        request_id]

    accepted = post_json(theirs, f"/api/v1/me/connection-requests/{request_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert [p["handle"] for p in mine.get("/api/v1/me/connections").json()["items"]] == [
        them.handle]

    services.set_skills(actor=outsider, names=["Welding"])
    profile = mine.get(f"/api/v1/people/{them.handle}").json()
    skill_id = profile["skills"][0]["id"]
    path = f"/api/v1/people/{them.handle}/skills/{skill_id}/endorsement"
    assert mine.put(path).status_code == 201
    skill = mine.get(f"/api/v1/people/{them.handle}").json()["skills"][0]
    assert skill["endorsement_count"] == 1 and skill["endorsed_by_me"] is True
    assert_problem(mine.put(path), 409, "conflict")
    assert mine.delete(path).status_code == 204
    assert not Endorsement.objects.exists()
    assert_problem(mine.delete(path), 404, "not_found")

    assert mine.delete(f"/api/v1/me/connections/{them.handle}").status_code == 204
    assert mine.get("/api/v1/me/connections").json()["items"] == []
    assert_problem(mine.put(path), 403, "not_allowed")


def test_a_request_is_declined_ignored_or_withdrawn(member, outsider, owner):
    for account in (member, outsider, owner):
        services.update_profile(actor=account, profile_visibility="public")
    mine = token_client(member)
    first = post_json(mine, "/api/v1/me/connection-requests", {"handle": outsider.person.handle})
    second = post_json(mine, "/api/v1/me/connection-requests", {"handle": owner.person.handle})
    assert post_json(token_client(outsider), f"/api/v1/me/connection-requests/"
                     f"{first.json()['id']}/decline").json()["status"] == "declined"
    assert_problem(post_json(mine, "/api/v1/me/connection-requests",
                             {"handle": outsider.person.handle}), 409, "conflict")
    ignored = post_json(token_client(owner),
                        f"/api/v1/me/connection-requests/{second.json()['id']}/ignore")
    assert ignored.json()["status"] == "ignored"
    assert token_client(owner).get("/api/v1/me/connection-requests").json()["received"] == []
    assert mine.delete(f"/api/v1/me/connection-requests/{second.json()['id']}").status_code == 204
    assert_problem(post_json(mine, f"/api/v1/me/connection-requests/{second.json()['id']}/accept"),
                   404, "not_found")
    assert_problem(post_json(mine, "/api/v1/me/connection-requests/1/maybe"),
                   422, "validation_error")


def test_bad_connection_requests_are_problems_and_write_nothing(world):
    services.update_profile(actor=world.connection, profile_visibility="public")
    api = token_client(world.stranger)
    bad = [
        (world.stranger.person.handle, 422, "invalid"),  # oneself
        (world.connection.person.handle, None, None),  # fine: the first request
        (world.connection.person.handle, 409, "conflict"),  # the same again
        ("no-such-person", 404, "not_found"),
    ]
    for handle, status, code in bad:
        before = counts()
        response = post_json(api, "/api/v1/me/connection-requests", {"handle": handle})
        if status is None:
            assert response.status_code == 201
            continue
        assert_problem(response, status, code)
        assert counts() == before

    # Either side of a block gets the same answer, which does not say who blocked whom.
    blocked, owner, conny = (token_client(a) for a in (world.blocked, world.owner,
                                                       world.connection))
    before = counts()
    assert_problem(post_json(blocked, "/api/v1/me/connection-requests", {"handle": world.handle}),
                   403, "not_allowed")
    assert_problem(post_json(owner, "/api/v1/me/connection-requests",
                             {"handle": world.blocked.person.handle}), 403, "not_allowed")
    assert counts() == before

    # The other side accepted already: no duplicate connection.
    assert_problem(post_json(conny, "/api/v1/me/connection-requests",
                             {"handle": world.handle}), 409, "conflict")
    assert_problem(post_json(api, "/api/v1/me/connection-requests",
                             {"handle": world.handle, "note": "x" * 301}),
                   422, "validation_error")
    assert_problem(post_json(api, "/api/v1/me/connection-requests", {"handle": 12}),
                   422, "validation_error")
    assert counts() == before


def test_requests_to_deleted_or_deactivated_people_are_not_found(member, outsider, owner):
    for account in (member, outsider, owner):
        services.update_profile(actor=account, profile_visibility="public")
    gone, inactive = outsider.person.handle, owner.person.handle
    identity.delete_account(actor=outsider)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    api = token_client(member)
    before = counts()
    for handle in (gone, inactive):
        assert_problem(post_json(api, "/api/v1/me/connection-requests", {"handle": handle}),
                       404, "not_found")
    assert counts() == before


def test_endorsing_someone_who_is_not_a_connection_is_refused(world):
    skill_id = world.owner.person.person_skills.first().pk
    clients = {name: token_client(getattr(world, name))
               for name in ("fellow", "stranger", "blocked", "owner", "connection")}
    before = counts()
    for viewer in ("fellow", "stranger", "blocked"):
        assert_problem(clients[viewer].put(
            f"/api/v1/people/{world.handle}/skills/{skill_id}/endorsement"), 403, "not_allowed")
    assert_problem(clients["owner"].put(
        f"/api/v1/people/{world.handle}/skills/{skill_id}/endorsement"), 422, "invalid")
    assert_problem(clients["connection"].put(
        f"/api/v1/people/{world.handle}/skills/999999/endorsement"), 404, "not_found")
    assert counts() == before


def test_second_degree_and_suggestions(world):
    friend = make_account("fred@example.org", "Fred Friend")
    services.update_profile(actor=friend, profile_visibility="public")
    connect(world.connection, friend)
    api = token_client(world.owner, "read")
    second = api.get("/api/v1/me/connections/second-degree").json()["items"]
    assert [(p["handle"], p["mutual_connections"]) for p in second] == [
        (friend.person.handle, 1)]
    suggested = [p["handle"] for p in api.get("/api/v1/me/suggestions").json()]
    assert friend.person.handle in suggested
    assert world.blocked.person.handle not in suggested
    assert world.connection.person.handle not in suggested


def test_recommendations_are_asked_written_and_show_once_approved(world):
    owner, conny = token_client(world.owner), token_client(world.connection)
    asked = post_json(owner, f"/api/v1/people/{world.connection.person.handle}"
                      "/recommendation-requests", {"note": "Would you?"})
    assert asked.status_code == 201, asked.content
    waiting = conny.get("/api/v1/me/recommendations").json()
    assert [r["request_note"] for r in waiting["to_write"]] == ["Would you?"]
    written = post_json(conny, f"/api/v1/people/{world.handle}/recommendations",
                        {"body": "Olivia <script>x()</script>**rocks**"})
    assert written.status_code == 201 and written.json()["status"] == "written"
    assert "<script" not in written.json()["body_html"]
    assert token_client(world.fellow, "read").get(
        f"/api/v1/people/{world.handle}").json()["recommendations"] == []
    [pending] = owner.get("/api/v1/me/recommendations").json()["to_approve"]
    approved = post_json(owner, f"/api/v1/me/recommendations/{pending['id']}/approve")
    assert approved.json()["status"] == "approved"
    shown = token_client(world.fellow, "read").get(f"/api/v1/people/{world.handle}").json()
    assert "<strong>rocks</strong>" in shown["recommendations"][0]["body_html"]
    assert conny.delete(f"/api/v1/me/recommendations/{pending['id']}").status_code == 204
    assert_problem(post_json(token_client(world.stranger),
                             f"/api/v1/people/{world.handle}/recommendations", {"body": "Hi"}),
                   403, "not_allowed")
    assert_problem(post_json(conny, f"/api/v1/people/{world.handle}/recommendations",
                             {"body": "x" * 3001}), 422, "validation_error")


def test_blocks_are_listed_made_and_undone(world):
    api = token_client(world.owner)
    assert [b["handle"] for b in api.get("/api/v1/me/blocks").json()] == [
        world.blocked.person.handle]
    conny = world.connection.person.handle
    assert api.put(f"/api/v1/me/blocks/{conny}").status_code == 204
    assert not Connection.objects.filter(person=world.owner.person).exists()
    assert AuditRecord.objects.filter(action="contacts.blocked", actor=world.owner).count() == 2
    assert api.delete(f"/api/v1/me/blocks/{conny}").status_code == 204
    assert_problem(api.delete(f"/api/v1/me/blocks/{conny}"), 404, "not_found")
    assert_problem(api.put(f"/api/v1/me/blocks/{world.handle}"), 422, "invalid")


def test_reports_name_a_person_or_an_organisation(world):
    api = token_client(world.stranger)
    made = post_json(api, "/api/v1/reports", {"handle": world.handle, "reason": "spam",
                                              "details": "Sells <b>things</b>"})
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert Report.objects.get().details == "Sells <b>things</b>"
    before = counts()
    for payload, status, code in [
        ({"reason": "spam"}, 422, "validation_error"),
        ({"handle": world.handle, "organisation": "x", "reason": "spam"}, 422,
         "validation_error"),
        ({"handle": world.handle, "reason": "boredom"}, 422, "validation_error"),
        ({"handle": world.stranger.person.handle, "reason": "spam"}, 422, "invalid"),
        ({"organisation": "nope", "reason": "spam"}, 404, "not_found"),
        ({"handle": world.handle, "reason": "spam", "details": "x" * 2001}, 422,
         "validation_error"),
    ]:
        assert_problem(post_json(api, "/api/v1/reports", payload), status, code)
    assert counts() == before


# --- credentials ------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, body", [
    ("patch", "/api/v1/me/profile", {"headline": "Read only"}),
    ("put", "/api/v1/me/profile/skills", {"skills": ["X"]}),
    ("post", "/api/v1/me/profile/experience", {"title": "T", "started_on": "2020-01-01"}),
    ("post", "/api/v1/me/connection-requests", {"handle": "HANDLE"}),
    ("put", "/api/v1/people/HANDLE/skills/1/endorsement", None),
    ("put", "/api/v1/me/blocks/HANDLE", None),
    ("put", "/api/v1/me/roles/customer", None),
    ("post", "/api/v1/reports", {"handle": "HANDLE", "reason": "spam"}),
    ("delete", "/api/v1/me/profile/photo", None),
])
def test_a_read_only_token_is_refused_on_every_write(world, method, path, body):
    path = path.replace("HANDLE", world.handle)
    api = token_client(world.connection, "read")
    before = counts(), Person.objects.values().get(account=world.connection)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    args = (body,) if body is not None else ()
    assert_problem(getattr(api, method)(path, *args, **kwargs), 403, "read_only_token")
    assert (counts(), Person.objects.values().get(account=world.connection)) == before


def test_a_session_writes_with_the_csrf_token_only(member):
    services.ensure_person(member)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert_problem(browser.patch("/api/v1/me/profile", {"headline": "H"},
                                 content_type="application/json"), 403, "csrf_failed")
    browser.get("/api/v1/me/profile")
    assert Person.objects.get(account=member).headline == ""


def test_the_openapi_document_lists_the_people_endpoints(member):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path, methods in {
        "/api/v1/people": {"get"},
        "/api/v1/people/{handle}": {"get"},
        "/api/v1/people/{handle}/photo": {"get"},
        "/api/v1/me/profile": {"get", "patch"},
        "/api/v1/me/profile/skills": {"put"},
        "/api/v1/me/profile/experience/{entry_id}": {"patch", "delete"},
        "/api/v1/me/profile/photo": {"post", "delete"},
        "/api/v1/me/roles/{role}": {"put", "delete"},
        "/api/v1/me/connections": {"get"},
        "/api/v1/me/connections/second-degree": {"get"},
        "/api/v1/me/connection-requests": {"get", "post"},
        "/api/v1/me/connection-requests/{request_id}/{answer}": {"post"},
        "/api/v1/people/{handle}/skills/{skill_id}/endorsement": {"put", "delete"},
        "/api/v1/me/recommendations": {"get"},
        "/api/v1/me/blocks/{handle}": {"put", "delete"},
        "/api/v1/reports": {"post"},
        "/api/v1/people/{handle}/supervisor": {"post", "delete"},
    }.items():
        assert methods <= set(paths[path]), path
        for operation in methods:
            assert paths[path][operation]["summary"]


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/people?q=a%00b", None),
    ("get", "/api/v1/people?skill=%00&region=%0A", None),
    ("get", "/api/v1/people/a%00b", None),
    ("get", "/api/v1/people/a%00b/photo", None),
    ("post", "/api/v1/me/connection-requests/99999999999999999999999/accept", None),
    ("delete", "/api/v1/me/profile/experience/99999999999999999999999", None),
    ("delete", "/api/v1/me/recommendations/-1", None),
    ("post", "/api/v1/me/connection-requests", {"handle": "a\x00b"}),
    ("post", "/api/v1/reports", {"handle": "a\x00", "reason": "spam"}),
    ("post", "/api/v1/me/profile/experience", {"title": "T", "started_on": "2020-01-01",
                                               "description": "a\x00b"}),
])
def test_odd_input_is_a_4xx_problem_never_a_server_error(member, method, path, body):
    services.ensure_person(member)
    api = token_client(member)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(api, method)(path, *((body,) if body is not None else ()), **kwargs)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"]


# --- a hidden profile answers like one that does not exist ------------------------------

def _hidden_from_stranger(world):
    """The owner's card for connections only: the stranger may not even know it exists."""
    services.update_profile(actor=world.owner, profile_visibility="connections")
    return world.owner.person.person_skills.first().pk


@pytest.mark.parametrize(("method", "path", "body"), [
    ("put", "/api/v1/people/{handle}/skills/{skill}/endorsement", None),
    ("delete", "/api/v1/people/{handle}/skills/{skill}/endorsement", None),
    ("post", "/api/v1/people/{handle}/recommendation-requests", {"note": "Please"}),
    ("post", "/api/v1/people/{handle}/recommendations", {"body": "Very good"}),
    ("delete", "/api/v1/me/connections/{handle}", None),
    ("put", "/api/v1/me/blocks/{handle}", None),
    ("delete", "/api/v1/me/blocks/{handle}", None),
])
def test_a_hidden_profile_answers_every_write_like_an_unknown_handle(world, method, path, body):
    skill_id = _hidden_from_stranger(world)
    api = token_client(world.stranger)
    before = counts()
    answers = []
    for handle in (world.handle, "nobody-by-this-name"):
        response = getattr(api, method)(path.format(handle=handle, skill=skill_id), body or {},
                                        content_type="application/json")
        problem = response.json()
        problem.pop("instance")
        answers.append((response.status_code, problem))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404 and answers[0][1]["code"] == "not_found"
    assert counts() == before


def test_a_connection_with_a_hidden_card_can_still_be_ended_and_unblocked(world):
    services.update_profile(actor=world.owner, profile_visibility="private")
    response = token_client(world.connection).delete(f"/api/v1/me/connections/{world.handle}")
    assert response.status_code == 204
    services.update_profile(actor=world.connection, profile_visibility="public")
    services.block(actor=world.stranger, handle=world.connection.person.handle)
    services.update_profile(actor=world.connection, profile_visibility="private")
    response = token_client(world.stranger).delete(
        f"/api/v1/me/blocks/{world.connection.person.handle}")
    assert response.status_code == 204
