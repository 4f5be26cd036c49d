"""Writes about communities: starting one, its settings and domains, members and their roles,
join requests, invitations, alliances and supervisors.

Every write takes the acting account as `actor`, runs in one transaction, writes its audit
record and sends mail only on commit. A community always keeps at least one steward: every
change that could remove the last one locks the steward rows first and refuses.
Discussions and publications live in `board.py` and `publications.py`.
"""

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.communities.access import access_to
from weconomics.communities.errors import (
    AlreadyMember,
    Conflict,
    Invalid,
    InvitationUnusable,
    LastSteward,
    NotAllowed,
    NotFound,
)
from weconomics.communities.models import (
    Alliance,
    Community,
    CommunityDomain,
    DomainKind,
    Invitation,
    JoinRequest,
    Membership,
    colour_validator,
)
from weconomics.contacts.access import display_name
from weconomics.contacts.organisations import absolute_url
from weconomics.identity.models import Account, clean_display_text
from weconomics.notifications.models import Notification
from weconomics.notifications.services import notify

Role = Membership.Role
Kind = Community.Kind
JoinPolicy = Community.JoinPolicy
Visibility = Community.Visibility

# Short names that would clash with the platform's own paths or hosts.
RESERVED_SLUGS = {
    "api", "admin", "accounts", "new", "edit", "settings", "static", "media", "c", "communities",
    "invitations", "i18n", "outbox", "healthz", "people", "organisations", "messages",
    "notifications", "supervision", "www", "mail", "help", "about", "login", "logout",
    "identity", "oidc", "well-known", "channel", "search",
}
INVITATION_DAYS = 14
MAX_INVITATION_DAYS = 90
MAX_LINK_USES = 1000
HOST_NAME = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# Templates for the kinds of community: the domains they open and sensible settings.
TEMPLATES = {
    Kind.COOPERATIVE: {
        "domains": ["advice", "interim", "coaching", "training", "wiki"],
        "visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.APPROVAL,
        "review_publications": False},
    Kind.SHARED_SERVICE_CENTRE: {
        "domains": ["recruitment", "advice", "interim", "assessment", "wiki"],
        "visibility": Visibility.LISTED, "join_policy": JoinPolicy.INVITATION,
        "review_publications": True},
    Kind.PROFESSIONAL_NETWORK: {
        "domains": ["coaching", "advice", "workshop", "recruitment", "wiki"],
        "visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN,
        "review_publications": False},
    Kind.LEARNING_COMMUNITY: {
        "domains": ["training", "workshop", "coaching", "assessment", "wiki"],
        "visibility": Visibility.PUBLIC, "join_policy": JoinPolicy.OPEN,
        "review_publications": False},
    Kind.NEIGHBOURHOOD: {
        "domains": ["accommodation", "advice", "workshop", "wiki"],
        "visibility": Visibility.LISTED, "join_policy": JoinPolicy.APPROVAL,
        "review_publications": False},
}
COMMUNITY_FIELDS = {"name", "purpose", "audience", "kind", "visibility", "join_policy",
                    "review_publications", "colour", "accent_colour", "host"}


# --- helpers -----------------------------------------------------------------------------

def _one_line(value, *, what: str) -> str:
    try:
        return clean_display_text(str(value or ""))
    except ValueError:
        raise Invalid(_("Use no line breaks or control characters in %(what)s.")
                      % {"what": what}) from None


def _text(value, *, limit: int, what: str) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise Invalid(_("%(what)s may have at most %(limit)d characters.")
                      % {"what": what, "limit": limit})
    return text


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require_role(actor, community: Community, *roles: str) -> Membership:
    """Return the actor's membership, or refuse when they are not a member with one of roles."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    membership = Membership.objects.filter(community=community, account=actor).first()
    if membership is None:
        if community.visibility == Visibility.HIDDEN:
            raise NotFound(_("There is no such community, or it is not visible to you."))
        raise NotAllowed(_("You are not a member of %(community)s.")
                         % {"community": community.name})
    if roles and membership.role not in roles:
        if roles == (Role.STEWARD,):
            raise NotAllowed(_("Only a steward of %(community)s can do this.")
                             % {"community": community.name})
        raise NotAllowed(_("Only a steward or supervisor of %(community)s can do this.")
                         % {"community": community.name})
    return membership


def is_platform_supervisor(account) -> bool:
    """Platform administrators and holders of the supervisor network role."""
    from weconomics.contacts.services import can_grant_supervisor

    return account is not None and account.is_authenticated and can_grant_supervisor(account)


def _stewards_locked(community: Community) -> list[Membership]:
    """Lock the stewards' rows; every change that could remove a steward takes this first."""
    return list(Membership.objects.select_for_update()
                .filter(community=community, role=Role.STEWARD).order_by("pk"))


