"""Writes of the contacts domain: profiles, the network between people, and blocks and reports.

Every write takes the acting account as `actor`, runs in one transaction, writes its
audit record and notifies only on commit. Organisations live in `organisations.py`.
"""

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from weconomics.audit.services import record
from weconomics.contacts import access
from weconomics.contacts.errors import Conflict, Invalid, NotAllowed, NotFound
from weconomics.contacts.models import (
    SECTIONS,
    Block,
    Connection,
    ConnectionRequest,
    Education,
    Endorsement,
    Experience,
    NetworkRole,
    Organisation,
    Person,
    PersonSkill,
    Recommendation,
    Report,
    Skill,
    Visibility,
)
from weconomics.contacts.photos import clean_photo
from weconomics.contacts.text import search_key
from weconomics.identity.models import clean_display_text
from weconomics.notifications.services import notify

MAX_SKILLS = 50
MAX_LINKS = 10
MAX_LANGUAGES = 20
# After a decline, the same person may ask again only after this long.
ASK_AGAIN_AFTER = dt.timedelta(days=30)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


# --- profiles ---------------------------------------------------------------------------

def ensure_person(account) -> Person:
    """Return the account's person profile, creating it from the account's name at first use."""
    existing = access.person_of(account)
    if existing is not None:
        return existing
    name = clean_display_text(account.name) or account.email.split("@")[0]
    with transaction.atomic():
        person, _created = Person.objects.get_or_create(
            account=account,
            defaults={"display_name": name[:150], "search_name": search_key(name)[:150],
                      "handle": _free_handle(name)})
    account.person = person
    return person


def _free_handle(name: str) -> str:
    base = (slugify(name) or "person")[:60]
    handle, n = base, 1
    while Person.objects.filter(handle=handle).exists():
        n += 1
        handle = f"{base}-{n}"
    return handle


PROFILE_FIELDS = {"display_name", "headline", "about", "region", "languages", "hours_per_month",
                  "available_from", "links", "handle"} | {f"{s}_visibility" for s in SECTIONS}


