from weconomics.communities.models import Membership
from weconomics.communities.queries import memberships_of
from weconomics.identity import privacy


def export_memberships(account):
    return [
        {"community": m.community.name, "role": m.role, "since": m.created_at.isoformat()}
        for m in memberships_of(account)
    ]


privacy.register("community_memberships", export=export_memberships, models=[Membership])
