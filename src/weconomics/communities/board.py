"""Writes of a community's discussion board: topics and replies, and their moderation.

Members start topics and reply; stewards and supervisors pin, close, hide and show them.
Authors edit and delete their own posts. Everything is audited; the topic's author and
earlier repliers are told of a new reply.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.communities.access import access_to
from weconomics.communities.errors import Conflict, Invalid, NotAllowed, NotFound
from weconomics.communities.models import Community, CommunityDomain, Membership, Reply, Topic
from weconomics.communities.services import _one_line, _text, require_role
from weconomics.contacts.access import display_name
from weconomics.notifications.models import Notification

Role = Membership.Role
TITLE_MAX, BODY_MAX = 150, 10_000
# A reply notifies at most this many earlier participants (the author first).
NOTIFY_AT_MOST = 50


def _clean_post(title: str | None, body: str) -> tuple[str | None, str]:
    if title is not None:
        title = _one_line(title, what=_("the title"))
        if not title:
            raise Invalid(_("Give the topic a title."))
        if len(title) > TITLE_MAX:
            raise Invalid(_("The title may have at most %(limit)d characters.")
                          % {"limit": TITLE_MAX})
    body = _text(body, limit=BODY_MAX, what=_("The text"))
    if not body:
        raise Invalid(_("Write something first."))
    return title, body


def start_topic(*, actor, community: Community, title: str, body: str,
                domain: str | None = None, request=None) -> Topic:
    title, body = _clean_post(title, body)
    with transaction.atomic():
        require_role(actor, community)
        found_domain = None
        if domain:
            found_domain = CommunityDomain.objects.filter(community=community,
                                                          kind__slug=domain).first()
            if found_domain is None:
                raise Invalid(_("This community has no such domain."))
        now = timezone.now()
        topic = Topic.objects.create(community=community, domain=found_domain, author=actor,
                                     title=title, body=body, last_activity_at=now)
        record("communities.topic_started", actor=actor, target=topic, request=request,
               data={"community": community.slug})
    return topic


def _topic(actor, community: Community, topic_id: int, *, lock: bool = False,
           membership: Membership | None = None) -> Topic:
    """The topic; a hidden one exists only for moderators and its author."""
    topics = Topic.objects.filter(community=community, pk=topic_id)
    if lock:
        topics = topics.select_for_update()
    topic = topics.first()
    hidden_from_actor = (
        topic is not None and topic.hidden_at is not None and membership is not None
        and membership.role not in (Role.STEWARD, Role.SUPERVISOR)
        and topic.author_id != actor.pk)
    if topic is None or hidden_from_actor:
        raise NotFound(_("There is no such topic, or it is not visible to you."))
    return topic


def reply(*, actor, community: Community, topic_id: int, body: str, request=None) -> Reply:
    _title, body = _clean_post(None, body)
    with transaction.atomic():
        membership = require_role(actor, community)
        topic = _topic(actor, community, topic_id, lock=True)
        moderator = membership.role in (Role.STEWARD, Role.SUPERVISOR)
        if topic.hidden_at is not None and not moderator:
            raise NotFound(_("There is no such topic, or it is not visible to you."))
        if topic.locked and not moderator:
            raise Conflict(_("This topic is closed for replies."))
        answer = Reply.objects.create(topic=topic, author=actor, body=body)
        topic.last_activity_at = answer.created_at
        topic.save(update_fields=["last_activity_at", "updated_at"])
        record("communities.replied", actor=actor, target=answer, request=request,
               data={"topic": topic.pk, "community": community.slug})
        _tell_participants(topic, actor, community)
    return answer


def _tell_participants(topic: Topic, actor, community: Community) -> None:
    """Tell the topic's author and earlier repliers who are still members."""
    earlier = list(Reply.objects.filter(topic=topic, author__isnull=False)
                   .exclude(author=actor).values_list("author_id", flat=True)
                   .order_by("-created_at")[:NOTIFY_AT_MOST])
    wanted = list(dict.fromkeys(([topic.author_id] if topic.author_id else []) + earlier))
    members = set(Membership.objects.filter(community=community, account_id__in=wanted)
                  .values_list("account_id", flat=True))
    name = display_name(actor)
    Notification.objects.bulk_create([
        Notification(recipient_id=account_id, kind="communities.replied", actor=actor,
                     params={"actor": name, "title": topic.title, "community": community.name},
                     url=f"/c/{community.slug}/board/{topic.pk}/")
        for account_id in wanted if account_id in members and account_id != actor.pk])


