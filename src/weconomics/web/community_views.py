"""Pages about communities: the directory, starting one, joining, invitations and managing.

The channel itself (/c/<slug>/ and its sections) lives in `channel_views`. Views here parse,
authorise through `communities.access`, call a service of `communities.services` and render;
a refusal of a service (a CommunityError) shows as a form error or a problem page with the
error's status. Hidden communities are "not found" to everyone who is not a member.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from weconomics.communities import services
from weconomics.communities.access import (
    access_to,
    community_for,
    community_for_oversight,
    count_visible,
    domains_of,
    has_pending_request,
    memberships_of,
    pending_requests_of,
    search_communities,
)
from weconomics.communities.errors import CommunityError, Conflict, NotAllowed, NotFound
from weconomics.communities.models import Alliance, Community, JoinRequest, Membership
from weconomics.communities.queries import roster, supervisors_of, waiting_join_requests
from weconomics.contacts.access import visible_people
from weconomics.contacts.queries import page_of
from weconomics.web.forms_communities import (
    AllianceForm,
    ConsentForm,
    DirectoryForm,
    DomainIntroForm,
    DomainOpenForm,
    InviteEmailForm,
    InviteLinkForm,
    JoinForm,
    LogoForm,
    RoleForm,
    SettingsForm,
    StartStepOne,
    StartStepThree,
    StartStepTwo,
    SupervisorForm,
    active_domain_kinds,
)

Role = Membership.Role
PAGE_SIZE = 24
MEMBERS_PER_PAGE = 100
MAX_ID = 2**63 - 1
WIZARD = "community_start"
NEW_LINK = "community_new_invitation_link"
STEPS = {1: StartStepOne, 2: StartStepTwo, 3: StartStepThree}
STEP_FIELDS = {1: ("name", "slug", "kind", "purpose"),
               2: ("audience", "visibility", "join_policy"),
               3: ("domains",)}


# --- helpers -----------------------------------------------------------------------------

def _page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 10_000)
    except ValueError:
        return 1


def _problem(request, error: CommunityError, *, community: Community | None = None,
             status: int | None = None):
    """A page that says why something was refused, with the error's status."""
    return render(request, "web/communities/problem.html",
                  {"message": str(error), "community": community},
                  status=status or error.status)


def _not_allowed_to_manage(community: Community) -> NotAllowed:
    return NotAllowed(_("Only a steward of %(community)s can do this.")
                      % {"community": community.name})


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _channel(community: Community) -> str:
    return reverse("community", args=[community.slug])


