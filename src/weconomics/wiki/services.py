"""Writes of a community's wiki: saving pages, reverting, protecting, hiding revisions.

Every save is a new revision. An edit carries the revision it started from (its base);
when someone saved the page in between, nothing is saved and `EditConflict` carries the
newest text and, when the changes do not overlap, a three-way merge to check and save.
Protect, hide, revert and the choice of editors are audited.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.communities.models import Community, Membership
from weconomics.communities.services import require_role
from weconomics.wiki.access import can_see_text, revision_for, wiki_for
from weconomics.wiki.errors import EditConflict, Invalid, NotAllowed, NotFound, Protected
from weconomics.wiki.models import Page, Revision, Watch, Wiki
from weconomics.wiki.text import byte_size, clean_text, clean_title, merge3

Role = Membership.Role
SUMMARY_MAX = 300


def _summary(value) -> str:
    summary = " ".join(str(value or "").replace("\x00", "").split())
    if len(summary) > SUMMARY_MAX:
        raise Invalid(_("The summary may have at most %(limit)d characters.")
                      % {"limit": SUMMARY_MAX})
    return summary


def _editable(actor, community: Community, page: Page | None):
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    wiki = wiki_for(actor, community)
    if not wiki.can_read:
        raise NotAllowed(_("Only members of %(community)s edit its wiki.")
                         % {"community": community.name})
    if page is not None and page.protected and not wiki.access.is_steward:
        raise Protected(_("This page is protected: only stewards edit it."))
    if not wiki.can_edit:
        if wiki.wiki.editors == Wiki.Editors.STEWARDS:
            raise NotAllowed(_("In this wiki only stewards edit pages."))
        raise NotAllowed(_("Only members of %(community)s edit its wiki.")
                         % {"community": community.name})
    return wiki


def _add_revision(page: Page, actor, text: str, summary: str, minor: bool) -> Revision:
    previous = page.latest
    size = byte_size(text)
    revision = Revision.objects.create(
        page=page, parent=previous, author=actor, text=text, summary=summary, minor=minor,
        size=size, size_change=size - (previous.size if previous else 0))
    page.latest = revision
    page.save(update_fields=["latest", "updated_at"])
    _tell_watchers(page, revision, actor)
    # As MediaWiki does: the pages you edit are on your watchlist.
    Watch.objects.get_or_create(page=page, account=actor)
    return revision


def _tell_watchers(page: Page, revision: Revision, actor) -> None:
    """Notify those who watch the page and may still read it (members, unless public)."""
    from weconomics.communities.models import Community
    from weconomics.contacts.access import display_name
    from weconomics.notifications.models import Notification
    from weconomics.wiki.text import title_key

    community = page.community
    watchers = Watch.objects.filter(page=page).exclude(account=actor)
    if community.visibility != Community.Visibility.PUBLIC:
        watchers = watchers.filter(account__community_memberships__community=community)
    recipients = list(watchers.values_list("account_id", flat=True)[:500])
    if not recipients:
        return
    params = {"actor": display_name(actor), "title": page.title, "community": community.name}
    url = f"/c/{community.slug}/wiki/{title_key(page.title)}/diff/?to={revision.pk}"
    Notification.objects.bulk_create([
        Notification(recipient_id=account_id, kind="wiki.page_changed", actor=actor,
                     params=params, url=url) for account_id in recipients])


def set_watching(*, actor, community: Community, title: str, watching: bool) -> bool:
    """Watch a page (notified of each change by someone else) or stop watching it."""
    title = clean_title(title)
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    with transaction.atomic(durable=True):
        wiki = wiki_for(actor, community)
        if not wiki.can_read:
            raise NotAllowed(_("Only members of %(community)s read its wiki.")
                             % {"community": community.name})
        page = Page.objects.filter(community=community, title=title).first()
        if page is None:
            raise NotFound(_("The page “%(title)s” does not exist.") % {"title": title})
        if watching:
            Watch.objects.get_or_create(page=page, account=actor)
        else:
            Watch.objects.filter(page=page, account=actor).delete()
        return watching


def save_page(*, actor, community: Community, title: str, text: str, summary: str = "",
              minor: bool = False, base_revision_id: int | None = None,
              request=None) -> Revision:
    """Save a new revision of the page (made when missing); refuse a stale base.

    base_revision_id is the revision the editor started from (None for a new page).
    """
    title, text, summary = clean_title(title), clean_text(text), _summary(summary)
    with transaction.atomic(durable=True):
        # The wiki row serialises the creation of pages; an edit locks only its page.
        wiki_row = Wiki.objects.get_or_create(community=community)[0]
        page = Page.objects.select_for_update().filter(community=community,
                                                       title=title).first()
        if page is None:
            Wiki.objects.select_for_update().filter(pk=wiki_row.pk).first()
            page = Page.objects.select_for_update().filter(community=community,
                                                           title=title).first()
        _editable(actor, community, page)
        if page is None:
            if base_revision_id:
                raise NotFound(_("The page “%(title)s” does not exist.") % {"title": title})
            page = Page.objects.create(community=community, title=title)
            revision = _add_revision(page, actor, text, summary, minor)
            record("wiki.page_created", actor=actor, target=page, request=request,
                   data={"community": community.slug, "title": title,
                         "revision": revision.pk})
            return revision
        latest = page.latest
        if latest is not None and base_revision_id != latest.pk:
            base = Revision.objects.filter(page=page, pk=base_revision_id).first() \
                if base_revision_id else None
            merged = merge3(base.text if base else "", latest.text, text)
            if merged == latest.text:
                merged = None
            raise EditConflict(
                _("Someone else saved this page while you were editing it. Nothing is "
                  "saved yet: check the text below and save again."),
                latest=latest, merged=merged, text=text)
        if latest is not None and latest.text == text:
            raise Invalid(_("You changed nothing, so there is nothing to save."))
        return _add_revision(page, actor, text, summary, minor)


def revert(*, actor, community: Community, title: str, revision_id, request=None) -> Revision:
    """Make the text of an earlier revision of this page its newest revision."""
    title = clean_title(title)
    with transaction.atomic(durable=True):
        page = _locked_page(community, title)
        wiki = _editable(actor, community, page)
        old = revision_for(page, revision_id)
        if not can_see_text(wiki, old):
            raise NotAllowed(_("This revision's text is hidden; it cannot be restored."))
        if page.latest is not None and page.latest.text == old.text:
            raise Invalid(_("The page already has this text."))
        from weconomics.contacts.access import display_name

        who = display_name(old.author) if old.author else _("a deleted user")
        summary = _summary(_("Reverted to the revision of %(time)s by %(name)s")
                           % {"time": timezone.localtime(old.created_at).strftime(
                               "%Y-%m-%d %H:%M"), "name": who})
        revision = _add_revision(page, actor, old.text, summary, False)
        record("wiki.reverted", actor=actor, target=page, request=request,
               data={"community": community.slug, "title": title, "to": old.pk,
                     "revision": revision.pk})
        return revision


def _locked_page(community: Community, title: str) -> Page:
    """Lock the community's page of that title for this transaction, or raise NotFound."""
    page = Page.objects.select_for_update().filter(community=community, title=title).first()
    if page is None:
        raise NotFound(_("The page “%(title)s” does not exist.") % {"title": title})
    return page


