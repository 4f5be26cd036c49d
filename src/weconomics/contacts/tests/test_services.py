"""The contacts services: the network's rules, organisations' owners, audit, export and deletion."""

import threading

import pytest
from django.db import close_old_connections

from weconomics.audit.models import AuditRecord
from weconomics.conftest import make_account
from weconomics.contacts import organisations, queries, services
from weconomics.contacts.errors import (
    Conflict,
    ContactError,
    Invalid,
    LastOwner,
    NotAllowed,
    NotFound,
)
from weconomics.contacts.models import (
    Connection,
    ConnectionRequest,
    Endorsement,
    NetworkRole,
    OrganisationMembership,
    Person,
    Recommendation,
)
from weconomics.identity import services as identity
from weconomics.notifications.models import Notification


def _findable(account):
    """A profile card visible to everyone (the default shows it to fellow members only)."""
    services.ensure_person(account)
    return services.update_profile(actor=account, profile_visibility="public")


def _connect(a, b):
    _findable(a)
    request = services.request_connection(actor=a, handle=_findable(b).handle)
    services.respond_to_request(actor=b, request_id=request.pk, answer="accept")


def test_a_person_one_cannot_see_cannot_be_asked(owner, member):
    handle = services.ensure_person(member).handle  # visible to fellow members only
    with pytest.raises(NotFound):
        services.request_connection(actor=owner, handle=handle)


def test_a_new_account_gets_a_profile_named_after_it(owner):
    person = services.ensure_person(owner)
    assert person.display_name == "Olivia Owner"
    assert person.handle == "olivia-owner"
    assert services.ensure_person(owner).pk == person.pk
    other = make_account("olivia2@example.org", "Olivia Owner")
    assert services.ensure_person(other).handle == "olivia-owner-2"


def test_connecting_needs_the_other_side_to_accept(owner, member):
    _findable(member)
    request = services.request_connection(actor=owner, handle=member.person.handle, note="Hoi")
    assert not Connection.objects.exists()
    assert Notification.objects.filter(recipient=member,
                                       kind="contacts.connection_requested").exists()
    services.respond_to_request(actor=member, request_id=request.pk, answer="accept")
    assert Connection.objects.count() == 2
    assert [p.display_name for p in queries.connections_of(owner)] == ["Mo Member"]
    assert [p.display_name for p in queries.connections_of(member)] == ["Olivia Owner"]
    services.remove_connection(actor=member, handle=services.ensure_person(owner).handle)
    assert not Connection.objects.exists()


@pytest.mark.parametrize("answer, status", [("decline", "declined"), ("ignore", "ignored")])
def test_a_declined_or_ignored_request_makes_no_connection(owner, member, answer, status):
    _findable(member)
    request = services.request_connection(actor=owner, handle=member.person.handle)
    services.respond_to_request(actor=member, request_id=request.pk, answer=answer)
    assert ConnectionRequest.objects.get().status == status
    assert not Connection.objects.exists()
    # Asking again is refused either way, with a reason.
    with pytest.raises(Conflict):
        services.request_connection(actor=owner, handle=member.person.handle)


def test_bad_connection_requests_are_refused_and_write_nothing(owner, member, outsider):
    me = _findable(owner)
    _findable(member)
    with pytest.raises(Invalid, match="yourself"):
        services.request_connection(actor=owner, handle=me.handle)
    with pytest.raises(NotFound):
        services.request_connection(actor=owner, handle="nobody-here")
    with pytest.raises(Invalid, match="too long"):
        services.request_connection(actor=owner, handle=member.person.handle, note="x" * 301)
    services.request_connection(actor=owner, handle=member.person.handle)
    with pytest.raises(Conflict, match="already asked"):
        services.request_connection(actor=owner, handle=member.person.handle)
    with pytest.raises(Conflict, match="accept their request"):
        services.request_connection(actor=member, handle=me.handle)
    _findable(outsider)
    services.block(actor=outsider, handle=me.handle)
    with pytest.raises(NotAllowed):
        services.request_connection(actor=owner, handle=outsider.person.handle)
    assert ConnectionRequest.objects.count() == 1


def test_a_request_to_a_deleted_person_is_refused(owner, member):
    handle = _findable(member).handle
    identity.delete_account(actor=member)
    with pytest.raises(NotFound):
        services.request_connection(actor=owner, handle=handle)
    assert not ConnectionRequest.objects.exists()


