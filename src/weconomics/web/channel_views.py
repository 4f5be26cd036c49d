"""A community's channel: its home page, domains, members, discussion board and curation.

Every view works under /c/<slug>/ and, without a slug, on the community's own host name
(`request.channel`, set by `web.channel_host`). Who sees what is decided by
`communities.access`; writes go through `communities.board` and `communities.publications`.
"""

import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _

from weconomics.communities import board as board_services
from weconomics.communities import publications as pub_services
from weconomics.communities.access import (
    CommunityAccess,
    access_to,
    community_for,
    domains_of,
    publications_for,
    topic_for,
    topics_for,
)
from weconomics.communities.errors import CommunityError, Invalid, NotAllowed, NotFound
from weconomics.communities.models import Community, Membership, Publication
from weconomics.communities.queries import (
    channel_home,
    channel_members,
    pending_request,
    with_reply_counts,
)
from weconomics.contacts.access import accesses
from weconomics.contacts.queries import page_of
from weconomics.contacts.text import render_markdown, search_key
from weconomics.web.forms_channel import ChannelSearchForm, ReplyForm, TopicForm

MEMBERSHIP_BOX = "web/communities/_membership_box.html"
PUBLICATIONS_PER_PAGE = 20
TOPICS_PER_PAGE = 25
REPLIES_PER_PAGE = 50
MEMBERS_PER_PAGE = 24
CURATION_PER_PAGE = 25
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
Status = Publication.Status


# --- finding the channel -------------------------------------------------------------------

def _access(request, slug: str | None) -> CommunityAccess:
    """The viewer's access to the channel by slug, or to the channel of this host name."""
    try:
        if slug is None:
            community = getattr(request, "channel", None)
            if community is None:
                raise Http404
            return access_to(request.user, community)
        return community_for(request.user, slug)
    except NotFound as error:
        raise Http404(str(error)) from None


def channel_root(community: Community, slug: str | None) -> str:
    """Where the channel's pages start: "/" on its own host name, else /c/<slug>/."""
    return "/" if slug is None else f"/c/{community.slug}/"


def _membership_box() -> str | None:
    # The join/leave box belongs to the community pages; until it exists the channel
    # simply shows none.
    try:
        get_template(MEMBERSHIP_BOX)
    except TemplateDoesNotExist:
        return None
    return MEMBERSHIP_BOX


def _context(request, access: CommunityAccess, slug: str | None, section: str, *,
             nav=None, **extra) -> dict:
    community = access.community
    if nav is None or not access.can_see_allied_offers:
        nav = list(domains_of(community)) if access.can_see_allied_offers else []
    return {"community": community, "access": access, "section": section,
            "channel_root": channel_root(community, slug), "nav_domains": nav,
            "membership_box": _membership_box(), **extra}


def _page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        return 1


def _pages(request, page: int, has_next: bool) -> dict:
    query = request.GET.copy()

    def link(number):
        query["page"] = str(number)
        return "?" + query.urlencode()

    return {"number": page, "previous": link(page - 1) if page > 1 else "",
            "next": link(page + 1) if has_next else ""}


def _members_only(request, access: CommunityAccess, slug, section: str):
    """The public face of a listed community, for a page only its members see."""
    return render(request, "web/channel/members_only.html",
                  _context(request, access, slug, section,
                           pending_request=pending_request(access)), status=403)


def _refused(request, access: CommunityAccess, slug, error: CommunityError, *,
             section: str = ""):
    return render(request, "web/channel/problem.html",
                  _context(request, access, slug, section, message=str(error)),
                  status=error.status)


