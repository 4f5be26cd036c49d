"""The API of a community's wiki: pages, revisions, diff, revert, protection, hidden
revisions and recent changes, under /communities/{slug}/wiki/.

Reads and writes go through `wiki.access` and `wiki.services`, as the pages do: a hidden
community's wiki is 404 to outsiders, a listed one is 403 to non-members, and a save whose
base revision is not the newest is a 409 `edit_conflict` carrying the newest revision and,
when the changes do not overlap, a three-way merge to check and send again.
"""

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import StrictBool

from weconomics.api.api import ERRORS, api
from weconomics.api.communities import PAGE_QUERY, WRITE_ERRORS, display_name, read_auth
from weconomics.api.problems import problem_response
from weconomics.communities import access as communities
from weconomics.contacts.queries import page_of
from weconomics.wiki import access as wiki_rules
from weconomics.wiki import services
from weconomics.wiki.errors import EditConflict, NotAllowed, NotFound
from weconomics.wiki.text import (
    TEXT_MAX_BYTES,
    TITLE_MAX,
    clean_title,
    inline_diff,
    linked_titles,
    title_key,
)
from weconomics.wiki.text import render as render_wiki

router = Router(tags=["wiki"])

Title = Annotated[str, Path(max_length=TITLE_MAX * 3,
                            description="The page's title; underscores stand for spaces.")]
RevisionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
BASE = "/communities/{slug:slug}/wiki"


class RevisionOut(Schema):
    id: int
    page: str = Field(..., description="The page's title.")
    author: str = Field(..., description="The author's name; a deleted user's shows as such.")
    summary: str
    minor: bool
    size: int = Field(..., description="Bytes of text after this revision.")
    size_change: int
    hidden: bool = Field(..., description="Its text is hidden by a moderator.")
    hidden_reason: str
    parent_id: int | None
    created_at: dt.datetime


class RevisionTextOut(RevisionOut):
    text: str | None = Field(..., description="Markdown; null when hidden from you.")


class RevisionPage(Schema):
    items: list[RevisionOut]
    page: int
    has_next: bool


class PageCardOut(Schema):
    title: str
    url: str = Field(..., description="The page in the browser.")
    protected: bool
    latest_revision: RevisionOut


class PagePage(Schema):
    items: list[PageCardOut]
    page: int
    has_next: bool


class PageOut(PageCardOut):
    text: str = Field(..., description="Markdown source of the newest revision.")
    html: str = Field(..., description="The text rendered to safe HTML.")
    may_edit: bool


class PageIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX_BYTES * 4,
                      description="Markdown; at most 500 kB (UTF-8).")
    summary: str = Field("", max_length=300)
    minor: StrictBool = False
    base_revision: int | None = Field(
        None, ge=1, le=2**63 - 1,
        description="The revision you started from; none for a new page. When it is not "
                    "the newest, nothing is saved and the answer is 409 edit_conflict.")


class RevertIn(Schema):
    revision: int = Field(..., ge=1, le=2**63 - 1)


class ProtectionIn(Schema):
    protected: StrictBool


class HideIn(Schema):
    hidden: StrictBool
    reason: str = Field("", max_length=300, description="Required to hide.")


class DiffOut(Schema):
    from_revision: RevisionOut | None
    to_revision: RevisionOut
    html: str = Field(..., description="Inline word-level diff: <del> and <ins>, all else "
                                       "escaped text.")


@api.exception_handler(EditConflict)
def edit_conflict(request, exc: EditConflict):
    return problem_response(request, 409, str(exc), code=exc.code,
                            latest_revision=exc.latest.pk, latest_text=exc.latest.text,
                            merged_text=exc.merged)


# --- helpers ------------------------------------------------------------------------------

def _wiki(request, slug: str):
    """The caller's access to the wiki; 404 when hidden or absent, 403 for non-members."""
    seen = communities.community_for(request.user, slug)
    wiki = wiki_rules.wiki_access(seen)
    if not wiki.can_read:
        raise NotAllowed(_("Only members of %(community)s read its wiki.")
                         % {"community": seen.community.name})
    return wiki


def _page(wiki, title: str):
    page = wiki_rules.page_for(wiki, title)
    if page is None:
        raise NotFound(_("The page “%(title)s” does not exist.") % {"title": clean_title(title)})
    return page


def _revision(r, page=None) -> dict:
    return {"id": r.pk, "page": (page or r.page).title,
            "author": display_name(r.author) if r.author_id else _("deleted user"),
            "summary": r.summary, "minor": r.minor, "size": r.size,
            "size_change": r.size_change, "hidden": r.hidden_at is not None,
            "hidden_reason": r.hidden_reason, "parent_id": r.parent_id,
            "created_at": r.created_at}


def _url(request, slug: str, title: str) -> str:
    return request.build_absolute_uri(f"/c/{slug}/wiki/{title_key(title)}")


def _card(request, slug, page) -> dict:
    return {"title": page.title, "url": _url(request, slug, page.title),
            "protected": page.protected, "latest_revision": _revision(page.latest, page)}


def _full(request, slug, wiki, page) -> dict:
    titles = linked_titles(page.latest.text)
    existing = set(wiki_rules.pages_of(wiki).filter(title__in=titles)
                   .values_list("title", flat=True)) if titles else set()
    html, _toc = render_wiki(page.latest.text, base=f"/c/{slug}/wiki/", existing=existing)
    return {**_card(request, slug, page), "text": page.latest.text, "html": str(html),
            "may_edit": wiki.may_edit(page)}


# --- endpoints ----------------------------------------------------------------------------

