"""Reads for community pages: everything a channel's home page shows, in a fixed number of
queries whatever the community's size. Access rules come from `communities.access`."""

from django.db.models import Count, F

from weconomics.communities.access import (
    CommunityAccess,
    domains_with_counts,
    memberships_of,  # noqa: F401 - re-exported for older callers
    publications_for,
    topics_for,
    visible_communities,  # noqa: F401
)
from weconomics.communities.models import JoinRequest, Membership

HOME_PUBLICATIONS = 12
HOME_TOPICS = 6
HOME_MEMBERS = 12


def channel_home(access: CommunityAccess) -> dict:
    """What a channel's home page shows: what is new, the domains, members and discussions."""
    from weconomics.communities.publications import with_content

    community = access.community
    domains = list(domains_with_counts(community))
    if not access.can_see_content:
        for domain in domains:
            domain.published = None
    publications = with_content(publications_for(access)[:HOME_PUBLICATIONS])
    topics = list(with_reply_counts(access, topics_for(access))[:HOME_TOPICS])
    members, member_count = [], None
    if access.can_see_members:
        member_count = Membership.objects.filter(community=community).count()
        members = list(channel_members(access, with_level=False)[:HOME_MEMBERS])
    return {"domains": domains, "publications": publications, "topics": topics,
            "members": members, "member_count": member_count,
            "pending_request": pending_request(access)}


def with_reply_counts(access: CommunityAccess, topics):
    """Annotate topics with `reply_count`: the replies this viewer may read.

    A correlated subquery, not a GROUP BY: the database counts only for the rows a page
    shows, not for every topic of the community before sorting and limiting.
    """
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from weconomics.communities.models import Reply

    replies = Reply.objects.filter(topic=OuterRef("pk"))
    if not access.can_moderate:
        replies = replies.filter(hidden_at__isnull=True)
    counted = replies.order_by().values("topic").annotate(n=Count("pk")).values("n")
    return topics.annotate(reply_count=Coalesce(Subquery(counted, output_field=IntegerField()),
                                                0))


def channel_members(access: CommunityAccess, *, with_level: bool = True):
    """The community's members whose card the viewer may see, newest first.

    Each Person is annotated with `community_role` and `joined_at`; empty when the viewer
    may not see the community's members.
    """
    from weconomics.contacts.access import visible_people_showing
    from weconomics.contacts.models import Person

    if not access.can_see_members:
        return Person.objects.none()
    # filter() then annotate() over the same relation reuse one join: one row a member.
    return (visible_people_showing(access.viewer, with_level=with_level)
            .filter(account__community_memberships__community=access.community)
            .annotate(community_role=F("account__community_memberships__role"),
                      joined_at=F("account__community_memberships__created_at"))
            .select_related("account").order_by("-joined_at", "-pk"))


def newest_members(viewer, community, limit: int):
    from weconomics.communities.access import access_to

    return list(channel_members(access_to(viewer, community))[:limit])


def pending_request(access: CommunityAccess) -> JoinRequest | None:
    """The viewer's own request to join that waits for a steward, if any."""
    viewer = access.viewer
    if access.is_member or viewer is None or not viewer.is_authenticated:
        return None
    return JoinRequest.objects.filter(community=access.community, account=viewer,
                                      status=JoinRequest.Status.PENDING).first()


# --- for the stewards' pages (web/community_views) ---------------------------------------

def roster(access: CommunityAccess):
    """Every member with account and profile, for the community's stewards and supervisors.

    Stewards manage members whose profile card they may not see, so this is not filtered
    by profile visibility; pages show such members by the name on their account only.
    Stewards first, then supervisors, then members, by name.
    """
    from django.db.models import Case, IntegerField, Value, When

    if not access.can_moderate:
        return Membership.objects.none()
    role_order = Case(When(role=Membership.Role.STEWARD, then=Value(0)),
                      When(role=Membership.Role.SUPERVISOR, then=Value(1)),
                      default=Value(2), output_field=IntegerField())
    return (Membership.objects.filter(community=access.community)
            .select_related("account__person")
            .annotate(role_order=role_order)
            .order_by("role_order", "account__name", "pk"))


def waiting_join_requests(access: CommunityAccess):
    """Requests to join that wait for a steward; empty for everyone else."""
    if not access.is_steward:
        return JoinRequest.objects.none()
    return (JoinRequest.objects.filter(community=access.community,
                                       status=JoinRequest.Status.PENDING)
            .select_related("account__person").order_by("created_at", "pk"))


def supervisors_of(community):
    """The community's supervisors (toezichthouders), for the platform's supervisors."""
    return (Membership.objects.filter(community=community, role=Membership.Role.SUPERVISOR)
            .select_related("account__person").order_by("account__name", "pk"))
