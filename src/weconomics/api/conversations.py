"""The conversations API: direct and group conversations, messages, notifications.

A conversation is visible only to its participants (everyone else gets 404, as for one
that does not exist), and a participant reads only the messages written while they took
part. Every write calls `conversations.services` or `notifications.services`; their
refusals become problem documents with their status and code.
"""

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, field_validator

from weconomics.api.api import ERRORS, ProblemOut
from weconomics.api.people import no_nul
from weconomics.contacts.errors import Invalid
from weconomics.contacts.models import Person, Report
from weconomics.contacts.queries import page_of
from weconomics.conversations import queries
from weconomics.conversations import services as conversations
from weconomics.conversations.models import GROUP_MAX, Message, Participant
from weconomics.notifications import services as notifications
from weconomics.notifications.kinds import KINDS, label, render
from weconomics.notifications.models import Notification, NotificationSettings

router = Router(tags=["conversations"])
notifications_router_tags = ["notifications"]

WRITE_ERRORS = {**ERRORS, 409: ProblemOut}
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
PAGE_QUERY = Query(1, ge=1, le=10_000, description="Page number, from 1.")
MessageKind = Literal[tuple(Message.Kind.values)]  # type: ignore[valid-type]
DigestName = Literal[tuple(NotificationSettings.Digest.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]
# No NUL: PostgreSQL cannot even look such a handle up.
Handle = Annotated[str, Field(max_length=80), AfterValidator(no_nul)]
Handles = Annotated[list[Handle], Field(max_length=GROUP_MAX)]


# --- schemas ------------------------------------------------------------------------------

class SenderOut(Schema):
    name: str = Field(..., description='The display name, or "Deleted user".')
    handle: str | None = Field(None, description="The profile address; null once deleted.")


class ParticipantOut(SenderOut):
    me: bool
    left: bool
    joined_at: dt.datetime


class MessageOut(Schema):
    id: int
    conversation_id: int
    kind: MessageKind = Field(..., description=(
        "text: written by the sender; added: the sender added the people named in body; "
        "left: the sender left."))
    sender: SenderOut
    mine: bool
    body: str = Field(..., description="Plain text as written; show it escaped, never as HTML.")
    created_at: dt.datetime


class ConversationOut(Schema):
    id: int
    kind: Literal["direct", "group"]
    title: str = Field(..., description="The group's title, or the other person's name.")
    participants: list[ParticipantOut]
    unread: int
    left: bool = Field(..., description="True once you left: you read up to then, no further.")
    last_message: MessageOut | None
    last_message_at: dt.datetime


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    page: int
    has_next: bool


class MessagePageOut(Schema):
    items: list[MessageOut] = Field(..., description="Oldest first.")
    has_earlier: bool = Field(..., description="Ask again with before=<first id> for more.")


class ConversationIn(Schema):
    kind: Literal["direct", "group"] = "direct"
    to: str | None = Field(None, max_length=80,
                           description="For a direct conversation: the connection's handle.")
    people: Handles = Field(default_factory=list,
                            description="For a group: handles of two or more connections.")
    title: str | None = Field(None, max_length=200, description="For a group: its title.")
    body: str | None = Field(None, description="A first message (optional), at most 5000 "
                                                "characters.")


class ConversationMessageIn(Schema):
    body: str = Field(..., description="At most 5000 characters of plain text.")


class ParticipantsIn(Schema):
    people: Handles = Field(..., min_length=1, description="Handles of your connections.")


class MessageReportIn(Schema):
    reason: Literal[tuple(Report.Reason.values)]  # type: ignore[valid-type]
    details: str = Field("", max_length=2000)


class NotificationOut(Schema):
    id: int
    kind: str
    text: str = Field(..., description="In the caller's language.")
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    page: int
    has_next: bool
    unread: int


class ReadIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        None, max_length=1000, description="The notifications to mark read; null for all.")


class ReadOut(Schema):
    marked: int


class KindOut(Schema):
    kind: str
    label: str


