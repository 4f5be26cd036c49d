"""Writes of conversations: start, send, read, add people, leave, report.

Every write takes the acting account as `actor`, owns its transaction, writes its audit
record and notifies the other participants. The rules (who may message whom) live here,
so the pages, the API and the demo cannot differ.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.contacts import access
from weconomics.contacts.errors import Conflict, Invalid, NotAllowed, NotFound
from weconomics.contacts.models import Block, Connection, Person, Report
from weconomics.conversations import queries
from weconomics.conversations.models import (
    GROUP_MAX,
    GROUP_MIN,
    MAX_BODY,
    MAX_TITLE,
    Conversation,
    Message,
    Participant,
)
from weconomics.identity.models import clean_display_text
from weconomics.notifications.models import Notification
from weconomics.notifications.services import mark_read as mark_notifications_read
from weconomics.notifications.services import notify

MAX_REPORT_DETAILS = 2000


def conversation_url(conversation_id: int) -> str:
    return reverse("conversation", args=[conversation_id])


# --- input --------------------------------------------------------------------------------

def clean_body(body) -> str:
    """A message as written: NUL removed, outer blank lines trimmed, 1..5000 characters."""
    body = str(body or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid(_("Write a message first."))
    if len(body) > MAX_BODY:
        raise Invalid(_("The message is too long: at most %(n)d characters (this one has "
                        "%(length)d).") % {"n": MAX_BODY, "length": len(body)})
    return body


def clean_title(title) -> str:
    try:
        title = clean_display_text(str(title or ""))
    except ValueError:
        raise Invalid(_("The title must be one line of text.")) from None
    if not title:
        raise Invalid(_("Give the group a title."))
    if len(title) > MAX_TITLE:
        raise Invalid(_("The title is too long: at most %(n)d characters.") % {"n": MAX_TITLE})
    return title


def _people_by_handle(handles) -> list[Person]:
    """Active people for these handles, in the order given; unknown ones are refused."""
    wanted = []
    for handle in handles or []:
        handle = str(handle).strip()
        if handle and handle not in wanted:
            wanted.append(handle)
    found = {p.handle: p for p in Person.objects.select_related("account")
             .filter(handle__in=wanted, account__is_active=True)}
    missing = [h for h in wanted if h not in found]
    if missing:
        raise NotFound(_("There is no such profile, or it is not visible to you: %(handles)s")
                       % {"handles": ", ".join(h[:80] for h in missing[:5])})
    return [found[h] for h in wanted]


def _require_connections(me: Person, people: list[Person], *, among: list[int] = ()) -> None:
    """Refuse people who are not the actor's connections or are blocked either way.

    `among` are person ids already in the conversation: a block between them and a
    newcomer refuses the newcomer too, without saying who blocked whom.
    """
    ids = [p.pk for p in people]
    connected = set(Connection.objects.filter(person=me, other_id__in=ids)
                    .values_list("other_id", flat=True))
    strangers = [p.display_name for p in people if p.pk not in connected]
    if strangers:
        raise NotAllowed(_("You can talk only with your connections; not connected: "
                           "%(names)s.") % {"names": ", ".join(strangers[:5])})
    everyone = {me.pk, *among}
    blocked = Block.objects.filter(
        Q(blocker_id__in=everyone, blocked_id__in=ids)
        | Q(blocker_id__in=ids, blocked_id__in=everyone))
    names = {p.pk: p.display_name for p in people}
    refused = sorted({names.get(b.blocker_id) or names.get(b.blocked_id) for b in blocked})
    if refused:
        raise NotAllowed(_("You cannot add %(names)s to this conversation.")
                         % {"names": ", ".join(refused[:5])})


def _me(actor) -> Person:
    me = access.person_of(actor)
    if me is None:
        raise NotAllowed(_("Make your profile first: messages are sent between profiles."))
    return me


# --- starting -----------------------------------------------------------------------------

def start_direct(*, actor, handle: str, body: str = "",
                 request: HttpRequest | None = None) -> Conversation:
    """Open the direct conversation with a connection (one per pair), optionally writing."""
    body = clean_body(body) if body else ""
    me = _me(actor)
    other = _people_by_handle([handle])[0]
    if other.pk == me.pk:
        raise Invalid(_("You cannot send a message to yourself."))
    with transaction.atomic(durable=True):
        _refuse_unless_can_message(actor, me, other)
        key = queries.pair_key(actor, other.account)
        conversation = Conversation.objects.filter(pair_key=key).first()
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(
                        kind=Conversation.Kind.DIRECT, created_by=actor, pair_key=key)
            except IntegrityError:
                # Both started at the same moment: use the one that won.
                conversation = Conversation.objects.get(pair_key=key)
            else:
                for account in (actor, other.account):
                    Participant.objects.create(conversation=conversation, account=account,
                                               added_by=actor)
                record("conversations.started", actor=actor, subject=other.account,
                       target=conversation, request=request, data={"kind": "direct"})
        mine = Participant.objects.filter(conversation=conversation, account=actor).first()
        if mine is None:
            mine = Participant.objects.create(conversation=conversation, account=actor,
                                              added_by=actor)
        elif mine.left_at is not None:
            _rejoin(mine, actor)
        if body:
            _require_direct_open(conversation, mine, actor)
            _send(conversation, actor, body)
    return conversation


def _refuse_unless_can_message(actor, me: Person, other: Person) -> None:
    if access.is_blocked_between(me, other):
        # The same words whoever blocked whom: a block is not revealed.
        raise NotAllowed(_("You cannot send messages to this person."))
    if not access.can_message(actor, other.account):
        raise NotAllowed(_("You can send direct messages only to your connections."))


def _rejoin(participation: Participant, added_by) -> None:
    participation.left_at = None
    participation.joined_at = timezone.now()
    participation.last_read_at = None
    participation.added_by = added_by
    participation.save(update_fields=["left_at", "joined_at", "last_read_at", "added_by"])


def start_group(*, actor, title: str, handles: list[str], body: str = "",
                request: HttpRequest | None = None) -> Conversation:
    """Start a group conversation with 2 to 49 of the actor's connections."""
    title = clean_title(title)
    body = clean_body(body) if body else ""
    me = _me(actor)
    people = [p for p in _people_by_handle(handles) if p.pk != me.pk]
    if len(people) + 1 < GROUP_MIN:
        raise Invalid(_("A group needs at least %(n)d people: choose at least two others.")
                      % {"n": GROUP_MIN})
    if len(people) + 1 > GROUP_MAX:
        raise Invalid(_("A group can have at most %(n)d people.") % {"n": GROUP_MAX})
    with transaction.atomic(durable=True):
        _require_connections(me, people)
        conversation = Conversation.objects.create(kind=Conversation.Kind.GROUP, title=title,
                                                   created_by=actor)
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, account=actor, added_by=actor)]
            + [Participant(conversation=conversation, account=p.account, added_by=actor)
               for p in people])
        record("conversations.started", actor=actor, target=conversation, request=request,
               data={"kind": "group", "people": len(people) + 1})
        for person in people:
            notify(person.account, "conversations.added", actor=actor, title=title,
                   url=conversation_url(conversation.pk))
        if body:
            _send(conversation, actor, body)
    return conversation