def _notify_stewards(where: Community, kind: str, *, actor, url: str, **params) -> None:
    stewards = Membership.objects.filter(community=where, role=Role.STEWARD).exclude(
        account=actor).values_list("account_id", flat=True)
    params = {k: str(v) for k, v in params.items()}
    if actor is not None:
        params.setdefault("actor", display_name(actor))
    Notification.objects.bulk_create([
        Notification(recipient_id=account_id, kind=kind, actor=actor, params=params, url=url)
        for account_id in stewards])


def clean_slug(value) -> str:
    slug = slugify(str(value or ""))[:80]
    if len(slug) < 2:
        raise Invalid(_("Choose a short name of at least two letters or digits."))
    if slug in RESERVED_SLUGS:
        raise Invalid(_("The short name “%(slug)s” is reserved. Choose another.") % {"slug": slug})
    return slug


def clean_host(value) -> str | None:
    host = str(value or "").strip().lower().rstrip(".")
    if not host:
        return None
    if not HOST_NAME.match(host):
        raise Invalid(_("Enter a host name like coaches.example.org, without http:// or a "
                        "path."))
    from urllib.parse import urlsplit

    from weconomics.notifications.services import site_url

    if host == (urlsplit(site_url()).hostname or "").lower():
        raise Conflict(_("The host name %(host)s is the platform's own.") % {"host": host})
    return host


def _clean(fields: dict, *, creating: bool) -> dict:
    unknown = set(fields) - COMMUNITY_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s")
                      % {"fields": ", ".join(sorted(unknown))})
    cleaned = {}
    for key, value in fields.items():
        if key == "name":
            cleaned[key] = _one_line(value, what=_("the name"))
            if not cleaned[key]:
                raise Invalid(_("Give the community a name."))
            if len(cleaned[key]) > 200:
                raise Invalid(_("The name may have at most 200 characters."))
        elif key in ("purpose", "audience"):
            cleaned[key] = _text(value, limit=5000, what=_("The purpose") if key == "purpose"
                                 else _("The target group"))
            if not cleaned[key]:
                raise Invalid(_("State the community's purpose.") if key == "purpose"
                              else _("State who the community is for."))
        elif key == "kind":
            if value not in Kind.values:
                raise Invalid(_("Choose what kind of community this is."))
            cleaned[key] = value
        elif key == "visibility":
            if value not in Visibility.values:
                raise Invalid(_("Choose who can see the community."))
            cleaned[key] = value
        elif key == "join_policy":
            if value not in JoinPolicy.values:
                raise Invalid(_("Choose how people join."))
            cleaned[key] = value
        elif key == "review_publications":
            cleaned[key] = bool(value)
        elif key in ("colour", "accent_colour"):
            try:
                colour_validator(str(value or ""))
            except ValidationError as error:
                raise Invalid(" ".join(error.messages)) from None
            cleaned[key] = str(value).lower()
        elif key == "host":
            cleaned[key] = clean_host(value)
    if creating:
        for key, message in (("name", _("Give the community a name.")),
                             ("purpose", _("State the community's purpose.")),
                             ("audience", _("State who the community is for.")),
                             ("kind", _("Choose what kind of community this is."))):
            if not cleaned.get(key):
                raise Invalid(message)
    return cleaned


def _check_host_free(host: str | None, community: Community | None = None) -> None:
    if host is None:
        return
    taken = Community.objects.filter(host=host)
    if community is not None:
        taken = taken.exclude(pk=community.pk)
    if taken.exists():
        raise Conflict(_("The host name %(host)s is used by another community.") % {"host": host})


