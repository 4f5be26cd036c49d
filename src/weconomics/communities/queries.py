from django.db.models import Count, Exists, OuterRef, Q

from weconomics.communities.models import Community, Membership


def memberships_of(account):
    return (Membership.objects.filter(account=account)
            .select_related("community").order_by("community__name"))


def visible_communities(viewer):
    """Return the communities a viewer may see listed, with their member counts.

    Public and listed communities show to everyone; hidden ones only to members.
    """
    communities = Community.objects.annotate(member_count=Count("memberships"))
    listed = Q(visibility__in=[Community.Visibility.PUBLIC, Community.Visibility.LISTED])
    if viewer is None or not viewer.is_authenticated:
        return communities.filter(listed)
    is_member = Exists(Membership.objects.filter(community=OuterRef("pk"), account=viewer))
    return communities.filter(listed | is_member)