def _community_page(*, post_only: bool = False, stewards: bool = False,
                    oversight: bool = False):
    """Load the community for a view: signed in, visible to the viewer, optionally stewards.

    The view receives the viewer's CommunityAccess. Anonymous visitors are sent to sign in
    (and come back); a hidden community is "not found" to non-members.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            if post_only and request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            if not request.user.is_authenticated:
                back = request.get_full_path() if request.method == "GET" else (
                    reverse("community", args=[slug]))
                return redirect_to_login(back)
            try:
                access = (community_for_oversight if oversight else community_for)(
                    request.user, slug)
            except NotFound as error:
                return _problem(request, error)
            if stewards and not access.is_steward:
                return _problem(request, _not_allowed_to_manage(access.community),
                                community=access.community)
            if kwargs.get("account_id", 0) > MAX_ID:
                # <int:...> takes any number of digits; no account has a number this large
                # (and SQLite refuses to compare a foreign key with one).
                return _problem(request, NotFound(_("There is no such account.")),
                                community=access.community)
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorate


def _manage_context(request, access, section: str) -> dict:
    return {"community": access.community, "access": access, "manage_section": section,
            "platform_supervisor": services.is_platform_supervisor(request.user)}


# --- the directory -----------------------------------------------------------------------

def directory(request):
    form = DirectoryForm(request.GET or None)
    criteria = form.criteria()
    page = _page_number(request)
    rows, has_next = page_of(search_communities(request.user, **criteria), page, PAGE_SIZE)
    for community in rows:
        community.show_count = count_visible(community)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "communities": rows, "searching": bool(criteria), "page": page,
               "has_next": has_next, "has_previous": page > 1, "query": query.urlencode()}
    if request.htmx and request.headers.get("HX-Target") == "community-results":
        response = render(request, "web/communities/_results.html", context)
        used = urlencode([(k, v) for k, v in request.GET.items() if v.strip()])
        response["HX-Push-Url"] = reverse("communities") + (f"?{used}" if used else "")
        return response
    return render(request, "web/communities/directory.html", context)


# --- starting a community in three steps ---------------------------------------------------

def _wizard(request) -> dict:
    state = request.session.get(WIZARD)
    return state if isinstance(state, dict) else {}


def _save_wizard(request, state: dict) -> None:
    request.session[WIZARD] = state
    request.session.modified = True


def _first_open_step(state: dict) -> int:
    done = set(state.get("done", []))
    return next((step for step in (1, 2, 3) if step not in done), 3)


def _step_initial(state: dict, step: int) -> dict:
    template = services.TEMPLATES.get(state.get("kind"), {})
    initial = {key: state[key] for key in STEP_FIELDS[step] if key in state}
    if step == 2:
        for key in ("visibility", "join_policy"):
            initial.setdefault(key, template.get(key, ""))
    if step == 3:
        initial.setdefault("domains", list(template.get("domains", [])))
    return initial


def _render_step(request, step: int, form, state: dict, *, status: int = 200):
    slug = state.get("slug") or (services.free_slug(state["name"]) if state.get("name") else "")
    context = {
        "form": form, "step": step, "state": state, "slug_preview": slug,
        "kind_label": Community.Kind(state["kind"]).label if state.get("kind") else "",
        "visibility_label": dict(Community.Visibility.choices).get(state.get("visibility"), ""),
        "join_label": dict(Community.JoinPolicy.choices).get(state.get("join_policy"), ""),
    }
    if step == 3:
        context["domain_descriptions"] = [(k.slug, k.description)
                                          for k in active_domain_kinds()]
    return render(request, "web/communities/new.html", context, status=status)


def start(request):
    """Start a community: name and purpose, target group and settings, domains; then invite."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    state = _wizard(request)
    try:
        step = int(request.POST.get("step") or request.GET.get("step") or 1)
    except ValueError:
        step = 1
    step = min(max(step, 1), 3)
    if step > _first_open_step(state) and step not in state.get("done", []):
        step = _first_open_step(state)
        return redirect(reverse("community_new") + f"?step={step}")
    if request.method == "GET":
        if request.GET.get("restart"):
            _save_wizard(request, {})
            return redirect("community_new")
        return _render_step(request, step, STEPS[step](initial=_step_initial(state, step)),
                            state)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    form = STEPS[step](request.POST)
    going_back = "back" in request.POST
    if form.is_valid():
        _remember_step(state, step, form.cleaned_data)
        _save_wizard(request, state)
    elif not going_back:
        return _render_step(request, step, form, state, status=422)
    if going_back:
        return redirect(reverse("community_new") + f"?step={max(step - 1, 1)}")
    if step < 3:
        return redirect(reverse("community_new") + f"?step={step + 1}")
    return _create(request, state, form)


def _remember_step(state: dict, step: int, data: dict) -> None:
    if step == 1 and state.get("kind") and state["kind"] != data["kind"]:
        # Another kind: its template fills the later steps afresh.
        for key in ("visibility", "join_policy", "domains"):
            state.pop(key, None)
        state["done"] = [s for s in state.get("done", []) if s == 1]
    for key in STEP_FIELDS[step]:
        state[key] = list(data[key]) if key == "domains" else data[key]
    state["done"] = sorted(set(state.get("done", [])) | {step})


def _create(request, state: dict, form):
    if _first_open_step(state) != 3 or not {1, 2}.issubset(state.get("done", [])):
        return redirect(reverse("community_new") + f"?step={_first_open_step(state)}")
    try:
        community = services.create_community(
            actor=request.user, request=request, name=state["name"], slug=state.get("slug", ""),
            kind=state["kind"], purpose=state["purpose"], audience=state["audience"],
            visibility=state["visibility"], join_policy=state["join_policy"],
            domains=state.get("domains", []))
    except CommunityError as error:
        # The short name was taken in the meantime, or a rule refused: back to the step.
        if isinstance(error, Conflict):
            first = StartStepOne(data=_step_initial(state, 1))
            if first.is_valid() or "slug" not in first.errors:
                first.add_error("slug", str(error))
            return _render_step(request, 1, first, state, status=error.status)
        form.add_error(None, str(error))
        return _render_step(request, 3, form, state, status=error.status)
    _save_wizard(request, {})
    messages.success(request, _("%(name)s is started; you are its first steward. Now invite "
                                "the first members.") % {"name": community.name})
    return redirect("community_invite", slug=community.slug)