def set_protection(*, actor, community: Community, title: str, protected: bool,
                   request=None) -> Page:
    title = clean_title(title)
    with transaction.atomic(durable=True):
        require_role(actor, community, Role.STEWARD, Role.SUPERVISOR)
        wiki_for(actor, community)
        page = _locked_page(community, title)
        if page.protected != protected:
            page.protected = protected
            page.save(update_fields=["protected", "updated_at"])
            record("wiki.page_protected" if protected else "wiki.page_unprotected",
                   actor=actor, target=page, request=request,
                   data={"community": community.slug, "title": title})
        return page


def hide_revision(*, actor, community: Community, title: str, revision_id, hidden: bool,
                  reason: str = "", request=None) -> Revision:
    """Hide a revision's text (it stays in the history, marked hidden) or show it again."""
    title, reason = clean_title(title), _summary(reason)
    with transaction.atomic(durable=True):
        require_role(actor, community, Role.STEWARD, Role.SUPERVISOR)
        wiki_for(actor, community)
        page = _locked_page(community, title)
        revision = revision_for(page, revision_id)
        if hidden:
            if not reason:
                raise Invalid(_("Give a reason for hiding this revision."))
            if revision.pk == page.latest_id:
                raise Invalid(_("The current text cannot be hidden: revert the page to an "
                                "earlier revision first, then hide this one."))
            revision.hidden_at, revision.hidden_reason, revision.hidden_by = (
                timezone.now(), reason, actor)
        else:
            revision.hidden_at, revision.hidden_reason, revision.hidden_by = None, "", None
        revision.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        record("wiki.revision_hidden" if hidden else "wiki.revision_shown", actor=actor,
               target=revision, request=request,
               data={"community": community.slug, "title": title, "reason": reason})
        return revision


def set_editors(*, actor, community: Community, editors: str, request=None) -> Wiki:
    """The community's choice of who edits its wiki: members, also allies, or stewards."""
    if editors not in Wiki.Editors.values:
        raise Invalid(_("Choose members, allies or stewards."))
    with transaction.atomic(durable=True):
        require_role(actor, community, Role.STEWARD)
        wiki = Wiki.objects.select_for_update().filter(community=community).first() or \
            Wiki.objects.create(community=community)
        if wiki.editors != editors:
            wiki.editors = editors
            wiki.save(update_fields=["editors", "updated_at"])
            record("wiki.editors_changed", actor=actor, target=wiki, request=request,
                   data={"community": community.slug, "editors": editors})
        return wiki


def start_talk(*, actor, community: Community, title: str, body: str, request=None):
    """Start the page's talk page: a topic on the board, in the wiki domain.

    When someone started it first, their topic is the page's talk page and the text is
    added to it as a reply, so nothing is lost.
    """
    from weconomics.communities import board

    title = clean_title(title)
    with transaction.atomic(durable=True):
        wiki = wiki_for(actor, community)
        if not wiki.can_read:
            raise NotAllowed(_("Only members of %(community)s read its wiki.")
                             % {"community": community.name})
        page = _locked_page(community, title)
        if page.talk_id is not None:
            board.reply(actor=actor, community=community, topic_id=page.talk_id, body=body,
                        request=request)
            return page.talk
        topic_title = _("Wiki: %(title)s") % {"title": title}
        topic = board.start_topic(actor=actor, community=community,
                                  title=topic_title[:board.TITLE_MAX], body=body,
                                  domain="wiki", request=request)
        page.talk = topic
        page.save(update_fields=["talk", "updated_at"])
        return topic