def test_blocking_ends_the_connection_and_everything_open(owner, member):
    _connect(owner, member)
    skills = services.set_skills(actor=owner, names=["Coaching"])
    services.endorse(actor=member, handle=owner.person.handle, skill_id=skills[0].pk)
    services.ask_recommendation(actor=owner, handle=member.person.handle)
    services.block(actor=owner, handle=member.person.handle)
    assert not Connection.objects.exists()
    assert not Endorsement.objects.exists()
    assert not Recommendation.objects.exists()
    for attempt in (
        lambda: services.request_connection(actor=member, handle=owner.person.handle),
        lambda: services.endorse(actor=member, handle=owner.person.handle,
                                 skill_id=skills[0].pk),
        lambda: services.write_recommendation(actor=member, handle=owner.person.handle,
                                              body="Great"),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert AuditRecord.objects.filter(action="contacts.blocked", actor=owner,
                                      subject=member).exists()
    services.unblock(actor=owner, handle=member.person.handle)
    assert AuditRecord.objects.filter(action="contacts.unblocked").exists()


def test_endorsements_are_for_connections_once_per_skill(owner, member, outsider):
    _connect(owner, member)
    skill = services.set_skills(actor=owner, names=["Coaching", "Python"])[1]
    _findable(outsider)
    with pytest.raises(NotAllowed):
        services.endorse(actor=outsider, handle=owner.person.handle, skill_id=skill.pk)
    with pytest.raises(Invalid):
        services.endorse(actor=owner, handle=owner.person.handle, skill_id=skill.pk)
    services.endorse(actor=member, handle=owner.person.handle, skill_id=skill.pk)
    with pytest.raises(Conflict):
        services.endorse(actor=member, handle=owner.person.handle, skill_id=skill.pk)
    assert Endorsement.objects.count() == 1
    # Keeping a skill while editing the list keeps its endorsements.
    services.set_skills(actor=owner, names=["Python", "Training"])
    assert Endorsement.objects.count() == 1
    services.withdraw_endorsement(actor=member, handle=owner.person.handle, skill_id=skill.pk)
    assert not Endorsement.objects.exists()


def test_a_recommendation_shows_only_after_the_subject_approves(owner, member):
    _connect(owner, member)
    services.ask_recommendation(actor=owner, handle=member.person.handle, note="Please")
    written = services.write_recommendation(actor=member, handle=owner.person.handle,
                                            body="Olivia is <b>great</b>")
    assert not queries.approved_recommendations(owner.person).exists()
    services.decide_recommendation(actor=owner, recommendation_id=written.pk, approve=True)
    assert [r.body for r in queries.approved_recommendations(owner.person)] == [
        "Olivia is <b>great</b>"]
    with pytest.raises(NotFound):
        services.decide_recommendation(actor=member, recommendation_id=written.pk, approve=True)


def test_the_supervisor_role_is_granted_never_chosen(owner, member, admin_account):
    person = services.ensure_person(member)
    with pytest.raises(NotAllowed):
        services.add_role(actor=member, role="supervisor")
    with pytest.raises(NotAllowed):
        services.grant_supervisor(actor=owner, person=person)
    services.grant_supervisor(actor=admin_account, person=person)
    assert NetworkRole.objects.filter(person=person, role="supervisor").exists()
    # A supervisor may grant it on; the grant is audited.
    services.grant_supervisor(actor=member, person=services.ensure_person(owner))
    assert AuditRecord.objects.filter(action="contacts.supervisor_granted").count() == 2
    with pytest.raises(NotAllowed):
        services.remove_role(actor=member, role="supervisor")


def test_people_choose_their_roles(owner):
    services.add_role(actor=owner, role="network_supplier", specialty="it")
    services.add_role(actor=owner, role="customer")
    with pytest.raises(Invalid):
        services.add_role(actor=owner, role="king")
    assert sorted(NetworkRole.objects.values_list("role", flat=True)) == [
        "customer", "network_supplier"]
    assert AuditRecord.objects.filter(action="contacts.role_added").count() == 2


def test_changing_the_specialty_of_a_role_is_audited(owner):
    services.add_role(actor=owner, role="network_supplier", specialty="it")
    services.add_role(actor=owner, role="network_supplier", specialty="research")
    services.add_role(actor=owner, role="network_supplier", specialty="research")
    assert NetworkRole.objects.get().specialty == "research"
    changed = AuditRecord.objects.get(action="contacts.role_changed")
    assert changed.actor_id == owner.pk
    assert changed.data["from"] == "it" and changed.data["specialty"] == "research"


def test_profile_input_is_checked_and_nothing_is_half_written(owner):
    person = services.ensure_person(owner)
    for bad in ({"display_name": "   "}, {"hours_per_month": 800},
                {"links": [{"url": "javascript:alert(1)"}]},
                {"languages": [{"code": "dutch!", "level": "native"}]},
                {"about_visibility": "friends"}, {"is_staff": True}, {"headline": "x" * 161}):
        with pytest.raises(Invalid):
            services.update_profile(actor=owner, **{"region": "Changed", **bad})
    person.refresh_from_db()
    assert person.region == ""
    services.update_profile(actor=owner, headline="<script>alert(1)</script>")
    assert AuditRecord.objects.filter(action="contacts.profile_updated").count() == 1


def test_a_taken_profile_address_is_refused(owner, member):
    _findable(member)
    with pytest.raises(Conflict):
        services.update_profile(actor=owner, handle="mo-member")


def test_an_organisation_never_loses_its_last_owner(owner, member):
    organisation = organisations.create_organisation(actor=owner, name="Samen", kind="cooperative")
    _invite_and_accept(owner, member, organisation, "admin")
    with pytest.raises(LastOwner):
        organisations.remove_member(actor=owner, organisation=organisation, account_id=owner.pk)
    with pytest.raises(LastOwner):
        organisations.change_member_role(actor=owner, organisation=organisation,
                                         account_id=owner.pk, role="member")
    with pytest.raises(NotAllowed):
        organisations.remove_member(actor=member, organisation=organisation, account_id=owner.pk)
    assert OrganisationMembership.objects.get(account=owner).role == "owner"
    organisations.change_member_role(actor=owner, organisation=organisation,
                                     account_id=member.pk, role="owner")
    organisations.remove_member(actor=owner, organisation=organisation, account_id=owner.pk)
    assert list(OrganisationMembership.objects.values_list("role", flat=True)) == ["owner"]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"contacts.organisation_created", "contacts.organisation_invited",
            "contacts.organisation_joined", "contacts.organisation_role_changed",
            "contacts.organisation_left"} <= actions