@router.get(f"{BASE}/pages", response={200: PagePage, **ERRORS}, auth=read_auth,
            summary="The wiki's pages, by title (search with q)")
def pages(request, slug: str, q: str = Query("", max_length=200), page: int = PAGE_QUERY):
    wiki = _wiki(request, slug)
    found = wiki_rules.search(wiki, q) if q.strip() else wiki_rules.pages_of(wiki)
    rows, has_next = page_of(found, page)
    return {"items": [_card(request, slug, p) for p in rows], "page": page,
            "has_next": has_next}


@router.get(f"{BASE}/pages/{{title}}", response={200: PageOut, **ERRORS}, auth=read_auth,
            summary="A page: its newest text, rendered too")
def page_detail(request, slug: str, title: Title):
    wiki = _wiki(request, slug)
    return _full(request, slug, wiki, _page(wiki, title))


@router.put(f"{BASE}/pages/{{title}}", response={200: PageOut, 201: PageOut, **WRITE_ERRORS},
            summary="Save a page (a new revision; the page is made when missing)")
def save_page(request, slug: str, title: Title, payload: PageIn):
    wiki = _wiki(request, slug)
    revision = services.save_page(actor=request.user, community=wiki.community, title=title,
                                  text=payload.text, summary=payload.summary,
                                  minor=payload.minor, base_revision_id=payload.base_revision,
                                  request=request)
    page = _page(wiki, revision.page.title)
    return Status(201 if revision.parent_id is None else 200,
                  _full(request, slug, wiki, page))


@router.patch(f"{BASE}/pages/{{title}}", response={200: PageOut, **WRITE_ERRORS},
              summary="Protect or unprotect a page (stewards and supervisors)")
def protect(request, slug: str, title: Title, payload: ProtectionIn):
    wiki = _wiki(request, slug)
    page = services.set_protection(actor=request.user, community=wiki.community, title=title,
                                   protected=payload.protected, request=request)
    return _full(request, slug, wiki, _page(wiki, page.title))


@router.get(f"{BASE}/pages/{{title}}/revisions", response={200: RevisionPage, **ERRORS},
            auth=read_auth, summary="A page's history, newest first")
def revisions(request, slug: str, title: Title, page: int = PAGE_QUERY):
    wiki = _wiki(request, slug)
    found = _page(wiki, title)
    rows, has_next = page_of(wiki_rules.revisions_of(found), page)
    return {"items": [_revision(r, found) for r in rows], "page": page, "has_next": has_next}


@router.get(f"{BASE}/pages/{{title}}/revisions/{{revision_id}}",
            response={200: RevisionTextOut, **ERRORS}, auth=read_auth,
            summary="One revision with its text")
def revision(request, slug: str, title: Title, revision_id: RevisionId):
    wiki = _wiki(request, slug)
    found = _page(wiki, title)
    r = wiki_rules.revision_for(found, revision_id)
    return {**_revision(r, found),
            "text": r.text if wiki_rules.can_see_text(wiki, r) else None}


@router.get(f"{BASE}/pages/{{title}}/diff", response={200: DiffOut, **ERRORS},
            auth=read_auth, summary="The difference between two revisions of a page")
def diff(request, slug: str, title: Title,
         from_revision: int | None = Query(None, alias="from", ge=1, le=2**63 - 1),
         to_revision: int | None = Query(None, alias="to", ge=1, le=2**63 - 1)):
    """Without `to`, the newest revision; without `from`, the revision before `to`."""
    wiki = _wiki(request, slug)
    found = _page(wiki, title)
    new = wiki_rules.revision_for(found, to_revision or found.latest_id)
    old_id = from_revision or new.parent_id
    old = wiki_rules.revision_for(found, old_id) if old_id else None
    if old is not None and old.pk > new.pk:
        old, new = new, old
    if not all(wiki_rules.can_see_text(wiki, r) for r in (old, new) if r is not None):
        raise NotAllowed(_("The text of one of these revisions is hidden."))
    return {"from_revision": _revision(old, found) if old else None,
            "to_revision": _revision(new, found),
            "html": str(inline_diff(old.text if old else "", new.text))}


@router.post(f"{BASE}/pages/{{title}}/revert", response={201: RevisionOut, **WRITE_ERRORS},
             summary="Make an earlier revision's text the newest (itself a new revision)")
def revert(request, slug: str, title: Title, payload: RevertIn):
    wiki = _wiki(request, slug)
    r = services.revert(actor=request.user, community=wiki.community, title=title,
                        revision_id=payload.revision, request=request)
    return Status(201, _revision(r))


@router.post(f"{BASE}/pages/{{title}}/revisions/{{revision_id}}/visibility",
             response={200: RevisionOut, **WRITE_ERRORS},
             summary="Hide a revision's text, or show it again (stewards and supervisors)")
def hide(request, slug: str, title: Title, revision_id: RevisionId, payload: HideIn):
    wiki = _wiki(request, slug)
    r = services.hide_revision(actor=request.user, community=wiki.community, title=title,
                               revision_id=revision_id, hidden=payload.hidden,
                               reason=payload.reason, request=request)
    return _revision(r)


@router.get(f"{BASE}/changes", response={200: RevisionPage, **ERRORS}, auth=read_auth,
            summary="Recent changes in the wiki, newest first")
def changes(request, slug: str, page: int = PAGE_QUERY):
    wiki = _wiki(request, slug)
    rows, has_next = page_of(wiki_rules.recent_changes(wiki), page)
    return {"items": [_revision(r) for r in rows], "page": page, "has_next": has_next}
