"""Author once, publish to many: content owned by its author, shown in community domains.

Any kind of content registers here (`register`) with who may publish it and how it is
titled; Articles register now, products later. Publishing puts one Publication row per
domain; unpublishing from one channel removes only that row. Stewards (and supervisors)
curate their channel, approving, featuring or hiding a publication, without ever touching
the content itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weconomics.audit.services import record
from weconomics.communities import access
from weconomics.communities.errors import Conflict, Invalid, NotAllowed, NotFound
from weconomics.communities.models import (
    Article,
    Community,
    CommunityDomain,
    Membership,
    Publication,
)
from weconomics.communities.services import _notify_stewards, _one_line, _text, require_role

Role = Membership.Role
Status = Publication.Status
MAX_TARGETS = 50


@dataclass(frozen=True)
class Publishable:
    model: type
    label: Any
    may_publish: Callable[[Any, Any], bool]  # (actor, content) -> bool
    title: Callable[[Any], str]
    summary: Callable[[Any], str]
    url: Callable[[Any], str]
    is_live: Callable[[Any], bool] = lambda content: True


_kinds: dict[str, Publishable] = {}


def register(kind: Publishable) -> None:
    _kinds[kind.model._meta.label_lower] = kind


def kind_of(content) -> Publishable:
    found = _kinds.get(content._meta.label_lower)
    if found is None:
        raise Invalid(_("This cannot be published."))
    return found


def kind_for_type(content_type_id: int) -> Publishable | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return _kinds.get(model._meta.label_lower) if model else None


register(Publishable(
    model=Article, label=gettext_lazy("Article"),
    may_publish=lambda actor, article: article.author_id == actor.pk,
    title=lambda article: article.title, summary=lambda article: article.summary,
    url=lambda article: f"/articles/{article.pk}/"))


# --- articles ----------------------------------------------------------------------------

def _clean_article(title, summary, body) -> dict:
    title = _one_line(title, what=_("the title"))
    if not title:
        raise Invalid(_("Give the article a title."))
    if len(title) > 150:
        raise Invalid(_("The title may have at most %(limit)d characters.") % {"limit": 150})
    summary = _one_line(summary, what=_("the summary"))
    if len(summary) > 300:
        raise Invalid(_("The summary may have at most %(limit)d characters.") % {"limit": 300})
    body = _text(body, limit=20_000, what=_("The text"))
    if not body:
        raise Invalid(_("Write the article's text."))
    return {"title": title, "summary": summary, "body": body}


def create_article(*, actor, title: str, body: str, summary: str = "",
                   request=None) -> Article:
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    cleaned = _clean_article(title, summary, body)
    with transaction.atomic():
        article = Article.objects.create(author=actor, **cleaned)
        record("communities.article_created", actor=actor, target=article, request=request)
    return article


def own_article(actor, article_id: int, *, lock: bool = False) -> Article:
    articles = Article.objects.filter(pk=article_id, author_id=getattr(actor, "pk", None))
    if lock:
        articles = articles.select_for_update()
    article = articles.first()
    if article is None:
        raise NotFound(_("There is no such article of yours."))
    return article


def update_article(*, actor, article_id: int, title: str, body: str, summary: str = "",
                   request=None) -> Article:
    """Change the content once; every channel that publishes it shows the change."""
    cleaned = _clean_article(title, summary, body)
    with transaction.atomic():
        article = own_article(actor, article_id, lock=True)
        for key, value in cleaned.items():
            setattr(article, key, value)
        article.save()
        refresh(article)
        record("communities.article_updated", actor=actor, target=article, request=request)
    return article


def delete_article(*, actor, article_id: int, request=None) -> None:
    with transaction.atomic():
        article = own_article(actor, article_id, lock=True)
        removed = publications_of(article).count()
        publications_of(article).delete()
        changed()
        record("communities.article_deleted", actor=actor, target=article, request=request,
               data={"publications_removed": removed})
        article.delete()


def article_for(viewer, article_id: int) -> Article:
    """The article, for its author or anyone who can see it in some channel."""
    article = Article.objects.select_related("author__person").filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("There is no such article, or it is not visible to you."))
    if viewer is not None and viewer.is_authenticated and article.author_id == viewer.pk:
        return article
    article_type = ContentType.objects.get_for_model(Article)
    where = {"content_type": article_type, "object_id": article.pk}
    if visible_publications(viewer).filter(**where).exists():
        return article
    # Stewards and supervisors read what waits for them (or was hidden) on their channel.
    if viewer is not None and viewer.is_authenticated and Publication.objects.filter(
            **where, community_id__in=Membership.objects.filter(
                account=viewer, role__in=[Role.STEWARD, Role.SUPERVISOR])
            .values("community_id")).exists():
        return article
    raise NotFound(_("There is no such article, or it is not visible to you."))


# --- publishing ----------------------------------------------------------------------------

def publications_of(content) -> QuerySet[Publication]:
    return Publication.objects.filter(content_type=ContentType.objects.get_for_model(content),
                                      object_id=content.pk)


def refresh(content) -> None:
    """Copy the content's current title and summary to its publications."""
    kind = kind_of(content)
    changed()
    publications_of(content).update(title=kind.title(content)[:150],
                                    summary=kind.summary(content)[:300],
                                    live=kind.is_live(content))