class NotificationSettingsOut(Schema):
    digest: DigestName
    muted_kinds: list[str] = Field(..., description="Kinds left out of the email digest.")
    last_digest_at: dt.datetime | None
    kinds: list[KindOut] = Field(..., description="Every kind that can be muted.")


class NotificationSettingsIn(Schema):
    digest: DigestName
    muted_kinds: list[KindName] = Field(default_factory=list, max_length=len(KINDS))

    @field_validator("muted_kinds")
    @classmethod
    def _unique(cls, value):
        return sorted(set(value))


# --- helpers ------------------------------------------------------------------------------

def _person_ref(account) -> dict:
    person = getattr(account, "person", None) if account is not None else None
    return {"name": queries.name_of(account), "handle": getattr(person, "handle", None)}


def _message_out(message: Message, viewer) -> dict:
    return {"id": message.pk, "conversation_id": message.conversation_id, "kind": message.kind,
            "sender": _person_ref(message.sender), "mine": message.sender_id == viewer.pk,
            "body": message.body, "created_at": message.created_at}


def _conversation_out(row: Participant, viewer) -> dict:
    participants = list(row.conversation.participants.all())
    return {
        "id": row.conversation_id, "kind": row.conversation.kind,
        "title": queries.title_for(row.conversation, viewer, participants),
        "participants": [{**_person_ref(p.account), "me": p.account_id == viewer.pk,
                          "left": p.left_at is not None, "joined_at": p.joined_at}
                         for p in participants],
        "unread": row.unread, "left": row.left_at is not None,
        "last_message": (_message_out(row.last_message, viewer)
                         if row.last_message is not None else None),
        "last_message_at": row.conversation.last_message_at,
    }


def _one(request, conversation_id: int) -> dict:
    row = queries.conversations_of(request.user).filter(conversation_id=conversation_id).first()
    if row is None:
        raise queries.not_found()
    return _conversation_out(queries.with_previews([row])[0], request.user)


# --- conversations ------------------------------------------------------------------------

@router.get("/conversations", response={200: ConversationPageOut, **ERRORS},
            summary="Your conversations, most recently active first")
def list_conversations(request, page: int = PAGE_QUERY):
    rows, has_next = page_of(queries.conversations_of(request.user), page)
    queries.with_previews(rows)
    return {"items": [_conversation_out(row, request.user) for row in rows], "page": page,
            "has_next": has_next}


@router.post("/conversations", response={200: ConversationOut, 201: ConversationOut,
                                          **WRITE_ERRORS},
             summary="Start a direct conversation (or get the existing one) or a group")
def start_conversation(request, payload: ConversationIn):
    if payload.kind == "direct":
        if not payload.to:
            raise Invalid(_("Say whom to write to: give `to`, the handle of a connection."))
        other = Person.objects.select_related("account").filter(handle=payload.to).first()
        existed = other is not None and queries.direct_with(request.user,
                                                            other.account) is not None
        started = conversations.start_direct(actor=request.user, handle=payload.to,
                                             body=payload.body or "", request=request)
        return Status(200 if existed else 201, _one(request, started.pk))
    started = conversations.start_group(actor=request.user, title=payload.title or "",
                                        handles=payload.people, body=payload.body or "",
                                        request=request)
    return Status(201, _one(request, started.pk))


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS},
            summary="One of your conversations")
def get_conversation(request, conversation_id: Id):
    return _one(request, conversation_id)


@router.get("/conversations/{conversation_id}/messages",
            response={200: MessagePageOut, **ERRORS},
            summary="Messages of a conversation, newest last")
def list_messages(request, conversation_id: Id,
                  before: int | None = Query(None, ge=1, le=2**63 - 1,
                                             description="Messages before this id."),
                  after: int | None = Query(None, ge=1, le=2**63 - 1,
                                            description="Messages after this id (polling)."),
                  limit: int = Query(50, ge=1, le=100)):
    mine = queries.participation_in(request.user, conversation_id)
    rows, has_earlier = queries.thread(mine, before=before, after=after, size=limit)
    return {"items": [_message_out(m, request.user) for m in rows], "has_earlier": has_earlier}


