"""The API of what members write: a community's board (topics and replies), the
publications on its channel and their curation, and articles authored once and published
to many community domains.

Reads go through `communities.access` and `communities.publications`: the board and the
publications of a listed community are empty for non-members (an allied community's
members see the publications their publishers allow allies to see), a hidden community is
404, and an article is 404 unless its author asks or it is published where the caller may
see it. Authors' names show with what they wrote; their profile only when visible to you.
"""

import datetime as dt
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, field_validator, model_validator

from weconomics.api.api import ERRORS, required_line
from weconomics.api.choices import values_of
from weconomics.api.communities import (
    PAGE_QUERY,
    SLUG,
    WRITE_ERRORS,
    CommunityRefOut,
    CommunitySlug,
    DomainSlug,
    display_name,
    read_auth,
    ref,
    required_text,
    visible_people_by_account,
)
from weconomics.api.people import Id, optional_line
from weconomics.communities import access as communities
from weconomics.communities import board
from weconomics.communities import publications as published
from weconomics.communities import queries as community_queries
from weconomics.communities.errors import NotAllowed, NotFound
from weconomics.communities.models import Article, Publication, Reply, Topic
from weconomics.contacts.queries import page_of
from weconomics.contacts.text import render_markdown

PublicationStatus = values_of(Publication.Status)

router = Router()

DomainQuery = Query(None, max_length=40, pattern=SLUG,
                    description="Only this domain (a domain kind's short name).")


# --- schemas ----------------------------------------------------------------------------

class AuthorOut(Schema):
    name: str = Field(..., description="The author's name, shown with what they wrote.")
    handle: str | None = Field(
        ..., description="Their profile; null when it is hidden from you or they left.")


class TopicCardOut(Schema):
    id: int
    title: str
    domain: str | None = Field(..., description="The domain kind's short name, if any.")
    author: AuthorOut
    pinned: bool
    locked: bool = Field(..., description="Closed for replies.")
    hidden: bool = Field(..., description="Hidden by a moderator (moderators see these).")
    reply_count: int
    created_at: dt.datetime
    last_activity_at: dt.datetime


class TopicPage(Schema):
    items: list[TopicCardOut]
    page: int
    has_next: bool


class ReplyOut(Schema):
    id: int
    topic_id: int
    author: AuthorOut
    body: str = Field(..., description="Markdown source.")
    body_html: str
    hidden: bool
    mine: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class TopicOut(TopicCardOut):
    body: str = Field(..., description="Markdown source.")
    body_html: str
    mine: bool
    updated_at: dt.datetime
    replies: list[ReplyOut]


class TopicIn(Schema):
    title: str = Field(..., max_length=board.TITLE_MAX)
    body: str = Field(..., max_length=board.BODY_MAX, description="Markdown.")
    domain: DomainSlug | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class TopicPatch(Schema):
    """Only the fields you send change."""

    title: str = Field(None, max_length=board.TITLE_MAX)
    body: str = Field(None, max_length=board.BODY_MAX)

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class ReplyIn(Schema):
    body: str = Field(..., max_length=board.BODY_MAX, description="Markdown.")

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class TopicModeration(Schema):
    """Send the flags to change; the others stay."""

    pinned: StrictBool | None = None
    locked: StrictBool | None = None
    hidden: StrictBool | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.pinned is None and self.locked is None and self.hidden is None:
            raise ValueError("give pinned, locked or hidden")
        return self


class ReplyModeration(Schema):
    hidden: StrictBool


class PublicationOut(Schema):
    id: int
    title: str
    summary: str
    content_type: str = Field(..., description="What is published, such as `article`.")
    content_id: int
    community: CommunityRefOut
    domain: str = Field(..., description="The domain kind's short name.")
    status: PublicationStatus
    featured: bool
    allies_may_see: bool
    published_by: AuthorOut
    created_at: dt.datetime
    decided_at: dt.datetime | None


class PublicationPage(Schema):
    items: list[PublicationOut]
    page: int
    has_next: bool