def update_profile(*, actor, request: HttpRequest | None = None, **changes: Any) -> Person:
    """Change fields of the actor's profile; unknown fields are refused, not ignored."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s")
                      % {"fields": ", ".join(sorted(unknown))})
    person = ensure_person(actor)
    cleaned = {key: _clean_profile_value(key, value) for key, value in changes.items()}
    changed = {key: value for key, value in cleaned.items() if getattr(person, key) != value}
    if not changed:
        return person
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        for key, value in changed.items():
            setattr(person, key, value)
        if "display_name" in changed:
            person.search_name = search_key(person.display_name)[:150]
        if "region" in changed:
            person.region_key = search_key(person.region)[:100]
        if "handle" in changed and Person.objects.filter(
                handle=person.handle).exclude(pk=person.pk).exists():
            raise Conflict(_("That profile address is taken. Choose another one."))
        person.save()
        record("contacts.profile_updated", actor=actor, target=person, request=request,
               data={"fields": sorted(changed)})
    actor.person = person
    return person


def _clean_profile_value(key: str, value: Any) -> Any:
    if key.endswith("_visibility"):
        if value not in Visibility.values:
            raise Invalid(_("Choose who may see this: everyone, community members, connections "
                            "or only you."))
        return value
    if key == "display_name":
        value = _one_line(value or "")
        if not value:
            raise Invalid(_("Your display name cannot be empty."))
        return _limit(value, 150, _("display name"))
    if key == "handle":
        value = slugify(value or "")
        if len(value) < 3:
            raise Invalid(_("A profile address needs at least three letters or digits."))
        return _limit(value, 80, _("profile address"))
    if key in ("headline", "region"):
        if key == "headline":
            return _limit(_one_line(value or ""), 160, _("headline"))
        return _limit(_one_line(value or ""), 100, _("region"))
    if key == "about":
        return _limit((value or "").replace("\x00", "").strip(), 5000, _("about text"))
    if key == "hours_per_month":
        if value in (None, ""):
            return None
        try:
            hours = int(value)
        except (TypeError, ValueError):
            raise Invalid(_("Hours per month must be a whole number.")) from None
        if not 0 <= hours <= 744:
            raise Invalid(_("Hours per month must be between 0 and 744."))
        return hours
    if key == "available_from":
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise Invalid(_("Give the date as YYYY-MM-DD.")) from None
        return value
    if key == "languages":
        return _clean_languages(value)
    if key == "links":
        return _clean_links(value)
    raise Invalid(key)


def _one_line(value: str) -> str:
    """A one-line text, refused with a clear message when it holds line breaks or controls."""
    try:
        return clean_display_text(value)
    except ValueError:
        raise Invalid(_("Use no line breaks or control characters in names, titles and "
                        "labels.")) from None


def _limit(value: str, length: int, label) -> str:
    if len(value) > length:
        raise Invalid(_("The %(field)s is too long: at most %(n)d characters.")
                      % {"field": label, "n": length})
    return value


def _clean_languages(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_LANGUAGES:
        raise Invalid(_("Give at most %(n)d languages.") % {"n": MAX_LANGUAGES})
    cleaned, seen = [], set()
    for item in value:
        if not isinstance(item, dict):
            raise Invalid(_("Each language needs a code and a level."))
        code = str(item.get("code", "")).strip().lower()
        level = str(item.get("level", "")).strip().lower()
        if not LANGUAGE_CODE.match(code):
            raise Invalid(_("“%(code)s” is not a language code such as nl or en.")
                          % {"code": code[:10]})
        if level not in Person.LanguageLevel.values:
            raise Invalid(_("Choose a level for each language: basic, good, fluent or native."))
        if code not in seen:
            seen.add(code)
            cleaned.append({"code": code, "level": level})
    return cleaned


def _clean_links(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_LINKS:
        raise Invalid(_("Give at most %(n)d links.") % {"n": MAX_LINKS})
    cleaned = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid(_("Each link needs an address."))
        url = str(item.get("url", "")).strip()
        label = _one_line(str(item.get("label", "")))[:60]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 300:
            raise Invalid(_("“%(url)s” is not a web address starting with https:// or http://.")
                          % {"url": url[:80]})
        cleaned.append({"label": label or parts.netloc, "url": url})
    return cleaned


def set_skills(*, actor, names: list[str], request: HttpRequest | None = None) -> list[PersonSkill]:
    """Replace the actor's skills; skills kept keep their endorsements."""
    person = ensure_person(actor)
    wanted: dict[str, str] = {}
    for raw in names:
        name = _one_line(str(raw))
        if not name:
            continue
        if len(name) > 60:
            raise Invalid(_("A skill name can have at most 60 characters."))
        wanted.setdefault(search_key(name), name)
    if len(wanted) > MAX_SKILLS:
        raise Invalid(_("Give at most %(n)d skills.") % {"n": MAX_SKILLS})
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        existing = {ps.skill.key: ps for ps in
                    PersonSkill.objects.filter(person=person).select_related("skill")}
        removed = [ps for key, ps in existing.items() if key not in wanted]
        PersonSkill.objects.filter(pk__in=[ps.pk for ps in removed]).delete()
        for position, (key, name) in enumerate(wanted.items()):
            skill, _created = Skill.objects.get_or_create(key=key, defaults={"name": name})
            if key in existing:
                if existing[key].position != position:
                    existing[key].position = position
                    existing[key].save(update_fields=["position"])
            else:
                PersonSkill.objects.create(person=person, skill=skill, position=position)
        record("contacts.skills_updated", actor=actor, target=person, request=request,
               data={"skills": list(wanted.values())})
    return list(PersonSkill.objects.filter(person=person).select_related("skill"))


def _save_entry(model, *, actor, entry_id, fields, request, allowed):
    person = ensure_person(actor)
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s")
                      % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        if entry_id is None:
            entry = model(person=person)
        else:
            entry = model.objects.select_for_update().filter(pk=entry_id, person=person).first()
            if entry is None:
                raise NotFound(_("That entry does not exist."))
        for key, value in fields.items():
            if isinstance(value, str):
                value = (value.replace("\x00", "").strip() if key == "description"
                         else _one_line(value))
            if key in ("started_on", "ended_on") and isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value) if value else None
                except ValueError:
                    raise Invalid(_("Give dates as YYYY-MM-DD.")) from None
            setattr(entry, key, value)
        try:
            entry.full_clean(exclude=["person"])
        except ValidationError as error:
            raise Invalid(" ".join(_messages(error))) from None
        if entry.started_on and entry.ended_on and entry.ended_on < entry.started_on:
            raise Invalid(_("The end date cannot be before the start date."))
        entry.save()
        record(f"contacts.{model._meta.model_name}_saved", actor=actor, target=entry,
               request=request)
    return entry


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
                for field, msgs in error.message_dict.items()]
    return list(error.messages)