# --- joining and leaving -------------------------------------------------------------------

def membership_box(request, access) -> dict:
    """The context `web/communities/_membership_box.html` needs (for the channel home)."""
    return {"access": access,
            "pending_request": not access.is_member and has_pending_request(request.user,
                                                                            access.community)}


def _after_membership_change(request, community: Community, *, left: bool = False) -> str:
    default = _channel(community)
    if left and community.visibility == Community.Visibility.HIDDEN:
        default = reverse("communities")
    return _safe_next(request, default)


@_community_page(post_only=True)
def join(request, access):
    community = access.community
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = services.join(actor=request.user, community=community, message=message,
                               request=request)
    except CommunityError as error:
        return _problem(request, error, community=community)
    if isinstance(result, JoinRequest):
        messages.success(request, _("You asked to join %(name)s. A steward will answer; you get "
                                    "a notification.") % {"name": community.name})
    else:
        messages.success(request, _("Welcome to %(name)s.") % {"name": community.name})
    return redirect(_after_membership_change(request, community))


@_community_page(post_only=True)
def leave(request, access):
    community = access.community
    try:
        services.leave(actor=request.user, community=community, request=request)
    except CommunityError as error:
        return _problem(request, error, community=community)
    messages.success(request, _("You have left %(name)s.") % {"name": community.name})
    return redirect(_after_membership_change(request, community, left=True))


@_community_page(post_only=True)
def withdraw(request, access):
    community = access.community
    try:
        services.withdraw_join_request(actor=request.user, community=community, request=request)
    except CommunityError as error:
        return _problem(request, error, community=community)
    messages.success(request, _("Your request to join %(name)s is withdrawn.")
                     % {"name": community.name})
    return redirect(_after_membership_change(request, community))


# --- invitations ---------------------------------------------------------------------------

def invitation(request, token):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        found = services.invitation_by_token(token)
    except CommunityError as error:
        # Used-up and expired invitations are gone for good; unknown ones never were.
        return render(request, "web/communities/invitation.html", {"problem": str(error)},
                      status=410 if error.status == 409 else error.status)
    community = found.community
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.accept_invitation(actor=request.user, token=token, request=request)
        except CommunityError as error:
            return render(request, "web/communities/invitation.html",
                          {"problem": str(error), "community": community},
                          status=error.status)
        messages.success(request, _("Welcome to %(name)s.") % {"name": community.name})
        return redirect("community", slug=community.slug)
    if _is_member(request.user, community):
        return render(request, "web/communities/invitation.html", {
            "problem": _("You are already a member of %(community)s.")
            % {"community": community.name}, "community": community}, status=409)
    inviter = found.invited_by
    inviter_name = ""
    if inviter is not None:
        inviter_name = getattr(getattr(inviter, "person", None), "display_name", "") or inviter.name
    return render(request, "web/communities/invitation.html", {
        "invitation": found, "community": community, "inviter_name": inviter_name,
        "role_label": Role(found.role).label})


def _is_member(viewer, community: Community) -> bool:
    if not viewer.is_authenticated:
        return False
    try:
        return access_to(viewer, community).is_member
    except NotFound:
        return False


# --- managing: settings, logo, domains -----------------------------------------------------

@_community_page(stewards=True)
def manage(request, access):
    community = access.community
    if request.method == "POST":
        form = SettingsForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.update_community(actor=request.user, community=community,
                                          request=request, **form.cleaned_data)
            except CommunityError as error:
                form.add_error("host" if "host name" in str(error) else None, str(error))
                status = error.status
            else:
                messages.success(request, _("The settings are saved."))
                return redirect("community_manage", slug=community.slug)
        return _settings_page(request, access, form=form, status=status)
    return _settings_page(request, access)


def _settings_page(request, access, *, form=None, logo_form=None, status=200):
    return render(request, "web/communities/manage_settings.html", {
        **_manage_context(request, access, "settings"),
        "form": form or SettingsForm.for_community(access.community),
        "logo_form": logo_form or LogoForm(),
    }, status=status)


