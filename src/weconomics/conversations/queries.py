"""Reads of conversations: the one place that decides who may read a conversation.

A person reads a conversation only as its participant, and only the messages written
while they took part (from joining until leaving). Everyone else gets NotFound, the
same answer as for a conversation that does not exist.
"""

import datetime as dt

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from weconomics.contacts.errors import NotFound
from weconomics.conversations.models import Conversation, Message, Participant

FAR_FUTURE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
PAGE_SIZE = 20
THREAD_SIZE = 50


def _signed_in(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


MAX_ID = 2**63 - 1


def valid_id(value) -> int | None:
    """The value as a row id, or None when it cannot be one (the databases refuse larger)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None


def not_found() -> NotFound:
    return NotFound(_("There is no such conversation, or you do not take part in it."))


def participation_in(viewer, conversation_id) -> Participant:
    """Return the viewer's place in the conversation (its .conversation loaded), or raise NotFound.

    Someone who left still reads what was written while they took part.
    """
    conversation_id = valid_id(conversation_id)
    if conversation_id is None or not _signed_in(viewer):
        raise not_found()
    found = (Participant.objects.select_related("conversation")
             .filter(account=viewer, conversation_id=conversation_id).first())
    if found is None:
        raise not_found()
    return found


def visible_messages(participation: Participant) -> QuerySet[Message]:
    """The messages of the conversation the participant may read."""
    messages = Message.objects.filter(conversation_id=participation.conversation_id,
                                      created_at__gte=participation.joined_at)
    if participation.left_at is not None:
        messages = messages.filter(created_at__lte=participation.left_at)
    return messages.select_related("sender__person")


def thread(participation: Participant, *, before: int | None = None,
           after: int | None = None, size: int = THREAD_SIZE) -> tuple[list[Message], bool]:
    """Return up to `size` messages, oldest first, and whether earlier ones exist.

    `before` gives the messages just before that message id; `after` those after it.
    """
    messages = visible_messages(participation)
    if after is not None:
        rows = list(messages.filter(pk__gt=after).order_by("id")[:size])
        return rows, False
    if before is not None:
        messages = messages.filter(pk__lt=before)
    rows = list(messages.order_by("-id")[:size + 1])
    has_earlier = len(rows) > size
    return list(reversed(rows[:size])), has_earlier


def _unread_subquery():
    """Text messages of others after the participant last read (or joined), as a count."""
    return Subquery(
        Message.objects.filter(conversation_id=OuterRef("conversation_id"),
                               kind=Message.Kind.TEXT, created_at__gt=OuterRef("read_from"))
        .exclude(sender_id=OuterRef("account_id"))
        .order_by().values("conversation_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField())


def _with_unread(participations: QuerySet[Participant]) -> QuerySet[Participant]:
    return participations.annotate(
        read_from=Coalesce(F("last_read_at"), F("joined_at")),
        unread=Case(When(left_at__isnull=False, then=Value(0)),
                    default=Coalesce(_unread_subquery(), Value(0)),
                    output_field=IntegerField()),
    )


def unread_total(account) -> int:
    """How many messages the account has not read, in all conversations it takes part in."""
    if not _signed_in(account):
        return 0
    found = (_with_unread(Participant.objects.filter(account=account, left_at__isnull=True))
             .aggregate(total=Sum("unread")))
    return found["total"] or 0


def unread_in(participation: Participant) -> int:
    found = _with_unread(Participant.objects.filter(pk=participation.pk)).values_list(
        "unread", flat=True).first()
    return found or 0


def conversations_of(viewer) -> QuerySet[Participant]:
    """The viewer's places in conversations, most recently active first.

    Each row has `.conversation`, `unread` and `last_message_id` (the newest message the
    viewer may read); `with_previews` loads the messages and the other participants.
    """
    if not _signed_in(viewer):
        return Participant.objects.none()
    last_visible = (Message.objects.filter(conversation_id=OuterRef("conversation_id"),
                                           created_at__gte=OuterRef("joined_at"),
                                           created_at__lte=OuterRef("until"))
                    .order_by("-created_at", "-id").values("pk")[:1])
    return (_with_unread(Participant.objects.filter(account=viewer))
            .annotate(until=Coalesce(F("left_at"), Value(FAR_FUTURE)))
            .annotate(last_message_id=Subquery(last_visible))
            .select_related("conversation")
            .order_by("-conversation__last_message_at", "-conversation_id"))


def with_previews(rows: list[Participant]) -> list[Participant]:
    """Attach `.last_message` and the conversation's participants, in two queries."""
    ids = [row.last_message_id for row in rows if row.last_message_id]
    messages = ({m.pk: m for m in Message.objects.filter(pk__in=ids)
                 .select_related("sender__person")} if ids else {})
    conversations = [row.conversation for row in rows]
    if conversations:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(conversations, Prefetch(
            "participants",
            queryset=Participant.objects.select_related("account__person").order_by(
                "joined_at", "id")))
    for row in rows:
        row.last_message = messages.get(row.last_message_id)
    return rows


def participants_of(conversation: Conversation) -> list[Participant]:
    """Everyone who takes or took part, with names, the earliest first."""
    return list(Participant.objects.filter(conversation=conversation)
                .select_related("account__person").order_by("joined_at", "id"))


def direct_with(account, other_account) -> Conversation | None:
    """The direct conversation of these two accounts, if they have one."""
    return Conversation.objects.filter(pair_key=pair_key(account, other_account)).first()


def pair_key(a, b) -> str:
    low, high = sorted([a.pk, b.pk])
    return f"{low}:{high}"


def name_of(account) -> str:
    """The name shown for a participant or sender; "Deleted user" once the account is gone."""
    if account is None:
        return _("Deleted user")
    person = getattr(account, "person", None)
    return getattr(person, "display_name", "") or account.name or _("Unnamed person")


def title_for(conversation: Conversation, viewer, participants: list[Participant]) -> str:
    """A group's title; for a direct conversation, the other person's name."""
    if conversation.is_group:
        return conversation.title
    others = [p for p in participants if p.account_id != viewer.pk]
    return name_of(others[0].account) if others else _("Deleted user")
