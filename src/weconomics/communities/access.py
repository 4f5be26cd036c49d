"""The one place that decides what a viewer may see of a community.

Pages, the API, searches and counts read communities through these helpers. The rules:
  public community   -> everyone sees its channel: domains, publications, members, board
  listed community   -> everyone finds its name, purpose and target group (to ask to join);
                        only members see its content, its members and its counts
  hidden community   -> only members know it exists; everyone else gets "not found"
Members of an allied community also see publications whose publisher allows allies.
Stewards and supervisors additionally see what is waiting or hidden on their channel.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from weconomics.communities.errors import NotFound
from weconomics.communities.models import (
    Alliance,
    Community,
    CommunityDomain,
    JoinRequest,
    Membership,
    Publication,
    Topic,
)

Role = Membership.Role
Visibility = Community.Visibility


def _signed_in(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def member_of(viewer) -> QuerySet:
    """The ids of the communities the viewer is a member of (a subquery)."""
    return Membership.objects.filter(account_id=viewer.pk).values("community_id")


def allied_with(field: str, community_ids) -> Q:
    """A filter: rows whose `field` is a community in an active alliance with any of these."""
    active = Alliance.objects.filter(status=Alliance.Status.ACTIVE).order_by()
    return (Q(**{f"{field}__in": active.filter(proposer_id__in=community_ids)
                 .values("partner_id")})
            | Q(**{f"{field}__in": active.filter(partner_id__in=community_ids)
                   .values("proposer_id")}))


def _allied_with(community: Community, viewer) -> bool:
    if not _signed_in(viewer):
        return False
    mine = member_of(viewer)
    return Alliance.objects.filter(status=Alliance.Status.ACTIVE).filter(
        Q(proposer=community, partner_id__in=mine)
        | Q(partner=community, proposer_id__in=mine)).exists()


@dataclass
class CommunityAccess:
    """What one viewer may do and see in one community."""

    community: Community
    membership: Membership | None
    allied: bool = False
    viewer: Any = None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_steward(self) -> bool:
        return self.role == Role.STEWARD

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def can_moderate(self) -> bool:
        """Stewards curate; supervisors keep order: both may hide and approve."""
        return self.role in (Role.STEWARD, Role.SUPERVISOR)

    @property
    def can_see_content(self) -> bool:
        return self.is_member or self.community.visibility == Visibility.PUBLIC

    @property
    def can_see_members(self) -> bool:
        return self.can_see_content

    @property
    def can_see_allied_offers(self) -> bool:
        return self.can_see_content or self.allied

    @property
    def can_post(self) -> bool:
        return self.is_member


def access_to(viewer, community: Community) -> CommunityAccess:
    """Return the viewer's access to a community in hand, or raise NotFound when hidden."""
    membership = None
    if _signed_in(viewer):
        membership = Membership.objects.filter(community=community, account=viewer).first()
    if membership is None and community.visibility == Visibility.HIDDEN:
        raise NotFound(not_found_message())
    allied = membership is None and community.visibility != Visibility.PUBLIC and _allied_with(
        community, viewer)
    return CommunityAccess(community, membership, allied, viewer)


