"""The communities API: communities, their domains, members, join requests, invitations,
alliances and supervisors, and your own memberships.

Every read of a community goes through `communities.access`: a hidden community is 404 for
anyone not in it (never 403); a listed one shows everyone its name, purpose and target
group, and only its members its counts, members and content. Every write calls a service
of `communities.services`; its refusals (CommunityError, an IdentityError) become problem
documents with their status and code. Reads that the web shows to visitors need no
credentials here either (`read_auth`). The board, publications and articles are in
`api.community_posts`.
"""

import datetime as dt
from typing import Annotated, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import StrictBool, StrictInt, field_validator

from weconomics.api.api import ERRORS, ProblemOut, required_line
from weconomics.api.auth import SAFE_METHODS, Caller, api_auth
from weconomics.api.choices import values_of
from weconomics.api.people import (
    Id,
    PersonCardOut,
    PersonRefOut,
    no_nul,
    optional_line,
    search_text,
)
from weconomics.api.people import card as person_card
from weconomics.communities import access as communities
from weconomics.communities import queries as community_queries
from weconomics.communities import services
from weconomics.communities.errors import NotFound
from weconomics.communities.models import (
    Alliance,
    Community,
    DomainKind,
    Invitation,
    JoinRequest,
    Membership,
)
from weconomics.contacts import access as people_access
from weconomics.contacts.queries import page_of, with_cards
from weconomics.identity.models import Account

router = Router(tags=["communities"])

WRITE_ERRORS = {**ERRORS, 409: ProblemOut}
PAGE_QUERY = Query(1, ge=1, le=10_000, description="Page number, from 1.")
SLUG = r"^[-a-zA-Z0-9_]+$"
Kind = values_of(Community.Kind)
Visibility = values_of(Community.Visibility)
JoinPolicy = values_of(Community.JoinPolicy)
Role = values_of(Membership.Role)
JoinRequestStatus = values_of(JoinRequest.Status)
AllianceStatus = values_of(Alliance.Status)
InvitedRole = Literal["member", "steward"]
DomainSlug = Annotated[str, Field(min_length=1, max_length=40, pattern=SLUG)]
CommunitySlug = Annotated[str, Field(min_length=1, max_length=80, pattern=SLUG)]
DomainPath = Annotated[str, Path(max_length=40, description="The domain kind's short name.")]


class VisitorAuth:
    """The last of `read_auth`: a visitor without credentials may read (safe methods only).

    A credential that is sent but wrong is still refused by the authenticators before it.
    """

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return None
        return Caller(AnonymousUser(), "anonymous", False)


# Reads the web shows to visitors: public communities' channels, listed communities' cards.
read_auth = [*api_auth, VisitorAuth()]


