"""Reads for community pages: everything a channel's home page shows, in a fixed number of
queries whatever the community's size. Access rules come from `communities.access`."""

from django.db.models import Count, Q

from weconomics.communities.access import (
    CommunityAccess,
    domains_of,
    memberships_of,  # noqa: F401 - re-exported for older callers
    publications_for,
    topics_for,
    visible_communities,  # noqa: F401
)
from weconomics.communities.models import Membership, Publication

HOME_PUBLICATIONS = 12
HOME_TOPICS = 6
HOME_MEMBERS = 12


def channel_home(access: CommunityAccess) -> dict:
    """What a channel's home page shows: what is new, the domains, members and discussions."""
    from weconomics.communities.publications import with_content

    community = access.community
    domains = list(domains_of(community).annotate(published=Count(
        "publications", filter=Q(publications__status=Publication.Status.APPROVED))))
    if not access.can_see_content:
        for domain in domains:
            domain.published = None
    publications = with_content(publications_for(access)[:HOME_PUBLICATIONS])
    topics = list(topics_for(access).annotate(reply_count=Count("replies"))[:HOME_TOPICS])
    members, member_count = [], None
    if access.can_see_members:
        member_count = Membership.objects.filter(community=community).count()
        members = newest_members(access.viewer, community, HOME_MEMBERS)
    return {"domains": domains, "publications": publications, "topics": topics,
            "members": members, "member_count": member_count}


def newest_members(viewer, community, limit: int):
    from weconomics.contacts.access import visible_people

    return list(visible_people(viewer).filter(
        account__community_memberships__community=community)
        .select_related("account").order_by("-account__community_memberships__created_at")
        [:limit])