@_community_page(post_only=True, stewards=True)
def logo(request, access):
    community = access.community
    if request.POST.get("remove"):
        upload = None
    else:
        form = LogoForm(request.POST, request.FILES)
        if not form.is_valid():
            return _settings_page(request, access, logo_form=form, status=422)
        upload = form.cleaned_data["logo"]
    try:
        services.set_logo(actor=request.user, community=community, upload=upload,
                          request=request)
    except CommunityError as error:
        form = LogoForm()
        form.add_error(None, str(error))
        return _settings_page(request, access, logo_form=form, status=error.status)
    messages.success(request, _("The logo is removed.") if upload is None
                     else _("The logo is saved."))
    return redirect("community_manage", slug=community.slug)


def _domains_page(request, access, *, open_form=None, intro_forms=None, error="", status=200):
    domains = list(domains_of(access.community))
    intro_forms = intro_forms or {}
    rows = [{"domain": d, "form": intro_forms.get(d.slug) or DomainIntroForm(
        initial={"intro": d.intro}, prefix=d.slug)} for d in domains]
    return render(request, "web/communities/manage_domains.html", {
        **_manage_context(request, access, "domains"), "rows": rows, "error": error,
        "open_form": open_form or DomainOpenForm(opened=[d.slug for d in domains]),
    }, status=status)


@_community_page(stewards=True)
def domains(request, access):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _domains_page(request, access)


@_community_page(post_only=True, stewards=True)
def domain_open(request, access):
    community = access.community
    opened = [d.slug for d in domains_of(community)]
    form = DomainOpenForm(request.POST, opened=opened)
    status = 422
    if form.is_valid():
        try:
            domain = services.open_domain(actor=request.user, community=community,
                                          kind=form.cleaned_data["kind"],
                                          intro=form.cleaned_data["intro"], request=request)
        except CommunityError as error:
            form.add_error(None, str(error))
            status = error.status
        else:
            messages.success(request, _("The domain %(domain)s is open.")
                             % {"domain": domain.name})
            return redirect("community_domains", slug=community.slug)
    return _domains_page(request, access, open_form=form, status=status)


@_community_page(post_only=True, stewards=True)
def domain_update(request, access, kind):
    community = access.community
    form = DomainIntroForm(request.POST, prefix=kind)
    status = 422
    if form.is_valid():
        try:
            domain = services.update_domain(actor=request.user, community=community, kind=kind,
                                            intro=form.cleaned_data["intro"], request=request)
        except CommunityError as error:
            if isinstance(error, NotFound):
                return _domains_page(request, access, error=str(error), status=error.status)
            form.add_error(None, str(error))
            status = error.status
        else:
            messages.success(request, _("The introduction of %(domain)s is saved.")
                             % {"domain": domain.name})
            return redirect("community_domains", slug=community.slug)
    return _domains_page(request, access, intro_forms={kind: form}, status=status)


@_community_page(post_only=True, stewards=True)
def domain_close(request, access, kind):
    community = access.community
    try:
        services.close_domain(actor=request.user, community=community, kind=kind,
                              request=request)
    except CommunityError as error:
        return _domains_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The domain is closed; what was published there no longer "
                                "shows on this channel."))
    return redirect("community_domains", slug=community.slug)


# --- managing: members, join requests and invitations -------------------------------------

def _members_page(request, access, *, email_form=None, link_form=None, error="", status=200):
    community = access.community
    page = _page_number(request)
    rows, has_next = page_of(roster(access), page, MEMBERS_PER_PAGE)
    waiting = list(waiting_join_requests(access))
    accounts = [m.account_id for m in rows] + [r.account_id for r in waiting]
    # One query: whose profile card may this steward open?
    visible = set(visible_people(request.user).filter(account_id__in=accounts)
                  .values_list("account_id", flat=True)) if accounts else set()
    for row in [*rows, *waiting]:
        row.card_visible = row.account_id in visible
    new_link = request.session.pop(NEW_LINK, None)
    if new_link and new_link.get("community") != community.pk:
        new_link = None
    return render(request, "web/communities/manage_members.html", {
        **_manage_context(request, access, "members"),
        "rows": rows, "has_next": has_next, "page": page, "join_requests": waiting,
        "invitations": list(services.open_invitations(community)),
        "email_form": email_form or InviteEmailForm(),
        "link_form": link_form or InviteLinkForm(), "new_link": new_link,
        "role_choices": RoleForm.base_fields["role"].choices, "error": error,
    }, status=status)


@_community_page(stewards=True)
def members(request, access):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _members_page(request, access)