@router.post("/conversations/{conversation_id}/messages",
             response={201: MessageOut, **WRITE_ERRORS}, summary="Write a message")
def send_message(request, conversation_id: Id, payload: ConversationMessageIn):
    message = conversations.send_message(actor=request.user, conversation_id=conversation_id,
                                         body=payload.body, request=request)
    return Status(201, _message_out(message, request.user))


@router.post("/conversations/{conversation_id}/read", response={200: ConversationOut, **ERRORS},
             summary="Mark the conversation read")
def read_conversation(request, conversation_id: Id):
    conversations.mark_read(actor=request.user, conversation_id=conversation_id,
                            request=request)
    return _one(request, conversation_id)


@router.post("/conversations/{conversation_id}/leave",
             response={200: ConversationOut, **WRITE_ERRORS}, summary="Leave the conversation")
def leave_conversation(request, conversation_id: Id):
    conversations.leave(actor=request.user, conversation_id=conversation_id, request=request)
    return _one(request, conversation_id)


@router.post("/conversations/{conversation_id}/participants",
             response={200: ConversationOut, **WRITE_ERRORS},
             summary="Add your connections to a group")
def add_participants(request, conversation_id: Id, payload: ParticipantsIn):
    conversations.add_participants(actor=request.user, conversation_id=conversation_id,
                                   handles=payload.people, request=request)
    return _one(request, conversation_id)


@router.post("/conversations/{conversation_id}/messages/{message_id}/report",
             response={204: None, **ERRORS}, summary="Report a message to the moderators")
def report_message(request, conversation_id: Id, message_id: Id, payload: MessageReportIn):
    queries.participation_in(request.user, conversation_id)
    if not Message.objects.filter(pk=message_id, conversation_id=conversation_id).exists():
        raise queries.not_found()
    conversations.report_message(actor=request.user, message_id=message_id,
                                 reason=payload.reason, details=payload.details,
                                 request=request)
    return Status(204, None)


# --- notifications ------------------------------------------------------------------------

def _notification_out(n: Notification) -> dict:
    return {"id": n.pk, "kind": n.kind, "text": render(n.kind, n.params), "url": n.url,
            "created_at": n.created_at, "read_at": n.read_at}


@router.get("/notifications", response={200: NotificationPageOut, **ERRORS},
            tags=notifications_router_tags, summary="Your notifications, newest first")
def list_notifications(request, page: int = PAGE_QUERY,
                       unread: bool = Query(False, description="Only the unread ones.")):
    found = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    if unread:
        found = found.filter(read_at__isnull=True)
    rows, has_next = page_of(found, page)
    return {"items": [_notification_out(n) for n in rows], "page": page, "has_next": has_next,
            "unread": Notification.objects.filter(recipient=request.user,
                                                  read_at__isnull=True).count()}


@router.post("/notifications/read", response={200: ReadOut, **ERRORS},
             tags=notifications_router_tags, summary="Mark notifications read")
def read_notifications(request, payload: ReadIn):
    marked = notifications.mark_read(actor=request.user, notification_ids=payload.ids)
    return {"marked": marked}


def _settings_out(found: NotificationSettings) -> dict:
    return {"digest": found.digest, "muted_kinds": list(found.muted_kinds or []),
            "last_digest_at": found.last_digest_at,
            "kinds": [{"kind": kind, "label": label(kind)} for kind in KINDS]}


@router.get("/me/notification-settings", response={200: NotificationSettingsOut, **ERRORS},
            tags=notifications_router_tags, summary="How the email digest comes to you")
def get_notification_settings(request):
    return _settings_out(notifications.settings_of(request.user))


@router.put("/me/notification-settings", response={200: NotificationSettingsOut, **ERRORS},
            tags=notifications_router_tags, summary="Change the email digest")
def put_notification_settings(request, payload: NotificationSettingsIn):
    found = notifications.update_settings(actor=request.user, digest=payload.digest,
                                          muted_kinds=payload.muted_kinds, request=request)
    return _settings_out(found)
