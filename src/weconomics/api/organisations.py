"""The organisations API: profiles, members and their roles, invitations, followers and news.

Organisations are public: every caller finds the same ones. Their member lists leave out
people whose profile the caller may not see (`contacts.queries.organisation_members`).
Every write calls `contacts.organisations` or `contacts.services`; an organisation never
loses its last owner (409 `last_owner`).
"""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from weconomics.api.api import ERRORS, ProblemOut, required_line
from weconomics.api.choices import values_of
from weconomics.api.people import Id, RoleIn, RoleOut, no_nul, optional_line, search_text
from weconomics.contacts import access, queries, services
from weconomics.contacts import organisations as orgs
from weconomics.contacts.errors import NotFound
from weconomics.contacts.models import (
    Follow,
    NetworkRole,
    Organisation,
    OrganisationMembership,
    OrganisationPost,
    Person,
)
from weconomics.contacts.text import render_markdown

router = Router(tags=["organisations"])

WRITE_ERRORS = {**ERRORS, 409: ProblemOut}
PAGE_QUERY = Query(1, ge=1, le=10_000, description="Page number, from 1.")
Role = values_of(OrganisationMembership.Role)
OrganisationKind = values_of(Organisation.Kind)
NetworkRoleName = values_of(NetworkRole.Role)


# --- schemas ----------------------------------------------------------------------------

class OrganisationCardOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    headline: str
    region: str
    member_count: int
    roles: list[RoleOut]


class OrganisationPage(Schema):
    items: list[OrganisationCardOut]
    page: int
    has_next: bool


class OrganisationOut(OrganisationCardOut):
    about: str = Field(..., description="Markdown source.")
    about_html: str = Field(..., description="The description rendered to safe HTML.")
    website: str
    created_at: dt.datetime
    my_role: Role | None = Field(..., description="Your role here; null when not a member.")
    following: bool


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    slug: str = Field("", max_length=80, description="Short name; made from the name if empty.")
    kind: OrganisationKind
    headline: str = Field("", max_length=160)
    about: str = Field("", max_length=5000, description="Markdown.")
    region: str = Field("", max_length=100)
    website: str = Field("", max_length=300, description="An https:// or http:// address.")

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return required_line(value)

    @field_validator("slug", "headline", "region", "website")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("about")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class OrganisationPatch(OrganisationIn):
    """Only the fields you send change."""

    name: str = Field(None, max_length=200)
    slug: str = Field(None, min_length=2, max_length=80)
    kind: OrganisationKind = None
    headline: str = Field(None, max_length=160)
    about: str = Field(None, max_length=5000)
    region: str = Field(None, max_length=100)
    website: str = Field(None, max_length=300)


class OrganisationMemberOut(Schema):
    account_id: int
    role: Role
    handle: str | None = Field(..., description="Null when the member's profile is hidden "
                                                "from you.")
    display_name: str | None
    headline: str | None
    since: dt.datetime


class OrganisationMemberPatch(Schema):
    role: Role


class OrganisationInvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: Role = OrganisationMembership.Role.MEMBER


class OrganisationInvitationOut(Schema):
    id: int
    email: str
    role: Role
    invited_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


class OrganisationInvitationPreviewOut(Schema):
    organisation: OrganisationCardOut
    email: str
    role: Role
    expires_at: dt.datetime


class MembershipOut(Schema):
    organisation: OrganisationCardOut
    role: Role
    since: dt.datetime


class NewsOut(Schema):
    id: int
    organisation_slug: str
    organisation_name: str
    title: str
    body: str = Field(..., description="Markdown source.")
    body_html: str
    created_at: dt.datetime


class NewsPage(Schema):
    items: list[NewsOut]
    page: int
    has_next: bool


class NewsIn(Schema):
    title: str = Field(..., max_length=150)
    body: str = Field(..., min_length=1, max_length=5000, description="Markdown.")

    @field_validator("title")
    @classmethod
    def _title(cls, value):
        return required_line(value)

    @field_validator("body")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


# --- building answers -------------------------------------------------------------------

def _organisation(slug: str) -> Organisation:
    found = queries.organisation_by_slug(slug)
    if found is None:
        raise NotFound("There is no such organisation.")
    return found


def _card(organisation: Organisation, member_count: int | None = None) -> dict:
    if member_count is None:
        member_count = getattr(organisation, "member_count", None)
    if member_count is None:
        member_count = organisation.memberships.count()
    return {"slug": organisation.slug, "name": organisation.name, "kind": organisation.kind,
            "headline": organisation.headline, "region": organisation.region,
            "member_count": member_count,
            "roles": [{"role": r.role, "specialty": r.specialty}
                      for r in organisation.roles.all()]}