def _domain_kinds(slugs) -> list[DomainKind]:
    slugs = list(dict.fromkeys(str(s) for s in slugs or []))
    if len(slugs) > 30:
        raise Invalid(_("A community can open at most 30 domains."))
    kinds = {k.slug: k for k in DomainKind.objects.filter(slug__in=slugs, is_active=True)}
    unknown = [s for s in slugs if s not in kinds]
    if unknown:
        raise Invalid(_("There is no domain called %(names)s.") % {"names": ", ".join(unknown)})
    return [kinds[s] for s in slugs]


# --- starting a community ----------------------------------------------------------------

def free_slug(name: str) -> str:
    base = (slugify(name) or "community")[:70]
    if len(base) < 2:
        base = f"{base}-community"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Community.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_community(*, actor, name: str, purpose: str, audience: str, kind: str,
                     slug: str = "", domains=None, visibility: str | None = None,
                     join_policy: str | None = None, review_publications: bool | None = None,
                     request=None) -> Community:
    """Start a community with the actor as its first steward.

    The kind's template fills in the domains and settings not given.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    fields = {"name": name, "purpose": purpose, "audience": audience, "kind": kind}
    template = TEMPLATES.get(kind, {})
    for key, value in (("visibility", visibility), ("join_policy", join_policy),
                       ("review_publications", review_publications)):
        fields[key] = value if value not in (None, "") else template.get(key)
    cleaned = _clean({k: v for k, v in fields.items() if v is not None}, creating=True)
    cleaned["slug"] = clean_slug(slug) if slug else free_slug(cleaned["name"])
    kinds = _domain_kinds(template.get("domains", []) if domains is None else domains)
    with transaction.atomic():
        if Community.objects.filter(slug=cleaned["slug"]).exists():
            raise Conflict(_("The short name “%(slug)s” is taken.") % {"slug": cleaned["slug"]})
        try:
            with transaction.atomic():
                community = Community.objects.create(created_by=actor, **cleaned)
        except IntegrityError:
            raise Conflict(_("The short name “%(slug)s” is taken.")
                           % {"slug": cleaned["slug"]}) from None
        CommunityDomain.objects.bulk_create([
            CommunityDomain(community=community, kind=k, position=i)
            for i, k in enumerate(kinds)])
        Membership.objects.create(community=community, account=actor, role=Role.STEWARD)
        record("communities.created", actor=actor, target=community, request=request,
               data={"slug": community.slug, "kind": community.kind,
                     "domains": [k.slug for k in kinds]})
    return community


def update_community(*, actor, community: Community, request=None, **fields) -> Community:
    """Change a community's settings; stewards only."""
    cleaned = _clean(fields, creating=False)
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        community = Community.objects.select_for_update().get(pk=community.pk)
        if "host" in cleaned:
            _check_host_free(cleaned["host"], community)
        changed = [k for k, v in cleaned.items() if getattr(community, k) != v]
        if not changed:
            return community
        before = {k: getattr(community, k) for k in changed}
        for key in changed:
            setattr(community, key, cleaned[key])
        try:
            with transaction.atomic():
                community.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise Conflict(_("The host name %(host)s is used by another community.")
                           % {"host": cleaned.get("host")}) from None
        from weconomics.communities.publications import changed as publications_changed

        publications_changed()  # a change of visibility changes who sees its publications
        record("communities.updated", actor=actor, target=community, request=request,
               data={"fields": sorted(changed),
                     "from": {k: before[k] for k in changed if k in ("visibility", "join_policy",
                                                                    "host")},
                     "to": {k: cleaned[k] for k in changed if k in ("visibility", "join_policy",
                                                                   "host")}})
    return community


def set_logo(*, actor, community: Community, upload, request=None) -> Community:
    """Replace the community's logo with a checked, re-encoded copy; None removes it."""
    from weconomics.contacts.errors import Invalid as PhotoInvalid
    from weconomics.contacts.photos import clean_photo

    content = None
    if upload is not None:
        try:
            content = clean_photo(upload)
        except PhotoInvalid as error:
            raise Invalid(str(error)) from None
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        community = Community.objects.select_for_update().get(pk=community.pk)
        old = community.logo.name if community.logo else ""
        if content is None:
            community.logo = ""
        else:
            community.logo.save(f"{community.slug}-{secrets.token_hex(6)}.jpg", content,
                                save=False)
        community.save(update_fields=["logo", "updated_at"])
        record("communities.logo_changed", actor=actor, target=community, request=request,
               data={"removed": content is None})
        if old:
            storage = community.logo.storage
            transaction.on_commit(lambda: storage.delete(old))
    return community