def save_experience(*, actor, entry_id: int | None = None, request=None, **fields) -> Experience:
    return _save_entry(Experience, actor=actor, entry_id=entry_id, fields=fields, request=request,
                       allowed={"title", "organisation_name", "started_on", "ended_on",
                                "description"})


def save_education(*, actor, entry_id: int | None = None, request=None, **fields) -> Education:
    return _save_entry(Education, actor=actor, entry_id=entry_id, fields=fields, request=request,
                       allowed={"institution", "qualification", "started_on", "ended_on",
                                "description"})


def remove_entry(*, actor, kind: str, entry_id: int, request=None) -> None:
    model = {"experience": Experience, "education": Education}[kind]
    person = ensure_person(actor)
    with transaction.atomic():
        deleted, _rows = model.objects.filter(pk=entry_id, person=person).delete()
        if not deleted:
            raise NotFound(_("That entry does not exist."))
        record(f"contacts.{kind}_removed", actor=actor, target=person, request=request,
               data={"id": entry_id})


def set_photo(*, actor, upload, request=None) -> Person:
    """Replace the actor's photo with a checked, re-encoded copy of the upload."""
    person = ensure_person(actor)
    content = clean_photo(upload)  # refuses before anything is written
    old = person.photo.name if person.photo else ""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.photo.save(f"{person.pk}-{timezone.now():%Y%m%d%H%M%S%f}.jpg", content, save=False)
        person.save(update_fields=["photo", "updated_at"])
        record("contacts.photo_changed", actor=actor, target=person, request=request)
        if old:
            storage = person.photo.storage
            transaction.on_commit(lambda: storage.delete(old))
    actor.person = person
    return person


def remove_photo(*, actor, request=None) -> None:
    person = ensure_person(actor)
    if not person.photo:
        return
    with transaction.atomic():
        old, storage = person.photo.name, person.photo.storage
        person.photo = ""
        person.save(update_fields=["photo", "updated_at"])
        record("contacts.photo_removed", actor=actor, target=person, request=request)
        transaction.on_commit(lambda: storage.delete(old))


# --- network roles ----------------------------------------------------------------------

SELF_CHOSEN = {NetworkRole.Role.CUSTOMER, NetworkRole.Role.PRODUCT_SUPPLIER,
               NetworkRole.Role.INTERMEDIARY, NetworkRole.Role.NETWORK_SUPPLIER}


def can_grant_supervisor(account) -> bool:
    """Platform administrators and existing supervisors may make someone a supervisor."""
    if account is None or not account.is_authenticated:
        return False
    if account.is_staff:
        return True
    me = access.person_of(account)
    return me is not None and NetworkRole.objects.filter(
        person=me, role=NetworkRole.Role.SUPERVISOR).exists()


def _holder_for(actor, organisation: Organisation | None):
    if organisation is None:
        return {"person": ensure_person(actor)}
    from weconomics.contacts.organisations import require_role

    require_role(actor, organisation, admin=True)
    return {"organisation": organisation}


def add_role(*, actor, role: str, specialty: str = "", organisation: Organisation | None = None,
             request=None) -> NetworkRole:
    """Take on a network role, for oneself or for an organisation one administers."""
    if role not in NetworkRole.Role.values:
        raise Invalid(_("There is no such role."))
    if role not in SELF_CHOSEN:
        raise NotAllowed(_("The supervisor role is granted by the platform, never chosen."))
    if specialty not in NetworkRole.Specialty.values:
        raise Invalid(_("There is no such specialty."))
    if role != NetworkRole.Role.NETWORK_SUPPLIER:
        specialty = ""
    holder = _holder_for(actor, organisation)
    with transaction.atomic():
        found = NetworkRole.objects.filter(role=role, **holder).first()
        if found is not None:
            if found.specialty != specialty:
                before = found.specialty
                found.specialty = specialty
                found.save(update_fields=["specialty"])
                record("contacts.role_changed", actor=actor, target=found, request=request,
                       data={"role": role, "from": before, "specialty": specialty,
                             "organisation": organisation.slug if organisation else None})
            return found
        created = NetworkRole.objects.create(role=role, specialty=specialty, granted_by=actor,
                                             **holder)
        record("contacts.role_added", actor=actor, target=created, request=request,
               data={"role": role, "specialty": specialty,
                     "organisation": organisation.slug if organisation else None})
    return created