def publish(*, actor, content, targets, allies_may_see: bool = True,
            request=None) -> list[Publication]:
    """Publish content the actor may publish to domains of communities they belong to.

    targets is a list of (community slug, domain slug) pairs. Where a community's
    stewards review publications first, the publication waits for them (unless the
    actor is a steward there). Publishing where it is published already is refused.
    """
    kind = kind_of(content)
    if actor is None or not actor.is_authenticated or not kind.may_publish(actor, content):
        raise NotAllowed(_("You can publish only what you offer or wrote yourself."))
    pairs = list(dict.fromkeys((str(c), str(d)) for c, d in targets or []))
    if not pairs:
        raise Invalid(_("Choose at least one community domain to publish in."))
    if len(pairs) > MAX_TARGETS:
        raise Invalid(_("Publish in at most %(n)d domains at once.") % {"n": MAX_TARGETS})
    if any("\x00" in c or "\x00" in d for c, d in pairs):
        # PostgreSQL refuses NUL in a query; no short name has one.
        raise Invalid(_("Choose community domains from the list."))
    content_type = ContentType.objects.get_for_model(content)
    created = []
    with transaction.atomic():
        for community_slug, domain_slug in pairs:
            domain = (CommunityDomain.objects.select_related("community", "kind")
                      .filter(community__slug=community_slug, kind__slug=domain_slug).first())
            if domain is None:
                community = Community.objects.filter(slug=community_slug).first()
                if community is None:
                    raise NotFound(_("There is no such community, or it is not visible to "
                                     "you."))
                access.access_to(actor, community)
                raise Invalid(_("%(community)s has no domain %(domain)s.")
                              % {"community": community.name, "domain": domain_slug})
            community = domain.community
            membership = require_role(actor, community)
            waits = community.review_publications and membership.role != Role.STEWARD
            if Publication.objects.filter(content_type=content_type, object_id=content.pk,
                                          domain=domain).exists():
                raise Conflict(_("This is published in %(community)s / %(domain)s already.")
                               % {"community": community.name, "domain": domain.name})
            try:
                with transaction.atomic():
                    publication = Publication.objects.create(
                        content_type=content_type, object_id=content.pk, community=community,
                        domain=domain, published_by=actor, title=kind.title(content)[:150],
                        summary=kind.summary(content)[:300], live=kind.is_live(content),
                        status=Status.PENDING if waits else Status.APPROVED,
                        allies_may_see=bool(allies_may_see))
            except IntegrityError:
                raise Conflict(_("This is published in %(community)s / %(domain)s already.")
                               % {"community": community.name,
                                  "domain": domain.name}) from None
            changed()
            record("communities.published", actor=actor, target=publication, request=request,
                   data={"community": community.slug, "domain": domain.kind.slug,
                         "content": f"{content_type.app_label}.{content_type.model}:"
                                    f"{content.pk}", "status": publication.status})
            if waits:
                _notify_stewards(community, "communities.publication_waiting", actor=actor,
                                 community=community.name, title=publication.title,
                                 url=f"/c/{community.slug}/manage/publications/")
            created.append(publication)
    return created