# --- domains -----------------------------------------------------------------------------

def open_domain(*, actor, community: Community, kind: str, intro: str = "",
                request=None) -> CommunityDomain:
    [found] = _domain_kinds([kind])
    intro = _text(intro, limit=2000, what=_("The introduction"))
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        if CommunityDomain.objects.filter(community=community, kind=found).exists():
            raise Conflict(_("%(community)s has the domain %(domain)s already.")
                           % {"community": community.name, "domain": found.name})
        position = CommunityDomain.objects.filter(community=community).count()
        try:
            with transaction.atomic():
                domain = CommunityDomain.objects.create(community=community, kind=found,
                                                        intro=intro, position=position)
        except IntegrityError:
            raise Conflict(_("%(community)s has the domain %(domain)s already.")
                           % {"community": community.name, "domain": found.name}) from None
        record("communities.domain_opened", actor=actor, target=community, request=request,
               data={"domain": found.slug})
    return domain


def update_domain(*, actor, community: Community, kind: str, intro: str,
                  request=None) -> CommunityDomain:
    intro = _text(intro, limit=2000, what=_("The introduction"))
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        domain = CommunityDomain.objects.filter(community=community, kind__slug=kind).first()
        if domain is None:
            raise NotFound(_("This community has no such domain."))
        domain.intro = intro
        domain.save(update_fields=["intro"])
        record("communities.domain_updated", actor=actor, target=community, request=request,
               data={"domain": kind})
    return domain


def close_domain(*, actor, community: Community, kind: str, request=None) -> None:
    """Close a domain: its publications leave this channel; the content stays its authors'."""
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        domain = CommunityDomain.objects.filter(community=community, kind__slug=kind).first()
        if domain is None:
            raise NotFound(_("This community has no such domain."))
        from weconomics.communities.publications import changed

        unpublished = domain.publications.count()
        domain.delete()
        changed()
        record("communities.domain_closed", actor=actor, target=community, request=request,
               data={"domain": kind, "publications_removed": unpublished})


# --- joining and leaving -------------------------------------------------------------------

def join(*, actor, community: Community, message: str = "", request=None):
    """Join an open community, or ask to join one that admits on approval.

    Returns the new Membership, or the JoinRequest waiting for a steward.
    """
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    message = _text(message, limit=1000, what=_("The message"))
    access_to(actor, community)  # a hidden community does not exist for outsiders
    with transaction.atomic():
        if Membership.objects.filter(community=community, account=actor).exists():
            raise AlreadyMember(_("You are already a member of %(community)s.")
                                % {"community": community.name})
        if community.join_policy == JoinPolicy.INVITATION:
            raise NotAllowed(_("%(community)s admits members by invitation only.")
                             % {"community": community.name})
        if community.join_policy == JoinPolicy.APPROVAL:
            if JoinRequest.objects.filter(community=community, account=actor,
                                          status=JoinRequest.Status.PENDING).exists():
                raise Conflict(_("You have asked to join %(community)s already; a steward "
                                 "will answer.") % {"community": community.name})
            try:
                with transaction.atomic():
                    join_request = JoinRequest.objects.create(community=community,
                                                              account=actor, message=message)
            except IntegrityError:
                raise Conflict(_("You have asked to join %(community)s already; a steward "
                                 "will answer.") % {"community": community.name}) from None
            record("communities.join_requested", actor=actor, target=community,
                   request=request, data={"request": join_request.pk})
            _notify_stewards(community, "communities.join_requested", actor=actor,
                             community=community.name,
                             url=f"/c/{community.slug}/manage/members/")
            return join_request
        try:
            with transaction.atomic():
                membership = Membership.objects.create(community=community, account=actor)
        except IntegrityError:
            raise AlreadyMember(_("You are already a member of %(community)s.")
                                % {"community": community.name}) from None
        # A request made while the community admitted on approval is answered by joining.
        JoinRequest.objects.filter(community=community, account=actor,
                                   status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED, decided_at=timezone.now())
        record("communities.joined", actor=actor, target=community, request=request,
               data={"role": Role.MEMBER, "via": "open"})
    return membership