def required_text(value: str) -> str:
    """Validate a multi-line text that must say something: no NUL, not only spaces."""
    value = no_nul(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# --- schemas ----------------------------------------------------------------------------

class CommunityRefOut(Schema):
    slug: str
    name: str


class CommunityCardOut(Schema):
    slug: str
    name: str
    kind: Kind
    purpose: str
    audience: str = Field(..., description="The target group.")
    visibility: Visibility
    join_policy: JoinPolicy
    member_count: int | None = Field(
        ..., description="Null when only the community's members may see its size.")
    my_role: Role | None = Field(..., description="Your role here; null when not a member.")
    colour: str
    logo_url: str | None


class CommunityPage(Schema):
    items: list[CommunityCardOut]
    page: int
    has_next: bool


class DomainOut(Schema):
    kind: str = Field(..., description="The domain kind's short name.")
    name: str
    description: str
    intro: str
    published: int | None = Field(
        ..., description="Publications shown there; null when its content is for members.")


class CommunityOut(CommunityCardOut):
    accent_colour: str
    host: str | None = Field(..., description="The channel's own host name, if any.")
    review_publications: bool
    created_at: dt.datetime
    domains: list[DomainOut] = Field(
        ..., description="Empty for outsiders of a listed community (not its allies).")
    can_see_content: bool = Field(
        ..., description="Whether you may see the channel's members, board and publications.")
    allied: bool = Field(..., description="You belong to a community allied with this one.")
    join_request_pending: bool = Field(
        ..., description="You asked to join and a steward has not answered yet.")
    share_profile: bool | None = Field(
        ..., description="Your consent here (members only): fellow members see what you "
                         "show community members.")


class CommunityIn(Schema):
    name: str = Field(..., max_length=200)
    slug: str = Field("", max_length=80, description="Short name; made from the name if empty.")
    kind: Kind
    purpose: str = Field(..., max_length=5000)
    audience: str = Field(..., max_length=5000, description="The target group.")
    visibility: Visibility | None = Field(None, description="The kind's template if left out.")
    join_policy: JoinPolicy | None = Field(None, description="The kind's template if left out.")
    review_publications: StrictBool | None = None
    domains: list[DomainSlug] | None = Field(
        None, max_length=30, description="Domain kinds to open; the kind's template if left out.")

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return required_line(value)

    @field_validator("slug")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("purpose", "audience")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class CommunityPatch(Schema):
    """Only the fields you send change; send `host: null` to remove the own host name."""

    name: str = Field(None, max_length=200)
    kind: Kind = None
    purpose: str = Field(None, max_length=5000)
    audience: str = Field(None, max_length=5000)
    visibility: Visibility = None
    join_policy: JoinPolicy = None
    review_publications: StrictBool = None
    colour: str = Field(None, pattern=r"^#[0-9a-fA-F]{6}$", description="Like #1d6b57.")
    accent_colour: str = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    host: str | None = Field(None, max_length=253,
                             description="A host name like coaches.example.org.")

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return required_line(value)

    @field_validator("host")
    @classmethod
    def _line(cls, value):
        return optional_line(value)

    @field_validator("purpose", "audience")
    @classmethod
    def _text(cls, value):
        return required_text(value)


class DomainKindOut(Schema):
    slug: str
    name: str
    description: str


class DomainIn(Schema):
    kind: DomainSlug
    intro: str = Field("", max_length=2000)

    @field_validator("intro")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class DomainPatch(Schema):
    intro: str = Field(..., max_length=2000)

    @field_validator("intro")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class MemberOut(Schema):
    account_id: int
    role: Role
    since: dt.datetime
    person: PersonCardOut | None = Field(
        ..., description="Null when the member's profile is hidden from you.")


class MemberPage(Schema):
    items: list[MemberOut]
    page: int
    has_next: bool


class MemberPatch(Schema):
    role: Literal["member", "steward"]


class MyMembershipOut(Schema):
    community: CommunityCardOut
    role: Role
    share_profile: bool
    since: dt.datetime


class ConsentPatch(Schema):
    share_profile: StrictBool = Field(
        ..., description="Whether fellow members here see what you show community members.")


class JoinIn(Schema):
    message: str = Field("", max_length=1000, description="A note for the stewards.")

    @field_validator("message")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


class JoinRequestOut(Schema):
    id: int
    community: CommunityRefOut
    account_id: int
    name: str = Field(..., description="The name of who asks.")
    person: PersonRefOut | None = Field(
        ..., description="Null when their profile is hidden from you.")
    message: str
    status: JoinRequestStatus
    created_at: dt.datetime
    decided_at: dt.datetime | None


class InvitationIn(Schema):
    """An email address invites one person (mailed, one use); without one, a link is made."""

    email: str = Field("", max_length=254)
    role: InvitedRole = "member"
    max_uses: StrictInt | None = Field(
        None, ge=1, le=services.MAX_LINK_USES, description="For a link; 25 if left out.")
    days: StrictInt = Field(services.INVITATION_DAYS, ge=1, le=services.MAX_INVITATION_DAYS)

    @field_validator("email")
    @classmethod
    def _line(cls, value):
        return optional_line(value)


class InvitationOut(Schema):
    id: int
    email: str = Field(..., description="Empty for a link.")
    is_link: bool
    role: Role
    max_uses: int
    use_count: int
    invited_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreatedOut(InvitationOut):
    token: str | None = Field(
        ..., description="A link's secret, shown only this once; null for an email invitation "
                         "(its link goes by email only).")
    url: str | None = Field(..., description="The page that accepts the link.")


class InvitationPreviewOut(Schema):
    community: CommunityCardOut
    email: str
    role: Role
    expires_at: dt.datetime
    uses_left: int


class AllianceOut(Schema):
    id: int
    status: AllianceStatus
    direction: Literal["sent", "received"] = Field(
        ..., description="Whether this community proposed it or was asked.")
    proposer: CommunityRefOut
    partner: CommunityRefOut
    message: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None


class AllianceIn(Schema):
    partner: CommunitySlug
    message: str = Field("", max_length=1000)

    @field_validator("message")
    @classmethod
    def _text(cls, value):
        return no_nul(value)


# --- building answers -------------------------------------------------------------------

def _access(request, slug: str) -> communities.CommunityAccess:
    return communities.community_for(request.user, slug)


def _community(request, slug: str) -> Community:
    return _access(request, slug).community


def _signed_in(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def _roles(viewer, community_ids) -> dict[int, str]:
    if not _signed_in(viewer) or not community_ids:
        return {}
    return dict(Membership.objects.filter(account=viewer, community_id__in=community_ids)
                .values_list("community_id", "role"))


def _card(community: Community, *, member_count: int | None, role: str | None) -> dict:
    return {"slug": community.slug, "name": community.name, "kind": community.kind,
            "purpose": community.purpose, "audience": community.audience,
            "visibility": community.visibility, "join_policy": community.join_policy,
            "member_count": member_count, "my_role": role, "colour": community.colour,
            "logo_url": f"/c/{community.slug}/logo" if community.logo else None}


def cards(viewer, found) -> list[dict]:
    """Cards for rows of `access.visible_communities`, in two queries."""
    found = list(found)
    roles = _roles(viewer, [c.pk for c in found])
    return [_card(c, member_count=c.member_count if communities.count_visible(c) else None,
                  role=roles.get(c.pk)) for c in found]


def card_of(viewer, community: Community) -> dict:
    """The card of one community the viewer may find."""
    counted = communities.visible_communities(viewer).filter(pk=community.pk).first()
    if counted is None:  # a hidden community shown through an invitation, say
        return _card(community, member_count=None, role=None)
    return cards(viewer, [counted])[0]


def ref(community: Community) -> dict:
    return {"slug": community.slug, "name": community.name}


def _detail(seen: communities.CommunityAccess) -> dict:
    community, viewer = seen.community, seen.viewer
    # As the channel's page: a listed community's domains (and their intros) show to its
    # members and allies only, like the rest of what is inside.
    domains = communities.domains_with_counts(community) if seen.can_see_allied_offers else []
    member_count = (Membership.objects.filter(community=community).count()
                    if seen.can_see_members else None)
    return {
        **_card(community, member_count=member_count, role=seen.role),
        "accent_colour": community.accent_colour, "host": community.host,
        "review_publications": community.review_publications,
        "created_at": community.created_at,
        "domains": [{"kind": d.kind.slug, "name": d.kind.name,
                     "description": d.kind.description, "intro": d.intro,
                     "published": d.published if seen.can_see_content else None}
                    for d in domains],
        "can_see_content": seen.can_see_content, "allied": seen.allied,
        "join_request_pending": (not seen.is_member
                                 and communities.has_pending_request(viewer, community)),
        "share_profile": seen.membership.share_profile if seen.membership else None,
    }


def _fresh_detail(request, community: Community) -> dict:
    """The community as the caller sees it now, read afresh after a change."""
    community = Community.objects.get(pk=community.pk)
    return _detail(communities.access_to(request.user, community))


def visible_people_by_account(viewer, account_ids) -> dict[int, object]:
    """The people among these accounts whose card the viewer may see, by account id."""
    if not account_ids:
        return {}
    found = people_access.visible_people(viewer).filter(account_id__in=set(account_ids))
    return {p.account_id: p for p in found}


def _person_ref(person) -> dict | None:
    if person is None:
        return None
    return {"handle": person.handle, "display_name": person.display_name,
            "headline": person.headline}


def _member_card(viewer, account_id: int) -> dict | None:
    found = with_cards(people_access.visible_people(viewer).filter(account_id=account_id))
    seen = people_access.accesses(viewer, found)
    return person_card(seen[0]) if seen else None


def _member(viewer, membership: Membership) -> dict:
    return {"account_id": membership.account_id, "role": membership.role,
            "since": membership.created_at,
            "person": _member_card(viewer, membership.account_id)}


def display_name(account) -> str:
    if account is None:
        return _("A former member")
    person = getattr(account, "person", None)
    return getattr(person, "display_name", "") or account.name or _("A member")


def _join_request(viewer, found: JoinRequest, people=None, community=None) -> dict:
    if people is None:
        people = visible_people_by_account(viewer, [found.account_id])
    community = community or found.community
    return {"id": found.pk, "community": ref(community), "account_id": found.account_id,
            "name": display_name(found.account), "person": _person_ref(
                people.get(found.account_id)),
            "message": found.message, "status": found.status, "created_at": found.created_at,
            "decided_at": found.decided_at}


def _memberships(viewer, memberships) -> list[dict]:
    memberships = list(memberships)
    counted = {c.pk: c for c in communities.visible_communities(viewer).filter(
        pk__in=[m.community_id for m in memberships])}
    return [{"community": _card(counted[m.community_id],
                                member_count=counted[m.community_id].member_count,
                                role=m.role),
             "role": m.role, "share_profile": m.share_profile, "since": m.created_at}
            for m in memberships]


def _invitation(invitation: Invitation) -> dict:
    inviter = invitation.invited_by
    return {"id": invitation.pk, "email": invitation.email, "is_link": invitation.is_link,
            "role": invitation.role, "max_uses": invitation.max_uses,
            "use_count": invitation.use_count,
            "invited_by": display_name(inviter) if inviter else None,
            "created_at": invitation.created_at, "expires_at": invitation.expires_at}


def _alliance(community: Community, alliance: Alliance) -> dict:
    return {"id": alliance.pk, "status": alliance.status,
            "direction": "sent" if alliance.proposer_id == community.pk else "received",
            "proposer": ref(alliance.proposer), "partner": ref(alliance.partner),
            "message": alliance.message, "created_at": alliance.created_at,
            "decided_at": alliance.decided_at, "ended_at": alliance.ended_at}


# --- communities ------------------------------------------------------------------------

@router.get("/communities", response={200: CommunityPage, **ERRORS}, auth=read_auth,
            summary="Find communities")
def directory(request, q: str = search_text(100, "Words of the name, purpose or target group."),
              kind: Kind | None = None,
              mine: bool = Query(False, description="Only communities you belong to."),
              page: int = PAGE_QUERY):
    """Public and listed communities, and hidden ones you belong to. A listed community's
    size shows only to its members (`member_count` is null)."""
    found = communities.search_communities(request.user, q=q, kind=kind or "", mine=mine)
    rows, has_next = page_of(found, page)
    return {"items": cards(request.user, rows), "page": page, "has_next": has_next}


@router.post("/communities", response={201: CommunityOut, **WRITE_ERRORS},
             summary="Start a community; you become its first steward")
def create(request, payload: CommunityIn):
    """The kind's template fills in the domains and settings you leave out. Reserved short
    names (api, admin, ...) are refused (422), a taken one is a conflict (409)."""
    fields = payload.model_dump()
    if not fields["slug"]:
        del fields["slug"]
    created = services.create_community(actor=request.user, request=request, **fields)
    return Status(201, _fresh_detail(request, created))


@router.get("/communities/{slug:slug}", response={200: CommunityOut, **ERRORS}, auth=read_auth,
            summary="A community")
def community(request, slug: str):
    """404 for a hidden community you are not in."""
    return _detail(_access(request, slug))


@router.patch("/communities/{slug:slug}", response={200: CommunityOut, **WRITE_ERRORS},
              summary="Change a community's settings (stewards)")
def patch(request, slug: str, payload: CommunityPatch):
    """A host name another community uses is a conflict (409)."""
    changed = services.update_community(actor=request.user, community=_community(request, slug),
                                        request=request, **payload.model_dump(exclude_unset=True))
    return _fresh_detail(request, changed)


@router.post("/communities/{slug:slug}/logo", response={200: CommunityOut, **WRITE_ERRORS,
                                                        413: ProblemOut},
             summary="Upload the channel's logo (multipart, field `logo`; stewards)")
def upload_logo(request, slug: str, logo: File[UploadedFile]):
    """A JPEG, PNG, WebP or GIF; it is checked and re-encoded as JPEG."""
    changed = services.set_logo(actor=request.user, community=_community(request, slug),
                                upload=logo, request=request)
    return _fresh_detail(request, changed)


@router.delete("/communities/{slug:slug}/logo", response={204: None, **ERRORS},
               summary="Remove the channel's logo (stewards)")
def delete_logo(request, slug: str):
    services.set_logo(actor=request.user, community=_community(request, slug), upload=None,
                      request=request)
    return Status(204, None)


# --- domains ----------------------------------------------------------------------------

@router.get("/domain-kinds", response={200: list[DomainKindOut], **ERRORS}, auth=read_auth,
            summary="The kinds of domain a community can open")
def domain_kinds(request):
    return [{"slug": k.slug, "name": k.name, "description": k.description}
            for k in DomainKind.objects.filter(is_active=True)]


def _domain_out(domain) -> dict:
    return {"kind": domain.kind.slug, "name": domain.kind.name,
            "description": domain.kind.description, "intro": domain.intro, "published": None}


@router.post("/communities/{slug:slug}/domains", response={201: DomainOut, **WRITE_ERRORS},
             summary="Open a domain (stewards)")
def open_domain(request, slug: str, payload: DomainIn):
    domain = services.open_domain(actor=request.user, community=_community(request, slug),
                                  kind=payload.kind, intro=payload.intro, request=request)
    return Status(201, {**_domain_out(domain), "published": 0})


@router.patch("/communities/{slug:slug}/domains/{kind}", response={200: DomainOut,
                                                                  **WRITE_ERRORS},
              summary="Change a domain's introduction (stewards)")
def update_domain(request, slug: str, kind: DomainPath, payload: DomainPatch):
    domain = services.update_domain(actor=request.user, community=_community(request, slug),
                                    kind=kind, intro=payload.intro, request=request)
    counted = communities.domains_with_counts(domain.community).get(pk=domain.pk)
    return {**_domain_out(domain), "published": counted.published}


@router.delete("/communities/{slug:slug}/domains/{kind}", response={204: None, **ERRORS},
               summary="Close a domain (stewards); its publications leave this channel")
def close_domain(request, slug: str, kind: DomainPath):
    services.close_domain(actor=request.user, community=_community(request, slug), kind=kind,
                          request=request)
    return Status(204, None)


# --- joining and leaving ----------------------------------------------------------------

@router.post("/communities/{slug:slug}/join",
             response={201: MyMembershipOut, 202: JoinRequestOut, **WRITE_ERRORS},
             summary="Join, or ask to join")
def join(request, slug: str, payload: JoinIn | None = None):
    """An open community admits you at once (201, your membership). One that admits on
    approval records your request for its stewards (202). By invitation only: 403."""
    found = services.join(actor=request.user, community=_community(request, slug),
                          message=payload.message if payload else "", request=request)
    if isinstance(found, JoinRequest):
        return Status(202, _join_request(request.user, found))
    return Status(201, _memberships(request.user, [found])[0])


@router.post("/communities/{slug:slug}/leave", response={204: None, **WRITE_ERRORS},
             summary="Leave a community")
def leave(request, slug: str):
    """The last steward cannot leave (409 `last_steward`): make someone else a steward."""
    services.leave(actor=request.user, community=_community(request, slug), request=request)
    return Status(204, None)


@router.delete("/communities/{slug:slug}/join-request", response={204: None, **ERRORS},
               summary="Withdraw your request to join")
def withdraw(request, slug: str):
    services.withdraw_join_request(actor=request.user, community=_community(request, slug),
                                   request=request)
    return Status(204, None)


@router.get("/communities/{slug:slug}/join-requests",
            response={200: list[JoinRequestOut], **ERRORS},
            summary="Requests to join waiting for an answer (stewards)")
def join_requests(request, slug: str):
    seen = _access(request, slug)
    services.require_role(request.user, seen.community, Membership.Role.STEWARD)
    waiting = list(community_queries.waiting_join_requests(seen))
    people = visible_people_by_account(request.user, [r.account_id for r in waiting])
    return [_join_request(request.user, r, people, seen.community) for r in waiting]


def _decide(request, slug: str, request_id: int, approve: bool) -> dict:
    found = _community(request, slug)
    services.decide_join_request(actor=request.user, community=found, request_id=request_id,
                                 approve=approve, request=request)
    decided = (JoinRequest.objects.select_related("community", "account__person")
               .get(pk=request_id))
    return _join_request(request.user, decided)


@router.post("/communities/{slug:slug}/join-requests/{request_id}/approve",
             response={200: JoinRequestOut, **WRITE_ERRORS}, summary="Admit who asked")
def approve(request, slug: str, request_id: Id):
    return _decide(request, slug, request_id, True)


@router.post("/communities/{slug:slug}/join-requests/{request_id}/decline",
             response={200: JoinRequestOut, **WRITE_ERRORS}, summary="Decline a request")
def decline(request, slug: str, request_id: Id):
    return _decide(request, slug, request_id, False)


# --- members ----------------------------------------------------------------------------

@router.get("/communities/{slug:slug}/members", response={200: MemberPage, **ERRORS},
            auth=read_auth, summary="Members you may see")
def members(request, slug: str, role: Role | None = None, page: int = PAGE_QUERY):
    """Newest first. Members whose profile is hidden from you are left out; a listed
    community's members show only to its members (an empty list for others)."""
    seen = _access(request, slug)
    found = community_queries.channel_members(seen)
    if role:
        found = found.filter(community_role=role)
    rows, has_next = page_of(with_cards(found), page)
    return {"items": [{"account_id": p.person.account_id, "role": p.person.community_role,
                       "since": p.person.joined_at, "person": person_card(p)}
                      for p in people_access.accesses(request.user, rows)],
            "page": page, "has_next": has_next}


@router.patch("/communities/{slug:slug}/members/{account_id}",
              response={200: MemberOut, **WRITE_ERRORS},
              summary="Make a member a steward, or a steward a member (stewards)")
def change_role(request, slug: str, account_id: Id, payload: MemberPatch):
    """The last steward cannot step down (409 `last_steward`); supervisors are appointed by
    the platform's supervisors."""
    changed = services.change_role(actor=request.user, community=_community(request, slug),
                                   account_id=account_id, role=payload.role, request=request)
    return _member(request.user, changed)


@router.delete("/communities/{slug:slug}/members/{account_id}",
               response={204: None, **WRITE_ERRORS},
               summary="Remove a member (stewards), or leave with your own account id")
def remove_member(request, slug: str, account_id: Id):
    services.remove_member(actor=request.user, community=_community(request, slug),
                           account_id=account_id, request=request)
    return Status(204, None)


def _overseen(request, slug: str) -> Community:
    return communities.community_for_oversight(request.user, slug).community


@router.put("/communities/{slug:slug}/supervisors/{account_id}",
            response={200: MemberOut, **WRITE_ERRORS},
            summary="Appoint the community's supervisor (platform supervisors)")
def appoint_supervisor(request, slug: str, account_id: Id):
    found = _overseen(request, slug)
    services.require_platform_supervisor(request.user)
    account = Account.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        raise NotFound(_("There is no such account."))
    membership = services.appoint_supervisor(actor=request.user, community=found,
                                             account=account, request=request)
    return _member(request.user, membership)


@router.delete("/communities/{slug:slug}/supervisors/{account_id}",
               response={204: None, **ERRORS},
               summary="Dismiss a supervisor; they stay a member (platform supervisors)")
def dismiss_supervisor(request, slug: str, account_id: Id):
    services.dismiss_supervisor(actor=request.user, community=_overseen(request, slug),
                                account_id=account_id, request=request)
    return Status(204, None)


# --- your memberships -------------------------------------------------------------------

@router.get("/me/communities", response={200: list[MyMembershipOut], **ERRORS}, tags=["me"],
            summary="The communities you belong to")
def my_communities(request):
    return _memberships(request.user, communities.memberships_of(request.user))


@router.patch("/me/communities/{slug:slug}", response={200: MyMembershipOut, **WRITE_ERRORS},
              tags=["me"], summary="Change what a community's members see of your profile")
def patch_my_membership(request, slug: str, payload: ConsentPatch):
    membership = services.set_consent(actor=request.user, community=_community(request, slug),
                                      share_profile=payload.share_profile, request=request)
    return _memberships(request.user, [membership])[0]


# --- invitations ------------------------------------------------------------------------

@router.get("/communities/invitations/{slug:token}", response={200: InvitationPreviewOut,
                                                               **WRITE_ERRORS},
            auth=read_auth, summary="What an invitation invites you to")
def invitation(request, token: str):
    """404 for an unknown or withdrawn invitation, 409 `invitation_unusable` for one that
    expired or was used up."""
    found = services.invitation_by_token(token)
    return {"community": card_of(request.user, found.community), "email": found.email,
            "role": found.role, "expires_at": found.expires_at,
            "uses_left": found.max_uses - found.use_count}


@router.post("/communities/invitations/{slug:token}/accept",
             response={201: MyMembershipOut, **WRITE_ERRORS}, summary="Accept an invitation")
def accept_invitation(request, token: str):
    """An email invitation is for one of your confirmed addresses; a link for anyone."""
    membership = services.accept_invitation(actor=request.user, token=token, request=request)
    return Status(201, _memberships(request.user, [membership])[0])


@router.post("/communities/{slug:slug}/invitations",
             response={201: InvitationCreatedOut, **WRITE_ERRORS},
             summary="Invite by email, or make an invitation link (stewards)")
def invite(request, slug: str, payload: InvitationIn):
    """With `email`, the invitation is mailed and used once. Without, you get a link (its
    token is shown only in this answer) that `max_uses` people can use."""
    invitation, token = services.invite(
        actor=request.user, community=_community(request, slug), email=payload.email,
        role=payload.role, max_uses=payload.max_uses, days=payload.days, request=request)
    shown = invitation.is_link
    return Status(201, {**_invitation(invitation), "token": token if shown else None,
                        "url": request.build_absolute_uri(f"/c/invitations/{token}/")
                        if shown else None})


@router.get("/communities/{slug:slug}/invitations", response={200: list[InvitationOut], **ERRORS},
            summary="Open invitations (stewards)")
def invitations(request, slug: str):
    found = _community(request, slug)
    services.require_role(request.user, found, Membership.Role.STEWARD)
    return [_invitation(i) for i in services.open_invitations(found)]


@router.delete("/communities/{slug:slug}/invitations/{invitation_id}",
               response={204: None, **ERRORS}, summary="Withdraw an invitation (stewards)")
def revoke_invitation(request, slug: str, invitation_id: Id):
    services.revoke_invitation(actor=request.user, community=_community(request, slug),
                               invitation_id=invitation_id, request=request)
    return Status(204, None)


# --- alliances --------------------------------------------------------------------------

@router.get("/communities/{slug:slug}/alliances", response={200: list[AllianceOut], **ERRORS},
            auth=read_auth, tags=["alliances"], summary="A community's alliances")
def alliances(request, slug: str):
    """Stewards see every proposal and past alliance; others see the active alliances with
    communities they may find (none of a listed community they are not in)."""
    seen = _access(request, slug)
    found = services.alliances_of(seen.community)
    if not seen.is_steward:
        if not seen.can_see_content:
            return []
        findable = communities.visible_communities(request.user).values("pk")
        found = found.filter(status=Alliance.Status.ACTIVE).filter(
            Q(proposer_id__in=findable) & Q(partner_id__in=findable))
    return [_alliance(seen.community, a) for a in found]


@router.post("/communities/{slug:slug}/alliances", response={201: AllianceOut, **WRITE_ERRORS},
             tags=["alliances"], summary="Propose an alliance (stewards)")
def propose_alliance(request, slug: str, payload: AllianceIn):
    found = _community(request, slug)
    alliance = services.propose_alliance(actor=request.user, community=found,
                                         partner_slug=payload.partner, message=payload.message,
                                         request=request)
    return Status(201, _alliance(found, alliance))


def _respond(request, slug: str, alliance_id: int, accept: bool) -> dict:
    found = _community(request, slug)
    alliance = services.respond_to_alliance(actor=request.user, community=found,
                                            alliance_id=alliance_id, accept=accept,
                                            request=request)
    return _alliance(found, alliance)


@router.post("/communities/{slug:slug}/alliances/{alliance_id}/accept",
             response={200: AllianceOut, **WRITE_ERRORS}, tags=["alliances"],
             summary="Accept a proposed alliance (stewards of the asked community)")
def accept_alliance(request, slug: str, alliance_id: Id):
    return _respond(request, slug, alliance_id, True)


@router.post("/communities/{slug:slug}/alliances/{alliance_id}/decline",
             response={200: AllianceOut, **WRITE_ERRORS}, tags=["alliances"],
             summary="Decline a proposed alliance (stewards of the asked community)")
def decline_alliance(request, slug: str, alliance_id: Id):
    return _respond(request, slug, alliance_id, False)


@router.post("/communities/{slug:slug}/alliances/{alliance_id}/end",
             response={200: AllianceOut, **WRITE_ERRORS}, tags=["alliances"],
             summary="End an alliance, or withdraw a proposal (stewards of either side)")
def end_alliance(request, slug: str, alliance_id: Id):
    found = _community(request, slug)
    alliance = services.end_alliance(actor=request.user, community=found,
                                     alliance_id=alliance_id, request=request)
    return _alliance(found, alliance)