class CurationIn(Schema):
    action: Literal["approve", "hide", "feature", "unfeature"]


class PublicationPatch(Schema):
    allies_may_see: StrictBool


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    body: str = Field(..., description="Markdown source.")
    body_html: str
    author: AuthorOut
    mine: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ArticlePage(Schema):
    items: list[ArticleOut]
    page: int
    has_next: bool


class ArticleIn(Schema):
    title: str = Field(..., max_length=150)
    summary: str = Field("", max_length=300)
    body: str = Field(..., max_length=20_000, description="Markdown.")

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("summary")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class ArticlePatch(ArticleIn):
    """Only the fields you send change; every channel that publishes it shows the change."""

    title: str = Field(None, max_length=150)
    summary: str = Field(None, max_length=300)
    body: str = Field(None, max_length=20_000)


class TargetIn(Schema):
    community: CommunitySlug
    domain: DomainSlug


class PublishIn(Schema):
    targets: list[TargetIn] = Field(..., min_length=1, max_length=published.MAX_TARGETS)
    allies_may_see: StrictBool = Field(
        True, description="Members of allied communities may see (and later book) it.")


# --- building answers -------------------------------------------------------------------

def _authors(viewer, rows, field: str = "author") -> dict[int, str]:
    """The handles of these rows' authors whose profile the viewer may see, by account id."""
    ids = [getattr(r, f"{field}_id") for r in rows if getattr(r, f"{field}_id")]
    people = visible_people_by_account(viewer, ids)
    return {account_id: person.handle for account_id, person in people.items()}


def _author(account, handles: dict[int, str]) -> dict:
    if account is None:
        return {"name": display_name(None), "handle": None}
    return {"name": display_name(account), "handle": handles.get(account.pk)}


def _domain_of(seen: communities.CommunityAccess, domain: str | None):
    if not domain:
        return None
    found = communities.domains_of(seen.community).filter(kind__slug=domain).first()
    if found is None:
        raise NotFound(_("This community has no such domain."))
    return found


def _topic_card(topic: Topic, handles: dict[int, str]) -> dict:
    return {"id": topic.pk, "title": topic.title,
            "domain": topic.domain.kind.slug if topic.domain_id else None,
            "author": _author(topic.author, handles), "pinned": topic.pinned,
            "locked": topic.locked, "hidden": topic.hidden_at is not None,
            "reply_count": getattr(topic, "reply_count", 0), "created_at": topic.created_at,
            "last_activity_at": topic.last_activity_at}


def _reply(viewer, answer: Reply, handles: dict[int, str]) -> dict:
    return {"id": answer.pk, "topic_id": answer.topic_id,
            "author": _author(answer.author, handles), "body": answer.body,
            "body_html": render_markdown(answer.body), "hidden": answer.hidden_at is not None,
            "mine": bool(viewer.is_authenticated and answer.author_id == viewer.pk),
            "created_at": answer.created_at, "updated_at": answer.updated_at}


def _topic(request, seen: communities.CommunityAccess, topic_id: int) -> dict:
    viewer = request.user
    topic = community_queries.with_reply_counts(seen, communities.topics_for(seen)).filter(
        pk=topic_id).first()
    if topic is None:
        raise NotFound(_("There is no such topic, or it is not visible to you."))
    replies = list(board.visible_replies(viewer, seen.community, topic))
    handles = _authors(viewer, [topic, *replies])
    return {**_topic_card(topic, handles), "body": topic.body,
            "body_html": render_markdown(topic.body),
            "mine": bool(viewer.is_authenticated and topic.author_id == viewer.pk),
            "updated_at": topic.updated_at,
            "replies": [_reply(viewer, r, handles) for r in replies]}


