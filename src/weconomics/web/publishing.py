"""What the publish pages of articles and products share: the domains of the viewer's
communities to choose from, the choice read back from the form, and the message after it."""

from django.utils.translation import gettext as _

from weconomics.communities import publications
from weconomics.communities.access import memberships_of
from weconomics.communities.errors import Invalid
from weconomics.communities.models import CommunityDomain


def publish_choices(viewer, content, *, chosen=()) -> dict:
    """Where the content is published ("placements"), and the domains of the viewer's
    communities grouped by community ("groups"): a domain it is in is taken, a domain whose
    value is in `chosen` is checked."""
    placements = list(publications.publications_of(content)
                      .select_related("community", "domain__kind")
                      .order_by("community__name", "pk"))
    taken = {p.domain_id for p in placements}
    memberships = list(memberships_of(viewer))
    by_community: dict[int, list[CommunityDomain]] = {}
    # The domains of the viewer's own communities, in one query.
    for domain in (CommunityDomain.objects.filter(
            community_id__in=[m.community_id for m in memberships])
            .select_related("kind").order_by("position", "kind__position", "pk")):
        by_community.setdefault(domain.community_id, []).append(domain)
    groups = [{"community": m.community, "domains": [
        {"domain": d, "value": f"{m.community.slug}:{d.slug}", "taken": d.pk in taken,
         "checked": f"{m.community.slug}:{d.slug}" in chosen}
        for d in by_community.get(m.community_id, [])]} for m in memberships]
    return {"placements": placements, "groups": groups}


def chosen_targets(chosen) -> list[tuple[str, str]]:
    """The (community slug, domain slug) of each ticked "community:domain" value; Invalid if
    a value is not one."""
    targets = [tuple(value.split(":", 1)) for value in chosen if ":" in value]
    if len(targets) != len(chosen):
        raise Invalid(_("Choose community domains from the list."))
    return targets


def published_text(made) -> str:
    """What to tell the author after publishing: in how many domains, and how many of them
    wait for a steward."""
    waiting = sum(1 for p in made if p.status == publications.Status.PENDING)
    text = _("Published in %(n)d domain(s).") % {"n": len(made)}
    if waiting:
        text += " " + _("%(n)d wait(s) for a steward's approval.") % {"n": waiting}
    return text
