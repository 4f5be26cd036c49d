"""The people API: the directory, profiles, your own profile, the network, blocks and reports.

Everything a caller reads of another person goes through `contacts.access`: a profile
section the caller may not see is `null` in the answer (never an empty list, never the
real value), and `visible` names the sections they may see. Every write calls a service
of `contacts.services`; its refusals become problem documents with their status and code.
"""

import datetime as dt
from typing import Annotated, Literal

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import StrictInt, field_validator, model_validator

from weconomics.api.api import ERRORS, ProblemOut, required_line
from weconomics.api.choices import values_of
from weconomics.contacts import access, queries, services
from weconomics.contacts.errors import NotFound
from weconomics.contacts.models import (
    SECTIONS,
    Education,
    Experience,
    NetworkRole,
    Person,
    Report,
    Visibility,
)
from weconomics.contacts.text import render_markdown
from weconomics.identity.models import clean_display_text

router = Router(tags=["people"])

# Writes may also be refused as a conflict (already connected, already endorsed, ...).
WRITE_ERRORS = {**ERRORS, 409: ProblemOut}

Section = Literal[SECTIONS]  # type: ignore[valid-type]
VisibilityName = Literal[tuple(Visibility.values)]  # type: ignore[valid-type]
NetworkRoleName = values_of(NetworkRole.Role)
Specialty = values_of(NetworkRole.Specialty)
LanguageLevel = values_of(Person.LanguageLevel)
ReportReason = values_of(Report.Reason)
RELATIONS = {access.SELF: "self", access.CONNECTION: "connection",
             access.COMMUNITY: "community", access.STRANGER: "stranger"}
PAGE_QUERY = Query(1, ge=1, le=10_000, description="Page number, from 1.")
# Search words: one line, no control characters (PostgreSQL refuses NUL in a string).
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
HANDLE = r"^[-a-zA-Z0-9_]+$"
# Ids in paths stay within what the databases store: larger ones are refused, not a 500.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


def search_text(max_length: int, description: str | None = None):
    return Query("", max_length=max_length, pattern=ONE_LINE, description=description)


def optional_line(value: str | None) -> str | None:
    """Validate a one-line text field that may be empty: stripped, no control characters."""
    return None if value is None else clean_display_text(value)


