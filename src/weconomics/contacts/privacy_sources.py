"""What the contacts module keeps about an account, for the export and for deletion."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from weconomics.contacts.errors import LastOwner
from weconomics.contacts.models import (
    Block,
    Connection,
    ConnectionRequest,
    Education,
    Endorsement,
    Experience,
    Follow,
    NetworkRole,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPost,
    Person,
    PersonSkill,
    Recommendation,
    Report,
)
from weconomics.contacts.queries import organisation_memberships_of
from weconomics.identity import privacy


def _person(account):
    return Person.objects.filter(account=account).first()


def _date(value):
    return value.isoformat() if value else None


def export_profile(account):
    person = _person(account)
    if person is None:
        return None
    return {
        "handle": person.handle,
        "display_name": person.display_name,
        "headline": person.headline,
        "about": person.about,
        "region": person.region,
        "languages": person.languages,
        "hours_per_month": person.hours_per_month,
        "available_from": _date(person.available_from),
        "links": person.links,
        "photo": person.photo.name if person.photo else None,
        "visibility": {field.name.removesuffix("_visibility"): getattr(person, field.name)
                       for field in Person._meta.fields if field.name.endswith("_visibility")},
        "skills": [ps.skill.name for ps in
                   PersonSkill.objects.filter(person=person).select_related("skill")],
        "experience": [
            {"title": e.title, "organisation": e.organisation_name,
             "from": _date(e.started_on), "until": _date(e.ended_on),
             "description": e.description}
            for e in Experience.objects.filter(person=person)],
        "education": [
            {"institution": e.institution, "qualification": e.qualification,
             "from": _date(e.started_on), "until": _date(e.ended_on),
             "description": e.description}
            for e in Education.objects.filter(person=person)],
        "roles": [{"role": r.role, "specialty": r.specialty, "since": _date(r.created_at)}
                  for r in NetworkRole.objects.filter(person=person)],
        "created_at": _date(person.created_at),
    }


def export_network(account):
    person = _person(account)
    if person is None:
        return None
    return {
        "connections": [
            {"name": c.other.display_name, "profile": c.other.handle, "since": _date(c.created_at)}
            for c in Connection.objects.filter(person=person).select_related("other")],
        "requests_sent": [
            {"to": r.recipient.display_name, "note": r.note, "status": r.status,
             "sent_at": _date(r.created_at)}
            for r in ConnectionRequest.objects.filter(sender=person).select_related("recipient")],
        "requests_received": [
            {"from": r.sender.display_name, "note": r.note, "status": r.status,
             "received_at": _date(r.created_at)}
            for r in ConnectionRequest.objects.filter(recipient=person).select_related("sender")],
        "blocked": [{"name": b.blocked.display_name, "since": _date(b.created_at)}
                    for b in Block.objects.filter(blocker=person).select_related("blocked")],
        "endorsements_given": [
            {"to": e.person_skill.person.display_name, "skill": e.person_skill.skill.name,
             "at": _date(e.created_at)}
            for e in Endorsement.objects.filter(endorser=person)
            .select_related("person_skill__person", "person_skill__skill")],
        "endorsements_received": [
            {"from": e.endorser.display_name, "skill": e.person_skill.skill.name,
             "at": _date(e.created_at)}
            for e in Endorsement.objects.filter(person_skill__person=person)
            .select_related("endorser", "person_skill__skill")],
        "recommendations_written": [
            {"for": r.subject.display_name, "text": r.body, "status": r.status,
             "written_at": _date(r.written_at)}
            for r in Recommendation.objects.filter(author=person).select_related("subject")],
        "recommendations_received": [
            {"from": r.author.display_name, "text": r.body, "status": r.status,
             "request_note": r.request_note, "written_at": _date(r.written_at)}
            for r in Recommendation.objects.filter(subject=person).select_related("author")],
    }


def export_organisations(account):
    return {
        "memberships": [
            {"organisation": m.organisation.name, "slug": m.organisation.slug, "role": m.role,
             "since": _date(m.created_at)}
            for m in organisation_memberships_of(account)],
        "following": [
            {"organisation": f.organisation.name, "since": _date(f.created_at)}
            for f in Follow.objects.filter(account=account).select_related("organisation")],
        "news_posted": [
            {"organisation": p.organisation.name, "title": p.title, "text": p.body,
             "at": _date(p.created_at)}
            for p in OrganisationPost.objects.filter(author=account)
            .select_related("organisation")],
        "invitations_sent": [
            {"organisation": i.organisation.name, "email": i.email, "role": i.role,
             "at": _date(i.created_at)}
            for i in OrganisationInvitation.objects.filter(invited_by=account)
            .select_related("organisation")],
    }


def export_reports(account):
    return [
        {"about": r.subject_name, "reason": r.reason, "details": r.details, "status": r.status,
         "at": _date(r.created_at)}
        for r in Report.objects.filter(reporter=account)]


def erase_organisations(account):
    """Refuse while the account is the last owner of an organisation others belong to.

    An organisation whose only member is this account goes with it.
    """
    owned_ids = OrganisationMembership.objects.filter(
        account=account, role=OrganisationMembership.Role.OWNER).values("organisation_id")
    owned = Organisation.objects.filter(pk__in=owned_ids).annotate(
        owners=Count("memberships", filter=Q(
            memberships__role=OrganisationMembership.Role.OWNER)),
        members=Count("memberships"))
    stuck = [o.name for o in owned if o.owners == 1 and o.members > 1]
    if stuck:
        raise LastOwner(_("You are the last owner of %(orgs)s. Make another member an owner, "
                          "or leave, before you delete your account.")
                        % {"orgs": ", ".join(stuck)})
    Organisation.objects.filter(pk__in=[o.pk for o in owned if o.members == 1]).delete()
    OrganisationInvitation.objects.filter(email__iexact=account.email).delete()


def erase_profile(account):
    person = _person(account)
    if person is not None and person.photo:
        name, storage = person.photo.name, person.photo.storage
        transaction.on_commit(lambda: storage.delete(name))


def erase_reports(account):
    # Reports about the account's own profile keep only the name, for the moderators' record.
    Report.objects.filter(person__account=account).update(person=None)


privacy.register("profile", export=export_profile, erase=erase_profile,
                 models=[Person, PersonSkill, Experience, Education, NetworkRole])
privacy.register("network", export=export_network,
                 models=[Connection, ConnectionRequest, Block, Endorsement, Recommendation])
privacy.register("organisations", export=export_organisations, erase=erase_organisations,
                 models=[OrganisationMembership, OrganisationInvitation, Follow,
                         OrganisationPost], order=10)
privacy.register("reports", export=export_reports, erase=erase_reports, models=[Report])