def _publications(viewer, rows) -> list[dict]:
    rows = list(rows)
    handles = _authors(viewer, rows, "published_by")
    return [{"id": p.pk, "title": p.title, "summary": p.summary,
             "content_type": ContentType.objects.get_for_id(p.content_type_id).model,
             "content_id": p.object_id, "community": ref(p.community),
             "domain": p.domain.kind.slug, "status": p.status, "featured": p.featured,
             "allies_may_see": p.allies_may_see,
             "published_by": _author(p.published_by, handles), "created_at": p.created_at,
             "decided_at": p.decided_at} for p in rows]


def _article(viewer, article: Article, handles: dict[int, str] | None = None) -> dict:
    if handles is None:
        handles = _authors(viewer, [article])
    return {"id": article.pk, "title": article.title, "summary": article.summary,
            "body": article.body, "body_html": render_markdown(article.body),
            "author": _author(article.author, handles),
            "mine": bool(viewer.is_authenticated and article.author_id == viewer.pk),
            "created_at": article.created_at, "updated_at": article.updated_at}


def _own_article(request, article_id: int) -> Article:
    return published.own_article(request.user, article_id)


# --- the board --------------------------------------------------------------------------

@router.get("/communities/{slug:slug}/topics", response={200: TopicPage, **ERRORS},
            auth=read_auth, tags=["board"], summary="A community's discussion topics")
def topics(request, slug: str, domain: str | None = DomainQuery, page: int = PAGE_QUERY):
    """Pinned first, then by last activity. Empty for a listed community you are not in;
    stewards and supervisors also see hidden topics."""
    seen = communities.community_for(request.user, slug)
    found = communities.topics_for(seen)
    chosen = _domain_of(seen, domain)
    if chosen is not None:
        found = found.filter(domain=chosen)
    rows, has_next = page_of(community_queries.with_reply_counts(seen, found), page)
    handles = _authors(request.user, rows)
    return {"items": [_topic_card(t, handles) for t in rows], "page": page,
            "has_next": has_next}


@router.post("/communities/{slug:slug}/topics", response={201: TopicOut, **WRITE_ERRORS},
             tags=["board"], summary="Start a topic (members)")
def start_topic(request, slug: str, payload: TopicIn):
    seen = communities.community_for(request.user, slug)
    topic = board.start_topic(actor=request.user, community=seen.community, title=payload.title,
                              body=payload.body, domain=payload.domain, request=request)
    return Status(201, _topic(request, seen, topic.pk))


@router.get("/communities/{slug:slug}/topics/{topic_id}", response={200: TopicOut, **ERRORS},
            auth=read_auth, tags=["board"], summary="A topic with its replies")
def topic(request, slug: str, topic_id: Id):
    return _topic(request, communities.community_for(request.user, slug), topic_id)


@router.patch("/communities/{slug:slug}/topics/{topic_id}",
              response={200: TopicOut, **WRITE_ERRORS}, tags=["board"],
              summary="Change your own topic")
def edit_topic(request, slug: str, topic_id: Id, payload: TopicPatch):
    seen = communities.community_for(request.user, slug)
    current = communities.topic_for(seen, topic_id)
    changes = payload.model_dump(exclude_unset=True)
    board.edit_topic(actor=request.user, community=seen.community, topic_id=topic_id,
                     title=changes.get("title", current.title),
                     body=changes.get("body", current.body), request=request)
    return _topic(request, seen, topic_id)


@router.delete("/communities/{slug:slug}/topics/{topic_id}", response={204: None, **ERRORS},
               tags=["board"], summary="Delete your own topic with its replies")
def delete_topic(request, slug: str, topic_id: Id):
    seen = communities.community_for(request.user, slug)
    board.delete_topic(actor=request.user, community=seen.community, topic_id=topic_id,
                       request=request)
    return Status(204, None)


@router.post("/communities/{slug:slug}/topics/{topic_id}/replies",
             response={201: ReplyOut, **WRITE_ERRORS}, tags=["board"],
             summary="Reply to a topic (members)")