def no_nul(value: str | None) -> str | None:
    """Validate a multi-line text (Markdown): anything but NUL characters."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# --- output schemas ---------------------------------------------------------------------

class RoleOut(Schema):
    role: NetworkRoleName
    specialty: str


class PersonRefOut(Schema):
    handle: str
    display_name: str
    headline: str


class PersonCardOut(Schema):
    """A person in a list. Sections the caller may not see are null."""

    handle: str
    display_name: str
    headline: str
    roles: list[RoleOut]
    region: str | None = Field(..., description="Null when the region is not visible to you.")
    skills: list[str] | None = Field(..., description="Null when the skills are not visible.")
    photo_url: str | None = Field(
        ..., description="Null when there is no photo or it is not visible to you.")


class SecondDegreeOut(PersonCardOut):
    mutual_connections: int


class PeoplePage(Schema):
    items: list[PersonCardOut]
    page: int
    has_next: bool


class SecondDegreePage(Schema):
    items: list[SecondDegreeOut]
    page: int
    has_next: bool


class SkillOut(Schema):
    id: int = Field(..., description="The id to endorse this skill with.")
    name: str
    endorsement_count: int
    endorsed_by_me: bool


class ExperienceOut(Schema):
    id: int
    title: str
    organisation_name: str
    started_on: dt.date
    ended_on: dt.date | None
    description: str
    description_html: str


class EducationOut(Schema):
    id: int
    institution: str
    qualification: str
    started_on: dt.date | None
    ended_on: dt.date | None
    description: str
    description_html: str


class LanguageOut(Schema):
    code: str
    level: LanguageLevel


class LinkOut(Schema):
    label: str
    url: str


class AvailabilityOut(Schema):
    hours_per_month: int | None
    available_from: dt.date | None


class RecommendationOnProfileOut(Schema):
    id: int
    author: PersonRefOut | None = Field(
        ..., description="Null when the author's profile is not visible to you.")
    author_name: str
    body: str
    body_html: str
    written_at: dt.datetime | None


class ProfileOut(Schema):
    """A person profile as the caller may see it: hidden sections are null."""

    handle: str
    display_name: str
    headline: str
    relation: Literal["self", "connection", "community", "stranger"]
    visible: dict[Section, bool] = Field(..., description="Which sections you may see.")
    roles: list[RoleOut]
    photo_url: str | None
    about: str | None = Field(..., description="Markdown source.")
    about_html: str | None = Field(..., description="The about text rendered to safe HTML.")
    skills: list[SkillOut] | None
    experience: list[ExperienceOut] | None
    education: list[EducationOut] | None
    languages: list[LanguageOut] | None
    region: str | None
    availability: AvailabilityOut | None
    links: list[LinkOut] | None
    recommendations: list[RecommendationOnProfileOut] | None


class MyProfileOut(ProfileOut):
    visibility: dict[Section, VisibilityName] = Field(
        ..., description="Who may see each section of your profile.")


class ConnectionRequestOut(Schema):
    id: int
    direction: Literal["received", "sent"]
    person: PersonRefOut = Field(..., description="The other side of the request.")
    note: str
    status: str
    created_at: dt.datetime


class ConnectionRequestsOut(Schema):
    received: list[ConnectionRequestOut]
    sent: list[ConnectionRequestOut]


class RecommendationOut(Schema):
    id: int
    author: PersonRefOut
    subject: PersonRefOut
    status: str
    request_note: str
    body: str
    body_html: str
    created_at: dt.datetime
    written_at: dt.datetime | None


class RecommendationsOut(Schema):
    to_write: list[RecommendationOut] = Field(..., description="Requests waiting for you.")
    to_approve: list[RecommendationOut] = Field(
        ..., description="Recommendations about you waiting for your approval.")


class BlockedOut(Schema):
    handle: str
    display_name: str


class ReportOut(Schema):
    id: int
    reason: str
    status: str
    created_at: dt.datetime


# --- input schemas ----------------------------------------------------------------------

class LanguageIn(Schema):
    code: str = Field(..., pattern=r"^[a-z]{2,3}$", description="ISO 639 code such as nl.")
    level: LanguageLevel


class LinkIn(Schema):
    label: str = Field("", max_length=60)
    url: str = Field(..., max_length=300, description="An https:// or http:// address.")

    @field_validator("label")
    @classmethod
    def _label(cls, value):
        return optional_line(value)


class AvailabilityIn(Schema):
    hours_per_month: StrictInt | None = Field(None, ge=0, le=744)
    available_from: dt.date | None = None


class ProfilePatch(Schema):
    """Only the fields you send change; send null to clear an optional value."""

    display_name: str = Field(None, max_length=150)
    handle: str = Field(None, min_length=3, max_length=80,
                        description="Your profile address (letters, digits, hyphens).")
    headline: str = Field(None, max_length=160)
    about: str = Field(None, max_length=5000, description="Markdown.")
    region: str = Field(None, max_length=100)
    languages: list[LanguageIn] = Field(None, max_length=services.MAX_LANGUAGES)
    links: list[LinkIn] = Field(None, max_length=services.MAX_LINKS)
    availability: AvailabilityIn = None
    visibility: dict[Section, VisibilityName] = Field(
        None, description="Who may see each section: public, communities, connections, "
                          "private. Sections you leave out keep their visibility.")

    @field_validator("display_name", "handle")
    @classmethod
    def _required(cls, value):
        return required_line(value)

    @field_validator("headline", "region")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("about")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class SkillsIn(Schema):
    skills: list[str] = Field(..., max_length=services.MAX_SKILLS,
                              description="All your skills, in order; replaces the list.")

    @field_validator("skills")
    @classmethod
    def _names(cls, value):
        for name in value:
            if len(name) > 60:
                raise ValueError("a skill name can have at most 60 characters")
        return [clean_display_text(name) for name in value]


class ExperienceIn(Schema):
    title: str = Field(..., max_length=120)
    organisation_name: str = Field("", max_length=150)
    started_on: dt.date
    ended_on: dt.date | None = None
    description: str = Field("", max_length=2000, description="Markdown.")

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("organisation_name")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("description")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class ExperiencePatch(ExperienceIn):
    title: str = Field(None, max_length=120)
    started_on: dt.date = None


class EducationIn(Schema):
    institution: str = Field(..., max_length=150)
    qualification: str = Field("", max_length=150)
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    description: str = Field("", max_length=2000, description="Markdown.")

    @field_validator("institution")
    @classmethod
    def _institution(cls, value):
        return required_line(value)

    @field_validator("qualification")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("description")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class EducationPatch(EducationIn):
    institution: str = Field(None, max_length=150)


class RoleIn(Schema):
    specialty: Specialty = Field(
        NetworkRole.Specialty.NONE, description="Only for network suppliers.")


class NoteIn(Schema):
    note: str = Field("", max_length=300)

    @field_validator("note")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class ConnectionRequestIn(NoteIn):
    handle: str = Field(..., max_length=80, pattern=HANDLE)


class RecommendationIn(Schema):
    body: str = Field(..., max_length=3000, description="Markdown.")

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class ReportIn(Schema):
    """Report either a person (handle) or an organisation (its short name)."""

    handle: str = Field("", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$")
    organisation: str = Field("", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$")
    reason: ReportReason
    details: str = Field("", max_length=2000)

    @field_validator("details")
    @classmethod
    def _text(cls, value):
        return no_nul(value)

    @model_validator(mode="after")
    def _one_subject(self):
        if bool(self.handle) == bool(self.organisation):
            raise ValueError("give either a handle or an organisation")
        return self


# --- building answers -------------------------------------------------------------------

def _photo_url(person: Person) -> str | None:
    if not person.photo:
        return None
    return reverse("api-v1:person_photo", kwargs={"handle": person.handle})


def _roles(roles) -> list[dict]:
    return [{"role": r.role, "specialty": r.specialty} for r in roles]


def _ref(person: Person) -> dict:
    return {"handle": person.handle, "display_name": person.display_name,
            "headline": person.headline}


def card(seen: access.ProfileAccess) -> dict:
    """A person card for lists; the person must come from `queries.with_cards`."""
    person, show = seen.person, seen.can_see
    return {
        "handle": person.handle,
        "display_name": person.display_name,
        "headline": person.headline,
        "roles": _roles(person.roles.all()),
        "region": person.region if show("region") else None,
        "skills": [ps.skill.name for ps in person.person_skills.all()] if show("skills")
        else None,
        "photo_url": _photo_url(person) if show("photo") else None,
    }


def _cards(viewer, people) -> list[dict]:
    return [card(seen) for seen in access.accesses(viewer, people)]


def _experience(entry: Experience) -> dict:
    return {"id": entry.pk, "title": entry.title, "organisation_name": entry.organisation_name,
            "started_on": entry.started_on, "ended_on": entry.ended_on,
            "description": entry.description,
            "description_html": render_markdown(entry.description)}


def _education(entry: Education) -> dict:
    return {"id": entry.pk, "institution": entry.institution,
            "qualification": entry.qualification, "started_on": entry.started_on,
            "ended_on": entry.ended_on, "description": entry.description,
            "description_html": render_markdown(entry.description)}


def _recommendations_on(person: Person, viewer) -> list[dict]:
    shown = list(queries.approved_recommendations(person))
    # An author's name shows with what they wrote; their profile link only when visible.
    findable = set(access.visible_people(viewer).filter(
        pk__in=[r.author_id for r in shown]).values_list("pk", flat=True))
    return [{"id": r.pk, "author": _ref(r.author) if r.author_id in findable else None,
             "author_name": r.author.display_name, "body": r.body,
             "body_html": render_markdown(r.body), "written_at": r.written_at}
            for r in shown]


def profile(viewer, seen: access.ProfileAccess) -> dict:
    """The profile as this viewer may see it; every hidden section is None."""
    person, show = seen.person, seen.can_see

    def section(name, build):
        return build() if show(name) else None

    return {
        "handle": person.handle,
        "display_name": person.display_name,
        "headline": person.headline,
        "relation": "self" if seen.is_self else RELATIONS[seen.level],
        "visible": seen.visible,
        "roles": _roles(NetworkRole.objects.filter(person=person).order_by("role")),
        "photo_url": section("photo", lambda: _photo_url(person)),
        "about": section("about", lambda: person.about),
        "about_html": section("about", lambda: render_markdown(person.about)),
        "skills": section("skills", lambda: [
            {"id": ps.pk, "name": ps.skill.name, "endorsement_count": ps.endorsement_count,
             "endorsed_by_me": bool(getattr(ps, "endorsed_by_me", False))}
            for ps in queries.skills_with_endorsements(person, viewer)]),
        "experience": section("experience", lambda: [
            _experience(e) for e in Experience.objects.filter(person=person)]),
        "education": section("education", lambda: [
            _education(e) for e in Education.objects.filter(person=person)]),
        "languages": section("languages", lambda: person.languages),
        "region": section("region", lambda: person.region),
        "availability": section("availability", lambda: {
            "hours_per_month": person.hours_per_month,
            "available_from": person.available_from}),
        "links": section("links", lambda: person.links),
        "recommendations": section("recommendations",
                                   lambda: _recommendations_on(person, viewer)),
    }


def _my_profile(account) -> dict:
    person = services.ensure_person(account)
    seen = access.profile_for(account, person.handle)
    return {**profile(account, seen),
            "visibility": {s: getattr(seen.person, f"{s}_visibility") for s in SECTIONS}}


def _request_out(found, direction: str) -> dict:
    other = found.sender if direction == "received" else found.recipient
    return {"id": found.pk, "direction": direction, "person": _ref(other), "note": found.note,
            "status": found.status, "created_at": found.created_at}


def _recommendation_out(found) -> dict:
    return {"id": found.pk, "author": _ref(found.author), "subject": _ref(found.subject),
            "status": found.status, "request_note": found.request_note, "body": found.body,
            "body_html": render_markdown(found.body), "created_at": found.created_at,
            "written_at": found.written_at}


def _person_or_404(viewer, handle: str) -> Person:
    return access.profile_for(viewer, handle).person


# --- the directory and profiles ---------------------------------------------------------

@router.get("/people", response={200: PeoplePage, **ERRORS}, summary="Search the directory")
def directory(request, q: str = search_text(100, "Words of the name."),
              skill: str = search_text(60), role: NetworkRoleName | None = None,
              region: str = search_text(100),
              community: str = search_text(80, "A community's short name."),
              page: int = PAGE_QUERY):
    """People whose profile you may see, by name. A skill or region criterion finds only
    people who let you see that section; blocks hide people both ways."""
    found = queries.search_people(request.user, q=q, skill=skill, role=role or "",
                                  region=region, community=community)
    rows, has_next = queries.page_of(queries.with_cards(found), page)
    return {"items": _cards(request.user, rows), "page": page, "has_next": has_next}


@router.get("/people/{slug:handle}", response={200: ProfileOut, **ERRORS}, summary="A profile")
def person_profile(request, handle: str):
    """The profile as you may see it: sections hidden from you are null, and `visible`
    says which sections you may see. 404 when the profile is not visible to you."""
    return profile(request.user, access.profile_for(request.user, handle))


@router.get("/people/{slug:handle}/photo", response={404: ProblemOut, 401: ProblemOut},
            summary="A profile photo", url_name="person_photo",
            openapi_extra={"responses": {"200": {"description": "The photo as JPEG.",
                                                 "content": {"image/jpeg": {}}}}})
def person_photo(request, handle: str):
    """The photo, when there is one and you may see it; 404 otherwise."""
    seen = access.profile_for(request.user, handle)
    if not seen.can_see("photo") or not seen.person.photo:
        raise NotFound("There is no photo, or it is not visible to you.")
    try:
        image = seen.person.photo.open("rb")
    except OSError:
        raise NotFound("There is no photo, or it is not visible to you.") from None
    response = FileResponse(image, content_type="image/jpeg")
    # Visibility can change at any time: caches may keep it only briefly and privately.
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- your own profile -------------------------------------------------------------------

@router.get("/me/profile", response={200: MyProfileOut, **ERRORS}, tags=["profile"],
            summary="Your profile, with the visibility of each section")
def my_profile(request):
    """An account that never had a profile gets one made from its name at this first read."""
    return _my_profile(request.user)


@router.patch("/me/profile", response={200: MyProfileOut, **WRITE_ERRORS}, tags=["profile"],
              summary="Change your profile and who sees each section")
def patch_my_profile(request, payload: ProfilePatch):
    data = payload.model_dump(exclude_unset=True)
    changes = {key: data[key] for key in ("display_name", "handle", "headline", "about",
                                          "region", "languages", "links") if key in data}
    changes.update(data.get("availability") or {})
    changes.update({f"{s}_visibility": v for s, v in (data.get("visibility") or {}).items()})
    services.update_profile(actor=request.user, request=request, **changes)
    return _my_profile(request.user)


@router.put("/me/profile/skills", response={200: list[SkillOut], **WRITE_ERRORS},
            tags=["profile"], summary="Replace your skills")
def put_my_skills(request, payload: SkillsIn):
    """Skills you keep keep their endorsements; empty names are skipped."""
    services.set_skills(actor=request.user, names=payload.skills, request=request)
    me = services.ensure_person(request.user)
    return [{"id": ps.pk, "name": ps.skill.name, "endorsement_count": ps.endorsement_count,
             "endorsed_by_me": False}
            for ps in queries.skills_with_endorsements(me, request.user)]


@router.post("/me/profile/experience", response={201: ExperienceOut, **WRITE_ERRORS},
             tags=["profile"], summary="Add experience")
def add_experience(request, payload: ExperienceIn):
    entry = services.save_experience(actor=request.user, request=request, **payload.model_dump())
    return Status(201, _experience(entry))


@router.patch("/me/profile/experience/{entry_id}", response={200: ExperienceOut, **WRITE_ERRORS},
              tags=["profile"], summary="Change experience")
def patch_experience(request, entry_id: Id, payload: ExperiencePatch):
    entry = services.save_experience(actor=request.user, entry_id=entry_id, request=request,
                                     **payload.model_dump(exclude_unset=True))
    return _experience(entry)


@router.delete("/me/profile/experience/{entry_id}", response={204: None, **ERRORS},
               tags=["profile"], summary="Remove experience")
def delete_experience(request, entry_id: Id):
    services.remove_entry(actor=request.user, kind="experience", entry_id=entry_id,
                          request=request)
    return Status(204, None)


@router.post("/me/profile/education", response={201: EducationOut, **WRITE_ERRORS},
             tags=["profile"], summary="Add education")
def add_education(request, payload: EducationIn):
    entry = services.save_education(actor=request.user, request=request, **payload.model_dump())
    return Status(201, _education(entry))


@router.patch("/me/profile/education/{entry_id}", response={200: EducationOut, **WRITE_ERRORS},
              tags=["profile"], summary="Change education")
def patch_education(request, entry_id: Id, payload: EducationPatch):
    entry = services.save_education(actor=request.user, entry_id=entry_id, request=request,
                                    **payload.model_dump(exclude_unset=True))
    return _education(entry)


@router.delete("/me/profile/education/{entry_id}", response={204: None, **ERRORS},
               tags=["profile"], summary="Remove education")
def delete_education(request, entry_id: Id):
    services.remove_entry(actor=request.user, kind="education", entry_id=entry_id,
                          request=request)
    return Status(204, None)


@router.post("/me/profile/photo", response={200: MyProfileOut, **WRITE_ERRORS,
                                            413: ProblemOut},
             tags=["profile"], summary="Upload your photo (multipart, field `photo`)")
def upload_photo(request, photo: File[UploadedFile]):
    """A JPEG, PNG, WebP or GIF; it is checked, cut square, re-encoded as JPEG and stripped
    of metadata. POST rather than PUT: Django reads multipart bodies only on POST."""
    services.set_photo(actor=request.user, upload=photo, request=request)
    return _my_profile(request.user)


@router.delete("/me/profile/photo", response={204: None, **ERRORS}, tags=["profile"],
               summary="Remove your photo")
def delete_photo(request):
    services.remove_photo(actor=request.user, request=request)
    return Status(204, None)


@router.put("/me/roles/{role}", response={200: RoleOut, **WRITE_ERRORS}, tags=["profile"],
            summary="Take on a network role")
def put_my_role(request, role: NetworkRoleName, payload: RoleIn | None = None):
    """Customer, product supplier, intermediary or network supplier (with a specialty).
    The supervisor role is granted, never chosen: asking for it is refused with 403."""
    specialty = payload.specialty if payload else ""
    found = services.add_role(actor=request.user, role=role, specialty=specialty,
                              request=request)
    return {"role": found.role, "specialty": found.specialty}


@router.delete("/me/roles/{role}", response={204: None, **ERRORS}, tags=["profile"],
               summary="Give up a network role")
def delete_my_role(request, role: NetworkRoleName):
    services.remove_role(actor=request.user, role=role, request=request)
    return Status(204, None)


# --- the network ------------------------------------------------------------------------

@router.get("/me/connections", response={200: PeoplePage, **ERRORS}, tags=["network"],
            summary="Your connections (first degree)")
def my_connections(request, page: int = PAGE_QUERY):
    rows, has_next = queries.page_of(queries.with_cards(queries.connections_of(request.user)),
                                     page)
    return {"items": _cards(request.user, rows), "page": page, "has_next": has_next}


# Declared before /me/connections/{handle}, whose URL pattern would otherwise catch it.
@router.get("/me/connections/second-degree", response={200: SecondDegreePage, **ERRORS},
            tags=["network"], summary="People your connections are connected with")
def second_degree(request, page: int = PAGE_QUERY):
    rows, has_next = queries.page_of(
        queries.with_cards(queries.second_degree_of(request.user)), page)
    items = [{**card(seen), "mutual_connections": seen.person.mutual}
             for seen in access.accesses(request.user, rows)]
    return {"items": items, "page": page, "has_next": has_next}


@router.delete("/me/connections/{slug:handle}", response={204: None, **ERRORS}, tags=["network"],
               summary="Remove a connection")
def remove_connection(request, handle: str):
    services.remove_connection(actor=request.user, handle=handle, request=request)
    return Status(204, None)


@router.get("/me/suggestions", response={200: list[PersonCardOut], **ERRORS}, tags=["network"],
            summary="People you may know")
def suggestions(request):
    return _cards(request.user, queries.people_you_may_know(request.user))


@router.get("/me/connection-requests", response={200: ConnectionRequestsOut, **ERRORS},
            tags=["network"], summary="Open connection requests, received and sent")
def connection_requests(request):
    return {
        "received": [_request_out(r, "received") for r in queries.requests_received(request.user)],
        "sent": [_request_out(r, "sent") for r in queries.requests_sent(request.user)],
    }


@router.post("/me/connection-requests", response={201: ConnectionRequestOut, **WRITE_ERRORS},
             tags=["network"], summary="Ask someone to connect")
def create_connection_request(request, payload: ConnectionRequestIn):
    created = services.request_connection(actor=request.user, handle=payload.handle,
                                          note=payload.note, request=request)
    return Status(201, _request_out(created, "sent"))


@router.post("/me/connection-requests/{request_id}/{answer}",
             response={200: ConnectionRequestOut, **WRITE_ERRORS}, tags=["network"],
             summary="Accept, decline or ignore a connection request")
def answer_connection_request(request, request_id: Id,
                              answer: Literal["accept", "decline", "ignore"]):
    """Ignoring keeps the request out of your list without telling the sender."""
    found = services.respond_to_request(actor=request.user, request_id=request_id,
                                        answer=answer, request=request)
    return _request_out(found, "received")


@router.delete("/me/connection-requests/{request_id}", response={204: None, **ERRORS},
               tags=["network"], summary="Withdraw a connection request you sent")
def withdraw_connection_request(request, request_id: Id):
    services.withdraw_request(actor=request.user, request_id=request_id, request=request)
    return Status(204, None)


# --- endorsements and recommendations ---------------------------------------------------

@router.put("/people/{slug:handle}/skills/{skill_id}/endorsement", response={201: None,
                                                                        **WRITE_ERRORS},
            summary="Endorse a connection's skill")
def endorse(request, handle: str, skill_id: Id):
    """`skill_id` is the id of the skill on the profile. Once per skill: a second
    endorsement is a 409."""
    services.endorse(actor=request.user, handle=handle, skill_id=skill_id, request=request)
    return Status(201, None)


@router.delete("/people/{slug:handle}/skills/{skill_id}/endorsement",
               response={204: None, **ERRORS}, summary="Withdraw your endorsement")
def withdraw_endorsement(request, handle: str, skill_id: Id):
    services.withdraw_endorsement(actor=request.user, handle=handle, skill_id=skill_id,
                                  request=request)
    return Status(204, None)


@router.post("/people/{slug:handle}/recommendation-requests",
             response={201: RecommendationOut, **WRITE_ERRORS},
             summary="Ask a connection for a recommendation")
def ask_recommendation(request, handle: str, payload: NoteIn):
    created = services.ask_recommendation(actor=request.user, handle=handle, note=payload.note,
                                          request=request)
    return Status(201, _recommendation_out(created))


@router.post("/people/{slug:handle}/recommendations", response={201: RecommendationOut,
                                                           **WRITE_ERRORS},
             summary="Write a recommendation for a connection")
def write_recommendation(request, handle: str, payload: RecommendationIn):
    """It shows on their profile once they approve it."""
    written = services.write_recommendation(actor=request.user, handle=handle,
                                            body=payload.body, request=request)
    return Status(201, _recommendation_out(written))


@router.get("/me/recommendations", response={200: RecommendationsOut, **ERRORS},
            tags=["network"], summary="Recommendations waiting for you")
def my_recommendations(request):
    waiting = queries.recommendations_to_handle(request.user)
    return {key: [_recommendation_out(r) for r in rows.select_related("author", "subject")]
            for key, rows in waiting.items()}


@router.post("/me/recommendations/{recommendation_id}/{decision}",
             response={200: RecommendationOut, **WRITE_ERRORS}, tags=["network"],
             summary="Approve or decline a recommendation about you")
def decide_recommendation(request, recommendation_id: Id,
                          decision: Literal["approve", "decline"]):
    found = services.decide_recommendation(actor=request.user,
                                           recommendation_id=recommendation_id,
                                           approve=decision == "approve", request=request)
    return _recommendation_out(found)


@router.delete("/me/recommendations/{recommendation_id}", response={204: None, **ERRORS},
               tags=["network"], summary="Withdraw a recommendation you wrote or were asked for")
def withdraw_recommendation(request, recommendation_id: Id):
    services.withdraw_recommendation(actor=request.user, recommendation_id=recommendation_id,
                                     request=request)
    return Status(204, None)


# --- blocks, reports and the supervisor role --------------------------------------------

@router.get("/me/blocks", response={200: list[BlockedOut], **ERRORS}, tags=["network"],
            summary="People you blocked")
def my_blocks(request):
    return [{"handle": p.handle, "display_name": p.display_name}
            for p in queries.blocked_people(request.user)]


@router.put("/me/blocks/{slug:handle}", response={204: None, **WRITE_ERRORS}, tags=["network"],
            summary="Block someone")
def block(request, handle: str):
    """They can no longer see your non-public profile, ask to connect, message or endorse
    you; your connection and open requests between you end."""
    services.block(actor=request.user, handle=handle, request=request)
    return Status(204, None)


@router.delete("/me/blocks/{slug:handle}", response={204: None, **ERRORS}, tags=["network"],
               summary="Unblock someone")
def unblock(request, handle: str):
    services.unblock(actor=request.user, handle=handle, request=request)
    return Status(204, None)


@router.post("/reports", response={201: ReportOut, **WRITE_ERRORS}, tags=["network"],
             summary="Report a person or an organisation to the moderators")
def create_report(request, payload: ReportIn):
    created = services.report(actor=request.user, reason=payload.reason,
                              details=payload.details, handle=payload.handle,
                              organisation_slug=payload.organisation, request=request)
    return Status(201, {"id": created.pk, "reason": created.reason, "status": created.status,
                        "created_at": created.created_at})


@router.post("/people/{slug:handle}/supervisor", response={204: None, **WRITE_ERRORS},
             summary="Grant the supervisor role (platform staff and supervisors only)")
def grant_supervisor(request, handle: str):
    services.grant_supervisor(actor=request.user, person=_person_or_404(request.user, handle),
                              request=request)
    return Status(204, None)


@router.delete("/people/{slug:handle}/supervisor", response={204: None, **ERRORS},
               summary="Revoke the supervisor role (platform staff and supervisors only)")
def revoke_supervisor(request, handle: str):
    services.revoke_supervisor(actor=request.user, person=_person_or_404(request.user, handle),
                               request=request)
    return Status(204, None)