def remove_role(*, actor, role: str, organisation: Organisation | None = None,
                request=None) -> None:
    if role == NetworkRole.Role.SUPERVISOR:
        raise NotAllowed(_("Only the platform can take away the supervisor role."))
    holder = _holder_for(actor, organisation)
    with transaction.atomic():
        deleted, _rows = NetworkRole.objects.filter(role=role, **holder).delete()
        if deleted:
            record("contacts.role_removed", actor=actor, request=request,
                   data={"role": role,
                         "organisation": organisation.slug if organisation else None})


def grant_supervisor(*, actor, person: Person, request=None) -> NetworkRole:
    """Make a person a supervisor (toezichthouder); only the platform may do this."""
    if not can_grant_supervisor(actor):
        raise NotAllowed(_("Only platform administrators and supervisors grant this role."))
    with transaction.atomic():
        found = NetworkRole.objects.filter(person=person,
                                           role=NetworkRole.Role.SUPERVISOR).first()
        if found is not None:
            return found
        granted = NetworkRole.objects.create(person=person, role=NetworkRole.Role.SUPERVISOR,
                                             granted_by=actor)
        record("contacts.supervisor_granted", actor=actor, subject=person.account,
               target=granted, request=request)
        notify(person.account, "contacts.role_granted", actor=actor,
               role=NetworkRole.Role.SUPERVISOR.label, url=f"/people/{person.handle}/")
    return granted


def revoke_supervisor(*, actor, person: Person, request=None) -> None:
    if not can_grant_supervisor(actor):
        raise NotAllowed(_("Only platform administrators and supervisors grant this role."))
    with transaction.atomic():
        deleted, _rows = NetworkRole.objects.filter(
            person=person, role=NetworkRole.Role.SUPERVISOR).delete()
        if deleted:
            record("contacts.supervisor_revoked", actor=actor, subject=person.account,
                   target=person, request=request)


# --- connections ------------------------------------------------------------------------

def _other_person(actor, handle: str, *, known=None) -> tuple[Person, Person]:
    """The actor's person and the one they act on; a hidden profile is NotFound
    (`access.person_for`) unless `known(me, other)` says they are already in touch."""
    me = ensure_person(actor)
    return me, access.person_for(actor, handle, known=known)


def _in_touch(me: Person, other: Person) -> bool:
    """A connection request either way: a hidden profile that asked can still be blocked."""
    return ConnectionRequest.objects.filter(
        Q(sender=me, recipient=other) | Q(sender=other, recipient=me)).exists()


def request_connection(*, actor, handle: str, note: str = "",
                       request: HttpRequest | None = None) -> ConnectionRequest:
    """Ask someone to connect, with a short note."""
    me, other = _other_person(actor, handle)
    note = (note or "").replace("\x00", "").strip()
    if len(note) > 300:
        raise Invalid(_("The note is too long: at most 300 characters."))
    if me.pk == other.pk:
        raise Invalid(_("You cannot connect with yourself."))
    with transaction.atomic():
        # Both people's rows, in a fixed order: two crossing requests cannot both pass.
        list(Person.objects.select_for_update().filter(pk__in=[me.pk, other.pk]).order_by("pk"))
        if access.is_blocked_between(me, other):
            # The same answer whoever blocked whom: a block is not revealed.
            raise NotAllowed(_("You cannot connect with this person."))
        if not access.access_to(actor, other).can_see("profile"):
            raise NotFound(_("There is no such profile, or it is not visible to you."))
        if access.are_connected(me, other):
            raise Conflict(_("You are already connected."))
        open_statuses = [ConnectionRequest.Status.PENDING, ConnectionRequest.Status.IGNORED]
        if ConnectionRequest.objects.filter(sender=me, recipient=other,
                                            status__in=open_statuses).exists():
            raise Conflict(_("You already asked to connect; wait for an answer."))
        if ConnectionRequest.objects.filter(sender=other, recipient=me,
                                            status=ConnectionRequest.Status.PENDING).exists():
            raise Conflict(_("%(name)s already asked to connect with you: accept their request.")
                           % {"name": other.display_name})
        recent_no = ConnectionRequest.objects.filter(
            sender=me, recipient=other, status=ConnectionRequest.Status.DECLINED,
            responded_at__gt=timezone.now() - ASK_AGAIN_AFTER).exists()
        if recent_no:
            raise Conflict(_("This person declined recently; you can ask again after 30 days."))
        created = ConnectionRequest.objects.create(sender=me, recipient=other, note=note)
        record("contacts.connection_requested", actor=actor, subject=other.account,
               target=created, request=request)
        notify(other.account, "contacts.connection_requested", actor=actor,
               url="/network/")
    return created


