"""Writes about organisations: their profile, members and roles, invitations, followers, news.

An organisation always keeps at least one owner: every change that could remove the
last one locks the organisation's owner rows first and refuses.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.contacts.errors import Conflict, Invalid, LastOwner, NotAllowed, NotFound
from weconomics.contacts.models import (
    Follow,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPost,
)
from weconomics.contacts.text import search_key
from weconomics.identity.models import Account, clean_display_text
from weconomics.notifications.models import Notification
from weconomics.notifications.services import notify

Role = OrganisationMembership.Role
INVITATION_DAYS = 14
# "invitations" would clash with /organisations/invitations/<token>/.
RESERVED_SLUGS = {"new", "api", "admin", "edit", "settings", "invitations"}
ORGANISATION_FIELDS = {"name", "slug", "kind", "headline", "about", "region", "website"}


def require_role(actor, organisation: Organisation, *, admin: bool = False,
                 owner: bool = False) -> OrganisationMembership:
    """Return the actor's membership, or refuse when they lack the role."""
    membership = OrganisationMembership.objects.filter(organisation=organisation,
                                                       account=actor).first()
    if membership is None:
        raise NotAllowed(_("You are not a member of %(org)s.") % {"org": organisation.name})
    if owner and membership.role != Role.OWNER:
        raise NotAllowed(_("Only an owner of %(org)s can do this.") % {"org": organisation.name})
    if admin and membership.role not in (Role.OWNER, Role.ADMIN):
        raise NotAllowed(_("Only an owner or administrator of %(org)s can do this.")
                         % {"org": organisation.name})
    return membership


def _one_line(value) -> str:
    """A one-line text; a line break or control character is refused, not a crash."""
    try:
        return clean_display_text(str(value))
    except ValueError:
        raise Invalid(_("Use no line breaks or control characters in names and titles.")) from None


def _clean(fields: dict, *, creating: bool) -> dict:
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s")
                      % {"fields": ", ".join(sorted(unknown))})
    cleaned = {}
    for key, value in fields.items():
        value = "" if value is None else value
        cleaned[key] = (str(value).replace("\x00", "").strip() if key == "about"
                        else _one_line(value))
    if ("name" in cleaned or creating) and not cleaned.get("name"):
        raise Invalid(_("Give the organisation a name."))
    if ("kind" in cleaned or creating) and cleaned.get("kind") not in Organisation.Kind.values:
        raise Invalid(_("Choose what kind of organisation this is."))
    if "slug" in cleaned:
        cleaned["slug"] = slugify(cleaned["slug"])
        if len(cleaned["slug"]) < 2 or cleaned["slug"] in RESERVED_SLUGS:
            raise Invalid(_("Choose another short name (letters, digits and hyphens)."))
    if cleaned.get("website") and not cleaned["website"].startswith(("https://", "http://")):
        raise Invalid(_("The website must start with https:// or http://."))
    organisation = Organisation(**cleaned)
    from django.core.exceptions import ValidationError

    try:
        organisation.clean_fields(exclude=[f.name for f in Organisation._meta.fields
                                           if f.name not in cleaned])
    except ValidationError as error:
        raise Invalid(" ".join(
            f"{Organisation._meta.get_field(k).verbose_name}: {' '.join(v)}"
            for k, v in error.message_dict.items())) from None
    return cleaned


def create_organisation(*, actor, request=None, **fields) -> Organisation:
    """Create an organisation with the actor as its first owner."""
    cleaned = _clean(fields, creating=True)
    if not cleaned.get("slug"):
        cleaned["slug"] = _free_slug(cleaned["name"])
    with transaction.atomic():
        if Organisation.objects.filter(slug=cleaned["slug"]).exists():
            raise Conflict(_("The short name “%(slug)s” is taken.") % {"slug": cleaned["slug"]})
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    search_name=search_key(cleaned["name"])[:200],
                    region_key=search_key(cleaned.get("region", ""))[:100], **cleaned)
        except IntegrityError:
            raise Conflict(_("The short name “%(slug)s” is taken.")
                           % {"slug": cleaned["slug"]}) from None
        OrganisationMembership.objects.create(organisation=organisation, account=actor,
                                              role=Role.OWNER)
        record("contacts.organisation_created", actor=actor, target=organisation,
               request=request, data={"slug": organisation.slug})
    return organisation


def _free_slug(name: str) -> str:
    base = (slugify(name) or "organisation")[:70]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def update_organisation(*, actor, organisation: Organisation, request=None,
                        **fields) -> Organisation:
    cleaned = _clean(fields, creating=False)
    with transaction.atomic():
        require_role(actor, organisation, admin=True)
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if "slug" in cleaned and Organisation.objects.filter(slug=cleaned["slug"]).exclude(
                pk=organisation.pk).exists():
            raise Conflict(_("The short name “%(slug)s” is taken.") % {"slug": cleaned["slug"]})
        changed = [k for k, v in cleaned.items() if getattr(organisation, k) != v]
        if not changed:
            return organisation
        for key in changed:
            setattr(organisation, key, cleaned[key])
        organisation.search_name = search_key(organisation.name)[:200]
        organisation.region_key = search_key(organisation.region)[:100]
        organisation.save()
        record("contacts.organisation_updated", actor=actor, target=organisation,
               request=request, data={"fields": sorted(changed)})
    return organisation


