"""The conversations and notifications API: access, rules, problems and pagination."""

import pytest
from django.test import Client

from weconomics.contacts import services as contacts
from weconomics.conversations import services as conversations
from weconomics.conversations.models import Conversation, Message
from weconomics.conversations.tests.helpers import handle, make_people
from weconomics.identity import services as identity
from weconomics.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def people(db):
    return make_people()


def api_for(account, scope="write"):
    _, raw = identity.create_token(actor=account, name="test", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"]
    return body


def test_a_direct_conversation_is_started_then_reused(people):
    api = api_for(people.anna)
    first = api.post("/api/v1/conversations", {"to": handle(people.bram), "body": "Hoi"},
                     content_type=JSON)
    assert first.status_code == 201
    body = first.json()
    assert body["kind"] == "direct" and body["title"] == "Bram Jansen"
    assert body["last_message"]["body"] == "Hoi" and body["last_message"]["mine"] is True
    again = api_for(people.bram).post("/api/v1/conversations", {"to": handle(people.anna)},
                                      content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["unread"] == 1


def test_only_connections_can_be_messaged(people):
    api = api_for(people.anna)
    assert_problem(api.post("/api/v1/conversations", {"to": handle(people.stan), "body": "Hoi"},
                            content_type=JSON), 403, "not_allowed")
    assert_problem(api.post("/api/v1/conversations", {"to": "nobody", "body": "Hoi"},
                            content_type=JSON), 404, "not_found")
    assert_problem(api.post("/api/v1/conversations", {"body": "Hoi"}, content_type=JSON),
                   422, "invalid")
    assert not Conversation.objects.exists()


def test_a_group_of_non_connections_is_refused(people):
    api = api_for(people.anna)
    refused = api.post("/api/v1/conversations", {
        "kind": "group", "title": "Teamdag",
        "people": [handle(people.bram), handle(people.stan)]}, content_type=JSON)
    assert_problem(refused, 403, "not_allowed")
    started = api.post("/api/v1/conversations", {
        "kind": "group", "title": "Teamdag",
        "people": [handle(people.bram), handle(people.eva)]}, content_type=JSON)
    assert started.status_code == 201
    assert {p["name"] for p in started.json()["participants"]} == {
        "Anna de Vries", "Bram Jansen", "Eva Bakker"}


def test_blocked_people_cannot_message(people):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram))
    contacts.block(actor=people.anna, handle=handle(people.bram))
    refused = api_for(people.bram).post(f"/api/v1/conversations/{conversation.pk}/messages",
                                        {"body": "Hallo?"}, content_type=JSON)
    assert_problem(refused, 403, "not_allowed")


def test_non_participants_and_unknown_ids_get_404(people):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram),
                                              body="Geheim")
    eva = api_for(people.eva)
    for path in (f"/api/v1/conversations/{conversation.pk}",
                 f"/api/v1/conversations/{conversation.pk}/messages",
                 "/api/v1/conversations/999999", "/api/v1/conversations/99999999999999999999"):
        response = eva.get(path)
        assert response.status_code in (404, 422), path
        assert response["Content-Type"] == "application/problem+json"
    for path in ("messages", "read", "leave", "participants"):
        response = eva.post(f"/api/v1/conversations/{conversation.pk}/{path}",
                            {"body": "Ik", "people": [handle(people.anna)]}, content_type=JSON)
        assert_problem(response, 404, "not_found")
    assert eva.get("/api/v1/conversations").json()["items"] == []
    assert Message.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_000])
def test_bad_messages_are_refused_as_problems(people, body):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram))
    response = api_for(people.anna).post(f"/api/v1/conversations/{conversation.pk}/messages",
                                         {"body": body}, content_type=JSON)
    assert_problem(response, 422, "invalid")
    assert not Message.objects.exists()


def test_html_comes_back_as_the_plain_text_written(people):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram))
    api = api_for(people.anna)
    sent = api.post(f"/api/v1/conversations/{conversation.pk}/messages",
                    {"body": "<b>vet</b><script>x</script>"}, content_type=JSON)
    assert sent.status_code == 201 and sent.json()["body"] == "<b>vet</b><script>x</script>"