def respond_to_request(*, actor, request_id: int, answer: str,
                       request: HttpRequest | None = None) -> ConnectionRequest:
    """Accept, decline or ignore a connection request made to the actor."""
    if answer not in ("accept", "decline", "ignore"):
        raise Invalid(_("Answer with accept, decline or ignore."))
    me = ensure_person(actor)
    with transaction.atomic():
        found = (ConnectionRequest.objects.select_for_update()
                 .filter(pk=request_id, recipient=me).select_related("sender__account").first())
        if found is None or found.status not in (ConnectionRequest.Status.PENDING,
                                                 ConnectionRequest.Status.IGNORED):
            raise NotFound(_("That connection request is no longer open."))
        sender = found.sender
        if answer == "accept":
            if access.is_blocked_between(me, sender):
                raise NotAllowed(_("You cannot connect with this person."))
            found.status = ConnectionRequest.Status.ACCEPTED
            for a, b in ((me, sender), (sender, me)):
                Connection.objects.get_or_create(person=a, other=b)
            notify(sender.account, "contacts.connection_accepted", actor=actor,
                   url=f"/people/{me.handle}/")
        elif answer == "decline":
            found.status = ConnectionRequest.Status.DECLINED
        else:
            found.status = ConnectionRequest.Status.IGNORED
        found.responded_at = timezone.now()
        found.save(update_fields=["status", "responded_at"])
        record(f"contacts.connection_{found.status}", actor=actor, subject=sender.account,
               target=found, request=request)
    return found


def withdraw_request(*, actor, request_id: int, request=None) -> None:
    me = ensure_person(actor)
    with transaction.atomic():
        updated = ConnectionRequest.objects.filter(
            pk=request_id, sender=me,
            status__in=[ConnectionRequest.Status.PENDING, ConnectionRequest.Status.IGNORED],
        ).update(status=ConnectionRequest.Status.WITHDRAWN, responded_at=timezone.now())
        if not updated:
            raise NotFound(_("That connection request is no longer open."))
        record("contacts.connection_request_withdrawn", actor=actor, request=request,
               data={"request": request_id})


def remove_connection(*, actor, handle: str, request=None) -> None:
    me, other = _other_person(actor, handle, known=access.are_connected)
    with transaction.atomic():
        deleted, _rows = Connection.objects.filter(
            Q(person=me, other=other) | Q(person=other, other=me)).delete()
        if not deleted:
            raise NotFound(_("You are not connected with this person."))
        record("contacts.connection_removed", actor=actor, subject=other.account, target=other,
               request=request)


# --- blocks and reports -----------------------------------------------------------------