# --- messages -----------------------------------------------------------------------------

def send_message(*, actor, conversation_id, body: str,
                 request: HttpRequest | None = None) -> Message:
    """Write a message in a conversation the actor takes part in."""
    body = clean_body(body)
    with transaction.atomic(durable=True):
        mine = queries.participation_in(actor, conversation_id)
        conversation = mine.conversation
        if mine.left_at is not None:
            raise NotAllowed(_("You left this conversation; you can no longer write in it."))
        if not conversation.is_group:
            _require_direct_open(conversation, mine, actor)
        return _send(conversation, actor, body)


def _require_direct_open(conversation: Conversation, mine: Participant, actor) -> None:
    """Refuse writing in a direct conversation the other side left, deleted or blocked."""
    other = (Participant.objects.select_related("account__person")
             .filter(conversation=conversation).exclude(pk=mine.pk).first())
    if other is None or other.account is None or not other.account.is_active:
        raise NotAllowed(_("The other person has deleted their account."))
    if other.left_at is not None:
        raise NotAllowed(_("%(name)s left this conversation.")
                         % {"name": queries.name_of(other.account)})
    other_person = access.person_of(other.account)
    if other_person is None:
        raise NotAllowed(_("You can send direct messages only to your connections."))
    _refuse_unless_can_message(actor, _me(actor), other_person)


def _send(conversation: Conversation, actor, body: str) -> Message:
    message = Message.objects.create(conversation=conversation, sender=actor, body=body)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    Participant.objects.filter(conversation=conversation, account=actor).update(
        last_read_at=message.created_at)
    url = conversation_url(conversation.pk)
    recipients = list(Participant.objects.filter(conversation=conversation,
                                                 left_at__isnull=True, account__isnull=False)
                      .exclude(account=actor).select_related("account"))
    # One unread notification per conversation is enough: no new one while it waits.
    waiting = set(Notification.objects.filter(
        recipient__in=[p.account_id for p in recipients], kind="conversations.message",
        url=url, read_at__isnull=True).values_list("recipient_id", flat=True))
    for participant in recipients:
        if participant.account_id not in waiting and participant.account.is_active:
            notify(participant.account, "conversations.message", actor=actor, url=url)
    return message


def mark_read(*, actor, conversation_id, request: HttpRequest | None = None) -> Participant:
    """Mark everything the actor can read in the conversation as read."""
    with transaction.atomic(durable=True):
        mine = queries.participation_in(actor, conversation_id)
        newest = queries.visible_messages(mine).order_by("-created_at").values_list(
            "created_at", flat=True).first()
        read_to = max(filter(None, [newest, mine.last_read_at, mine.joined_at]))
        if mine.left_at is None and read_to != mine.last_read_at:
            mine.last_read_at = read_to
            mine.save(update_fields=["last_read_at"])
        mark_notifications_read(actor=actor, url=conversation_url(mine.conversation_id),
                                kinds=["conversations.message", "conversations.added"])
    return mine


