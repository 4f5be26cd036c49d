"""Pages of organisations: the directory, a profile, members, invitations, news and roles.

Also the page where platform administrators and supervisors grant the supervisor role.
Views parse, authorise through the contacts services and queries, and render; every
write goes through `weconomics.contacts.organisations` or `weconomics.contacts.services`.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from weconomics.contacts import organisations as org_services
from weconomics.contacts import services
from weconomics.contacts.access import profile_for, visible_people
from weconomics.contacts.errors import ContactError, NotAllowed, NotFound
from weconomics.contacts.models import (
    Follow,
    NetworkRole,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPost,
)
from weconomics.contacts.queries import (
    ROLE_RANK,
    membership_in,
    news_for,
    organisation_by_slug,
    organisation_members,
    page_of,
    search_organisations,
    search_people,
)
from weconomics.contacts.text import render_markdown
from weconomics.web.forms_organisations import (
    InviteForm,
    MemberRoleForm,
    NetworkRoleForm,
    NewsForm,
    OrganisationForm,
    ReportForm,
    SearchForm,
    SupervisorForm,
)

Role = OrganisationMembership.Role
MEMBERS_ON_PROFILE = 24
MEMBERS_PER_PAGE = 50
NEWS_ON_PROFILE = 10
SECTION = {"nav_section": "organisations"}


# --- helpers -----------------------------------------------------------------------------

def _page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        return 1


def _problem(request, error: ContactError, *, status: int | None = None):
    """A page that says why something was refused, with the error's status."""
    return render(request, "web/organisations/problem.html",
                  {"message": str(error), **SECTION}, status=status or error.status)


def _found(slug: str) -> Organisation:
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise NotFound(_("There is no such organisation."))
    return organisation


def _action(view):
    """A write on one organisation: POST only, signed in, refusals shown as a page."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        organisation = organisation_by_slug(slug)
        if organisation is None:
            return _problem(request, NotFound(_("There is no such organisation.")))
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("organisation", args=[organisation.slug]))
        return view(request, organisation, *args, **kwargs)

    return wrapper


def _is_admin(membership: OrganisationMembership | None) -> bool:
    return membership is not None and membership.role in (Role.OWNER, Role.ADMIN)


def _with_html(posts) -> list[dict]:
    return [{"post": post, "html": render_markdown(post.body)} for post in posts]


def news_feed(account, limit: int = 10) -> list[dict]:
    """News of the organisations an account follows, ready for web/organisations/_news_feed.html.

    Each item is {"post": OrganisationPost (with .organisation), "html": rendered body}.
    """
    if account is None or not account.is_authenticated:
        return []
    return _with_html(news_for(account, limit))


# --- the directory -----------------------------------------------------------------------

def directory(request):
    form = SearchForm(request.GET or None)
    criteria = {}
    if form.is_bound:
        form.is_valid()
        criteria = {key: value.strip() for key, value in form.cleaned_data.items() if value}
    rows, has_next = page_of(search_organisations(**criteria), _page_number(request))
    page = _page_number(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/organisations/directory.html", {
        "form": form, "organisations": rows, "searching": bool(criteria), "page": page,
        "has_next": has_next, "has_previous": page > 1, "query": query.urlencode(), **SECTION,
    })


def create(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = org_services.create_organisation(actor=request.user, request=request,
                                                            **form.changes())
        except ContactError as error:
            form.add_error("slug" if error.status == 409 else None, str(error))
        else:
            messages.success(request, _("%(name)s is created; you are its owner.")
                             % {"name": organisation.name})
            return redirect("organisation", slug=organisation.slug)
    return render(request, "web/organisations/new.html", {"form": form, **SECTION},
                  status=422 if form.errors else 200)


# --- the profile -------------------------------------------------------------------------

def organisation(request, slug):
    try:
        found = _found(slug)
    except NotFound as error:
        return _problem(request, error)
    return _profile(request, found)


def _profile(request, organisation: Organisation, *, error: str = "", status: int = 200,
             news_form=None, report_form=None):
    """Render an organisation's page; forms with errors come back in from the actions."""
    viewer = request.user
    membership = membership_in(organisation, viewer)
    admin = _is_admin(membership)
    members = list(organisation_members(viewer, organisation)[:MEMBERS_ON_PROFILE + 1])
    posts = OrganisationPost.objects.filter(organisation=organisation)[:NEWS_ON_PROFILE]
    context = {
        "organisation": organisation,
        "about_html": render_markdown(organisation.about),
        "roles": list(organisation.roles.all()),
        "membership": membership,
        "is_admin": admin,
        "members": members[:MEMBERS_ON_PROFILE],
        "more_members": len(members) > MEMBERS_ON_PROFILE,
        "member_count": organisation.memberships.count(),
        "news": _with_html(posts),
        "error": error,
        **_follow_state(request, organisation),
        **SECTION,
    }
    if admin:
        context["news_form"] = news_form or NewsForm()
    if viewer.is_authenticated:
        context["report_form"] = report_form or ReportForm()
        context["report_open"] = report_form is not None
    return render(request, "web/organisations/organisation.html", context, status=status)