def withdraw_join_request(*, actor, community: Community, request=None) -> None:
    with transaction.atomic():
        updated = JoinRequest.objects.filter(
            community=community, account=actor, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now(), decided_by=actor)
        if not updated:
            raise NotFound(_("You have no open request to join this community."))
        record("communities.join_request_withdrawn", actor=actor, target=community,
               request=request)


def decide_join_request(*, actor, community: Community, request_id: int, approve: bool,
                        request=None):
    """Approve (the person becomes a member) or decline a request; stewards only."""
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        join_request = (JoinRequest.objects.select_for_update().select_related("account")
                        .filter(pk=request_id, community=community).first())
        if join_request is None:
            raise NotFound(_("There is no such request."))
        if join_request.status != JoinRequest.Status.PENDING:
            raise Conflict(_("This request has been answered already."))
        join_request.status = (JoinRequest.Status.APPROVED if approve
                               else JoinRequest.Status.DECLINED)
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        membership = None
        if approve:
            membership, _created = Membership.objects.get_or_create(
                community=community, account=join_request.account)
        record("communities.join_approved" if approve else "communities.join_declined",
               actor=actor, subject=join_request.account, target=community, request=request,
               data={"request": join_request.pk})
        notify(join_request.account,
               "communities.join_approved" if approve else "communities.join_declined",
               actor=actor, community=community.name, url=f"/c/{community.slug}/")
    return membership


def leave(*, actor, community: Community, request=None) -> None:
    """Leave a community; the last steward must hand over first."""
    remove_member(actor=actor, community=community, account_id=actor.pk, request=request)


def remove_member(*, actor, community: Community, account_id: int, request=None) -> None:
    """Remove a member (stewards), or leave when account_id is the actor's own."""
    with transaction.atomic():
        stewards = _stewards_locked(community)
        mine = require_role(actor, community)
        target = (Membership.objects.select_for_update().select_related("account")
                  .filter(community=community, account_id=account_id).first())
        if target is None:
            raise NotFound(_("That person is not a member."))
        leaving = target.account_id == actor.pk
        if not leaving:
            if mine.role != Role.STEWARD:
                raise NotAllowed(_("Only a steward can remove members."))
            if target.role == Role.SUPERVISOR:
                raise NotAllowed(_("A supervisor is appointed by the platform's supervisors and "
                                   "can only be removed by them."))
        if target.role == Role.STEWARD and len(stewards) == 1:
            raise LastSteward(_("%(community)s needs at least one steward. Make someone else a "
                                "steward first.") % {"community": community.name})
        target.delete()
        record("communities.left" if leaving else "communities.member_removed",
               actor=actor, subject=target.account, target=community, request=request,
               data={"account": account_id, "role": target.role})


def change_role(*, actor, community: Community, account_id: int, role: str,
                request=None) -> Membership:
    """Make a member a steward or a steward a member; stewards only.

    The supervisor role is granted and taken by the platform's supervisors
    (`appoint_supervisor`), never by stewards.
    """
    if role not in (Role.MEMBER, Role.STEWARD):
        if role == Role.SUPERVISOR:
            raise NotAllowed(_("The supervisor role is granted by the platform's supervisors."))
        raise Invalid(_("There is no such role."))
    with transaction.atomic():
        stewards = _stewards_locked(community)
        require_role(actor, community, Role.STEWARD)
        target = (Membership.objects.select_for_update().select_related("account")
                  .filter(community=community, account_id=account_id).first())
        if target is None:
            raise NotFound(_("That person is not a member."))
        if target.role == role:
            return target
        if target.role == Role.SUPERVISOR:
            raise NotAllowed(_("The supervisor role is granted by the platform's supervisors."))
        if target.role == Role.STEWARD and len(stewards) == 1:
            raise LastSteward(_("%(community)s needs at least one steward. Make someone else a "
                                "steward first.") % {"community": community.name})
        before = target.role
        target.role = role
        target.save(update_fields=["role", "updated_at"])
        record("communities.role_changed", actor=actor, subject=target.account,
               target=community, request=request,
               data={"account": account_id, "from": before, "to": role})
        notify(target.account, "communities.role_changed", actor=actor,
               community=community.name, role=Role(role).label, url=f"/c/{community.slug}/")
    return target


