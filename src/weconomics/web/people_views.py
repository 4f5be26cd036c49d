"""Pages for people: the directory, profiles, the profile editor and your network.

Every read of a person goes through `weconomics.contacts.access` (directly or through
`contacts.queries`); every write calls a `contacts.services` function, whose refusals
(ContactError) are shown to people as form errors or messages, never as a server error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weconomics.bookings.queries import visible_portfolio
from weconomics.contacts import access, queries, services
from weconomics.contacts.errors import Conflict, ContactError, Invalid, NotFound
from weconomics.contacts.models import SECTIONS, NetworkRole, Person
from weconomics.contacts.services import SELF_CHOSEN
from weconomics.contacts.text import render_markdown
from weconomics.web.forms_people import (
    AskRecommendationForm,
    ConnectForm,
    DirectorySearchForm,
    EducationForm,
    ExperienceForm,
    PhotoForm,
    ProfileForm,
    ReportForm,
    WriteRecommendationForm,
    language_name,
)

SECOND_DEGREE_SHOWN = 20
SECTION_NAMES = {
    "profile": gettext_lazy("Card (name, headline, being found)"),
    "photo": gettext_lazy("Photo"), "about": gettext_lazy("About"),
    "skills": gettext_lazy("Skills"), "experience": gettext_lazy("Experience"),
    "education": gettext_lazy("Education"), "languages": gettext_lazy("Languages"),
    "region": gettext_lazy("Region"), "availability": gettext_lazy("Availability"),
    "links": gettext_lazy("Links"), "recommendations": gettext_lazy("Recommendations"),
}


# --- helpers ----------------------------------------------------------------------------

def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _page_links(request, page: int, has_next: bool) -> dict:
    """Links to the previous and next page, keeping the other query parameters."""
    def link(number):
        query = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"
    return {"number": page, "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if has_next else None}


def _fragment_for(request, target_id: str) -> bool:
    """True when htmx asks for just one part of the page (not a history restore)."""
    return (request.htmx and request.headers.get("HX-Target") == target_id
            and request.headers.get("HX-History-Restore-Request") != "true")


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _after(request, default: str, *, fragment: str | None = None, context=None):
    """Answer a successful button action: a fragment for htmx, else back where it came from."""
    if request.htmx and fragment:
        return render(request, fragment, context or {})
    return redirect(_next_url(request, default))


def _refused(request, error: ContactError, default: str):
    """Answer a refused button action with the reason, on the page it came from."""
    messages.error(request, str(error))
    if request.htmx:
        # htmx does not swap error answers; reload the page, which shows the message.
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return redirect(_next_url(request, default))


def _access_or_404(request, handle: str) -> access.ProfileAccess:
    try:
        return access.profile_for(request.user, handle)
    except NotFound as error:
        raise Http404(str(error)) from None


def _person_url(handle: str) -> str:
    return reverse("person", args=[handle])


# --- the directory ----------------------------------------------------------------------

def directory(request):
    form = DirectorySearchForm(request.GET or None, viewer=request.user)
    criteria = form.criteria()
    page = _page_number(request)
    people = queries.search_people(request.user, **(criteria or {}))
    if criteria is None:
        people = people.none()
    rows, has_next = queries.page_of(queries.with_cards(people), page)
    context = {
        "form": form, "cards": access.accesses(request.user, rows), "searched": criteria != {},
        "pages": _page_links(request, page, has_next), "nav_section": "people",
    }
    if _fragment_for(request, "directory-results"):
        response = render(request, "web/people/_results.html", context)
        # The address bar shows only the criteria in use, not every empty field.
        used = urlencode([(k, v) for k, v in request.GET.items() if v.strip()])
        response["HX-Push-Url"] = reverse("people") + (f"?{used}" if used else "")
        return response
    return render(request, "web/people/directory.html", context)


# --- a profile --------------------------------------------------------------------------

def person(request, handle):
    seen = _access_or_404(request, handle)
    return render(request, "web/people/person.html", _profile_context(request, seen))


def _profile_context(request, seen: access.ProfileAccess, **extra) -> dict:
    person = seen.person
    see = seen.visible
    viewer = request.user
    context = {
        "seen": seen, "person": person, "see": see, "nav_section": "people",
        "roles": list(person.roles.all()),
        "skills": queries.skills_with_endorsements(person, viewer) if see["skills"] else [],
        "experiences": list(person.experiences.all()) if see["experience"] else [],
        "educations": list(person.educations.all()) if see["education"] else [],
        # Completed courses and assessments: bookings decides who sees them (and hiding).
        "portfolio": visible_portfolio(viewer, person)
        if see["education"] or seen.is_self else [],
        "languages": [{"name": language_name(item.get("code", "")),
                       "level": Person.LanguageLevel(item["level"]).label
                       if item.get("level") in Person.LanguageLevel.values else ""}
                      for item in person.languages] if see["languages"] else [],
        "recommendations": _with_html(queries.approved_recommendations(person))
        if see["recommendations"] else [],
        "about_html": render_markdown(person.about) if see["about"] and person.about else "",
        "connect_form": ConnectForm(), "report_form": ReportForm(),
        "ask_form": AskRecommendationForm(), "write_form": WriteRecommendationForm(),
    }
    if seen.is_self:
        context["visibility"] = [
            (SECTION_NAMES[section], getattr(person, f"get_{section}_visibility_display")())
            for section in SECTIONS]
    elif viewer.is_authenticated:
        context["relation"] = _relation(viewer, seen)
    context.update(extra)
    return context


def _with_html(recommendations) -> list:
    rows = list(recommendations)
    for row in rows:
        row.body_html = render_markdown(row.body)
    return rows


def _relation(viewer, seen: access.ProfileAccess) -> dict:
    """Where the viewer stands with the person, to offer the right actions."""
    person = seen.person
    i_blocked = queries.blocked_people(viewer).filter(pk=person.pk).exists()
    blocked = i_blocked or seen.blocked_by_them
    sent = None if blocked else queries.requests_sent(viewer).filter(recipient=person).first()
    received = None if blocked else queries.requests_received(viewer).filter(
        sender=person).first()
    connected = seen.is_connection and not blocked
    return {
        "i_blocked": i_blocked, "blocked_by_them": seen.blocked_by_them,
        "connected": connected, "sent": sent, "received": received,
        "can_connect": not (blocked or connected or sent or received),
        "can_message": connected and access.can_message(viewer, person.account),
    }


def _profile_refused(request, handle, error: ContactError, **forms):
    """Show the profile again with the reason an action was refused, keeping what was typed."""
    seen = _access_or_404(request, handle)
    context = _profile_context(request, seen, action_error=str(error), **forms)
    return render(request, "web/people/person.html", context, status=error.status)


def person_photo(request, handle):
    seen = _access_or_404(request, handle)
    person = seen.person
    if not person.photo or not seen.can_see("photo"):
        raise Http404
    try:
        photo = person.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(photo, content_type="image/jpeg")
    # Private: who may see a photo depends on who asks, so no shared cache may keep it.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# --- actions on a profile ---------------------------------------------------------------

@login_required
@require_POST
def connect(request, handle):
    form = ConnectForm(request.POST)
    if not form.is_valid():
        return _profile_refused(request, handle, _invalid(form), connect_form=form)
    try:
        services.request_connection(actor=request.user, handle=handle,
                                    note=form.cleaned_data["note"], request=request)
    except ContactError as error:
        if request.POST.get("next"):
            return _refused(request, error, _person_url(handle))
        return _profile_refused(request, handle, error, connect_form=form)
    if request.htmx:
        return render(request, "web/people/_done.html",
                      {"text": _("Request sent."), "tag": "li"})
    messages.success(request, _("Your request to connect is sent."))
    return redirect(_next_url(request, _person_url(handle)))


def _invalid(form) -> ContactError:
    """The first error of a form, as the domain error the page shows."""
    first = next(iter(form.errors.values()))[0]
    return Invalid(first)


@login_required
@require_POST
def respond(request, request_id, answer):
    try:
        found = services.respond_to_request(actor=request.user, request_id=request_id,
                                            answer=answer, request=request)
    except ContactError as error:
        return _refused(request, error, reverse("network"))
    name = found.sender.display_name
    text = {"accept": _("You are now connected with %(name)s."),
            "decline": _("You declined the request of %(name)s."),
            "ignore": _("You ignored the request of %(name)s.")}[answer] % {"name": name}
    if not request.htmx:
        messages.success(request, text)
    return _after(request, reverse("network"), fragment="web/people/_done.html",
                  context={"text": text, "tag": "li"})


@login_required
@require_POST
def withdraw_request(request, request_id):
    try:
        services.withdraw_request(actor=request.user, request_id=request_id, request=request)
    except ContactError as error:
        return _refused(request, error, reverse("network"))
    text = _("Your request is withdrawn.")
    if not request.htmx:
        messages.success(request, text)
    return _after(request, reverse("network"), fragment="web/people/_done.html",
                  context={"text": text, "tag": "li"})


@login_required
@require_POST
def disconnect(request, handle):
    return _row_action(request, handle, services.remove_connection,
                       _("The connection is removed."))


def _row_action(request, handle, service, text):
    """Run a service on a person; htmx swaps the row for the outcome, others are redirected."""
    try:
        service(actor=request.user, handle=handle, request=request)
    except ContactError as error:
        return _refused(request, error, _person_url(handle))
    if not request.htmx:
        messages.success(request, text)
    return _after(request, _person_url(handle), fragment="web/people/_done.html",
                  context={"text": text, "tag": "li"})


@login_required
@require_POST
def block(request, handle):
    try:
        services.block(actor=request.user, handle=handle, request=request)
    except ContactError as error:
        return _refused(request, error, _person_url(handle))
    messages.success(request, _("You blocked this person. They can no longer see more than "
                                "your public profile, nor connect, message or endorse you."))
    return redirect(_next_url(request, _person_url(handle)))


@login_required
@require_POST
def unblock(request, handle):
    return _row_action(request, handle, services.unblock, _("You unblocked this person."))


@login_required
@require_POST
def report(request, handle):
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _profile_refused(request, handle, _invalid(form), report_form=form)
    try:
        services.report(actor=request.user, handle=handle, request=request,
                        reason=form.cleaned_data["reason"],
                        details=form.cleaned_data["details"])
    except ContactError as error:
        return _profile_refused(request, handle, error, report_form=form)
    messages.success(request, _("Thank you. The moderators will look at your report."))
    return redirect(_person_url(handle))


@login_required
@require_POST
def endorse(request, handle, skill_id, withdraw=False):
    try:
        if withdraw:
            services.withdraw_endorsement(actor=request.user, handle=handle, skill_id=skill_id,
                                          request=request)
        else:
            services.endorse(actor=request.user, handle=handle, skill_id=skill_id,
                             request=request)
    except ContactError as error:
        return _refused(request, error, _person_url(handle))
    if request.htmx:
        seen = _access_or_404(request, handle)
        skill = next((s for s in queries.skills_with_endorsements(seen.person, request.user)
                      if s.pk == skill_id), None)
        if skill is not None:
            return render(request, "web/people/_skill.html", {
                "skill": skill, "person": seen.person,
                "relation": _relation(request.user, seen)})
    return redirect(_person_url(handle) + "#skills")


@login_required
@require_POST
def ask_recommendation(request, handle):
    form = AskRecommendationForm(request.POST)
    if not form.is_valid():
        return _profile_refused(request, handle, _invalid(form), ask_form=form)
    try:
        services.ask_recommendation(actor=request.user, handle=handle,
                                    note=form.cleaned_data["note"], request=request)
    except ContactError as error:
        return _profile_refused(request, handle, error, ask_form=form)
    messages.success(request, _("Your request for a recommendation is sent."))
    return redirect(_person_url(handle))


@login_required
@require_POST
def write_recommendation(request, handle):
    form = WriteRecommendationForm(request.POST)
    if not form.is_valid():
        return _profile_refused(request, handle, _invalid(form), write_form=form)
    try:
        services.write_recommendation(actor=request.user, handle=handle,
                                      body=form.cleaned_data["body"], request=request)
    except ContactError as error:
        return _profile_refused(request, handle, error, write_form=form)
    messages.success(request, _("Your recommendation is sent. It shows once they approve it."))
    return redirect(_person_url(handle))


# --- the profile editor -----------------------------------------------------------------

def _me(request) -> Person:
    person = services.ensure_person(request.user)
    # Fresh from the database, with what the editor shows, in a fixed number of queries.
    return (Person.objects.prefetch_related("person_skills__skill", "roles", "experiences",
                                            "educations").get(pk=person.pk))


def _edit_page(request, me: Person, *, status=200, **forms):
    experiences = [(entry, forms.pop(f"experience_{entry.pk}", None) or ExperienceForm(
        prefix=f"experience-{entry.pk}", initial=_entry_initial(entry)),
        f"experience_{entry.pk}") for entry in me.experiences.all()]
    educations = [(entry, forms.pop(f"education_{entry.pk}", None) or EducationForm(
        prefix=f"education-{entry.pk}", initial=_entry_initial(entry)),
        f"education_{entry.pk}") for entry in me.educations.all()]
    context = {
        "me": me, "nav_section": "people",
        "profile_form": forms.pop("profile_form", None) or ProfileForm(person=me),
        "photo_form": forms.pop("photo_form", None) or PhotoForm(),
        "experiences": experiences, "educations": educations,
        "new_experience": forms.pop("experience_new", None) or ExperienceForm(
            prefix="experience-new"),
        "new_education": forms.pop("education_new", None) or EducationForm(
            prefix="education-new"),
        "supervisor": any(r.role == NetworkRole.Role.SUPERVISOR for r in me.roles.all()),
        "open_form": forms.pop("open_form", ""),
    }
    return render(request, "web/people/profile_edit.html", context, status=status)


def _entry_initial(entry) -> dict:
    fields = ("title", "organisation_name", "institution", "qualification", "started_on",
              "ended_on", "description")
    return {name: getattr(entry, name) for name in fields if hasattr(entry, name)}


@login_required
def profile_edit(request):
    me = _me(request)
    if request.method != "POST":
        return _edit_page(request, me)
    form = ProfileForm(request.POST, person=me)
    if not form.is_valid():
        return _edit_page(request, me, status=422, profile_form=form)
    try:
        # One transaction: a refused role or skill leaves the profile unchanged too.
        with transaction.atomic():
            services.update_profile(actor=request.user, request=request,
                                    **form.profile_changes())
            _save_skills(request, me, form.cleaned_data["skills"])
            _save_roles(request, me, form.cleaned_data["roles"], form.cleaned_data["specialty"])
    except ContactError as error:
        if isinstance(error, Conflict):
            form.add_error("handle", str(error))
        else:
            form.add_error(None, str(error))
        return _edit_page(request, _me(request), status=422, profile_form=form)
    messages.success(request, _("Your profile is saved."))
    return redirect("profile_edit")


def _save_skills(request, me: Person, names: list[str]) -> None:
    current = [ps.skill.name for ps in me.person_skills.all()]
    if names != current:
        services.set_skills(actor=request.user, names=names, request=request)


def _save_roles(request, me: Person, wanted: list[str], specialty: str) -> None:
    held = {r.role: r for r in me.roles.all() if r.role in SELF_CHOSEN}
    for role in wanted:
        if role not in held or held[role].specialty != (
                specialty if role == NetworkRole.Role.NETWORK_SUPPLIER else ""):
            services.add_role(actor=request.user, role=role, specialty=specialty,
                              request=request)
    for role in set(held) - set(wanted):
        services.remove_role(actor=request.user, role=role, request=request)


@login_required
@require_POST
def photo(request):
    me = _me(request)
    if request.POST.get("remove"):
        services.remove_photo(actor=request.user, request=request)
        messages.success(request, _("Your photo is removed."))
        return redirect("profile_edit")
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_photo(actor=request.user, upload=form.cleaned_data["photo"],
                               request=request)
        except ContactError as error:
            form.add_error("photo", str(error))
    if form.errors:
        return _edit_page(request, me, status=422, photo_form=form, open_form="photo")
    messages.success(request, _("Your photo is saved."))
    return redirect("profile_edit")


ENTRY_FORMS = {"experience": (ExperienceForm, services.save_experience),
               "education": (EducationForm, services.save_education)}


@login_required
@require_POST
def save_entry(request, kind, entry_id=None):
    form_class, save = ENTRY_FORMS[kind]
    key = f"{kind}_{entry_id or 'new'}"
    form = form_class(request.POST, prefix=f"{kind}-{entry_id or 'new'}")
    if form.is_valid():
        try:
            save(actor=request.user, entry_id=entry_id, request=request, **form.cleaned_data)
        except ContactError as error:
            if isinstance(error, NotFound):
                raise Http404(str(error)) from None
            form.add_error(None, str(error))
    if form.errors:
        return _edit_page(request, _me(request), status=422, open_form=key, **{key: form})
    messages.success(request, _("Saved."))
    return redirect(reverse("profile_edit") + f"#{kind}")


@login_required
@require_POST
def remove_entry(request, kind, entry_id):
    try:
        services.remove_entry(actor=request.user, kind=kind, entry_id=entry_id, request=request)
    except ContactError as error:
        return _refused(request, error, reverse("profile_edit"))
    messages.success(request, _("Removed."))
    return redirect(reverse("profile_edit") + f"#{kind}")


# --- your network -----------------------------------------------------------------------

@login_required
def network(request):
    viewer = request.user
    services.ensure_person(viewer)
    page = _page_number(request)
    # The rows show name, headline and photo only: no skills or roles to load.
    connections, has_next = queries.page_of(queries.connections_of(viewer), page)
    second = list(queries.second_degree_of(viewer)[:SECOND_DEGREE_SHOWN])
    return render(request, "web/people/network.html", {
        "received": list(queries.requests_received(viewer)),
        "sent": list(queries.requests_sent(viewer)),
        "connections": access.accesses(viewer, connections),
        "pages": _page_links(request, page, has_next),
        "second_degree": access.accesses(viewer, second),
        "suggestions": access.accesses(viewer, queries.people_you_may_know(viewer)),
        "blocked": list(queries.blocked_people(viewer)),
        "organisations": list(queries.organisation_memberships_of(viewer)),
        "answers": [("accept", _("Accept")), ("decline", _("Decline")), ("ignore", _("Ignore"))],
        "nav_section": "network",
    })


@login_required
def recommendations(request):
    viewer = request.user
    services.ensure_person(viewer)
    forms = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            rec_id = int(request.POST.get("recommendation", ""))
        except ValueError:
            rec_id = 0
        try:
            if action == "write":
                found = queries.recommendations_to_handle(viewer)["to_write"].filter(
                    pk=rec_id).first()
                if found is None:
                    raise NotFound(_("That request is no longer open."))
                form = WriteRecommendationForm(request.POST, prefix=f"write-{rec_id}")
                forms[rec_id] = form
                if not form.is_valid():
                    raise _invalid(form)
                services.write_recommendation(actor=viewer, handle=found.subject.handle,
                                              body=form.cleaned_data["body"], request=request)
                text = _("Your recommendation is sent. It shows once they approve it.")
            elif action in ("approve", "decline"):
                services.decide_recommendation(actor=viewer, recommendation_id=rec_id,
                                               approve=action == "approve", request=request)
                text = (_("The recommendation now shows on your profile.")
                        if action == "approve" else _("The recommendation will not show."))
            elif action == "withdraw":
                services.withdraw_recommendation(actor=viewer, recommendation_id=rec_id,
                                                 request=request)
                text = _("Done: it is withdrawn.")
            else:
                raise NotFound(_("Unknown action."))
        except ContactError as error:
            if rec_id not in forms:
                messages.error(request, str(error))
                return redirect("recommendations")
            if not forms[rec_id].errors:
                forms[rec_id].add_error(None, str(error))
            status = 422
        else:
            messages.success(request, text)
            return redirect("recommendations")
    waiting = queries.recommendations_to_handle(viewer)
    to_write = [(rec, forms.get(rec.pk) or WriteRecommendationForm(prefix=f"write-{rec.pk}"))
                for rec in waiting["to_write"]]
    return render(request, "web/people/recommendations.html", {
        "to_write": to_write, "to_approve": _with_html(waiting["to_approve"]),
        "written": _with_html(queries.recommendations_written_by(viewer)),
        "nav_section": "network",
    }, status=status)