def unpublish(*, actor, publication_id: int, request=None) -> None:
    """Take content off one channel; it stays published elsewhere and stays its author's."""
    with transaction.atomic():
        publication = (Publication.objects.select_for_update().select_related("community")
                       .filter(pk=publication_id).first())
        if publication is None:
            raise NotFound(_("There is no such publication."))
        content = publication.content_type.get_object_for_this_type(pk=publication.object_id)
        kind = kind_of(content)
        if not (publication.published_by_id == actor.pk or kind.may_publish(actor, content)):
            # What one may not see on a channel (a hidden or listed community's) does not
            # exist for them: the same answer as for a publication that never was.
            if not (visible_publications(actor).filter(pk=publication.pk).exists()
                    or Membership.objects.filter(community=publication.community,
                                                 account_id=actor.pk).exists()):
                raise NotFound(_("There is no such publication."))
            raise NotAllowed(_("Only who published this can take it off the channel; "
                               "stewards hide it instead."))
        changed()
        record("communities.unpublished", actor=actor, target=publication.community,
               request=request, data={"publication": publication.pk,
                                      "domain": publication.domain_id})
        publication.delete()


CURATION = {"approve", "hide", "feature", "unfeature", "allow_allies", "deny_allies"}


def curate(*, actor, community: Community, publication_id: int, action: str,
           request=None) -> Publication:
    """Approve, hide, feature or unfeature a publication on this channel; moderators only."""
    if action not in ("approve", "hide", "feature", "unfeature"):
        raise Invalid(_("Choose approve, hide, feature or unfeature."))
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD, Role.SUPERVISOR)
        publication = (Publication.objects.select_for_update()
                       .filter(pk=publication_id, community=community).first())
        if publication is None:
            raise NotFound(_("There is no such publication on this channel."))
        before = (publication.status, publication.featured)
        if action == "approve":
            publication.status = Status.APPROVED
        elif action == "hide":
            publication.status = Status.HIDDEN
            publication.featured = False
        elif action == "feature":
            if publication.status != Status.APPROVED:
                raise Conflict(_("Approve a publication before featuring it."))
            publication.featured = True
        else:
            publication.featured = False
        if (publication.status, publication.featured) == before:
            return publication
        publication.decided_by = actor
        publication.decided_at = timezone.now()
        publication.save(update_fields=["status", "featured", "decided_by", "decided_at"])
        changed()
        record("communities.curated", actor=actor, target=publication, request=request,
               data={"action": action, "community": community.slug,
                     "from": before[0], "to": publication.status})
    return publication


def set_allies_may_see(*, actor, publication_id: int, allowed: bool,
                       request=None) -> Publication:
    """The publisher decides whether allied communities' members see this publication."""
    with transaction.atomic():
        publication = (Publication.objects.select_for_update()
                       .filter(pk=publication_id, published_by=actor).first())
        if publication is None:
            raise NotFound(_("There is no such publication of yours."))
        publication.allies_may_see = bool(allowed)
        publication.save(update_fields=["allies_may_see"])
        changed()
        record("communities.publication_changed", actor=actor, target=publication,
               request=request, data={"allies_may_see": publication.allies_may_see})
    return publication