def _invite_and_accept(inviter, invitee, organisation, role):
    _invitation, token = organisations.invite(actor=inviter, organisation=organisation,
                                              email=invitee.email, role=role)
    return organisations.accept_invitation(actor=invitee, token=token)


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    """Real parallel connections: the owner rows are locked before the last-owner check."""
    first = make_account("first@example.org", "First")
    second = make_account("second@example.org", "Second")
    organisation = organisations.create_organisation(actor=first, name="Duo", kind="company")
    _invite_and_accept(first, second, organisation, "owner")
    barrier = threading.Barrier(2)
    errors = []

    def demote(actor, other):
        try:
            barrier.wait()
            organisations.change_member_role(actor=actor, organisation=organisation,
                                             account_id=other.pk, role="member")
        except ContactError as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=demote, args=(first, second)),
               threading.Thread(target=demote, args=(second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert OrganisationMembership.objects.filter(organisation=organisation,
                                                 role="owner").count() == 1
    assert len(errors) == 1


def test_deleting_an_account_is_refused_while_it_is_the_last_owner(owner, member):
    organisation = organisations.create_organisation(actor=owner, name="Samen", kind="cooperative")
    _invite_and_accept(owner, member, organisation, "member")
    with pytest.raises(LastOwner):
        identity.delete_account(actor=owner)
    assert type(owner).objects.filter(pk=owner.pk).exists()
    assert OrganisationMembership.objects.filter(account=owner, role="owner").exists()
    # An organisation the account runs alone goes with it.
    solo = organisations.create_organisation(actor=member, name="Solo", kind="company")
    identity.delete_account(actor=member)
    assert not type(solo).objects.filter(pk=solo.pk).exists()


def test_the_export_holds_the_profile_and_the_network(owner, member):
    _connect(owner, member)
    services.set_skills(actor=owner, names=["Coaching"])
    services.update_profile(actor=owner, headline="Coach")
    services.block(actor=owner, handle=_findable(make_account("x@example.org", "Xavier")).handle)
    data = identity.export_account(actor=owner)
    assert data["profile"]["headline"] == "Coach"
    assert data["profile"]["skills"] == ["Coaching"]
    assert [c["name"] for c in data["network"]["connections"]] == ["Mo Member"]
    assert [b["name"] for b in data["network"]["blocked"]] == ["Xavier"]
    assert data["network"]["requests_sent"][0]["to"] == "Mo Member"


def test_deleting_an_account_removes_its_profile_and_keeps_the_others(owner, member):
    _connect(owner, member)
    skill = services.set_skills(actor=member, names=["Python"])[0]
    services.endorse(actor=owner, handle=member.person.handle, skill_id=skill.pk)
    services.report(actor=owner, handle=member.person.handle, reason="spam")
    identity.delete_account(actor=owner)
    assert list(Person.objects.values_list("display_name", flat=True)) == ["Mo Member"]
    assert not Connection.objects.exists()
    assert not Endorsement.objects.exists()
    assert queries.connections_of(member).count() == 0


def test_a_hidden_profile_can_be_blocked_only_after_it_was_in_touch(owner, member):
    hidden = services.ensure_person(member)  # its card shows to fellow members only
    _findable(owner)
    with pytest.raises(NotFound):
        services.block(actor=owner, handle=hidden.handle)
    services.request_connection(actor=member, handle=owner.person.handle)
    services.block(actor=owner, handle=hidden.handle)
    assert AuditRecord.objects.filter(action="contacts.blocked").count() == 1


def test_a_deactivated_account_disappears_from_the_directory(owner, member):
    _findable(member)
    assert [p.display_name for p in queries.search_people(owner)] == ["Mo Member"]
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert not queries.search_people(owner).exists()