def community_for(viewer, slug: str) -> CommunityAccess:
    """Return the viewer's access to the community with this short name, or raise NotFound."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(not_found_message())
    return access_to(viewer, community)


def community_by_host(host: str) -> Community | None:
    """Return the community whose own host name this is (the port ignored), if any."""
    name = (host or "").split(":")[0].strip().lower().rstrip(".")
    if not name:
        return None
    return Community.objects.filter(host=name).first()


def visible_communities(viewer) -> QuerySet[Community]:
    """Communities the viewer may find: public and listed ones, and hidden ones they belong to.

    Each is annotated with `is_member` and `member_count`; show the count only where
    `count_visible(community)` says so (a listed community's size is for its members).
    """
    communities = Community.objects.annotate(member_count=Count("memberships"))
    listed = Q(visibility__in=[Visibility.PUBLIC, Visibility.LISTED])
    if not _signed_in(viewer):
        from django.db.models import BooleanField, Value

        return communities.filter(listed).annotate(
            is_member=Value(False, output_field=BooleanField()))
    is_member = Exists(Membership.objects.filter(community=OuterRef("pk"), account=viewer))
    return communities.annotate(is_member=is_member).filter(listed | Q(is_member=True))


def count_visible(community: Community) -> bool:
    """For a row of `visible_communities`: may its member count be shown?"""
    return community.visibility == Visibility.PUBLIC or bool(getattr(community, "is_member",
                                                                     False))


def search_communities(viewer, *, q: str = "", kind: str = "", mine: bool = False):
    communities = visible_communities(viewer)
    if q:
        communities = communities.filter(Q(name__icontains=q) | Q(purpose__icontains=q)
                                         | Q(audience__icontains=q))
    if kind:
        communities = communities.filter(kind=kind)
    if mine:
        communities = communities.filter(is_member=True) if _signed_in(viewer) else \
            communities.none()
    return communities.order_by("name", "pk")


def community_for_oversight(viewer, slug: str) -> CommunityAccess:
    """Like `community_for`, but the platform's supervisors also reach hidden communities.

    They appoint each community's supervisor, so they must find every community.
    """
    from weconomics.communities.services import is_platform_supervisor

    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(not_found_message())
    if is_platform_supervisor(viewer):
        membership = Membership.objects.filter(community=community, account=viewer).first()
        return CommunityAccess(community, membership, False, viewer)
    return access_to(viewer, community)


def has_pending_request(viewer, community: Community) -> bool:
    """Has the viewer asked to join this community, waiting for a steward's answer?"""
    if not _signed_in(viewer):
        return False
    return JoinRequest.objects.filter(community=community, account=viewer,
                                      status=JoinRequest.Status.PENDING).exists()


def pending_requests_of(account) -> QuerySet[JoinRequest]:
    """The account's own requests to join that wait for an answer."""
    return (JoinRequest.objects.filter(account=account, status=JoinRequest.Status.PENDING)
            .select_related("community").order_by("community__name"))


def memberships_of(account) -> QuerySet[Membership]:
    return (Membership.objects.filter(account=account)
            .select_related("community").order_by("community__name"))


def domains_of(community: Community) -> QuerySet[CommunityDomain]:
    # Explicit, so that it holds when a count is annotated (GROUP BY drops Meta.ordering).
    return (CommunityDomain.objects.filter(community=community).select_related("kind")
            .order_by("position", "kind__position", "pk"))


def domains_with_counts(community: Community) -> QuerySet[CommunityDomain]:
    """The community's domains, each annotated with `published`: what its page shows.

    The one count of a domain's publications, for the channel's pages and the API alike,
    by the rule of `publications_for`: approved and live (an archived product stays
    published to its domains but is neither shown nor counted).
    """
    return domains_of(community).annotate(published=Count(
        "publications", filter=Q(publications__status=Publication.Status.APPROVED,
                                 publications__live=True)))


def publications_for(access: CommunityAccess, *, domain: CommunityDomain | None = None,
                     curating: bool = False) -> QuerySet[Publication]:
    """The publications of a channel this viewer may see, newest (and featured) first.

    curating=True (stewards and supervisors only) includes waiting and hidden ones.
    """
    publications = Publication.objects.filter(community=access.community)
    if domain is not None:
        publications = publications.filter(domain=domain)
    if curating and access.can_moderate:
        return publications.select_related("domain__kind", "published_by__person")
    publications = publications.filter(status=Publication.Status.APPROVED, live=True)
    if not access.can_see_content:
        if not access.allied:
            return publications.none()
        publications = publications.filter(allies_may_see=True)
    return publications.select_related("domain__kind", "published_by__person")


def topics_for(access: CommunityAccess) -> QuerySet[Topic]:
    """The board's topics this viewer may read; moderators also see hidden ones."""
    if not access.can_see_content:
        return Topic.objects.none()
    topics = Topic.objects.filter(community=access.community)
    if not access.can_moderate:
        topics = topics.filter(hidden_at__isnull=True)
    # Explicit: Django drops Meta.ordering once a count is annotated (GROUP BY).
    return (topics.select_related("author__person", "domain__kind")
            .order_by("-pinned", "-last_activity_at", "-pk"))


def topic_for(access: CommunityAccess, topic_id: int) -> Topic:
    topic = topics_for(access).filter(pk=topic_id).first()
    if topic is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("There is no such topic, or it is not visible to you."))
    return topic


def not_found_message() -> str:
    from django.utils.translation import gettext as _

    return _("There is no such community, or it is not visible to you.")


def is_allied(community: Community, viewer) -> bool:
    """Is the viewer a member of a community in an active alliance with this one?"""
    return _allied_with(community, viewer)