def test_messages_are_paginated_newest_last(people):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram))
    for n in range(7):
        conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                   body=f"m{n}")
    api = api_for(people.bram)
    last = api.get(f"/api/v1/conversations/{conversation.pk}/messages?limit=3").json()
    assert [m["body"] for m in last["items"]] == ["m4", "m5", "m6"] and last["has_earlier"]
    earlier = api.get(f"/api/v1/conversations/{conversation.pk}/messages?limit=5"
                      f"&before={last['items'][0]['id']}").json()
    assert [m["body"] for m in earlier["items"]] == ["m0", "m1", "m2", "m3"]
    assert not earlier["has_earlier"]
    newer = api.get(f"/api/v1/conversations/{conversation.pk}/messages"
                    f"?after={last['items'][1]['id']}").json()
    assert [m["body"] for m in newer["items"]] == ["m6"]
    assert_problem(api.get(f"/api/v1/conversations/{conversation.pk}/messages?limit=1000"),
                   422, "validation_error")


def test_unread_counts_go_down_when_read_and_leaving_stops_delivery(people):
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    conversations.send_message(actor=people.anna, conversation_id=group.pk, body="Eén")
    bram = api_for(people.bram)
    assert bram.get(f"/api/v1/conversations/{group.pk}").json()["unread"] == 1
    read = bram.post(f"/api/v1/conversations/{group.pk}/read")
    assert read.status_code == 200 and read.json()["unread"] == 0
    left = bram.post(f"/api/v1/conversations/{group.pk}/leave")
    assert left.status_code == 200 and left.json()["left"] is True
    conversations.send_message(actor=people.anna, conversation_id=group.pk, body="Twee")
    after = bram.get(f"/api/v1/conversations/{group.pk}/messages").json()["items"]
    assert "Twee" not in [m["body"] for m in after]
    assert_problem(bram.post(f"/api/v1/conversations/{group.pk}/messages", {"body": "Hoi"},
                             content_type=JSON), 403, "not_allowed")
    assert_problem(bram.post(f"/api/v1/conversations/{group.pk}/leave"), 409, "conflict")


def test_participants_are_added_to_a_group(people):
    group = conversations.start_group(actor=people.bram, title="Teamdag",
                                      handles=[handle(people.anna), handle(people.eva)])
    conversations.leave(actor=people.eva, conversation_id=group.pk)
    api = api_for(people.anna)
    added = api.post(f"/api/v1/conversations/{group.pk}/participants",
                     {"people": [handle(people.eva)]}, content_type=JSON)
    assert added.status_code == 200
    eva = next(p for p in added.json()["participants"] if p["name"] == "Eva Bakker")
    assert eva["left"] is False
    assert_problem(api.post(f"/api/v1/conversations/{group.pk}/participants",
                            {"people": [handle(people.stan)]}, content_type=JSON),
                   403, "not_allowed")
    assert_problem(api.post(f"/api/v1/conversations/{group.pk}/participants",
                            {"people": []}, content_type=JSON), 422, "validation_error")


def test_a_handle_with_a_nul_character_is_a_422_not_a_server_error(people):
    # Found by the API fuzzer: PostgreSQL refused the NUL in the handle lookup (a 500).
    group = conversations.start_group(actor=people.bram, title="Teamdag",
                                      handles=[handle(people.anna), handle(people.eva)])
    api = api_for(people.anna)
    for path, body in ((f"/api/v1/conversations/{group.pk}/participants",
                        {"people": ["eva\x00"]}),
                       ("/api/v1/conversations", {"kind": "group", "title": "Nul",
                                                  "people": ["bram\x00", "eva"]})):
        assert_problem(api.post(path, body, content_type=JSON), 422, "validation_error")