def _action(view):
    """A write on a channel: POST only, signed in, the channel visible to the actor."""

    @wraps(view)
    def wrapper(request, *args, slug=None, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        access = _access(request, slug)
        if not request.user.is_authenticated:
            return redirect_to_login(channel_root(access.community, slug))
        return view(request, access, slug, *args, **kwargs)

    return wrapper


# --- the look: logo and colours -------------------------------------------------------------

def logo(request, slug=None):
    community = _access(request, slug).community
    if not community.logo:
        raise Http404
    try:
        image = community.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(image, content_type="image/jpeg")
    # Private: a hidden community's logo is for its members only.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _ink_on(colour: str) -> str:
    """Dark or white text, whichever reads better on this background (WCAG luminance)."""
    def channel(hex_pair):
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#1b2430" if luminance > 0.30 else "#ffffff"


def theme(request, slug=None):
    """The channel's colours as CSS custom properties (the site's CSP refuses inline styles)."""
    community = _access(request, slug).community
    colour = community.colour if COLOUR.match(community.colour or "") else "#1d6b57"
    accent = (community.accent_colour if COLOUR.match(community.accent_colour or "")
              else "#f2b134")
    css = (f".channel {{ --channel-colour: {colour}; --channel-accent: {accent}; "
           f"--channel-on-colour: {_ink_on(colour)}; --channel-on-accent: {_ink_on(accent)}; }}\n")
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- home, domains and members --------------------------------------------------------------

def home(request, slug=None):
    access = _access(request, slug)
    data = channel_home(access)
    context = _context(request, access, slug, "home", nav=data["domains"], **data)
    return render(request, "web/channel/home.html", context)


def domain_page(request, domain, slug=None):
    access = _access(request, slug)
    if not access.can_see_allied_offers:
        return _members_only(request, access, slug, "domain:" + domain)
    domains = list(domains_of(access.community))
    found = next((d for d in domains if d.slug == domain), None)
    if found is None:
        raise Http404(_("This community has no such domain."))
    page = _page_number(request)
    rows, has_next = page_of(publications_for(access, domain=found), page,
                             PUBLICATIONS_PER_PAGE)
    return render(request, "web/channel/domain.html", _context(
        request, access, slug, "domain:" + found.slug, nav=domains, domain=found,
        publications=pub_services.with_content(rows), pages=_pages(request, page, has_next)))


def members(request, slug=None):
    access = _access(request, slug)
    if not access.can_see_members:
        return _members_only(request, access, slug, "members")
    form = ChannelSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    people = channel_members(access)
    if query:
        people = people.filter(search_name__contains=search_key(query))
    page = _page_number(request)
    rows, has_next = page_of(people, page, MEMBERS_PER_PAGE)
    return render(request, "web/channel/members.html", _context(
        request, access, slug, "members", form=form, query=query,
        cards=accesses(request.user, rows), pages=_pages(request, page, has_next),
        member_count=Membership.objects.filter(community=access.community).count(),
        roles=dict(Membership.Role.choices)))


# --- the discussion board -----------------------------------------------------------------

def board(request, slug=None):
    access = _access(request, slug)
    if not access.can_see_content:
        return _members_only(request, access, slug, "board")
    domains = list(domains_of(access.community))
    chosen = request.GET.get("domain", "")
    topics = with_reply_counts(access, topics_for(access))
    if chosen and any(d.slug == chosen for d in domains):
        topics = topics.filter(domain__kind__slug=chosen)
    else:
        chosen = ""
    page = _page_number(request)
    rows, has_next = page_of(topics, page, TOPICS_PER_PAGE)
    return render(request, "web/channel/board.html", _context(
        request, access, slug, "board", nav=domains, domains=domains, topics=rows, chosen=chosen,
        pages=_pages(request, page, has_next)))


def topic_new(request, slug=None):
    access = _access(request, slug)
    root = channel_root(access.community, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_see_content and not access.is_member:
        return _members_only(request, access, slug, "board")
    if not access.can_post:
        return _refused(request, access, slug, NotAllowed(
            _("Only members of %(community)s start topics. Join first.")
            % {"community": access.community.name}), section="board")
    domains = list(domains_of(access.community))
    form = TopicForm(request.POST or None, domains=domains,
                     initial={"domain": request.GET.get("domain", "")})
    if request.method == "POST" and form.is_valid():
        try:
            topic = board_services.start_topic(
                actor=request.user, community=access.community,
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                domain=form.cleaned_data["domain"] or None, request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your topic is on the board."))
            return redirect(f"{root}board/{topic.pk}/")
    return render(request, "web/channel/topic_form.html",
                  _context(request, access, slug, "board", nav=domains, form=form),
                  status=422 if form.errors else 200)


def _topic_or_404(access: CommunityAccess, topic_id: int):
    try:
        return topic_for(access, topic_id)
    except NotFound as error:
        raise Http404(str(error)) from None


def _topic_page(request, access, slug, topic, *, form=None, status=200):
    replies = board_services.visible_replies(request.user, access.community, topic)
    page = _page_number(request)
    rows, has_next = page_of(replies, page, REPLIES_PER_PAGE)
    can_reply = access.can_post and (not topic.locked or access.can_moderate)
    return render(request, "web/channel/topic.html", _context(
        request, access, slug, "board", topic=topic, topic_html=render_markdown(topic.body),
        replies=[{"reply": r, "html": render_markdown(r.body)} for r in rows],
        pages=_pages(request, page, has_next), can_reply=can_reply,
        form=form if form is not None else (ReplyForm() if can_reply else None)),
        status=status)


def topic(request, topic_id, slug=None):
    access = _access(request, slug)
    if not access.can_see_content:
        return _members_only(request, access, slug, "board")
    return _topic_page(request, access, slug, _topic_or_404(access, topic_id))


@_action
def reply(request, access, slug, topic_id):
    if not access.can_see_content and not access.is_member:
        return _members_only(request, access, slug, "board")
    found = _topic_or_404(access, topic_id)
    form = ReplyForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            answer = board_services.reply(actor=request.user, community=access.community,
                                          topic_id=found.pk, body=form.cleaned_data["body"],
                                          request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
            status = error.status
        else:
            if request.htmx:
                context = _context(request, access, slug, "board", topic=found,
                                   item={"reply": answer, "html": render_markdown(answer.body)},
                                   form=ReplyForm(), fresh=True)
                return render(request, "web/channel/_reply_added.html", context)
            messages.success(request, _("Your reply is added."))
            return redirect(f"{channel_root(access.community, slug)}board/{found.pk}/"
                            f"#reply-{answer.pk}")
    if request.htmx:
        response = render(request, "web/channel/_reply_form.html",
                          _context(request, access, slug, "board", topic=found, form=form))
        response["HX-Retarget"] = "#reply-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    return _topic_page(request, access, slug, found, form=form, status=status)


def topic_edit(request, topic_id, slug=None):
    access = _access(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_see_content:
        return _members_only(request, access, slug, "board")
    found = _topic_or_404(access, topic_id)
    root = channel_root(access.community, slug)
    if found.author_id != request.user.pk:
        return _refused(request, access, slug, NotAllowed(
            _("Only its author can edit this.")), section="board")
    form = TopicForm(request.POST or None, editing=True,
                     initial={"title": found.title, "body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            board_services.edit_topic(actor=request.user, community=access.community,
                                      topic_id=found.pk, title=form.cleaned_data["title"],
                                      body=form.cleaned_data["body"], request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{root}board/{found.pk}/")
    return render(request, "web/channel/topic_form.html",
                  _context(request, access, slug, "board", form=form, topic=found),
                  status=422 if form.errors else 200)


@_action
def topic_delete(request, access, slug, topic_id):
    found = _topic_or_404(access, topic_id) if access.can_see_content else None
    if found is None:
        raise Http404
    try:
        board_services.delete_topic(actor=request.user, community=access.community,
                                    topic_id=found.pk, request=request)
    except CommunityError as error:
        return _refused(request, access, slug, error, section="board")
    messages.success(request, _("The topic is deleted."))
    return redirect(f"{channel_root(access.community, slug)}board/")


TOPIC_MODERATION = {"pin": {"pinned": True}, "unpin": {"pinned": False},
                    "close": {"locked": True}, "reopen": {"locked": False},
                    "hide": {"hidden": True}, "show": {"hidden": False}}


@_action
def topic_moderate(request, access, slug, topic_id):
    found = _topic_or_404(access, topic_id) if access.can_see_content else None
    if found is None:
        raise Http404
    change = TOPIC_MODERATION.get(request.POST.get("action", ""))
    if change is None:
        return _refused(request, access, slug, Invalid(
            _("Choose pin, unpin, close, reopen, hide or show.")), section="board")
    try:
        board_services.moderate_topic(actor=request.user, community=access.community,
                                      topic_id=found.pk, request=request, **change)
    except CommunityError as error:
        return _refused(request, access, slug, error, section="board")
    messages.success(request, _("The topic is changed."))
    return redirect(f"{channel_root(access.community, slug)}board/{found.pk}/")


def _reply_or_404(request, access, topic_id, reply_id):
    found = _topic_or_404(access, topic_id)
    answer = board_services.visible_replies(request.user, access.community, found).filter(
        pk=reply_id).first()
    if answer is None:
        raise Http404(_("There is no such reply."))
    return found, answer


def reply_edit(request, topic_id, reply_id, slug=None):
    access = _access(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_see_content:
        return _members_only(request, access, slug, "board")
    found, answer = _reply_or_404(request, access, topic_id, reply_id)
    if answer.author_id != request.user.pk:
        return _refused(request, access, slug, NotAllowed(
            _("Only its author can edit this.")), section="board")
    form = ReplyForm(request.POST or None, initial={"body": answer.body})
    if request.method == "POST" and form.is_valid():
        try:
            board_services.edit_reply(actor=request.user, community=access.community,
                                      reply_id=answer.pk, body=form.cleaned_data["body"],
                                      request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{channel_root(access.community, slug)}board/{found.pk}/"
                            f"#reply-{answer.pk}")
    return render(request, "web/channel/reply_form.html",
                  _context(request, access, slug, "board", form=form, topic=found,
                           reply=answer), status=422 if form.errors else 200)


@_action
def reply_delete(request, access, slug, topic_id, reply_id):
    if not access.can_see_content:
        raise Http404
    found, answer = _reply_or_404(request, access, topic_id, reply_id)
    try:
        board_services.delete_reply(actor=request.user, community=access.community,
                                    reply_id=answer.pk, request=request)
    except CommunityError as error:
        return _refused(request, access, slug, error, section="board")
    messages.success(request, _("The reply is deleted."))
    return redirect(f"{channel_root(access.community, slug)}board/{found.pk}/")


@_action
def reply_moderate(request, access, slug, topic_id, reply_id):
    if not access.can_see_content:
        raise Http404
    found, answer = _reply_or_404(request, access, topic_id, reply_id)
    action = request.POST.get("action", "")
    if action not in ("hide", "show"):
        return _refused(request, access, slug, Invalid(_("Choose hide or show.")),
                        section="board")
    try:
        board_services.moderate_reply(actor=request.user, community=access.community,
                                      reply_id=answer.pk, hidden=action == "hide",
                                      request=request)
    except CommunityError as error:
        return _refused(request, access, slug, error, section="board")
    messages.success(request, _("The reply is changed."))
    return redirect(f"{channel_root(access.community, slug)}board/{found.pk}/"
                    f"#reply-{answer.pk}")


# --- curation -------------------------------------------------------------------------------

CURATION_TABS = [Status.PENDING, Status.APPROVED, Status.HIDDEN]


def publications(request, slug=None):
    access = _access(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can_moderate:
        return _refused(request, access, slug, NotAllowed(
            _("Only a steward or supervisor of %(community)s can do this.")
            % {"community": access.community.name}), section="curation")
    everything = publications_for(access, curating=True)
    counts = dict(everything.order_by().values_list("status").annotate(n=Count("pk")))
    tab = request.GET.get("status", "")
    if tab not in CURATION_TABS:
        tab = Status.PENDING if counts.get(Status.PENDING) else Status.APPROVED
    page = _page_number(request)
    rows, has_next = page_of(everything.filter(status=tab), page, CURATION_PER_PAGE)
    tabs = [{"status": s, "label": Status(s).label, "count": counts.get(s, 0)}
            for s in CURATION_TABS]
    return render(request, "web/channel/curation.html", _context(
        request, access, slug, "curation", tab=tab, tabs=tabs,
        publications=pub_services.with_content(rows), pages=_pages(request, page, has_next)))


@_action
def curate(request, access, slug, publication_id):
    action = request.POST.get("action", "")
    back = request.POST.get("status", "")
    try:
        pub_services.curate(actor=request.user, community=access.community,
                            publication_id=publication_id, action=action, request=request)
    except CommunityError as error:
        if error.status in (403, 404):
            return _refused(request, access, slug, error, section="curation")
        messages.error(request, str(error))
    else:
        messages.success(request, {
            "approve": _("The publication is shown on the channel."),
            "hide": _("The publication is hidden from the channel."),
            "feature": _("The publication is featured."),
            "unfeature": _("The publication is no longer featured."),
        }[action])
    query = f"?status={back}" if back in CURATION_TABS else ""
    return redirect(f"{channel_root(access.community, slug)}manage/publications/{query}")