def visible_publications(viewer) -> QuerySet[Publication]:
    """Every approved publication the viewer may see, on any channel (for search and pages).

    Public communities' publications show to all; members see their own communities';
    members of allied communities see those whose publisher allows allies.
    """
    approved = Publication.objects.filter(status=Status.APPROVED, live=True)
    public = Q(community__visibility=Community.Visibility.PUBLIC)
    if viewer is None or not viewer.is_authenticated:
        return approved.filter(public)
    mine = access.member_of(viewer)
    return approved.filter(public | Q(community_id__in=mine)
                           | (Q(allies_may_see=True) & access.allied_with("community_id", mine)))


def shown_to_everyone(model) -> Exists:
    """An annotation for rows of a publishable model: published in a public community (so
    everyone sees it, and `is_visible` need not be asked)."""
    return Exists(Publication.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"),
        status=Status.APPROVED, live=True, community__visibility=Community.Visibility.PUBLIC))


def is_visible(viewer, content) -> bool:
    """Whether the viewer sees the content in some channel: `visible_publications`'s rule
    for one item, in a few small queries (the booking path asks it on every booking)."""
    from weconomics.communities.models import Alliance, Membership

    shown = list(Publication.objects.filter(
        content_type=ContentType.objects.get_for_model(content), object_id=content.pk,
        status=Status.APPROVED, live=True).values_list(
        "community_id", "community__visibility", "allies_may_see"))
    if any(visibility == Community.Visibility.PUBLIC for _c, visibility, _a in shown):
        return True
    if not shown or viewer is None or not viewer.is_authenticated:
        return False
    mine = set(Membership.objects.filter(account_id=viewer.pk).values_list("community_id",
                                                                           flat=True))
    if any(community in mine for community, _v, _a in shown):
        return True
    for_allies = {community for community, _v, allies in shown if allies}
    return bool(for_allies and mine) and Alliance.objects.filter(
        Q(proposer_id__in=for_allies, partner_id__in=mine)
        | Q(partner_id__in=for_allies, proposer_id__in=mine),
        status=Alliance.Status.ACTIVE).exists()


def with_content(publications) -> list[Publication]:
    """Attach each publication's content as `.content` and its address as `.url`."""
    publications = list(publications)
    by_type: dict[int, set[int]] = {}
    for p in publications:
        by_type.setdefault(p.content_type_id, set()).add(p.object_id)
    found = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for obj in model.objects.filter(pk__in=ids):
            found[(type_id, obj.pk)] = obj
    for p in publications:
        p.content = found.get((p.content_type_id, p.object_id))
        kind = kind_for_type(p.content_type_id)
        p.url = kind.url(p.content) if kind and p.content is not None else ""
        p.kind_label = kind.label if kind else ""
    return publications


def articles_of(account) -> list[Article]:
    """The account's own articles, newest first, each with `.placements`: its publications."""
    if account is None or not account.is_authenticated:
        return []
    articles = list(Article.objects.filter(author=account))
    placements: dict[int, list[Publication]] = {a.pk: [] for a in articles}
    for publication in (Publication.objects.filter(
            content_type=ContentType.objects.get_for_model(Article),
            object_id__in=list(placements))
            .select_related("community", "domain__kind").order_by("community__name", "pk")):
        placements[publication.object_id].append(publication)
    for article in articles:
        article.placements = placements[article.pk]
    return articles


def published_anywhere(content_model) -> Exists:
    """An Exists() telling whether a row of content_model has any approved publication."""
    return Exists(Publication.objects.filter(
        content_type=ContentType.objects.get_for_model(content_model),
        object_id=OuterRef("pk"), status=Status.APPROVED, live=True))


# --- a version for caches of what is published --------------------------------------------

VERSION_KEY = "publications:version"


def changed() -> None:
    """Tell caches of published content (the anonymous catalogue) that something changed;
    called by every write that adds, removes or alters a publication.

    The version moves now and again after commit: a page cached between the two (from
    data not yet committed) is never served after the commit.
    """
    from django.core.cache import cache

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, None)

    bump()
    transaction.on_commit(bump)


def version() -> int:
    from django.core.cache import cache

    return cache.get_or_set(VERSION_KEY, 1, None)
