"""A community's wiki pages: read, edit (with edit conflicts), history, diff, revert,
protection and hidden revisions, recent changes and search.

Under /c/<slug>/wiki/ and, on a community's own host name, /wiki/. Who reads and edits is
decided by `wiki.access`; writes go through `wiki.services`.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weconomics.communities.errors import CommunityError
from weconomics.contacts.queries import page_of
from weconomics.web.channel_views import (
    _access,
    _context,
    _members_only,
    _page_number,
    _pages,
    _refused,
    channel_root,
)
from weconomics.web.forms_wiki import EditorsForm, HideForm, NewPageForm, PageEditForm, SearchForm
from weconomics.wiki import access as wiki_access_rules
from weconomics.wiki import services
from weconomics.wiki.errors import EditConflict, Invalid, NotAllowed, NotFound, Protected
from weconomics.wiki.text import clean_title, inline_diff, linked_titles, title_key
from weconomics.wiki.text import render as render_wiki

HISTORY_PER_PAGE = 50
RECENT_PER_PAGE = 50
PAGES_PER_PAGE = 100


def _wiki(request, slug):
    """(wiki access, None) or (None, the response for a viewer who may not read it)."""
    access = _access(request, slug)
    try:
        wiki = wiki_access_rules.wiki_access(access)
    except NotFound as error:
        raise Http404(str(error)) from None
    if not wiki.can_read:
        return None, _members_only(request, access, slug, "wiki")
    return wiki, None


def _root(wiki, slug) -> str:
    return channel_root(wiki.community, slug) + "wiki/"


def _title(title: str) -> str:
    try:
        return clean_title(title)
    except Invalid as error:
        raise Http404(str(error)) from None


def _ctx(request, wiki, slug, **extra) -> dict:
    root = _root(wiki, slug)
    page = extra.get("page")
    if page is not None:
        extra.setdefault("page_url", root + title_key(page.title))
        extra.setdefault("title", page.title)
    # Templates here read these; the test settings refuse a missing variable.
    for name, default in (("page", None), ("title", ""), ("page_url", ""), ("old", None),
                          ("visible", True), ("conflict", None), ("may_edit", False),
                          ("toc", []), ("watching", None)):
        extra.setdefault(name, default)
    return _context(request, wiki.access, slug, "wiki", wiki=wiki, wiki_root=root, **extra)


def _refuse(request, wiki, slug, error: CommunityError):
    return _refused(request, wiki.access, slug, error, section="wiki")


def _page_or_404(wiki, title):
    page = wiki_access_rules.page_for(wiki, title)
    if page is None:
        raise Http404(_("The page “%(title)s” does not exist.") % {"title": title})
    return page


class _Answered(Exception):
    """Raised with a ready response (a clear refusal inside a wiki the viewer reads)."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def _answering(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except _Answered as answered:
            return answered.response

    return wrapper


def _revision_or_404(request, wiki, slug, page, revision_id):
    """The revision of this page; else a 404 that says so (the wiki itself is readable)."""
    try:
        return wiki_access_rules.revision_for(page, revision_id)
    except NotFound as error:
        raise _Answered(_refuse(request, wiki, slug, error)) from None


def _rendered(wiki, slug, text):
    titles = linked_titles(text)
    existing = set(wiki_access_rules.pages_of(wiki).filter(title__in=titles)
                   .values_list("title", flat=True)) if titles else set()
    return render_wiki(text, base=_root(wiki, slug), existing=existing)


def _with_urls(rows, root):
    for row in rows:
        row.url = root + title_key(row.title)
    return rows


# --- reading ----------------------------------------------------------------------------

