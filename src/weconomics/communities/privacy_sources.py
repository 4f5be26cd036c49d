"""What communities keep about an account, for the export and for deletion.

The export holds memberships (with role and consent), join requests, invitations the
account sent or received, topics and replies written, articles and their publications.
Deletion refuses while the account is the last steward of a community others belong to;
otherwise memberships, requests, articles and publications go, and posts on a board stay
for the discussion's sake, shown as from a deleted user, their text removed.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from weconomics.communities.errors import LastSteward
from weconomics.communities.models import (
    Alliance,
    Article,
    Community,
    Invitation,
    JoinRequest,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.identity import privacy

REMOVED = "[removed: the author deleted their account]"


def _iso(value):
    return value.isoformat() if value else None


def export_memberships(account):
    return [
        {"community": m.community.name, "slug": m.community.slug, "role": m.role,
         "share_profile": m.share_profile, "since": _iso(m.created_at)}
        for m in Membership.objects.filter(account=account).select_related("community")
        .order_by("community__name")
    ]


def export_join_requests(account):
    return [
        {"community": r.community.name, "message": r.message, "status": r.status,
         "asked_at": _iso(r.created_at), "decided_at": _iso(r.decided_at)}
        for r in JoinRequest.objects.filter(account=account).select_related("community")
    ]


def export_invitations(account):
    sent = Invitation.objects.filter(invited_by=account).select_related("community")
    received = Invitation.objects.filter(email__iexact=account.email).select_related(
        "community")
    return {
        "sent": [{"community": i.community.name, "email": i.email, "role": i.role,
                  "link": i.is_link, "max_uses": i.max_uses, "uses": i.use_count,
                  "created_at": _iso(i.created_at), "expires_at": _iso(i.expires_at),
                  "revoked_at": _iso(i.revoked_at)} for i in sent],
        "received": [{"community": i.community.name, "role": i.role,
                      "created_at": _iso(i.created_at), "used": i.use_count > 0}
                     for i in received],
    }


def export_posts(account):
    return {
        "topics": [{"community": t.community.name, "title": t.title, "text": t.body,
                    "created_at": _iso(t.created_at)}
                   for t in Topic.objects.filter(author=account).select_related("community")],
        "replies": [{"community": r.topic.community.name, "topic": r.topic.title,
                     "text": r.body, "created_at": _iso(r.created_at)}
                    for r in Reply.objects.filter(author=account)
                    .select_related("topic__community")],
    }


def export_articles(account):
    from weconomics.communities.publications import publications_of

    return [
        {"title": a.title, "summary": a.summary, "text": a.body, "created_at": _iso(a.created_at),
         "published_in": [{"community": p.community.name, "domain": p.domain.kind.slug,
                           "status": p.status, "featured": p.featured}
                          for p in publications_of(a).select_related("community",
                                                                      "domain__kind")]}
        for a in Article.objects.filter(author=account)
    ]


def export_alliances(account):
    return [
        {"proposer": a.proposer.name, "partner": a.partner.name, "status": a.status,
         "message": a.message, "created_at": _iso(a.created_at)}
        for a in Alliance.objects.filter(proposed_by=account).select_related("proposer",
                                                                             "partner")
    ]


def erase_memberships(account):
    """Refuse while the account is the last steward of a community with other members."""
    from weconomics.audit.services import record

    mine = Membership.objects.filter(account=account, role=Membership.Role.STEWARD)
    community_ids = list(mine.values_list("community_id", flat=True))
    # Lock the stewards' rows first, as every change that could remove a steward does.
    list(Membership.objects.select_for_update().filter(
        community_id__in=community_ids, role=Membership.Role.STEWARD).order_by("pk"))
    stewarded = (Community.objects.filter(pk__in=community_ids)
                 .annotate(stewards=Count("memberships", filter=Q(
                     memberships__role=Membership.Role.STEWARD), distinct=True),
                     members=Count("memberships", distinct=True)))
    stuck = [c.name for c in stewarded if c.stewards == 1 and c.members > 1]
    if stuck:
        raise LastSteward(_("You are the last steward of %(communities)s. Make another member "
                            "a steward first.") % {"communities": ", ".join(sorted(stuck))})
    # A community only this account belonged to has nobody left to run it.
    from weconomics.communities.publications import changed

    changed()
    for community in [c for c in stewarded if c.members == 1]:
        record("communities.deleted", actor=account, target=community,
               data={"slug": community.slug, "reason": "its only member deleted their account"})
        community.delete()


def erase_posts(account):
    Topic.objects.filter(author=account).update(author=None, body=REMOVED)
    Reply.objects.filter(author=account).update(author=None, body=REMOVED)


def erase_articles(account):
    from django.contrib.contenttypes.models import ContentType

    Publication.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        object_id__in=Article.objects.filter(author=account).values("pk")).delete()


privacy.register("community_memberships", export=export_memberships, erase=erase_memberships,
                 models=[Membership], order=50)
privacy.register("community_join_requests", export=export_join_requests,
                 models=[JoinRequest])
privacy.register("community_invitations", export=export_invitations, models=[Invitation])
privacy.register("community_posts", export=export_posts, erase=erase_posts,
                 models=[Topic, Reply])
privacy.register("articles", export=export_articles, erase=erase_articles,
                 models=[Article, Publication])
privacy.register("community_alliances", export=export_alliances,
                 models=[Alliance, Community])