def reply(request, slug: str, topic_id: Id, payload: ReplyIn):
    """A topic closed for replies is a conflict (409) for all but moderators."""
    seen = communities.community_for(request.user, slug)
    answer = board.reply(actor=request.user, community=seen.community, topic_id=topic_id,
                         body=payload.body, request=request)
    return Status(201, _reply(request.user, answer, _authors(request.user, [answer])))


@router.patch("/communities/{slug:slug}/replies/{reply_id}",
              response={200: ReplyOut, **WRITE_ERRORS}, tags=["board"],
              summary="Change your own reply")
def edit_reply(request, slug: str, reply_id: Id, payload: ReplyIn):
    seen = communities.community_for(request.user, slug)
    answer = board.edit_reply(actor=request.user, community=seen.community, reply_id=reply_id,
                              body=payload.body, request=request)
    return _reply(request.user, answer, _authors(request.user, [answer]))


@router.delete("/communities/{slug:slug}/replies/{reply_id}", response={204: None, **ERRORS},
               tags=["board"], summary="Delete your own reply")
def delete_reply(request, slug: str, reply_id: Id):
    seen = communities.community_for(request.user, slug)
    board.delete_reply(actor=request.user, community=seen.community, reply_id=reply_id,
                       request=request)
    return Status(204, None)


@router.post("/communities/{slug:slug}/topics/{topic_id}/moderation",
             response={200: TopicOut, **WRITE_ERRORS}, tags=["board"],
             summary="Pin, close or hide a topic, or undo it (stewards and supervisors)")
def moderate_topic(request, slug: str, topic_id: Id, payload: TopicModeration):
    seen = communities.community_for(request.user, slug)
    board.moderate_topic(actor=request.user, community=seen.community, topic_id=topic_id,
                         request=request, **payload.model_dump(exclude_none=True))
    return _topic(request, seen, topic_id)


@router.post("/communities/{slug:slug}/replies/{reply_id}/moderation",
             response={200: ReplyOut, **WRITE_ERRORS}, tags=["board"],
             summary="Hide a reply, or show it again (stewards and supervisors)")
def moderate_reply(request, slug: str, reply_id: Id, payload: ReplyModeration):
    seen = communities.community_for(request.user, slug)
    answer = board.moderate_reply(actor=request.user, community=seen.community,
                                  reply_id=reply_id, hidden=payload.hidden, request=request)
    return _reply(request.user, answer, _authors(request.user, [answer]))


# --- a channel's publications -----------------------------------------------------------

@router.get("/communities/{slug:slug}/publications", response={200: PublicationPage, **ERRORS},
            auth=read_auth, tags=["publications"], summary="What is published on a channel")
def channel_publications(request, slug: str, domain: str | None = DomainQuery,
                         curating: bool = Query(
                             False, description="Stewards and supervisors: include what "
                                                "waits for approval or was hidden."),
                         page: int = PAGE_QUERY):
    """Featured first, then newest. A listed community's publications are for its members,
    and for members of allied communities where the publisher allows it."""
    seen = communities.community_for(request.user, slug)
    if curating and not seen.can_moderate:
        raise NotAllowed(_("Only a steward or supervisor of %(community)s can do this.")
                         % {"community": seen.community.name})
    found = communities.publications_for(seen, domain=_domain_of(seen, domain),
                                         curating=curating).select_related("community")
    rows, has_next = page_of(found, page)
    return {"items": _publications(request.user, rows), "page": page, "has_next": has_next}


@router.post("/communities/{slug:slug}/publications/{publication_id}/curation",
             response={200: PublicationOut, **WRITE_ERRORS}, tags=["publications"],
             summary="Approve, hide, feature or unfeature a publication (moderators)")
def curate(request, slug: str, publication_id: Id, payload: CurationIn):
    """Changes only how this channel shows it, never the content."""
    seen = communities.community_for(request.user, slug)
    found = published.curate(actor=request.user, community=seen.community,
                             publication_id=publication_id, action=payload.action,
                             request=request)
    return _publications(request.user, [_reload(found.pk)])[0]


def _reload(publication_id: int) -> Publication:
    return (Publication.objects.select_related("community", "domain__kind",
                                               "published_by__person").get(pk=publication_id))