def _lock_owners(organisation: Organisation) -> list[OrganisationMembership]:
    """Lock the owners' rows; every change that could remove an owner takes this first."""
    return list(OrganisationMembership.objects.select_for_update()
                .filter(organisation=organisation, role=Role.OWNER).order_by("pk"))


def change_member_role(*, actor, organisation: Organisation, account_id: int, role: str,
                       request=None) -> OrganisationMembership:
    """Change a member's role. Owners manage owners and administrators; admins manage members."""
    if role not in Role.values:
        raise Invalid(_("There is no such role."))
    with transaction.atomic():
        owners = _lock_owners(organisation)
        mine = require_role(actor, organisation, admin=True)
        target = (OrganisationMembership.objects.select_for_update()
                  .filter(organisation=organisation, account_id=account_id)
                  .select_related("account").first())
        if target is None:
            raise NotFound(_("That person is not a member."))
        if target.role == role:
            return target
        if mine.role != Role.OWNER:
            raise NotAllowed(_("Only an owner can change roles in %(org)s.")
                             % {"org": organisation.name})
        if target.role == Role.OWNER and len(owners) == 1:
            raise LastOwner(_("%(org)s needs at least one owner. Make someone else an owner "
                              "first.") % {"org": organisation.name})
        before = target.role
        target.role = role
        target.save(update_fields=["role"])
        record("contacts.organisation_role_changed", actor=actor, subject=target.account,
               target=organisation, request=request,
               data={"from": before, "to": role, "account": account_id})
        notify(target.account, "contacts.organisation_role_changed", actor=actor,
               organisation=organisation.name, role=Role(role).label,
               url=f"/organisations/{organisation.slug}/")
    return target


def remove_member(*, actor, organisation: Organisation, account_id: int,
                  request=None) -> None:
    """Remove someone from the organisation, or leave it when account_id is the actor's own."""
    with transaction.atomic():
        owners = _lock_owners(organisation)
        mine = require_role(actor, organisation)
        target = (OrganisationMembership.objects.select_for_update()
                  .filter(organisation=organisation, account_id=account_id)
                  .select_related("account").first())
        if target is None:
            raise NotFound(_("That person is not a member."))
        leaving = target.account_id == actor.pk
        if not leaving:
            if mine.role == Role.MEMBER:
                raise NotAllowed(_("Only an owner or administrator can remove members."))
            if mine.role == Role.ADMIN and target.role != Role.MEMBER:
                raise NotAllowed(_("Only an owner can remove owners and administrators."))
        if target.role == Role.OWNER and len(owners) == 1:
            raise LastOwner(_("%(org)s needs at least one owner. Make someone else an owner "
                              "first.") % {"org": organisation.name})
        target.delete()
        record("contacts.organisation_left" if leaving else "contacts.organisation_member_removed",
               actor=actor, subject=target.account, target=organisation, request=request,
               data={"account": account_id, "role": target.role})


def invite(*, actor, organisation: Organisation, email: str, role: str = Role.MEMBER,
           request=None) -> tuple[OrganisationInvitation, str]:
    """Invite someone by email; returns the invitation and its secret token (sent by mail)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address.")) from None
    if role not in Role.values:
        raise Invalid(_("There is no such role."))
    with transaction.atomic():
        mine = require_role(actor, organisation, admin=True)
        if role == Role.OWNER and mine.role != Role.OWNER:
            raise NotAllowed(_("Only an owner can invite a new owner."))
        if OrganisationMembership.objects.filter(organisation=organisation,
                                                 account__email__iexact=email).exists():
            raise Conflict(_("%(email)s is already a member.") % {"email": email})
        now = timezone.now()
        if OrganisationInvitation.objects.filter(
                organisation=organisation, email=email, accepted_at__isnull=True,
                revoked_at__isnull=True, expires_at__gt=now).exists():
            raise Conflict(_("%(email)s has an open invitation already.") % {"email": email})
        token = secrets.token_urlsafe(32)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=actor,
            token_hash=_hash(token), expires_at=now + dt.timedelta(days=INVITATION_DAYS))
        record("contacts.organisation_invited", actor=actor, target=organisation,
               request=request, data={"email": email, "role": role})
        invitee = Account.objects.filter(email__iexact=email, is_active=True).first()
        if invitee is not None:
            notify(invitee, "contacts.organisation_invited", actor=actor,
                   organisation=organisation.name, url=f"/organisations/invitations/{token}/")
        link = absolute_url(request, f"/organisations/invitations/{token}/")
        language = (invitee.language if invitee and invitee.language
                    else translation.get_language() or settings.LANGUAGE_CODE)
        inviter = getattr(getattr(actor, "person", None), "display_name", "") or actor.name
        transaction.on_commit(lambda: _send_invitation(email, language, {
            "organisation": organisation.name, "inviter": inviter, "link": link,
            "days": INVITATION_DAYS, "role": role}))
    return invitation, token


def absolute_url(request, path: str) -> str:
    """The full address of a path for a mail: from the request, else WECONOMICS_SITE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path if getattr(settings, "SITE_URL", "") else path