def _follow_state(request, organisation: Organisation) -> dict:
    following = (request.user.is_authenticated and Follow.objects.filter(
        account=request.user, organisation=organisation).exists())
    return {"organisation": organisation, "following": following,
            "follower_count": Follow.objects.filter(organisation=organisation).count()}


@_action
def follow(request, organisation):
    if request.POST.get("follow") == "0":
        org_services.unfollow(actor=request.user, organisation=organisation, request=request)
    else:
        org_services.follow(actor=request.user, organisation=organisation, request=request)
    if request.htmx:
        return render(request, "web/organisations/_follow.html",
                      _follow_state(request, organisation))
    return redirect("organisation", slug=organisation.slug)


@_action
def report(request, organisation):
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _profile(request, organisation, report_form=form, status=422)
    try:
        services.report(actor=request.user, organisation_slug=organisation.slug,
                        reason=form.cleaned_data["reason"], details=form.cleaned_data["details"],
                        request=request)
    except ContactError as error:
        form.add_error(None, str(error))
        return _profile(request, organisation, report_form=form, status=error.status)
    messages.success(request, _("Thank you. The moderators will look at your report."))
    return redirect("organisation", slug=organisation.slug)


@_action
def post_news(request, organisation):
    form = NewsForm(request.POST)
    if form.is_valid():
        try:
            org_services.post_news(actor=request.user, organisation=organisation,
                                   title=form.cleaned_data["title"],
                                   body=form.cleaned_data["body"], request=request)
        except NotAllowed as error:
            return _problem(request, error)
        except ContactError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The news is published; followers are told."))
            return redirect("organisation", slug=organisation.slug)
    if not _is_admin(membership_in(organisation, request.user)):
        return _problem(request, NotAllowed(_("Only an owner or administrator of %(org)s can do "
                                              "this.") % {"org": organisation.name}))
    return _profile(request, organisation, news_form=form, status=422)


@_action
def delete_news(request, organisation, post_id):
    try:
        org_services.delete_news(actor=request.user, organisation=organisation, post_id=post_id,
                                 request=request)
    except NotAllowed as error:
        return _problem(request, error)
    except ContactError as error:
        return _profile(request, organisation, error=str(error), status=error.status)
    messages.success(request, _("The news item is deleted."))
    return redirect("organisation", slug=organisation.slug)


@_action
def leave(request, organisation):
    try:
        org_services.remove_member(actor=request.user, organisation=organisation,
                                   account_id=request.user.pk, request=request)
    except ContactError as error:
        return _profile(request, organisation, error=str(error), status=error.status)
    messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
    return redirect("organisation", slug=organisation.slug)


# --- editing the profile and the network roles -------------------------------------------

def edit(request, slug):
    try:
        organisation = _found(slug)
    except NotFound as error:
        return _problem(request, error)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _is_admin(membership_in(organisation, request.user)):
        return _problem(request, NotAllowed(_("Only an owner or administrator of %(org)s can do "
                                              "this.") % {"org": organisation.name}))
    if request.method == "POST":
        form = OrganisationForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                updated = org_services.update_organisation(
                    actor=request.user, organisation=organisation, request=request,
                    **form.changes())
            except ContactError as error:
                form.add_error("slug" if error.status == 409 else None, str(error))
            else:
                messages.success(request, _("The organisation's page is saved."))
                return redirect("organisation", slug=updated.slug)
        return _edit_page(request, organisation, form=form, status=422)
    return _edit_page(request, organisation)