def _detail(organisation: Organisation, account) -> dict:
    # Read afresh: a change may have renamed it, and the counts come from the rows.
    organisation = queries.search_organisations().get(pk=organisation.pk)
    membership = queries.membership_in(organisation, account)
    return {**_card(organisation),
            "about": organisation.about, "about_html": render_markdown(organisation.about),
            "website": organisation.website, "created_at": organisation.created_at,
            "my_role": membership.role if membership else None,
            "following": Follow.objects.filter(account=account,
                                               organisation=organisation).exists()}


def _member(membership: OrganisationMembership, person: Person) -> dict:
    return {"account_id": membership.account_id, "role": membership.role,
            "handle": person.handle, "display_name": person.display_name,
            "headline": person.headline, "since": membership.created_at}


def _news(post: OrganisationPost) -> dict:
    return {"id": post.pk, "organisation_slug": post.organisation.slug,
            "organisation_name": post.organisation.name, "title": post.title, "body": post.body,
            "body_html": render_markdown(post.body), "created_at": post.created_at}


def _invitation(invitation) -> dict:
    inviter = invitation.invited_by
    return {"id": invitation.pk, "email": invitation.email, "role": invitation.role,
            "invited_by": (inviter.name or inviter.email) if inviter else None,
            "created_at": invitation.created_at, "expires_at": invitation.expires_at}


# --- organisations ----------------------------------------------------------------------

@router.get("/organisations", response={200: OrganisationPage, **ERRORS},
            summary="Search organisations")
def directory(request, q: str = search_text(100, "Words of the name."),
              kind: OrganisationKind | None = None, role: NetworkRoleName | None = None,
              region: str = search_text(100), page: int = PAGE_QUERY):
    found = queries.search_organisations(q=q, kind=kind or "", role=role or "", region=region)
    rows, has_next = queries.page_of(found, page)
    return {"items": [_card(o) for o in rows], "page": page, "has_next": has_next}


@router.post("/organisations", response={201: OrganisationOut, **WRITE_ERRORS},
             summary="Create an organisation; you become its first owner")
def create(request, payload: OrganisationIn):
    fields = payload.model_dump()
    if not fields["slug"]:
        del fields["slug"]
    created = orgs.create_organisation(actor=request.user, request=request, **fields)
    return Status(201, _detail(created, request.user))


@router.get("/organisations/{slug:slug}", response={200: OrganisationOut, **ERRORS},
            summary="An organisation")
def organisation(request, slug: str):
    return _detail(_organisation(slug), request.user)


@router.patch("/organisations/{slug:slug}", response={200: OrganisationOut, **WRITE_ERRORS},
              summary="Change an organisation (owners and administrators)")
def patch(request, slug: str, payload: OrganisationPatch):
    changed = orgs.update_organisation(actor=request.user, organisation=_organisation(slug),
                                       request=request, **payload.model_dump(exclude_unset=True))
    return _detail(changed, request.user)


# --- members and invitations ------------------------------------------------------------

@router.get("/organisations/{slug:slug}/members",
            response={200: list[OrganisationMemberOut], **ERRORS},
            summary="Members you may see")
def members(request, slug: str):
    """People whose profile is not visible to you are left out."""
    # Only people with a visible profile are listed, so each has one (loaded with the row).
    return [_member(m, m.account.person)
            for m in queries.organisation_members(request.user, _organisation(slug))]


@router.patch("/organisations/{slug:slug}/members/{account_id}",
              response={200: OrganisationMemberOut, **WRITE_ERRORS},
              summary="Change a member's role")
def change_role(request, slug: str, account_id: Id, payload: OrganisationMemberPatch):
    """Owners change roles; the last owner cannot step down (409 `last_owner`)."""
    changed = orgs.change_member_role(actor=request.user, organisation=_organisation(slug),
                                      account_id=account_id, role=payload.role, request=request)
    # The manager changes the role of any member, but sees only profiles visible to them.
    person = access.visible_people(request.user).filter(account_id=changed.account_id).first()
    if person is None:
        return {"account_id": changed.account_id, "role": changed.role, "handle": None,
                "display_name": None, "headline": None, "since": changed.created_at}
    return _member(changed, person)


@router.delete("/organisations/{slug:slug}/members/{account_id}", response={204: None,
                                                                     **WRITE_ERRORS},
               summary="Remove a member, or leave with your own account id")
def remove_member(request, slug: str, account_id: Id):
    orgs.remove_member(actor=request.user, organisation=_organisation(slug),
                       account_id=account_id, request=request)
    return Status(204, None)


@router.get("/organisations/{slug:slug}/invitations",
            response={200: list[OrganisationInvitationOut], **ERRORS},
            summary="Open invitations (owners and administrators)")
def invitations(request, slug: str):
    found = _organisation(slug)
    orgs.require_role(request.user, found, admin=True)
    return [_invitation(i) for i in orgs.open_invitations(found)]