def _send_invitation(email: str, language: str, context: dict) -> None:
    with translation.override(language):
        context["role"] = Role(context["role"]).label
        subject = _("Invitation to join %(organisation)s") % context
        body = render_to_string("contacts/email/organisation_invitation.txt", context)
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, None, [email])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> OrganisationInvitation:
    """Return the open invitation for this token, or refuse with the reason."""
    invitation = (OrganisationInvitation.objects.select_related("organisation", "invited_by")
                  .filter(token_hash=_hash(token or "")).first())
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation does not exist or was withdrawn."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has been used already."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation has expired. Ask for a new one."))
    return invitation


def accept_invitation(*, actor, token: str, request=None) -> OrganisationMembership:
    """Join the organisation of an invitation sent to one of the actor's addresses."""
    with transaction.atomic():
        invitation = invitation_by_token(token)
        invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict(_("This invitation has been used already."))
        from allauth.account.models import EmailAddress

        addresses = {actor.email.lower()} | {
            e.lower() for e in EmailAddress.objects.filter(user=actor, verified=True)
            .values_list("email", flat=True)}
        if invitation.email.lower() not in addresses:
            raise NotAllowed(_("This invitation was sent to another email address."))
        organisation = invitation.organisation
        if OrganisationMembership.objects.filter(organisation=organisation,
                                                 account=actor).exists():
            raise Conflict(_("You are already a member of %(org)s.") % {"org": organisation.name})
        membership = OrganisationMembership.objects.create(organisation=organisation,
                                                           account=actor, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        Notification.objects.filter(recipient=actor, kind="contacts.organisation_invited",
                                    url__endswith=f"/{token}/").update(read_at=timezone.now())
        record("contacts.organisation_joined", actor=actor, target=organisation, request=request,
               data={"role": invitation.role, "invitation": invitation.pk})
    return membership


def revoke_invitation(*, actor, organisation: Organisation, invitation_id: int,
                      request=None) -> None:
    with transaction.atomic():
        require_role(actor, organisation, admin=True)
        updated = OrganisationInvitation.objects.filter(
            pk=invitation_id, organisation=organisation, accepted_at__isnull=True,
            revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            raise NotFound(_("That invitation is no longer open."))
        record("contacts.organisation_invitation_revoked", actor=actor, target=organisation,
               request=request, data={"invitation": invitation_id})


def open_invitations(organisation: Organisation):
    return OrganisationInvitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=timezone.now()).select_related("invited_by")


def follow(*, actor, organisation: Organisation, request=None) -> Follow:
    found, created = Follow.objects.get_or_create(account=actor, organisation=organisation)
    return found


def unfollow(*, actor, organisation: Organisation, request=None) -> None:
    Follow.objects.filter(account=actor, organisation=organisation).delete()


def post_news(*, actor, organisation: Organisation, title: str, body: str,
              request=None) -> OrganisationPost:
    """Publish news on behalf of the organisation; its followers are told."""
    title = _one_line(title or "")
    body = (body or "").replace("\x00", "").strip()
    if not title or not body:
        raise Invalid(_("News needs a title and a text."))
    if len(title) > 150 or len(body) > 5000:
        raise Invalid(_("The title may have 150 characters and the text 5000."))
    with transaction.atomic():
        require_role(actor, organisation, admin=True)
        post = OrganisationPost.objects.create(organisation=organisation, author=actor,
                                               title=title, body=body)
        record("contacts.organisation_news_posted", actor=actor, target=post, request=request,
               data={"organisation": organisation.slug})
        followers = (Follow.objects.filter(organisation=organisation)
                     .exclude(account=actor).values_list("account_id", flat=True))
        Notification.objects.bulk_create([
            Notification(recipient_id=account_id, kind="contacts.organisation_news", actor=actor,
                         params={"organisation": organisation.name, "title": title},
                         url=f"/organisations/{organisation.slug}/")
            for account_id in followers.iterator()
        ], batch_size=500)
    return post


def delete_news(*, actor, organisation: Organisation, post_id: int, request=None) -> None:
    with transaction.atomic():
        require_role(actor, organisation, admin=True)
        deleted, _rows = OrganisationPost.objects.filter(pk=post_id,
                                                         organisation=organisation).delete()
        if not deleted:
            raise NotFound(_("That news item does not exist."))
        record("contacts.organisation_news_deleted", actor=actor, target=organisation,
               request=request, data={"post": post_id})