@router.delete("/publications/{publication_id}", response={204: None, **ERRORS},
               tags=["publications"], summary="Take content off one channel (its publisher)")
def unpublish(request, publication_id: Id):
    """It stays published elsewhere, and stays its author's."""
    published.unpublish(actor=request.user, publication_id=publication_id, request=request)
    return Status(204, None)


@router.patch("/publications/{publication_id}", response={200: PublicationOut, **WRITE_ERRORS},
              tags=["publications"],
              summary="Choose whether allied communities' members see it (its publisher)")
def patch_publication(request, publication_id: Id, payload: PublicationPatch):
    found = published.set_allies_may_see(actor=request.user, publication_id=publication_id,
                                         allowed=payload.allies_may_see, request=request)
    return _publications(request.user, [_reload(found.pk)])[0]


# --- articles ---------------------------------------------------------------------------

@router.get("/articles", response={200: ArticlePage, **ERRORS}, tags=["publications"],
            summary="Your articles")
def my_articles(request, page: int = PAGE_QUERY):
    found = Article.objects.filter(author=request.user).select_related("author__person")
    rows, has_next = page_of(found, page)
    handles = _authors(request.user, rows)
    return {"items": [_article(request.user, a, handles) for a in rows], "page": page,
            "has_next": has_next}


@router.post("/articles", response={201: ArticleOut, **WRITE_ERRORS}, tags=["publications"],
             summary="Write an article (then publish it to community domains)")
def create_article(request, payload: ArticleIn):
    article = published.create_article(actor=request.user, request=request,
                                       **payload.model_dump())
    return Status(201, _article(request.user, article))


@router.get("/articles/{article_id}", response={200: ArticleOut, **ERRORS}, auth=read_auth,
            tags=["publications"], summary="An article")
def article(request, article_id: Id):
    """For its author, and for anyone who may see it on some channel; 404 otherwise."""
    return _article(request.user, published.article_for(request.user, article_id))


@router.patch("/articles/{article_id}", response={200: ArticleOut, **WRITE_ERRORS},
              tags=["publications"], summary="Change your article")
def patch_article(request, article_id: Id, payload: ArticlePatch):
    current = _own_article(request, article_id)
    fields = {"title": current.title, "summary": current.summary, "body": current.body,
              **payload.model_dump(exclude_unset=True)}
    article = published.update_article(actor=request.user, article_id=article_id,
                                        request=request, **fields)
    return _article(request.user, article)


@router.delete("/articles/{article_id}", response={204: None, **ERRORS},
               tags=["publications"], summary="Delete your article; it leaves every channel")
def delete_article(request, article_id: Id):
    published.delete_article(actor=request.user, article_id=article_id, request=request)
    return Status(204, None)


@router.post("/articles/{article_id}/publications",
             response={201: list[PublicationOut], **WRITE_ERRORS}, tags=["publications"],
             summary="Publish your article to domains of communities you belong to")
def publish(request, article_id: Id, payload: PublishIn):
    """All or nothing: one target that cannot be used refuses the whole request. Where a
    community's stewards review publications first, it waits for them (`pending`)."""
    created = published.publish(
        actor=request.user, content=_own_article(request, article_id),
        targets=[(t.community, t.domain) for t in payload.targets],
        allies_may_see=payload.allies_may_see, request=request)
    rows = (Publication.objects.filter(pk__in=[p.pk for p in created])
            .select_related("community", "domain__kind", "published_by__person")
            .order_by("pk"))
    return Status(201, _publications(request.user, rows))


@router.get("/articles/{article_id}/publications",
            response={200: list[PublicationOut], **ERRORS}, tags=["publications"],
            summary="Where your article is published")
def article_publications(request, article_id: Id):
    found = published.publications_of(_own_article(request, article_id)).select_related(
        "community", "domain__kind", "published_by__person").order_by("community__name", "pk")
    return _publications(request.user, found)