def block(*, actor, handle: str, request=None) -> Block:
    """Block someone: the connection, open requests and endorsements between you end."""
    # Someone whose profile one can see, or who has been in touch (a hidden profile that
    # sent a request can be blocked); a block must not reveal any other hidden profile.
    me, other = _other_person(actor, handle, known=_in_touch)
    if me.pk == other.pk:
        raise Invalid(_("You cannot block yourself."))
    with transaction.atomic():
        found, created = Block.objects.get_or_create(blocker=me, blocked=other)
        if not created:
            return found
        Connection.objects.filter(Q(person=me, other=other) | Q(person=other, other=me)).delete()
        ConnectionRequest.objects.filter(
            Q(sender=me, recipient=other) | Q(sender=other, recipient=me),
            status__in=[ConnectionRequest.Status.PENDING, ConnectionRequest.Status.IGNORED],
        ).update(status=ConnectionRequest.Status.WITHDRAWN, responded_at=timezone.now())
        Endorsement.objects.filter(endorser=other, person_skill__person=me).delete()
        Recommendation.objects.filter(
            Q(author=other, subject=me) | Q(author=me, subject=other),
            status__in=[Recommendation.Status.REQUESTED, Recommendation.Status.WRITTEN]).delete()
        record("contacts.blocked", actor=actor, subject=other.account, target=found,
               request=request)
    return found


def unblock(*, actor, handle: str, request=None) -> None:
    me, other = _other_person(actor, handle, known=lambda me, other: Block.objects.filter(
        blocker=me, blocked=other).exists())
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=me, blocked=other).delete()
        if not deleted:
            raise NotFound(_("You have not blocked this person."))
        record("contacts.unblocked", actor=actor, subject=other.account, target=other,
               request=request)


def report(*, actor, reason: str, details: str = "", handle: str = "", organisation_slug: str = "",
           context: str = "", request=None) -> Report:
    """Report a person or an organisation to the platform's moderators."""
    if reason not in Report.Reason.values:
        raise Invalid(_("Choose a reason for the report."))
    details = (details or "").replace("\x00", "").strip()
    if len(details) > 2000:
        raise Invalid(_("The details are too long: at most 2000 characters."))
    person = organisation = None
    if handle:
        person = Person.objects.filter(handle=handle).first()
        if person is None or not access.access_to(actor, person).can_see("profile"):
            raise NotFound(_("There is no such profile, or it is not visible to you."))
        if person.account_id == actor.pk:
            raise Invalid(_("You cannot report yourself."))
    elif organisation_slug:
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is None:
            raise NotFound(_("There is no such organisation."))
    else:
        raise Invalid(_("Say whom you are reporting."))
    with transaction.atomic():
        created = Report.objects.create(
            reporter=actor, person=person, organisation=organisation,
            subject_name=str(person or organisation)[:200], context=context[:100],
            reason=reason, details=details)
        record("contacts.reported", actor=actor, subject=person.account if person else None,
               target=created, request=request, data={"reason": reason, "context": context[:100]})
    return created


def close_reports(*, actor, report_ids, request=None) -> int:
    """Mark open reports handled; only the platform's moderators (staff) do this."""
    if actor is None or not getattr(actor, "is_staff", False):
        raise NotAllowed(_("Only the platform's moderators handle reports."))
    with transaction.atomic():
        found = list(Report.objects.select_for_update()
                     .filter(pk__in=list(report_ids), status=Report.Status.OPEN).order_by("pk"))
        now = timezone.now()
        for item in found:
            item.status = Report.Status.CLOSED
            item.handled_at = now
            item.save(update_fields=["status", "handled_at"])
            record("contacts.report_handled", actor=actor, target=item, request=request,
                   data={"reason": item.reason, "subject": item.subject_name})
    return len(found)


# --- endorsements and recommendations ---------------------------------------------------

def endorse(*, actor, handle: str, skill_id: int, request=None) -> Endorsement:
    """Endorse a skill of a connection: once per skill per person."""
    me, other = _other_person(actor, handle)
    if me.pk == other.pk:
        raise Invalid(_("You cannot endorse your own skills."))
    with transaction.atomic():
        if not access.are_connected(me, other) or access.is_blocked_between(me, other):
            raise NotAllowed(_("You can endorse only the skills of your connections."))
        person_skill = (PersonSkill.objects.filter(pk=skill_id, person=other)
                        .select_related("skill").first())
        if person_skill is None:
            raise NotFound(_("This person does not list that skill."))
        try:
            with transaction.atomic():
                created = Endorsement.objects.create(endorser=me, person_skill=person_skill)
        except IntegrityError:
            raise Conflict(_("You already endorsed this skill.")) from None
        record("contacts.skill_endorsed", actor=actor, subject=other.account, target=created,
               request=request, data={"skill": person_skill.skill.name})
        notify(other.account, "contacts.skill_endorsed", actor=actor,
               skill=person_skill.skill.name, url=f"/people/{other.handle}/")
    return created