def test_a_read_token_cannot_write(people):
    conversation = conversations.start_direct(actor=people.anna, handle=handle(people.bram))
    api = api_for(people.anna, scope="read")
    assert api.get("/api/v1/conversations").status_code == 200
    assert_problem(api.post(f"/api/v1/conversations/{conversation.pk}/messages",
                            {"body": "Hoi"}, content_type=JSON), 403, "read_only_token")


def test_a_deleted_sender_comes_back_as_deleted_user(people):
    conversation = conversations.start_direct(actor=people.bram, handle=handle(people.anna),
                                              body="Dag")
    identity.delete_account(actor=people.bram)
    body = api_for(people.anna).get(f"/api/v1/conversations/{conversation.pk}/messages").json()
    assert body["items"][0]["sender"] == {"name": "Deleted user", "handle": None}


def test_a_message_is_reported(people):
    conversation = conversations.start_direct(actor=people.bram, handle=handle(people.anna),
                                              body="Koop nu!")
    message = Message.objects.get()
    api = api_for(people.anna)
    reported = api.post(f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/report",
                        {"reason": "spam"}, content_type=JSON)
    assert reported.status_code == 204
    assert_problem(api.post(f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}"
                            "/report", {"reason": "bogus"}, content_type=JSON),
                   422, "validation_error")


def test_the_conversation_list_is_paginated_with_a_fixed_number_of_queries(
        people, django_assert_max_num_queries):
    conversations.start_direct(actor=people.bram, handle=handle(people.anna), body="Hoi")
    conversations.start_group(actor=people.bram, title="Teamdag",
                              handles=[handle(people.anna), handle(people.eva)], body="Hoi")
    api = api_for(people.anna)
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/conversations").json()
    assert [c["title"] for c in listed["items"]] == ["Teamdag", "Bram Jansen"]
    assert listed["page"] == 1 and listed["has_next"] is False


def test_notifications_are_listed_and_marked_read(people):
    conversations.start_direct(actor=people.bram, handle=handle(people.anna), body="Hoi")
    api = api_for(people.anna)
    listed = api.get("/api/v1/notifications?unread=true").json()
    texts = [n["text"] for n in listed["items"]]
    assert "Bram Jansen sent you a message." in texts and listed["unread"] == len(texts)
    one = listed["items"][0]["id"]
    assert api.post("/api/v1/notifications/read", {"ids": [one]},
                    content_type=JSON).json() == {"marked": 1}
    assert api.post("/api/v1/notifications/read", {}, content_type=JSON).json()["marked"] == (
        len(texts) - 1)
    assert not Notification.objects.filter(recipient=people.anna, read_at__isnull=True).exists()


def test_notification_settings_are_read_and_changed(people):
    api = api_for(people.anna)
    current = api.get("/api/v1/me/notification-settings").json()
    assert current["digest"] == "daily" and current["muted_kinds"] == []
    assert any(k["kind"] == "conversations.message" for k in current["kinds"])
    changed = api.put("/api/v1/me/notification-settings",
                      {"digest": "weekly", "muted_kinds": ["conversations.message"]},
                      content_type=JSON)
    assert changed.status_code == 200 and changed.json()["digest"] == "weekly"
    assert NotificationSettings.objects.get(account=people.anna).muted_kinds == [
        "conversations.message"]
    assert_problem(api.put("/api/v1/me/notification-settings",
                           {"digest": "hourly"}, content_type=JSON), 422, "validation_error")
    assert_problem(api.put("/api/v1/me/notification-settings",
                           {"digest": "daily", "muted_kinds": ["nope"]}, content_type=JSON),
                   422, "validation_error")


def test_the_openapi_document_describes_the_conversation_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/conversations", "/api/v1/conversations/{conversation_id}/messages",
                 "/api/v1/conversations/{conversation_id}/read",
                 "/api/v1/conversations/{conversation_id}/leave",
                 "/api/v1/conversations/{conversation_id}/participants",
                 "/api/v1/notifications", "/api/v1/notifications/read",
                 "/api/v1/me/notification-settings"):
        assert path in paths, path