def _edit_page(request, organisation, *, form=None, role_form=None, error="", status=200):
    if form is None:
        form = OrganisationForm(organisation=organisation, initial={
            key: getattr(organisation, key) for key in
            ("name", "slug", "kind", "headline", "about", "region", "website")})
    return render(request, "web/organisations/edit.html", {
        "organisation": organisation, "form": form, "role_form": role_form or NetworkRoleForm(),
        "roles": list(organisation.roles.all()), "error": error, **SECTION,
    }, status=status)


@_action
def add_role(request, organisation):
    form = NetworkRoleForm(request.POST)
    if form.is_valid():
        try:
            services.add_role(actor=request.user, organisation=organisation,
                              role=form.cleaned_data["role"],
                              specialty=form.cleaned_data["specialty"], request=request)
        except NotAllowed as error:
            return _problem(request, error)
        except ContactError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The role is added."))
            return redirect("organisation_edit", slug=organisation.slug)
    if not _is_admin(membership_in(organisation, request.user)):
        return _problem(request, NotAllowed(_("Only an owner or administrator of %(org)s can do "
                                              "this.") % {"org": organisation.name}))
    return _edit_page(request, organisation, role_form=form, status=422)


@_action
def remove_role(request, organisation, role):
    try:
        services.remove_role(actor=request.user, organisation=organisation, role=role,
                             request=request)
    except NotAllowed as error:
        return _problem(request, error)
    except ContactError as error:
        return _edit_page(request, organisation, error=str(error), status=error.status)
    messages.success(request, _("The role is removed."))
    return redirect("organisation_edit", slug=organisation.slug)


# --- members and invitations -------------------------------------------------------------

def members(request, slug):
    try:
        organisation = _found(slug)
    except NotFound as error:
        return _problem(request, error)
    return _members_page(request, organisation)


def _members_page(request, organisation, *, invite_form=None, error="", status=200):
    """Everyone sees the members whose card they may see; owners and admins manage them all."""
    viewer = request.user
    membership = membership_in(organisation, viewer)
    admin = _is_admin(membership)
    page = _page_number(request)
    context = {"organisation": organisation, "membership": membership, "is_admin": admin,
               "error": error, "page": page, **SECTION}
    if admin:
        # Managers need every member, also those whose card they may not see; those are
        # listed without their profile, named by the address they were invited at.
        roster = (OrganisationMembership.objects.filter(organisation=organisation)
                  .select_related("account__person").order_by(ROLE_RANK, "account_id"))
        rows, has_next = page_of(roster, page, MEMBERS_PER_PAGE)
        ids = [row.account_id for row in rows]
        visible = set(visible_people(viewer).filter(account_id__in=ids)
                      .values_list("account_id", flat=True))
        hidden = [i for i in ids if i not in visible]
        invited_as = dict(OrganisationInvitation.objects.filter(
            organisation=organisation, accepted_by_id__in=hidden)
            .values_list("accepted_by_id", "email")) if hidden else {}
        for row in rows:
            row.card_visible = row.account_id in visible
            row.invited_as = invited_as.get(row.account_id, "")
        context.update({
            "rows": rows, "has_next": has_next,
            "is_owner": membership.role == Role.OWNER,
            "role_choices": Role.choices,
            "invite_form": invite_form or InviteForm(
                may_invite_owner=membership.role == Role.OWNER),
            "invitations": list(org_services.open_invitations(organisation)),
        })
    else:
        rows, has_next = page_of(organisation_members(viewer, organisation), page,
                                 MEMBERS_PER_PAGE)
        for row in rows:
            row.card_visible = True
        context.update({"rows": rows, "has_next": has_next})
    return render(request, "web/organisations/members.html", context, status=status)


@_action
def invite(request, organisation):
    membership = membership_in(organisation, request.user)
    if not _is_admin(membership):
        return _problem(request, NotAllowed(_("Only an owner or administrator of %(org)s can do "
                                              "this.") % {"org": organisation.name}))
    form = InviteForm(request.POST, may_invite_owner=membership.role == Role.OWNER)
    status = 422
    if form.is_valid():
        try:
            org_services.invite(actor=request.user, organisation=organisation,
                                email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                                request=request)
        except ContactError as error:
            form.add_error(None, str(error))
            status = error.status
        else:
            messages.success(request, _("The invitation is sent to %(email)s.")
                             % {"email": form.cleaned_data["email"]})
            return redirect("organisation_members", slug=organisation.slug)
    return _members_page(request, organisation, invite_form=form, status=status)