def require_platform_supervisor(actor) -> None:
    """Refuse anyone but the platform's administrators and supervisors.

    Callers that look an account up by its number check this first: to anyone else every
    number answers alike, so none reveals that an account exists.
    """
    if not is_platform_supervisor(actor):
        raise NotAllowed(_("Only the platform's administrators and supervisors appoint "
                           "supervisors."))


def appoint_supervisor(*, actor, community: Community, account: Account,
                       request=None) -> Membership:
    """Make someone the community's supervisor (toezichthouder); platform supervisors only."""
    require_platform_supervisor(actor)
    with transaction.atomic():
        stewards = _stewards_locked(community)
        membership = Membership.objects.select_for_update().filter(
            community=community, account=account).first()
        before = membership.role if membership else None
        if before == Role.SUPERVISOR:
            return membership
        if before == Role.STEWARD and len(stewards) == 1:
            raise LastSteward(_("%(community)s needs at least one steward. Make someone else a "
                                "steward first.") % {"community": community.name})
        if membership is None:
            membership = Membership.objects.create(community=community, account=account,
                                                   role=Role.SUPERVISOR)
        else:
            membership.role = Role.SUPERVISOR
            membership.save(update_fields=["role", "updated_at"])
        record("communities.supervisor_appointed", actor=actor, subject=account,
               target=community, request=request, data={"account": account.pk, "from": before})
        notify(account, "communities.role_changed", actor=actor, community=community.name,
               role=Role.SUPERVISOR.label, url=f"/c/{community.slug}/")
    return membership


def dismiss_supervisor(*, actor, community: Community, account_id: int, request=None) -> None:
    """Take the supervisor role back; the person stays a member."""
    if not is_platform_supervisor(actor):
        raise NotAllowed(_("Only the platform's administrators and supervisors appoint "
                           "supervisors."))
    with transaction.atomic():
        updated = Membership.objects.filter(community=community, account_id=account_id,
                                            role=Role.SUPERVISOR).update(
            role=Role.MEMBER, updated_at=timezone.now())
        if not updated:
            raise NotFound(_("That person is not a supervisor here."))
        record("communities.supervisor_dismissed", actor=actor, target=community,
               subject=Account.objects.filter(pk=account_id).first(), request=request,
               data={"account": account_id})


def set_consent(*, actor, community: Community, share_profile: bool,
                request=None) -> Membership:
    """Choose what this community's members may see of the actor's profile."""
    with transaction.atomic():
        membership = require_role(actor, community)
        if membership.share_profile == bool(share_profile):
            return membership
        membership.share_profile = bool(share_profile)
        membership.save(update_fields=["share_profile", "updated_at"])
        record("communities.consent_changed", actor=actor, target=community, request=request,
               data={"share_profile": membership.share_profile})
    return membership


# --- invitations ---------------------------------------------------------------------------

def invite(*, actor, community: Community, email: str = "", role: str = Role.MEMBER,
           max_uses: int | None = None, days: int = INVITATION_DAYS,
           request=None) -> tuple[Invitation, str]:
    """Invite by email (one use, mailed) or make an invitation link (empty email, a use limit).

    Returns the invitation and its secret token; the token is not stored, only its hash.
    """
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(_("Enter a valid email address.")) from None
    if role not in (Role.MEMBER, Role.STEWARD):
        raise Invalid(_("Invite as a member or as a steward."))
    try:
        days = int(days)
        uses = 1 if email else int(max_uses if max_uses is not None else 25)
    except (TypeError, ValueError):
        raise Invalid(_("Give the number of days and uses as whole numbers.")) from None
    if not 1 <= days <= MAX_INVITATION_DAYS:
        raise Invalid(_("An invitation is valid for 1 to %(days)d days.")
                      % {"days": MAX_INVITATION_DAYS})
    if not 1 <= uses <= MAX_LINK_USES:
        raise Invalid(_("An invitation link can be used 1 to %(uses)d times.")
                      % {"uses": MAX_LINK_USES})
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        now = timezone.now()
        if email:
            if Membership.objects.filter(community=community,
                                         account__email__iexact=email).exists():
                raise AlreadyMember(_("%(email)s is already a member.") % {"email": email})
            if Invitation.objects.filter(community=community, email=email,
                                         revoked_at__isnull=True, expires_at__gt=now,
                                         use_count=0).exists():
                raise Conflict(_("%(email)s has an open invitation already.") % {"email": email})
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            community=community, email=email, role=role, invited_by=actor, max_uses=uses,
            token_hash=_hash(token), expires_at=now + dt.timedelta(days=days))
        record("communities.invited", actor=actor, target=community, request=request,
               data={"invitation": invitation.pk, "email": email, "role": role,
                     "max_uses": uses, "days": days})
        if email:
            invitee = Account.objects.filter(email__iexact=email, is_active=True).first()
            path = f"/c/invitations/{token}/"
            if invitee is not None:
                notify(invitee, "communities.invited", actor=actor, community=community.name,
                       url=path)
            link = absolute_url(request, path)
            language = (invitee.language if invitee and invitee.language
                        else translation.get_language() or settings.LANGUAGE_CODE)
            inviter = display_name(actor, fallback="")
            context = {"community": community.name, "purpose": community.purpose,
                       "inviter": inviter, "link": link, "days": days, "role": role}
            transaction.on_commit(lambda: _send_invitation(email, language, context))
    return invitation, token