def index(request, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    pages = (wiki_access_rules.search(wiki, query) if query
             else wiki_access_rules.pages_of(wiki))
    page = _page_number(request)
    rows, has_next = page_of(pages, page, PAGES_PER_PAGE)
    return render(request, "web/wiki/index.html", _ctx(
        request, wiki, slug, form=form, query=query, pages=_with_urls(rows, _root(wiki, slug)),
        new_form=NewPageForm(), paging=_pages(request, page, has_next)))


def new_page(request, slug=None):
    """The "create a page" box: go to the edit form of that title (or the page itself)."""
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    form = NewPageForm(request.GET)
    if form.is_valid():
        try:
            title = clean_title(form.cleaned_data["title"])
        except Invalid as error:
            form.add_error("title", str(error))
        else:
            return redirect(_root(wiki, slug) + title_key(title) + "/edit/")
    return render(request, "web/wiki/index.html", _ctx(
        request, wiki, slug, form=SearchForm(), query="", pages=[], new_form=form,
        paging=_pages(request, 1, False)), status=422)


def recent(request, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    page = _page_number(request)
    rows, has_next = page_of(wiki_access_rules.recent_changes(wiki), page, RECENT_PER_PAGE)
    root = _root(wiki, slug)
    for row in rows:
        row.url = root + title_key(row.page.title)
    return render(request, "web/wiki/recent.html", _ctx(
        request, wiki, slug, revisions=rows, paging=_pages(request, page, has_next)))


def page_view(request, title, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    canonical = _title(title)
    if canonical.replace(" ", "_") != title:
        return redirect(_root(wiki, slug) + title_key(canonical))
    page = wiki_access_rules.page_for(wiki, canonical)
    if page is None:
        return render(request, "web/wiki/missing.html", _ctx(
            request, wiki, slug, title=canonical,
            edit_url=_root(wiki, slug) + title_key(canonical) + "/edit/"), status=404)
    html, toc = _rendered(wiki, slug, page.latest.text)
    watching = (wiki_access_rules.is_watching(page, request.user)
                if request.user.is_authenticated else None)
    return render(request, "web/wiki/page.html", _ctx(
        request, wiki, slug, page=page, revision=page.latest, html=html, toc=toc,
        may_edit=wiki.may_edit(page), watching=watching))


@_answering
def revision_view(request, title, revision_id, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    page = _page_or_404(wiki, _title(title))
    revision = _revision_or_404(request, wiki, slug, page, revision_id)
    visible = wiki_access_rules.can_see_text(wiki, revision)
    html, toc = _rendered(wiki, slug, revision.text) if visible else ("", [])
    return render(request, "web/wiki/page.html", _ctx(
        request, wiki, slug, page=page, revision=revision, html=html, toc=toc, old=True,
        visible=visible, may_edit=wiki.may_edit(page)))


def history(request, title, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    page = _page_or_404(wiki, _title(title))
    number = _page_number(request)
    rows, has_next = page_of(wiki_access_rules.revisions_of(page), number, HISTORY_PER_PAGE)
    return render(request, "web/wiki/history.html", _ctx(
        request, wiki, slug, page=page, revisions=rows, may_edit=wiki.may_edit(page),
        paging=_pages(request, number, has_next), hide_form=HideForm()))


@_answering
def diff(request, title, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    page = _page_or_404(wiki, _title(title))
    new = _revision_or_404(request, wiki, slug, page, request.GET.get("to") or page.latest_id)
    if request.GET.get("from"):
        old = _revision_or_404(request, wiki, slug, page, request.GET["from"])
    elif new.parent_id:
        old = _revision_or_404(request, wiki, slug, page, new.parent_id)
    else:
        old = None
    if old is not None and old.pk > new.pk:
        old, new = new, old
    visible = all(wiki_access_rules.can_see_text(wiki, r) for r in (old, new) if r is not None)
    return render(request, "web/wiki/diff.html", _ctx(
        request, wiki, slug, page=page, old=old, new=new, visible=visible,
        diff=inline_diff(old.text if old else "", new.text) if visible else "",
        may_edit=wiki.may_edit(page)))


# --- writing ----------------------------------------------------------------------------

def edit(request, title, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    canonical = _title(title)
    root = _root(wiki, slug)
    page = wiki_access_rules.page_for(wiki, canonical)
    if not wiki.may_edit(page):
        error = Protected(_("This page is protected: only stewards edit it.")) \
            if page is not None and page.protected else NotAllowed(
                _("You may read this wiki, but not edit it."))
        return _refuse(request, wiki, slug, error)
    latest = page.latest if page is not None else None
    conflict = None
    if request.method == "POST":
        form = PageEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_page(actor=request.user, community=wiki.community,
                                   title=canonical, text=data["text"], summary=data["summary"],
                                   minor=data["minor"], base_revision_id=data["base"],
                                   request=request)
            except EditConflict as error:
                conflict = error
                form = PageEditForm(initial={
                    "text": error.merged if error.merged is not None else error.text,
                    "summary": data["summary"], "minor": data["minor"],
                    "base": error.latest.pk})
            except CommunityError as error:
                form.add_error("text" if isinstance(error, Invalid) else None, str(error))
            else:
                messages.success(request, _("The page is saved."))
                return redirect(root + title_key(canonical))
    else:
        form = PageEditForm(initial={"text": latest.text if latest else "",
                                     "base": latest.pk if latest else None})
    context = _ctx(request, wiki, slug, title=canonical, page=page, form=form,
                   page_url=root + title_key(canonical))
    if conflict is not None:
        context.update(conflict=conflict, theirs=conflict.latest,
                       mine_vs_theirs=inline_diff(conflict.latest.text, conflict.text))
        return render(request, "web/wiki/edit.html", context, status=409)
    return render(request, "web/wiki/edit.html", context, status=422 if form.errors else 200)


def _post(view):
    def wrapper(request, title, *args, slug=None, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        wiki, refused = _wiki(request, slug)
        if refused:
            return refused
        if not request.user.is_authenticated:
            return redirect_to_login(_root(wiki, slug))
        canonical = _title(title)
        try:
            return view(request, wiki, slug, canonical, *args, **kwargs)
        except CommunityError as error:
            return _refuse(request, wiki, slug, error)

    return wraps(view)(wrapper)


@_post
def revert(request, wiki, slug, title, revision_id):
    services.revert(actor=request.user, community=wiki.community, title=title,
                    revision_id=revision_id, request=request)
    messages.success(request, _("The page is reverted."))
    return redirect(_root(wiki, slug) + title_key(title))


@_post
def watch(request, wiki, slug, title):
    watching = request.POST.get("action") == "watch"
    services.set_watching(actor=request.user, community=wiki.community, title=title,
                          watching=watching)
    messages.success(request, _("The page is on your watchlist: you are told of its changes.")
                     if watching else _("The page is off your watchlist."))
    return redirect(_root(wiki, slug) + title_key(title))


@_post
def protect(request, wiki, slug, title):
    protected = request.POST.get("action") == "protect"
    services.set_protection(actor=request.user, community=wiki.community, title=title,
                            protected=protected, request=request)
    messages.success(request, _("The page is protected: only stewards edit it.") if protected
                     else _("The page is no longer protected."))
    return redirect(_root(wiki, slug) + title_key(title))


@_post
def hide(request, wiki, slug, title, revision_id):
    hidden = request.POST.get("action", "hide") == "hide"
    form = HideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if hidden and not form.is_valid():
        raise Invalid(_("The reason may have at most %(limit)d characters.")
                      % {"limit": services.SUMMARY_MAX})
    services.hide_revision(actor=request.user, community=wiki.community, title=title,
                           revision_id=revision_id, hidden=hidden, reason=reason,
                           request=request)
    messages.success(request, _("The revision's text is hidden.") if hidden
                     else _("The revision's text is shown again."))
    return redirect(_root(wiki, slug) + title_key(title) + "/history/")


def settings_view(request, slug=None):
    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not wiki.access.is_steward:
        raise Http404
    form = EditorsForm(request.POST or None, initial={"editors": wiki.wiki.editors})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_editors(actor=request.user, community=wiki.community,
                                 editors=form.cleaned_data["editors"], request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(_root(wiki, slug))
    return render(request, "web/wiki/settings.html", _ctx(request, wiki, slug, form=form),
                  status=422 if form.errors else 200)


def talk(request, title, slug=None):
    """The page's talk page: its topic on the board, or the form that starts it."""
    from weconomics.web.forms_channel import ReplyForm

    wiki, refused = _wiki(request, slug)
    if refused:
        return refused
    page = _page_or_404(wiki, _title(title))
    board_root = channel_root(wiki.community, slug) + "board/"
    if page.talk_id is not None and request.method != "POST":
        return redirect(f"{board_root}{page.talk_id}/")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.start_talk(actor=request.user, community=wiki.community,
                                        title=page.title, body=form.cleaned_data["body"],
                                        request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"{board_root}{topic.pk}/")
    return render(request, "web/wiki/talk.html", _ctx(request, wiki, slug, page=page,
                                                       form=form, may_edit=wiki.may_edit(page)),
                  status=422 if form.errors else 200)
