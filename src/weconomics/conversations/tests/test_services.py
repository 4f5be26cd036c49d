"""Conversations: who may message whom, unread counts, leaving, deletion and the export."""

import pytest

from weconomics.audit.models import AuditRecord
from weconomics.contacts import services as contacts
from weconomics.contacts.errors import Conflict, Invalid, NotAllowed, NotFound
from weconomics.contacts.models import Report
from weconomics.conversations import queries
from weconomics.conversations import services as conversations
from weconomics.conversations.models import Conversation, Message, Participant
from weconomics.conversations.tests.helpers import connect, handle, person
from weconomics.identity import services as identity
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db


def direct(a, b, body=""):
    return conversations.start_direct(actor=a, handle=handle(b), body=body)


def test_connected_people_message_each_other_in_one_conversation_per_pair(people):
    first = direct(people.anna, people.bram, "Hoi Bram")
    again = direct(people.bram, people.anna, "Hoi Anna")
    assert first.pk == again.pk
    assert Conversation.objects.filter(kind="direct").count() == 1
    bodies = list(Message.objects.filter(conversation=first).values_list("body", flat=True))
    assert bodies == ["Hoi Bram", "Hoi Anna"]
    assert AuditRecord.objects.filter(action="conversations.started").count() == 1


def test_people_who_are_not_connected_cannot_message(people):
    with pytest.raises(NotAllowed, match="only to your connections"):
        direct(people.anna, people.stan, "Hallo")
    assert not Conversation.objects.exists()


def test_nobody_can_message_themselves(people):
    with pytest.raises(Invalid):
        direct(people.anna, people.anna, "Hallo")


def test_after_a_block_neither_side_can_write_in_their_conversation(people):
    conversation = direct(people.anna, people.bram, "Hoi")
    contacts.block(actor=people.bram, handle=handle(people.anna))
    for actor in (people.anna, people.bram):
        with pytest.raises(NotAllowed, match="cannot send messages to this person"):
            conversations.send_message(actor=actor, conversation_id=conversation.pk,
                                       body="Nog iets")
    with pytest.raises(NotAllowed):
        direct(people.anna, people.bram, "Opnieuw")
    # The history stays readable for both.
    mine = queries.participation_in(people.anna, conversation.pk)
    assert [m.body for m in queries.visible_messages(mine)] == ["Hoi"]


def test_removing_the_connection_ends_direct_messages(people):
    conversation = direct(people.anna, people.bram, "Hoi")
    contacts.remove_connection(actor=people.anna, handle=handle(people.bram))
    with pytest.raises(NotAllowed, match="only to your connections"):
        conversations.send_message(actor=people.bram, conversation_id=conversation.pk,
                                   body="Hallo?")


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 5001, "x" * 10_000])
def test_empty_and_oversized_messages_are_refused_and_nothing_is_written(people, body):
    conversation = direct(people.anna, people.bram)
    with pytest.raises(Invalid):
        conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                   body=body)
    assert not Message.objects.exists()


def test_a_message_of_exactly_5000_characters_is_accepted(people):
    conversation = direct(people.anna, people.bram)
    message = conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                         body="x" * 5000)
    assert len(message.body) == 5000


@pytest.mark.parametrize("conversation_id", [999999, "abc", None, -1])
def test_an_unknown_conversation_is_not_found(people, conversation_id):
    with pytest.raises(NotFound):
        conversations.send_message(actor=people.anna, conversation_id=conversation_id,
                                   body="Hallo")


def test_someone_outside_a_conversation_cannot_read_or_write_it(people):
    conversation = direct(people.anna, people.bram, "Geheim")
    with pytest.raises(NotFound):
        queries.participation_in(people.eva, conversation.pk)
    with pytest.raises(NotFound):
        conversations.send_message(actor=people.eva, conversation_id=conversation.pk,
                                   body="Ik ook")
    with pytest.raises(NotFound):
        conversations.mark_read(actor=people.eva, conversation_id=conversation.pk)


def test_a_group_is_started_with_connections_and_needs_a_title_and_three_people(people):
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)],
                                      body="Wie komt er?")
    assert group.kind == "group" and group.title == "Teamdag"
    assert Participant.objects.filter(conversation=group).count() == 3
    assert Notification.objects.filter(recipient=people.bram,
                                       kind="conversations.added").exists()
    with pytest.raises(Invalid, match="title"):
        conversations.start_group(actor=people.anna, title="  ",
                                  handles=[handle(people.bram), handle(people.eva)])
    with pytest.raises(Invalid, match="at least"):
        conversations.start_group(actor=people.anna, title="Twee",
                                  handles=[handle(people.bram), handle(people.anna)])