# --- people -------------------------------------------------------------------------------

def add_participants(*, actor, conversation_id, handles: list[str],
                     request: HttpRequest | None = None) -> list[Participant]:
    """Add some of the actor's connections to a group the actor takes part in."""
    me = _me(actor)
    people = [p for p in _people_by_handle(handles) if p.pk != me.pk]
    if not people:
        raise Invalid(_("Choose whom to add."))
    with transaction.atomic(durable=True):
        mine = queries.participation_in(actor, conversation_id)
        # Lock the conversation: two additions at once cannot pass the limit together.
        conversation = Conversation.objects.select_for_update().get(pk=mine.conversation_id)
        if not conversation.is_group:
            raise Invalid(_("People can be added to group conversations only; start a group "
                            "instead."))
        if mine.left_at is not None:
            raise NotAllowed(_("You left this conversation; you can no longer add people."))
        current = {p.account_id: p for p in Participant.objects.filter(
            conversation=conversation, account__isnull=False)}
        already = [p.display_name for p in people
                   if p.account_id in current and current[p.account_id].left_at is None]
        if already:
            raise Conflict(_("Already in this conversation: %(names)s.")
                           % {"names": ", ".join(already[:5])})
        active = sum(1 for p in current.values() if p.left_at is None)
        if active + len(people) > GROUP_MAX:
            raise Invalid(_("A group can have at most %(n)d people.") % {"n": GROUP_MAX})
        members = list(Person.objects.filter(account_id__in=[
            a for a, p in current.items() if p.left_at is None]).values_list("pk", flat=True))
        _require_connections(me, people, among=members)
        added = []
        for person in people:
            earlier = current.get(person.account_id)
            if earlier is not None:
                _rejoin(earlier, actor)
                added.append(earlier)
            else:
                added.append(Participant.objects.create(
                    conversation=conversation, account=person.account, added_by=actor))
        names = ", ".join(p.display_name for p in people)
        now = timezone.now()
        Message.objects.create(conversation=conversation, sender=actor,
                               kind=Message.Kind.ADDED, body=names[:MAX_BODY], created_at=now)
        record("conversations.participants_added", actor=actor, target=conversation,
               request=request, data={"accounts": [p.account_id for p in people]})
        for person in people:
            notify(person.account, "conversations.added", actor=actor, title=conversation.title,
                   url=conversation_url(conversation.pk))
    return added


def leave(*, actor, conversation_id, request: HttpRequest | None = None) -> Participant:
    """Leave a conversation: no further messages reach the actor, nor can they write."""
    with transaction.atomic(durable=True):
        mine = queries.participation_in(actor, conversation_id)
        if mine.left_at is not None:
            raise Conflict(_("You already left this conversation."))
        now = timezone.now()
        Message.objects.create(conversation_id=mine.conversation_id, sender=actor,
                               kind=Message.Kind.LEFT, created_at=now)
        mine.left_at = now
        mine.last_read_at = now
        mine.save(update_fields=["left_at", "last_read_at"])
        record("conversations.left", actor=actor, target=mine.conversation, request=request)
        mark_notifications_read(actor=actor, url=conversation_url(mine.conversation_id))
    return mine


def report_message(*, actor, message_id, reason: str, details: str = "",
                   request: HttpRequest | None = None) -> Report:
    """Report a message someone else wrote to the platform's moderators."""
    if reason not in Report.Reason.values:
        raise Invalid(_("Choose a reason for the report."))
    details = str(details or "").replace("\x00", "").strip()
    if len(details) > MAX_REPORT_DETAILS:
        raise Invalid(_("The details are too long: at most %(n)d characters.")
                      % {"n": MAX_REPORT_DETAILS})
    message_id = queries.valid_id(message_id)
    if message_id is None:
        raise NotFound(_("There is no such message."))
    message = Message.objects.select_related("sender__person").filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("There is no such message."))
    mine = queries.participation_in(actor, message.conversation_id)
    if not queries.visible_messages(mine).filter(pk=message.pk).exists():
        raise NotFound(_("There is no such message."))
    if message.sender_id == actor.pk:
        raise Invalid(_("You cannot report your own message."))
    if message.kind != Message.Kind.TEXT:
        raise Invalid(_("Only messages people wrote can be reported."))
    sender = message.sender
    # Written here rather than through contacts.services.report: a group member may report
    # a message of someone whose profile card they cannot see.
    with transaction.atomic(durable=True):
        created = Report.objects.create(
            reporter=actor, person=access.person_of(sender) if sender else None,
            subject_name=queries.name_of(sender)[:200], context=f"message {message.pk}",
            reason=reason, details=details)
        record("contacts.reported", actor=actor, subject=sender, target=created,
               request=request, data={"reason": reason, "context": f"message {message.pk}"})
    return created