@_community_page(stewards=True)
def invite_start(request, access):
    """The page a new community lands on: invite the first members, by email or by link."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _invite_page(request, access)


def _invite_page(request, access, *, email_form=None, link_form=None, status=200):
    new_link = request.session.pop(NEW_LINK, None)
    if new_link and new_link.get("community") != access.community.pk:
        new_link = None
    return render(request, "web/communities/invite.html", {
        **_manage_context(request, access, "members"),
        "email_form": email_form or InviteEmailForm(),
        "link_form": link_form or InviteLinkForm(), "new_link": new_link,
    }, status=status)


@_community_page(post_only=True, stewards=True)
def invite(request, access):
    """Invite by email (kind=email) or make an invitation link (kind=link)."""
    community = access.community
    by_link = request.POST.get("kind") == "link"
    back_to_start = request.POST.get("back") == "start"
    form = InviteLinkForm(request.POST) if by_link else InviteEmailForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            found, token = services.invite(
                actor=request.user, community=community, request=request,
                email="" if by_link else data["email"], role=data["role"],
                max_uses=data.get("max_uses"), days=data.get("days", services.INVITATION_DAYS))
        except CommunityError as error:
            form.add_error(None, str(error))
            status = error.status
        else:
            if by_link:
                # The token is not stored: the link is shown this once, on the next page.
                request.session[NEW_LINK] = {
                    "community": community.pk, "role": str(Role(found.role).label),
                    "url": request.build_absolute_uri(
                        reverse("community_invitation", args=[token])),
                    "max_uses": found.max_uses, "expires_at": found.expires_at.isoformat()}
                messages.success(request, _("The invitation link is made."))
            else:
                messages.success(request, _("The invitation is sent to %(email)s.")
                                 % {"email": data["email"]})
            return redirect("community_invite" if back_to_start else "community_members_manage",
                            slug=community.slug)
    forms = {"link_form" if by_link else "email_form": form}
    if back_to_start:
        return _invite_page(request, access, status=status, **forms)
    return _members_page(request, access, status=status, **forms)


@_community_page(post_only=True, stewards=True)
def invitation_revoke(request, access, invitation_id):
    community = access.community
    try:
        services.revoke_invitation(actor=request.user, community=community,
                                   invitation_id=invitation_id, request=request)
    except CommunityError as error:
        return _members_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("community_members_manage", slug=community.slug)


@_community_page(post_only=True, stewards=True)
def member_role(request, access, account_id):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, access, error=_("Choose member or steward."), status=422)
    try:
        services.change_role(actor=request.user, community=access.community,
                             account_id=account_id, role=form.cleaned_data["role"],
                             request=request)
    except CommunityError as error:
        return _members_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The role is changed."))
    return redirect("community_members_manage", slug=access.community.slug)


@_community_page(post_only=True, stewards=True)
def member_remove(request, access, account_id):
    community = access.community
    if account_id == request.user.pk:
        return _members_page(request, access, status=409, error=_(
            "To leave the community yourself, use Leave on the channel's page."))
    try:
        services.remove_member(actor=request.user, community=community, account_id=account_id,
                               request=request)
    except CommunityError as error:
        return _members_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The member is removed."))
    return redirect("community_members_manage", slug=community.slug)


@_community_page(post_only=True, stewards=True)
def join_request_decide(request, access, request_id):
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return _members_page(request, access, error=_("Approve or decline the request."),
                             status=422)
    try:
        services.decide_join_request(actor=request.user, community=access.community,
                                     request_id=request_id, approve=decision == "approve",
                                     request=request)
    except CommunityError as error:
        return _members_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The request is approved; they are a member now.")
                     if decision == "approve" else _("The request is declined."))
    return redirect("community_members_manage", slug=access.community.slug)


# --- managing: alliances -------------------------------------------------------------------

def _alliances_page(request, access, *, form=None, error="", status=200):
    community = access.community
    received, sent, active, past = [], [], [], []
    for alliance in services.alliances_of(community)[:200]:
        alliance.partner_here = alliance.other(community)
        if alliance.status == Alliance.Status.ACTIVE:
            active.append(alliance)
        elif alliance.status == Alliance.Status.PROPOSED:
            (received if alliance.partner_id == community.pk else sent).append(alliance)
        else:
            past.append(alliance)
    return render(request, "web/communities/manage_alliances.html", {
        **_manage_context(request, access, "alliances"), "received": received, "sent": sent,
        "active": active, "past": past[:20], "form": form or AllianceForm(), "error": error,
    }, status=status)


@_community_page(stewards=True)
def alliances(request, access):
    if request.method == "POST":
        form = AllianceForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                alliance = services.propose_alliance(
                    actor=request.user, community=access.community,
                    partner_slug=form.cleaned_data["partner"],
                    message=form.cleaned_data["message"], request=request)
            except CommunityError as error:
                form.add_error("partner" if isinstance(error, NotFound) else None, str(error))
                status = error.status
            else:
                messages.success(request, _("The alliance is proposed to %(name)s; its stewards "
                                            "answer.") % {"name": alliance.partner.name})
                return redirect("community_alliances", slug=access.community.slug)
        return _alliances_page(request, access, form=form, status=status)
    return _alliances_page(request, access)


@_community_page(post_only=True, stewards=True)
def alliance_respond(request, access, alliance_id):
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        return _alliances_page(request, access, error=_("Accept or decline the proposal."),
                               status=422)
    try:
        services.respond_to_alliance(actor=request.user, community=access.community,
                                     alliance_id=alliance_id, accept=decision == "accept",
                                     request=request)
    except CommunityError as error:
        return _alliances_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The alliance is active.") if decision == "accept"
                     else _("The proposal is declined."))
    return redirect("community_alliances", slug=access.community.slug)


@_community_page(post_only=True, stewards=True)
def alliance_end(request, access, alliance_id):
    try:
        alliance = services.end_alliance(actor=request.user, community=access.community,
                                         alliance_id=alliance_id, request=request)
    except CommunityError as error:
        return _alliances_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The alliance has ended.") if alliance.decided_at
                     else _("The proposal is withdrawn."))
    return redirect("community_alliances", slug=access.community.slug)


# --- the community's supervisor (platform supervisors only) --------------------------------

def _platform_supervisors_only(request, access):
    if not services.is_platform_supervisor(request.user):
        return _problem(request, NotAllowed(_(
            "Only the platform's administrators and supervisors appoint supervisors.")),
            community=access.community)
    return None


def _supervisors_page(request, access, *, form=None, error="", status=200):
    current = list(supervisors_of(access.community))
    return render(request, "web/communities/manage_supervisors.html", {
        **_manage_context(request, access, "supervisors"), "supervisors": current,
        "form": form or SupervisorForm(), "error": error,
    }, status=status)


@_community_page(oversight=True)
def supervisors(request, access):
    refused = _platform_supervisors_only(request, access)
    if refused:
        return refused
    if request.method == "POST":
        form = SupervisorForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.appoint_supervisor(actor=request.user, community=access.community,
                                            account=form.account, request=request)
            except CommunityError as error:
                form.add_error("email", str(error))
                status = error.status
            else:
                messages.success(request, _("%(email)s is now the supervisor of %(name)s.")
                                 % {"email": form.cleaned_data["email"],
                                    "name": access.community.name})
                return redirect("community_supervisors", slug=access.community.slug)
        return _supervisors_page(request, access, form=form, status=status)
    return _supervisors_page(request, access)


@_community_page(post_only=True, oversight=True)
def supervisor_dismiss(request, access, account_id):
    refused = _platform_supervisors_only(request, access)
    if refused:
        return refused
    try:
        services.dismiss_supervisor(actor=request.user, community=access.community,
                                    account_id=account_id, request=request)
    except CommunityError as error:
        return _supervisors_page(request, access, error=str(error), status=error.status)
    messages.success(request, _("The supervisor is dismissed; they stay a member."))
    return redirect("community_supervisors", slug=access.community.slug)


# --- my communities and consent --------------------------------------------------------------

def my_communities(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "web/communities/settings_communities.html", {
        "memberships": list(memberships_of(request.user)),
        "join_requests": list(pending_requests_of(request.user)),
        "settings_page": True,
    })


@_community_page(post_only=True)
def consent(request, access):
    form = ConsentForm(request.POST)
    form.is_valid()
    share = bool(form.cleaned_data.get("share_profile"))
    try:
        membership = services.set_consent(actor=request.user, community=access.community,
                                          share_profile=share, request=request)
    except CommunityError as error:
        return _problem(request, error, community=access.community)
    if request.htmx:
        membership.community = access.community
        return render(request, "web/communities/_consent.html", {"m": membership,
                                                                 "saved": True})
    messages.success(request, _("Your choice for %(name)s is saved.")
                     % {"name": access.community.name})
    return redirect("settings_communities")