def test_a_group_with_someone_who_is_not_a_connection_is_refused(people):
    with pytest.raises(NotAllowed, match="Stan Stranger"):
        conversations.start_group(actor=people.anna, title="Teamdag",
                                  handles=[handle(people.bram), handle(people.stan)])
    assert not Conversation.objects.exists()


def test_a_group_with_someone_blocked_is_refused(people):
    contacts.block(actor=people.eva, handle=handle(people.anna))
    with pytest.raises(NotAllowed):
        conversations.start_group(actor=people.anna, title="Teamdag",
                                  handles=[handle(people.bram), handle(people.eva)])


def test_an_unknown_handle_is_not_found(people):
    with pytest.raises(NotFound):
        conversations.start_group(actor=people.anna, title="Teamdag",
                                  handles=[handle(people.bram), "nobody-here"])


def test_unread_counts_go_up_with_messages_from_others_and_down_when_read(people):
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    conversation = direct(people.anna, people.bram, "Eén")
    conversations.send_message(actor=people.anna, conversation_id=conversation.pk, body="Twee")
    conversations.send_message(actor=people.eva, conversation_id=group.pk, body="Drie")
    assert queries.unread_total(people.bram) == 3
    assert queries.unread_total(people.anna) == 1  # her own messages are never unread
    rows = {r.conversation_id: r.unread for r in queries.conversations_of(people.bram)}
    assert rows == {conversation.pk: 2, group.pk: 1}
    conversations.mark_read(actor=people.bram, conversation_id=conversation.pk)
    assert queries.unread_total(people.bram) == 1
    conversations.send_message(actor=people.bram, conversation_id=group.pk, body="Vier")
    # Writing in a conversation means having read it.
    assert queries.unread_total(people.bram) == 0
    assert queries.unread_total(people.eva) == 1


def test_one_unread_notification_per_conversation_until_it_is_read(people):
    conversation = direct(people.anna, people.bram, "Eén")
    conversations.send_message(actor=people.anna, conversation_id=conversation.pk, body="Twee")
    waiting = Notification.objects.filter(recipient=people.bram, kind="conversations.message")
    assert waiting.count() == 1
    conversations.mark_read(actor=people.bram, conversation_id=conversation.pk)
    assert waiting.get().read_at is not None
    conversations.send_message(actor=people.anna, conversation_id=conversation.pk, body="Drie")
    assert waiting.count() == 2 and waiting.filter(read_at__isnull=True).count() == 1


def test_leaving_stops_delivery_and_writing(people):
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    conversations.send_message(actor=people.anna, conversation_id=group.pk, body="Voor")
    conversations.leave(actor=people.eva, conversation_id=group.pk)
    Notification.objects.all().delete()
    conversations.send_message(actor=people.anna, conversation_id=group.pk, body="Na")
    assert not Notification.objects.filter(recipient=people.eva).exists()
    assert Notification.objects.filter(recipient=people.bram).exists()
    assert queries.unread_total(people.eva) == 0
    mine = queries.participation_in(people.eva, group.pk)
    seen = [m.body for m in queries.visible_messages(mine) if m.kind == "text"]
    assert seen == ["Voor"]
    with pytest.raises(NotAllowed, match="left"):
        conversations.send_message(actor=people.eva, conversation_id=group.pk, body="Hoi")
    with pytest.raises(Conflict):
        conversations.leave(actor=people.eva, conversation_id=group.pk)
    assert Message.objects.filter(conversation=group, kind="left", sender=people.eva).exists()
    assert AuditRecord.objects.filter(action="conversations.left", actor=people.eva).exists()


def test_a_direct_conversation_the_other_left_cannot_be_written_in(people):
    conversation = direct(people.anna, people.bram, "Hoi")
    conversations.leave(actor=people.bram, conversation_id=conversation.pk)
    with pytest.raises(NotAllowed, match="Bram Jansen left"):
        conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                   body="Hallo?")
    # Bram opens it again himself and sees only what comes after.
    direct(people.bram, people.anna, "Toch nog even")
    mine = queries.participation_in(people.bram, conversation.pk)
    assert [m.body for m in queries.visible_messages(mine)] == ["Toch nog even"]