def withdraw_endorsement(*, actor, handle: str, skill_id: int, request=None) -> None:
    me, other = _other_person(actor, handle, known=lambda me, other: Endorsement.objects.filter(
        endorser=me, person_skill__person=other).exists())
    with transaction.atomic():
        deleted, _rows = Endorsement.objects.filter(
            endorser=me, person_skill_id=skill_id, person_skill__person=other).delete()
        if not deleted:
            raise NotFound(_("You have not endorsed that skill."))
        record("contacts.endorsement_withdrawn", actor=actor, subject=other.account,
               request=request, data={"person_skill": skill_id})


def ask_recommendation(*, actor, handle: str, note: str = "", request=None) -> Recommendation:
    """Ask a connection to write a recommendation for you."""
    me, author = _other_person(actor, handle)
    note = (note or "").replace("\x00", "").strip()
    if len(note) > 300:
        raise Invalid(_("The note is too long: at most 300 characters."))
    if me.pk == author.pk:
        raise Invalid(_("You cannot recommend yourself."))
    with transaction.atomic():
        if not access.are_connected(me, author) or access.is_blocked_between(me, author):
            raise NotAllowed(_("You can ask only your connections for a recommendation."))
        try:
            with transaction.atomic():
                created = Recommendation.objects.create(author=author, subject=me,
                                                        request_note=note)
        except IntegrityError:
            raise Conflict(_("You already asked this person; wait for their answer.")) from None
        record("contacts.recommendation_requested", actor=actor, subject=author.account,
               target=created, request=request)
        notify(author.account, "contacts.recommendation_requested", actor=actor,
               url="/network/recommendations/")
    return created


def write_recommendation(*, actor, handle: str, body: str, request=None) -> Recommendation:
    """Write a recommendation for a connection; it shows once they approve it."""
    me, subject = _other_person(actor, handle)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise Invalid(_("Write the recommendation first."))
    if len(body) > 3000:
        raise Invalid(_("The recommendation is too long: at most 3000 characters."))
    if me.pk == subject.pk:
        raise Invalid(_("You cannot recommend yourself."))
    with transaction.atomic():
        if not access.are_connected(me, subject) or access.is_blocked_between(me, subject):
            raise NotAllowed(_("You can recommend only your connections."))
        found = (Recommendation.objects.select_for_update()
                 .filter(author=me, subject=subject,
                         status__in=[Recommendation.Status.REQUESTED,
                                     Recommendation.Status.WRITTEN]).first())
        if found is None:
            found = Recommendation(author=me, subject=subject)
        found.body = body
        found.status = Recommendation.Status.WRITTEN
        found.written_at = timezone.now()
        found.save()
        record("contacts.recommendation_written", actor=actor, subject=subject.account,
               target=found, request=request)
        notify(subject.account, "contacts.recommendation_written", actor=actor,
               url="/network/recommendations/")
    return found


def decide_recommendation(*, actor, recommendation_id: int, approve: bool,
                          request=None) -> Recommendation:
    """Show (approve) or hide (decline) a recommendation written about the actor."""
    me = ensure_person(actor)
    with transaction.atomic():
        found = Recommendation.objects.select_for_update().filter(
            pk=recommendation_id, subject=me).first()
        if found is None or found.status == Recommendation.Status.REQUESTED:
            raise NotFound(_("There is no such recommendation waiting for you."))
        found.status = (Recommendation.Status.APPROVED if approve
                        else Recommendation.Status.DECLINED)
        found.decided_at = timezone.now()
        found.save(update_fields=["status", "decided_at"])
        record("contacts.recommendation_" + ("approved" if approve else "declined"),
               actor=actor, target=found, request=request)
    return found


def withdraw_recommendation(*, actor, recommendation_id: int, request=None) -> None:
    """The author takes back a recommendation (or a request they will not answer)."""
    me = ensure_person(actor)
    with transaction.atomic():
        deleted, _rows = Recommendation.objects.filter(pk=recommendation_id, author=me).delete()
        if not deleted:
            raise NotFound(_("There is no such recommendation."))
        record("contacts.recommendation_withdrawn", actor=actor, request=request,
               data={"recommendation": recommendation_id})

