"""What one viewer may read and do in a community's wiki; the one place for the rules.

The wiki is a section of the community's channel: it exists while the community has the
"wiki" domain open, and it is read by whoever sees the community's content (everyone for a
public community, members for a listed or hidden one; a hidden community answers "not
found" to outsiders). Members of allied communities read and edit it too when the
community lets allies edit. Who edits is the community's choice: members (the default),
members and allies, or stewards only; a protected page is edited by stewards only.
Stewards and supervisors protect pages and hide revisions.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from weconomics.communities.access import CommunityAccess, access_to, is_allied
from weconomics.communities.models import Community, CommunityDomain
from weconomics.wiki.errors import NotFound
from weconomics.wiki.models import Page, Revision, Wiki
from weconomics.wiki.text import clean_title

DOMAIN = "wiki"
Editors = Wiki.Editors


@dataclass
class WikiAccess:
    access: CommunityAccess
    wiki: Wiki
    allied: bool

    @property
    def community(self) -> Community:
        return self.access.community

    @property
    def can_read(self) -> bool:
        return self.access.can_see_content or (self.allied and self.wiki.editors
                                               == Editors.ALLIES)

    @property
    def can_moderate(self) -> bool:
        return self.access.can_moderate

    @property
    def can_edit(self) -> bool:
        if self.wiki.editors == Editors.STEWARDS:
            return self.access.is_steward
        if self.wiki.editors == Editors.ALLIES and self.allied:
            return True
        return self.access.is_member

    def may_edit(self, page: Page | None) -> bool:
        if page is not None and page.protected:
            return self.access.is_steward
        return self.can_edit


def has_wiki(community: Community) -> bool:
    return CommunityDomain.objects.filter(community=community, kind__slug=DOMAIN).exists()


def wiki_of(community: Community) -> Wiki:
    wiki, _created = Wiki.objects.get_or_create(community=community)
    return wiki


def wiki_access(access: CommunityAccess) -> WikiAccess:
    """The viewer's access to the wiki of a community they may know of, or NotFound."""
    if not has_wiki(access.community):
        raise NotFound(_("This community has no wiki."))
    wiki = Wiki.objects.filter(community=access.community).first() or Wiki(
        community=access.community)
    allied = (not access.is_member and wiki.editors == Editors.ALLIES
              and (access.allied or is_allied(access.community, access.viewer)))
    return WikiAccess(access, wiki, allied)


def wiki_for(viewer, community: Community) -> WikiAccess:
    """Like `wiki_access`; a hidden community not the viewer's raises NotFound."""
    from weconomics.communities.errors import NotFound as CommunityNotFound

    try:
        access = access_to(viewer, community)
    except CommunityNotFound as error:
        raise NotFound(str(error)) from None
    return wiki_access(access)


def page_for(wiki: WikiAccess, title: str) -> Page | None:
    """The page of this title, or None when it does not exist (yet)."""
    return (Page.objects.filter(community=wiki.community, title=clean_title(title))
            .select_related("latest__author__person").first())


def revisions_of(page: Page):
    return (Revision.objects.filter(page=page).select_related("author__person", "hidden_by")
            .order_by("-pk"))


def revision_for(page: Page, revision_id) -> Revision:
    """A revision of this page, or NotFound (also for a revision of another page)."""
    try:
        revision_id = int(revision_id)
    except (TypeError, ValueError):
        revision_id = None
    revision = (Revision.objects.filter(page=page, pk=revision_id)
                .select_related("author__person").first() if revision_id else None)
    if revision is None:
        raise NotFound(_("The page “%(title)s” has no such revision.") % {"title": page.title})
    return revision


def can_see_text(wiki: WikiAccess, revision: Revision) -> bool:
    return revision.hidden_at is None or wiki.can_moderate


def pages_of(wiki: WikiAccess):
    return Page.objects.filter(community=wiki.community).select_related(
        "latest__author__person").order_by("title", "pk")


def recent_changes(wiki: WikiAccess):
    return (Revision.objects.filter(page__community=wiki.community)
            .select_related("page", "author__person").order_by("-pk"))


def search(wiki: WikiAccess, query: str):
    """Pages whose title or current text contains the words (case-insensitive)."""
    from django.db.models import Q

    pages = pages_of(wiki)
    for word in query.split()[:8]:
        pages = pages.filter(Q(title__icontains=word) | Q(latest__text__icontains=word))
    return pages


def is_watching(page: Page, viewer) -> bool:
    from weconomics.wiki.models import Watch

    return bool(viewer is not None and viewer.is_authenticated
                and Watch.objects.filter(page=page, account=viewer).exists())
