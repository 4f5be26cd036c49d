"""The messages pages, a thread, notifications and their settings, through HTTP."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weconomics.contacts import services as contacts
from weconomics.contacts.models import Report
from weconomics.conversations import services as conversations
from weconomics.conversations.models import Conversation, Message
from weconomics.conversations.tests.helpers import connect, handle, make_people, person
from weconomics.identity import services as identity
from weconomics.notifications import services as notifications
from weconomics.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return make_people()


def signed_in(client, account):
    client.force_login(account)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def direct(a, b, body="Hoi"):
    return conversations.start_direct(actor=a, handle=handle(b), body=body)


def test_the_messages_page_lists_conversations_with_preview_and_unread_badge(client, people):
    conversation = direct(people.bram, people.anna, "Zullen we morgen bellen?")
    html = signed_in(client, people.anna).get("/messages/").content.decode()
    assert f'href="/messages/{conversation.pk}/"' in html
    assert "Bram Jansen" in html and "Zullen we morgen bellen?" in html
    assert 'class="count"' in html and "1 unread message" in html


def test_the_new_message_form_is_prefilled_from_to(client, people):
    html = signed_in(client, people.anna).get(f"/messages/?to={handle(people.bram)}").content
    html = html.decode()
    assert re.search(rf'<option value="{handle(people.bram)}" selected>', html)
    stranger = signed_in(client, people.anna).get(f"/messages/?to={handle(people.stan)}")
    assert "only to your connections" in stranger.content.decode()


def test_sending_a_new_message_opens_the_conversation(client, people):
    signed_in(client, people.anna)
    response = client.post("/messages/new/", {"to": handle(people.bram), "body": "Hallo!"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.pk}/#latest"
    assert Message.objects.get().body == "Hallo!"


def test_a_message_to_someone_not_connected_is_refused_with_a_clear_error(client, people):
    signed_in(client, people.anna)
    response = client.post("/messages/new/", {"to": handle(people.stan), "body": "Hallo!"})
    assert response.status_code == 422
    assert "only to your connections" in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_group_is_started_from_the_page_and_refused_without_enough_people(client, people):
    signed_in(client, people.anna)
    refused = client.post("/messages/new-group/", {"title": "Teamdag",
                                                   "people": [handle(people.bram)]})
    assert refused.status_code == 422 and "at least" in refused.content.decode()
    stranger = client.post("/messages/new-group/", {
        "title": "Teamdag", "people": [handle(people.bram), handle(people.stan)]})
    assert stranger.status_code == 422
    assert "not connected: Stan Stranger" in stranger.content.decode()
    started = client.post("/messages/new-group/", {
        "title": "Teamdag", "people": [handle(people.bram), handle(people.eva)],
        "body": "Wie komt er?"})
    group = Conversation.objects.get(kind="group")
    assert started.status_code == 302 and group.title == "Teamdag"


def test_a_thread_shows_messages_and_reading_it_clears_the_unread_count(client, people):
    conversation = direct(people.bram, people.anna, "Eerste")
    conversations.send_message(actor=people.bram, conversation_id=conversation.pk, body="Twee")
    signed_in(client, people.anna)
    before = client.get("/messages/").content.decode()
    assert "2 unread messages" in before
    page = client.get(f"/messages/{conversation.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Eerste" in html and "Twee" in html
    assert "Bram Jansen" in html and 'id="send-form"' in html
    after = client.get("/messages/").content.decode()
    assert "unread message" not in after


def test_someone_outside_the_conversation_gets_404_everywhere(client, people):
    conversation = direct(people.anna, people.bram, "Geheim")
    message = Message.objects.get()
    signed_in(client, people.eva)
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    assert client.post(f"/messages/{conversation.pk}/send/", {"body": "Ik"}).status_code == 404
    assert client.post(f"/messages/{conversation.pk}/leave/").status_code == 404
    assert client.get(f"/messages/{conversation.pk}/report/{message.pk}/").status_code == 404
    assert client.get("/messages/999999/").status_code == 404
    assert "Geheim" not in client.get("/messages/").content.decode()
    assert Message.objects.count() == 1


def test_the_pages_need_a_signed_in_person(client, people):
    conversation = direct(people.anna, people.bram)
    for url in ("/messages/", f"/messages/{conversation.pk}/", "/notifications/",
                "/settings/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sending_with_htmx_appends_the_message_and_resets_the_form(client, people):
    conversation = direct(people.anna, people.bram)
    signed_in(client, people.anna)
    response = client.post(f"/messages/{conversation.pk}/send/", {"body": "Via htmx"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<li class="msg mine"') and "Via htmx" in html
    assert 'id="send-form"' in html and 'hx-swap-oob="true"' in html


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_000])
def test_bad_messages_get_422_with_the_reason(client, people, body):
    conversation = direct(people.anna, people.bram)
    signed_in(client, people.anna)
    page = client.post(f"/messages/{conversation.pk}/send/", {"body": body})
    assert page.status_code == 422
    assert 'class="errors"' in page.content.decode()
    fragment = client.post(f"/messages/{conversation.pk}/send/", {"body": body},
                           HTTP_HX_REQUEST="true")
    assert fragment.status_code == 422 and fragment["HX-Retarget"] == "#send-form"
    assert Message.objects.count() == 1


def test_html_in_a_message_is_shown_as_text(client, people):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>\nline two'
    conversation = direct(people.bram, people.anna, attack)
    html = signed_in(client, people.anna).get(f"/messages/{conversation.pk}/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<br>line two" in html
    listing = client.get("/messages/").content.decode()
    assert "<script>alert" not in listing


def test_after_a_block_the_thread_says_so_and_has_no_send_form(client, people):
    conversation = direct(people.anna, people.bram, "Hoi")
    contacts.block(actor=people.bram, handle=handle(people.anna))
    signed_in(client, people.anna)
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert 'id="send-form"' not in html and "no longer send messages" in html
    refused = client.post(f"/messages/{conversation.pk}/send/", {"body": "Toch?"})
    assert refused.status_code == 422
    assert "cannot send messages to this person" in refused.content.decode()


def test_a_deleted_sender_shows_as_deleted_user_on_the_page(client, people):
    conversation = direct(people.bram, people.anna, "Tot ziens")
    identity.delete_account(actor=people.bram)
    html = signed_in(client, people.anna).get(f"/messages/{conversation.pk}/").content.decode()
    assert "Tot ziens" in html and "Deleted user" in html and "Bram" not in html
    assert "deleted their account" in html


def test_leaving_a_group_from_the_page(client, people):
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    signed_in(client, people.eva)
    response = client.post(f"/messages/{group.pk}/leave/")
    assert response.status_code == 302 and response["Location"] == "/messages/"
    html = client.get(f"/messages/{group.pk}/").content.decode()
    assert "You left this conversation." in html and 'id="send-form"' not in html
    htmx = client.post(f"/messages/{group.pk}/leave/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == "/messages/"


def test_adding_a_connection_to_a_group_from_the_page(client, people):
    zoe = person("zoe@example.org", "Zoë Zee")
    connect(people.anna, zoe)
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    signed_in(client, people.anna)
    assert "Zoë Zee" in client.get(f"/messages/{group.pk}/").content.decode()
    refused = client.post(f"/messages/{group.pk}/people/", {"people": [handle(people.stan)]})
    assert refused.status_code == 422 and "Stan Stranger" in refused.content.decode()
    added = client.post(f"/messages/{group.pk}/people/", {"people": [handle(zoe)]})
    assert added.status_code == 302
    assert group.participants.filter(account=zoe).exists()


def test_a_message_is_reported_from_its_own_page(client, people):
    conversation = direct(people.bram, people.anna, "Koop nu!")
    message = Message.objects.get()
    signed_in(client, people.anna)
    form = client.get(f"/messages/{conversation.pk}/report/{message.pk}/")
    assert form.status_code == 200 and "Koop nu!" in form.content.decode()
    assert client.post(f"/messages/{conversation.pk}/report/{message.pk}/",
                       {"reason": "bogus"}).status_code == 422
    done = client.post(f"/messages/{conversation.pk}/report/{message.pk}/",
                       {"reason": "spam", "details": "Reclame"})
    assert done.status_code == 302
    assert Report.objects.get().context == f"message {message.pk}"
    # Your own messages cannot be reported.
    mine = conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                      body="Nee dank je")
    assert client.get(f"/messages/{conversation.pk}/report/{mine.pk}/").status_code == 404


def _conversations_for(anna, others):
    for index, other in enumerate(others):
        connect(anna, other)
        conversations.start_direct(actor=other, handle=handle(anna), body=f"Bericht {index}")


def _queries(client, url):
    client.get(url)  # the first request of a session records the session; not counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_messages_page_runs_the_same_queries_for_3_and_20_conversations(client, people):
    anna = person("annie@example.org", "Annie")
    others = [person(f"p{i}@example.org", f"Persoon {i}") for i in range(20)]
    _conversations_for(anna, others[:3])
    signed_in(client, anna)
    few = _queries(client, "/messages/")
    _conversations_for(anna, others[3:])
    many = _queries(client, "/messages/")
    assert "Persoon 19" in client.get("/messages/").content.decode()
    assert few == many


def test_the_navigation_counts_unread_messages_and_notifications(client, people):
    Notification.objects.all().delete()
    direct(people.bram, people.anna, "Hoi")
    html = signed_in(client, people.anna).get("/").content.decode()
    assert "1 unread message" in html and "1 unread notification" in html
    Notification.objects.all().delete()
    html = client.get("/").content.decode()
    assert "1 unread message" in html and "unread notification" not in html


def test_notifications_are_listed_newest_first_and_marked_read(client, people):
    direct(people.bram, people.anna, "Hoi")
    notifications.notify(people.anna, "contacts.role_granted", role="Supervisor")
    signed_in(client, people.anna)
    html = client.get("/notifications/").content.decode()
    assert html.index("You were given the role Supervisor") < html.index(
        "Bram Jansen sent you a message")
    first = Notification.objects.filter(recipient=people.anna).order_by("pk").first()
    fragment = client.post("/notifications/read/", {"id": first.pk}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "Mark read" not in fragment.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post("/notifications/read/", {"id": "x"}).status_code == 404
    assert client.post("/notifications/read/").status_code == 302
    assert not Notification.objects.filter(recipient=people.anna, read_at__isnull=True).exists()
    # Someone else's notification cannot be marked.
    other = notifications.notify(people.bram, "contacts.role_granted", role="X")
    client.post("/notifications/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_notification_settings_are_saved_and_bad_values_refused(client, people):
    signed_in(client, people.anna)
    page = client.get("/settings/notifications/")
    assert page.status_code == 200 and 'value="weekly"' in page.content.decode()
    bad = client.post("/settings/notifications/", {"digest": "hourly"})
    assert bad.status_code == 422
    saved = client.post("/settings/notifications/", {
        "digest": "weekly", "muted_kinds": ["conversations.message"]})
    assert saved.status_code == 302
    found = NotificationSettings.objects.get(account=people.anna)
    assert found.digest == "weekly" and found.muted_kinds == ["conversations.message"]


def test_ids_too_large_for_the_database_are_not_found(client, people):
    conversation = direct(people.anna, people.bram, "Hoi")
    huge = "99999999999999999999"
    signed_in(client, people.anna)
    assert client.get(f"/messages/{huge}/").status_code == 404
    assert client.get(f"/messages/{conversation.pk}/?before={huge}").status_code == 200
    assert client.get(f"/messages/{conversation.pk}/report/{huge}/").status_code == 404
    assert client.post("/notifications/read/", {"id": huge}).status_code == 404