def edit_topic(*, actor, community: Community, topic_id: int, title: str, body: str,
               request=None) -> Topic:
    title, body = _clean_post(title, body)
    with transaction.atomic():
        membership = require_role(actor, community)
        topic = _topic(actor, community, topic_id, lock=True, membership=membership)
        if topic.author_id != actor.pk:
            raise NotAllowed(_("Only its author can edit this."))
        topic.title, topic.body = title, body
        topic.save(update_fields=["title", "body", "updated_at"])
        record("communities.topic_edited", actor=actor, target=topic, request=request)
    return topic


def delete_topic(*, actor, community: Community, topic_id: int, request=None) -> None:
    """Delete one's own topic with its replies; moderators hide rather than delete."""
    with transaction.atomic():
        membership = require_role(actor, community)
        topic = _topic(actor, community, topic_id, lock=True, membership=membership)
        if topic.author_id != actor.pk:
            raise NotAllowed(_("Only its author can delete this."))
        record("communities.topic_deleted", actor=actor, target=community, request=request,
               data={"topic": topic.pk, "replies": topic.replies.count()})
        topic.delete()


def moderate_topic(*, actor, community: Community, topic_id: int, pinned: bool | None = None,
                   locked: bool | None = None, hidden: bool | None = None,
                   request=None) -> Topic:
    """Pin, close or hide a topic (or undo it); stewards and supervisors."""
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD, Role.SUPERVISOR)
        topic = _topic(actor, community, topic_id, lock=True)
        changes = {}
        if pinned is not None and topic.pinned != bool(pinned):
            changes["pinned"] = bool(pinned)
        if locked is not None and topic.locked != bool(locked):
            changes["locked"] = bool(locked)
        if hidden is not None and (topic.hidden_at is not None) != bool(hidden):
            changes["hidden_at"] = timezone.now() if hidden else None
        if not changes:
            return topic
        for key, value in changes.items():
            setattr(topic, key, value)
        topic.save(update_fields=[*changes, "updated_at"])
        record("communities.topic_moderated", actor=actor, target=topic, request=request,
               data={k: (v is not None if k == "hidden_at" else v) for k, v in changes.items()})
    return topic


def _reply(community: Community, reply_id: int) -> Reply:
    found = (Reply.objects.select_for_update().select_related("topic")
             .filter(pk=reply_id, topic__community=community).first())
    if found is None:
        raise NotFound(_("There is no such reply."))
    return found


def edit_reply(*, actor, community: Community, reply_id: int, body: str,
               request=None) -> Reply:
    _title, body = _clean_post(None, body)
    with transaction.atomic():
        require_role(actor, community)
        found = _reply(community, reply_id)
        if found.author_id != actor.pk:
            raise NotAllowed(_("Only its author can edit this."))
        found.body = body
        found.save(update_fields=["body", "updated_at"])
        record("communities.reply_edited", actor=actor, target=found, request=request)
    return found


def delete_reply(*, actor, community: Community, reply_id: int, request=None) -> None:
    with transaction.atomic():
        require_role(actor, community)
        found = _reply(community, reply_id)
        if found.author_id != actor.pk:
            raise NotAllowed(_("Only its author can delete this."))
        record("communities.reply_deleted", actor=actor, target=community, request=request,
               data={"reply": found.pk, "topic": found.topic_id})
        found.delete()


def moderate_reply(*, actor, community: Community, reply_id: int, hidden: bool,
                   request=None) -> Reply:
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD, Role.SUPERVISOR)
        found = _reply(community, reply_id)
        if (found.hidden_at is not None) == bool(hidden):
            return found
        found.hidden_at = timezone.now() if hidden else None
        found.save(update_fields=["hidden_at", "updated_at"])
        record("communities.reply_moderated", actor=actor, target=found, request=request,
               data={"hidden": bool(hidden)})
    return found


def visible_replies(viewer, community: Community, topic: Topic):
    """A topic's replies for this viewer; moderators also see hidden ones."""
    access = access_to(viewer, community)
    replies = Reply.objects.filter(topic=topic).select_related("author__person")
    if not access.can_moderate:
        replies = replies.filter(hidden_at__isnull=True)
    return replies