@router.post("/organisations/{slug:slug}/invitations",
             response={201: OrganisationInvitationOut, **WRITE_ERRORS},
             summary="Invite someone by email")
def invite(request, slug: str, payload: OrganisationInvitationIn):
    """The invitation link goes by email only; it is valid for 14 days."""
    invitation, _token = orgs.invite(actor=request.user, organisation=_organisation(slug),
                                     email=payload.email, role=payload.role, request=request)
    return Status(201, _invitation(invitation))


@router.delete("/organisations/{slug:slug}/invitations/{invitation_id}",
               response={204: None, **ERRORS}, summary="Withdraw an invitation")
def revoke_invitation(request, slug: str, invitation_id: Id):
    orgs.revoke_invitation(actor=request.user, organisation=_organisation(slug),
                           invitation_id=invitation_id, request=request)
    return Status(204, None)


@router.get("/invitations/{slug:token}",
            response={200: OrganisationInvitationPreviewOut, **WRITE_ERRORS},
            summary="What an invitation link invites you to")
def invitation(request, token: str):
    found = orgs.invitation_by_token(token)
    return {"organisation": _card(found.organisation), "email": found.email,
            "role": found.role, "expires_at": found.expires_at}


@router.post("/invitations/{slug:token}/accept", response={201: MembershipOut, **WRITE_ERRORS},
             summary="Accept an invitation sent to one of your addresses")
def accept_invitation(request, token: str):
    membership = orgs.accept_invitation(actor=request.user, token=token, request=request)
    return Status(201, {"organisation": _card(membership.organisation), "role": membership.role,
                        "since": membership.created_at})


# --- following, news and network roles --------------------------------------------------

@router.put("/organisations/{slug:slug}/follow", response={204: None, **ERRORS},
            summary="Follow an organisation's news")
def follow(request, slug: str):
    orgs.follow(actor=request.user, organisation=_organisation(slug), request=request)
    return Status(204, None)


@router.delete("/organisations/{slug:slug}/follow", response={204: None, **ERRORS},
               summary="Stop following an organisation")
def unfollow(request, slug: str):
    orgs.unfollow(actor=request.user, organisation=_organisation(slug), request=request)
    return Status(204, None)


@router.get("/organisations/{slug:slug}/news", response={200: NewsPage, **ERRORS},
            summary="An organisation's news, newest first")
def news(request, slug: str, page: int = PAGE_QUERY):
    posts = (OrganisationPost.objects.filter(organisation=_organisation(slug))
             .select_related("organisation").order_by("-created_at", "-pk"))
    rows, has_next = queries.page_of(posts, page)
    return {"items": [_news(p) for p in rows], "page": page, "has_next": has_next}


@router.post("/organisations/{slug:slug}/news", response={201: NewsOut, **WRITE_ERRORS},
             summary="Publish news (owners and administrators); followers are told")
def post_news(request, slug: str, payload: NewsIn):
    post = orgs.post_news(actor=request.user, organisation=_organisation(slug),
                          title=payload.title, body=payload.body, request=request)
    return Status(201, _news(post))


@router.delete("/organisations/{slug:slug}/news/{post_id}", response={204: None, **ERRORS},
               summary="Delete a news item")
def delete_news(request, slug: str, post_id: Id):
    orgs.delete_news(actor=request.user, organisation=_organisation(slug), post_id=post_id,
                     request=request)
    return Status(204, None)


@router.put("/organisations/{slug:slug}/roles/{role}", response={200: RoleOut, **WRITE_ERRORS},
            summary="Give the organisation a network role (owners and administrators)")
def put_role(request, slug: str, role: NetworkRoleName, payload: RoleIn | None = None):
    found = services.add_role(actor=request.user, role=role,
                              specialty=payload.specialty if payload else "",
                              organisation=_organisation(slug), request=request)
    return {"role": found.role, "specialty": found.specialty}


@router.delete("/organisations/{slug:slug}/roles/{role}", response={204: None, **ERRORS},
               summary="Take a network role from the organisation")
def delete_role(request, slug: str, role: NetworkRoleName):
    services.remove_role(actor=request.user, role=role, organisation=_organisation(slug),
                         request=request)
    return Status(204, None)


@router.get("/me/organisations", response={200: list[MembershipOut], **ERRORS},
            tags=["me"], summary="The organisations you belong to")
def my_organisations(request):
    memberships = list(queries.organisation_memberships_of(request.user))
    counted = {o.pk: o for o in queries.search_organisations().filter(
        pk__in=[m.organisation_id for m in memberships])}
    return [{"organisation": _card(counted[m.organisation_id]), "role": m.role,
             "since": m.created_at} for m in memberships]


@router.get("/me/news", response={200: list[NewsOut], **ERRORS}, tags=["me"],
            summary="News of the organisations you follow")
def my_news(request):
    return [_news(p) for p in queries.news_for(request.user)]