@_action
def revoke_invitation(request, organisation, invitation_id):
    try:
        org_services.revoke_invitation(actor=request.user, organisation=organisation,
                                       invitation_id=invitation_id, request=request)
    except NotAllowed as error:
        return _problem(request, error)
    except ContactError as error:
        return _members_page(request, organisation, error=str(error), status=error.status)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("organisation_members", slug=organisation.slug)


@_action
def change_role(request, organisation, account_id):
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, organisation, error=_("Choose one of the roles."),
                             status=422)
    try:
        org_services.change_member_role(actor=request.user, organisation=organisation,
                                        account_id=account_id, role=form.cleaned_data["role"],
                                        request=request)
    except ContactError as error:
        return _members_page(request, organisation, error=str(error), status=error.status)
    messages.success(request, _("The role is changed."))
    return redirect("organisation_members", slug=organisation.slug)


@_action
def remove_member(request, organisation, account_id):
    try:
        org_services.remove_member(actor=request.user, organisation=organisation,
                                   account_id=account_id, request=request)
    except ContactError as error:
        return _members_page(request, organisation, error=str(error), status=error.status)
    if account_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
        return redirect("organisation", slug=organisation.slug)
    messages.success(request, _("The member is removed."))
    return redirect("organisation_members", slug=organisation.slug)


# --- accepting an invitation -------------------------------------------------------------

def invitation(request, token):
    try:
        found = org_services.invitation_by_token(token)
    except ContactError as error:
        # Used and expired invitations are gone for good; unknown ones never were.
        return render(request, "web/organisations/invitation.html",
                      {"problem": str(error), **SECTION},
                      status=410 if error.status == 409 else error.status)
    error = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            org_services.accept_invitation(actor=request.user, token=token, request=request)
        except ContactError as refused:
            error, status = str(refused), refused.status
        else:
            messages.success(request, _("Welcome to %(name)s.") % {"name": found.organisation.name})
            return redirect("organisation", slug=found.organisation.slug)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    inviter = found.invited_by
    inviter_name = ""
    if inviter is not None:
        person = getattr(inviter, "person", None)
        inviter_name = getattr(person, "display_name", "") or inviter.name
    return render(request, "web/organisations/invitation.html", {
        "invitation": found, "organisation": found.organisation, "inviter_name": inviter_name,
        "role_label": Role(found.role).label, "error": error, **SECTION,
    }, status=status)


# --- the supervisor role -----------------------------------------------------------------

def supervisors(request):
    """Platform administrators and supervisors grant and revoke the supervisor role."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_grant_supervisor(request.user):
        return _problem(request, NotAllowed(_("Only platform administrators and supervisors "
                                              "grant this role.")))
    form = SupervisorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                person = profile_for(request.user, form.cleaned_data["handle"]).person
                services.grant_supervisor(actor=request.user, person=person, request=request)
            except ContactError as error:
                form.add_error("handle", str(error))
            else:
                messages.success(request, _("%(name)s is now a supervisor.")
                                 % {"name": person.display_name})
                return redirect("supervisors")
    return _supervisors_page(request, form=form, status=status)


def _supervisors_page(request, *, form=None, error="", status=200):
    shown = list(search_people(request.user, role=NetworkRole.Role.SUPERVISOR)[:200])
    total = NetworkRole.objects.filter(role=NetworkRole.Role.SUPERVISOR,
                                       person__isnull=False).count()
    return render(request, "web/organisations/supervisors.html", {
        "supervisors": shown, "hidden_count": max(0, total - len(shown)),
        "form": form or SupervisorForm(), "error": error,
    }, status=status)


def revoke_supervisor(request, handle):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("supervisors"))
    if not services.can_grant_supervisor(request.user):
        return _problem(request, NotAllowed(_("Only platform administrators and supervisors "
                                              "grant this role.")))
    try:
        person = profile_for(request.user, handle).person
        services.revoke_supervisor(actor=request.user, person=person, request=request)
    except ContactError as error:
        return _supervisors_page(request, error=str(error), status=error.status)
    messages.success(request, _("%(name)s is no longer a supervisor.")
                     % {"name": person.display_name})
    return redirect("supervisors")