def test_members_add_their_own_connections_to_a_group(people):
    zoe = person("zoe@example.org", "Zoë Zee")
    connect(people.bram, zoe)
    group = conversations.start_group(actor=people.anna, title="Teamdag",
                                      handles=[handle(people.bram), handle(people.eva)])
    with pytest.raises(NotAllowed):
        conversations.add_participants(actor=people.anna, conversation_id=group.pk,
                                       handles=[handle(zoe)])
    conversations.add_participants(actor=people.bram, conversation_id=group.pk,
                                   handles=[handle(zoe)])
    assert queries.participation_in(zoe, group.pk).active
    assert Notification.objects.filter(recipient=zoe, kind="conversations.added").exists()
    assert AuditRecord.objects.filter(action="conversations.participants_added").exists()
    with pytest.raises(Conflict):
        conversations.add_participants(actor=people.bram, conversation_id=group.pk,
                                       handles=[handle(zoe)])
    direct_one = direct(people.anna, people.bram)
    with pytest.raises(Invalid):
        conversations.add_participants(actor=people.anna, conversation_id=direct_one.pk,
                                       handles=[handle(people.eva)])


def test_a_deleted_sender_shows_as_deleted_user_and_the_thread_survives(people):
    conversation = direct(people.anna, people.bram, "Hoi Bram")
    conversations.send_message(actor=people.bram, conversation_id=conversation.pk,
                               body="Hoi Anna")
    identity.delete_account(actor=people.bram)
    mine = queries.participation_in(people.anna, conversation.pk)
    messages = list(queries.visible_messages(mine))
    assert [m.body for m in messages] == ["Hoi Bram", "Hoi Anna"]
    assert messages[1].sender is None and queries.name_of(messages[1].sender) == "Deleted user"
    participants = queries.participants_of(conversation)
    assert queries.title_for(conversation, people.anna, participants) == "Deleted user"
    with pytest.raises(NotAllowed, match="deleted their account"):
        conversations.send_message(actor=people.anna, conversation_id=conversation.pk,
                                   body="Ben je er nog?")


def test_a_conversation_nobody_is_left_in_is_removed(people):
    conversation = direct(people.anna, people.bram, "Hoi")
    identity.delete_account(actor=people.bram)
    identity.delete_account(actor=people.anna)
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


def test_the_export_holds_conversations_and_only_the_messages_sent(people):
    conversation = direct(people.anna, people.bram, "Van Anna")
    conversations.send_message(actor=people.bram, conversation_id=conversation.pk,
                               body="Van Bram")
    data = identity.export_account(actor=people.anna)
    assert data["conversations"][0]["participants"] == ["Bram Jansen"]
    assert [m["text"] for m in data["messages_sent"]] == ["Van Anna"]


def test_a_message_is_reported_with_its_context_and_audited(people):
    conversation = direct(people.anna, people.bram)
    message = conversations.send_message(actor=people.bram, conversation_id=conversation.pk,
                                         body="Koop nu!")
    report = conversations.report_message(actor=people.anna, message_id=message.pk,
                                          reason="spam", details="Reclame")
    assert report.context == f"message {message.pk}" and report.person == people.bram.person
    assert AuditRecord.objects.filter(action="contacts.reported", actor=people.anna).exists()
    with pytest.raises(Invalid):
        conversations.report_message(actor=people.bram, message_id=message.pk, reason="spam")
    with pytest.raises(NotFound):
        conversations.report_message(actor=people.eva, message_id=message.pk, reason="spam")
    with pytest.raises(Invalid):
        conversations.report_message(actor=people.anna, message_id=message.pk, reason="nope")
    assert Report.objects.count() == 1


def test_the_demo_conversations_are_made_once():
    from weconomics.contacts import demo as contacts_demo
    from weconomics.conversations import demo
    from weconomics.identity import demo as identity_demo

    accounts = identity_demo.populate()
    contacts_demo.populate(accounts)
    first = demo.populate(accounts)
    again = demo.populate(accounts)
    assert [c.pk for c in first] == [c.pk for c in again]
    assert Message.objects.count() == 9
    anna = accounts["anna@example.org"]
    assert queries.unread_total(anna) == 3
    assert {c.kind for c in first} == {"direct", "group"}