def _send_invitation(email: str, language: str, context: dict) -> None:
    with translation.override(language):
        context["role"] = Role(context["role"]).label
        subject = _("Invitation to join %(community)s") % context
        body = render_to_string("communities/email/invitation.txt", context)
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, None, [email])


def invitation_by_token(token: str) -> Invitation:
    """Return the usable invitation for this token, or refuse with the reason."""
    invitation = (Invitation.objects.select_related("community", "invited_by")
                  .filter(token_hash=_hash(token or "")).first())
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation does not exist or was withdrawn."))
    if invitation.use_count >= invitation.max_uses:
        raise InvitationUnusable(_("This invitation has been used up. Ask for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(_("This invitation has expired. Ask for a new one."))


def accept_invitation(*, actor, token: str, request=None) -> Membership:
    """Join the community of an invitation: the one sent to the actor's address, or a link."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in first."))
    with transaction.atomic():
        found = Invitation.objects.filter(token_hash=_hash(token or "")).first()
        # Lock the invitation: a link with one use left is used once, however many click.
        invitation = (Invitation.objects.select_for_update().select_related("community")
                      .filter(pk=found.pk).first() if found else None)
        _check_usable(invitation)
        community = invitation.community
        if invitation.email:
            from allauth.account.models import EmailAddress

            addresses = {actor.email.lower()} | {
                e.lower() for e in EmailAddress.objects.filter(user=actor, verified=True)
                .values_list("email", flat=True)}
            if invitation.email.lower() not in addresses:
                raise NotAllowed(_("This invitation was sent to another email address."))
        if Membership.objects.filter(community=community, account=actor).exists():
            raise AlreadyMember(_("You are already a member of %(community)s.")
                                % {"community": community.name})
        try:
            with transaction.atomic():
                membership = Membership.objects.create(community=community, account=actor,
                                                       role=invitation.role)
        except IntegrityError:
            raise AlreadyMember(_("You are already a member of %(community)s.")
                                % {"community": community.name}) from None
        invitation.use_count += 1
        invitation.save(update_fields=["use_count"])
        JoinRequest.objects.filter(community=community, account=actor,
                                   status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED, decided_at=timezone.now())
        Notification.objects.filter(recipient=actor, kind="communities.invited",
                                    url__endswith=f"/{token}/").update(read_at=timezone.now())
        record("communities.joined", actor=actor, target=community, request=request,
               data={"role": invitation.role, "via": "invitation",
                     "invitation": invitation.pk})
    return membership


def revoke_invitation(*, actor, community: Community, invitation_id: int,
                      request=None) -> None:
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        updated = Invitation.objects.filter(pk=invitation_id, community=community,
                                            revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if not updated:
            raise NotFound(_("That invitation is no longer open."))
        record("communities.invitation_revoked", actor=actor, target=community,
               request=request, data={"invitation": invitation_id})


def open_invitations(community: Community):
    from django.db.models import F

    return Invitation.objects.filter(
        community=community, revoked_at__isnull=True, expires_at__gt=timezone.now(),
        use_count__lt=F("max_uses")).select_related("invited_by")


# --- alliances -------------------------------------------------------------------------------

def _lock_pair(a: Community, b: Community) -> None:
    """Lock both communities' rows in a fixed order (by pk), so two proposals cannot cross."""
    list(Community.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk"))


def propose_alliance(*, actor, community: Community, partner_slug: str, message: str = "",
                     request=None) -> Alliance:
    """Propose an alliance to another community; its stewards accept or decline."""
    message = _text(message, limit=1000, what=_("The message"))
    partner = Community.objects.filter(slug=str(partner_slug or "")).first()
    if partner is None:
        raise NotFound(_("There is no such community, or it is not visible to you."))
    access_to(actor, partner)  # a hidden community cannot be found to ally with
    if partner.pk == community.pk:
        raise Invalid(_("A community cannot ally with itself."))
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        _lock_pair(community, partner)
        open_one = Alliance.objects.filter(
            Q(proposer=community, partner=partner) | Q(proposer=partner, partner=community),
            status__in=[Alliance.Status.PROPOSED, Alliance.Status.ACTIVE]).first()
        if open_one is not None:
            if open_one.status == Alliance.Status.ACTIVE:
                raise Conflict(_("%(a)s and %(b)s are allied already.")
                               % {"a": community.name, "b": partner.name})
            raise Conflict(_("An alliance between %(a)s and %(b)s is waiting for an answer.")
                           % {"a": community.name, "b": partner.name})
        alliance = Alliance.objects.create(proposer=community, partner=partner, message=message,
                                           proposed_by=actor)
        record("communities.alliance_proposed", actor=actor, target=alliance, request=request,
               data={"proposer": community.slug, "partner": partner.slug})
        _notify_stewards(partner, "communities.alliance_proposed", actor=actor,
                         community=partner.name, other=community.name,
                         url=f"/c/{partner.slug}/manage/alliances/")
    return alliance


def respond_to_alliance(*, actor, community: Community, alliance_id: int, accept: bool,
                        request=None) -> Alliance:
    """Accept or decline a proposal made to this community; its stewards only."""
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        alliance = (Alliance.objects.select_for_update().select_related("proposer", "partner")
                    .filter(pk=alliance_id, partner=community).first())
        if alliance is None:
            raise NotFound(_("There is no such alliance proposal."))
        if alliance.status != Alliance.Status.PROPOSED:
            raise Conflict(_("This proposal has been answered already."))
        alliance.status = Alliance.Status.ACTIVE if accept else Alliance.Status.DECLINED
        alliance.decided_by = actor
        alliance.decided_at = timezone.now()
        alliance.save(update_fields=["status", "decided_by", "decided_at"])
        record("communities.alliance_accepted" if accept else "communities.alliance_declined",
               actor=actor, target=alliance, request=request,
               data={"proposer": alliance.proposer.slug, "partner": alliance.partner.slug})
        _notify_stewards(alliance.proposer,
                         "communities.alliance_accepted" if accept
                         else "communities.alliance_declined",
                         actor=actor, community=alliance.proposer.name,
                         other=alliance.partner.name,
                         url=f"/c/{alliance.proposer.slug}/manage/alliances/")
    return alliance


def end_alliance(*, actor, community: Community, alliance_id: int, request=None) -> Alliance:
    """End an active alliance (or withdraw a proposal); stewards of either side."""
    with transaction.atomic():
        require_role(actor, community, Role.STEWARD)
        alliance = (Alliance.objects.select_for_update().select_related("proposer", "partner")
                    .filter(Q(proposer=community) | Q(partner=community), pk=alliance_id)
                    .first())
        if alliance is None:
            raise NotFound(_("There is no such alliance."))
        if alliance.status not in (Alliance.Status.ACTIVE, Alliance.Status.PROPOSED):
            raise Conflict(_("This alliance has ended already."))
        before = alliance.status
        alliance.status = Alliance.Status.ENDED
        alliance.ended_by = actor
        alliance.ended_at = timezone.now()
        alliance.save(update_fields=["status", "ended_by", "ended_at"])
        record("communities.alliance_ended", actor=actor, target=alliance, request=request,
               data={"by": community.slug, "from": before})
        other = alliance.other(community)
        _notify_stewards(other, "communities.alliance_ended", actor=actor,
                         community=other.name, other=community.name,
                         url=f"/c/{other.slug}/manage/alliances/")
    return alliance


def alliances_of(community: Community):
    return (Alliance.objects.filter(Q(proposer=community) | Q(partner=community))
            .select_related("proposer", "partner").order_by("-created_at", "-pk"))
