"""The communities domain through its services: starting, joining, roles, invitations,
alliances, the board, publications, consent, and the account's export and deletion."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.communities import access, board, publications, services
from weconomics.communities.errors import (
    AlreadyMember,
    CommunityError,
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
    Invitation,
    JoinRequest,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.conftest import make_account
from weconomics.contacts import access as contacts_access
from weconomics.contacts import services as contacts
from weconomics.identity import services as identity
from weconomics.notifications.models import Notification

pytestmark = pytest.mark.django_db


def start(actor, name="Coaches", kind="professional_network", **fields) -> Community:
    return services.create_community(actor=actor, name=name, purpose="Share what we know",
                                     audience="Coaches", kind=kind, **fields)


def add(community, steward, account, role="member"):
    _invitation, token = services.invite(actor=steward, community=community,
                                         email=account.email, role=role)
    return services.accept_invitation(actor=account, token=token)


def actions():
    return set(AuditRecord.objects.values_list("action", flat=True))


def role_of(community, account):
    found = Membership.objects.filter(community=community, account=account).first()
    return found.role if found else None


# --- starting a community ----------------------------------------------------------------

def test_a_template_fills_in_domains_and_settings_and_the_founder_is_steward(owner):
    community = start(owner, kind="shared_service_centre")
    assert (community.visibility, community.join_policy) == ("listed", "invitation")
    assert community.review_publications is True
    assert [d.kind.slug for d in access.domains_of(community)] == \
        services.TEMPLATES["shared_service_centre"]["domains"]
    assert role_of(community, owner) == "steward"
    assert "communities.created" in actions()


def test_chosen_domains_and_settings_win_over_the_template(owner):
    community = start(owner, domains=["wiki", "coaching"], visibility="hidden",
                      join_policy="approval")
    assert [d.kind.slug for d in access.domains_of(community)] == ["wiki", "coaching"]
    assert (community.visibility, community.join_policy) == ("hidden", "approval")


@pytest.mark.parametrize(("fields", "error"), [
    ({"slug": "api"}, Invalid), ({"slug": "admin"}, Invalid), ({"slug": "x"}, Invalid),
    ({"name": "  "}, Invalid), ({"name": "Two\nlines"}, Invalid), ({"purpose": ""}, Invalid),
    ({"kind": "club"}, Invalid), ({"domains": ["astrology"]}, Invalid),
    ({"visibility": "secret"}, Invalid), ({"join_policy": "lottery"}, Invalid),
])
def test_bad_input_starts_nothing(owner, fields, error):
    values = {"name": "Coaches", "purpose": "Share", "audience": "Coaches",
              "kind": "cooperative", **fields}
    with pytest.raises(error):
        services.create_community(actor=owner, **values)
    assert not Community.objects.exists()
    assert not Membership.objects.exists()


def test_a_short_name_is_taken_once(owner, member):
    start(owner, slug="coaches")
    with pytest.raises(Conflict):
        start(member, name="Other", slug="coaches")
    assert Community.objects.count() == 1
    # Without a short name one is made from the name, free of clashes.
    assert start(member, name="Coaches").slug == "coaches-2"


def test_a_host_name_is_checked_and_used_by_one_community_only(owner, member):
    first, second = start(owner, name="One"), start(member, name="Two")
    services.update_community(actor=owner, community=first, host="Coaches.Example.NL.")
    assert Community.objects.get(pk=first.pk).host == "coaches.example.nl"
    with pytest.raises(Conflict):
        services.update_community(actor=member, community=second, host="coaches.example.nl")
    for bad in ("https://x.example.org/", "no-dot", "a b.example.org"):
        with pytest.raises(Invalid):
            services.update_community(actor=member, community=second, host=bad)
    assert Community.objects.get(pk=second.pk).host is None
    assert access.community_by_host("COACHES.example.nl:8000") == first


def test_only_stewards_change_settings_and_a_colour_must_be_a_colour(owner, member):
    community = start(owner)
    add(community, owner, member)
    with pytest.raises(NotAllowed):
        services.update_community(actor=member, community=community, name="Mine")
    with pytest.raises(Invalid):
        services.update_community(actor=owner, community=community, colour="red")
    services.update_community(actor=owner, community=community, colour="#AA0011",
                              visibility="listed")
    community.refresh_from_db()
    assert (community.colour, community.visibility) == ("#aa0011", "listed")
    [changed] = AuditRecord.objects.filter(action="communities.updated")
    assert changed.data["to"] == {"visibility": "listed"}


# --- joining and leaving -------------------------------------------------------------------

def test_joining_follows_the_join_policy(owner, member, outsider):
    open_one = start(owner, name="Open", join_policy="open")
    assert isinstance(services.join(actor=member, community=open_one), Membership)
    with pytest.raises(AlreadyMember):
        services.join(actor=member, community=open_one)
    by_invitation = start(owner, name="Closed", join_policy="invitation")
    with pytest.raises(NotAllowed):
        services.join(actor=member, community=by_invitation)
    on_approval = start(owner, name="Approval", join_policy="approval")
    asked = services.join(actor=member, community=on_approval, message="Hello")
    assert isinstance(asked, JoinRequest) and role_of(on_approval, member) is None
    with pytest.raises(Conflict):
        services.join(actor=member, community=on_approval)
    assert Notification.objects.filter(recipient=owner,
                                       kind="communities.join_requested").exists()
    services.decide_join_request(actor=owner, community=on_approval, request_id=asked.pk,
                                 approve=True)
    assert role_of(on_approval, member) == "member"
    declined = services.join(actor=outsider, community=on_approval)
    services.decide_join_request(actor=owner, community=on_approval, request_id=declined.pk,
                                 approve=False)
    assert role_of(on_approval, outsider) is None
    with pytest.raises(Conflict):
        services.decide_join_request(actor=owner, community=on_approval,
                                     request_id=declined.pk, approve=True)
    assert {"communities.joined", "communities.join_requested", "communities.join_approved",
            "communities.join_declined"} <= actions()


def test_a_hidden_community_cannot_be_joined_or_found_by_outsiders(owner, outsider):
    hidden = start(owner, visibility="hidden", join_policy="open")
    with pytest.raises(NotFound):
        services.join(actor=outsider, community=hidden)
    with pytest.raises(NotFound):
        access.community_for(outsider, hidden.slug)
    with pytest.raises(NotFound):
        access.community_for(None, hidden.slug)
    assert hidden not in access.visible_communities(outsider)
    assert not Membership.objects.filter(account=outsider).exists()


def test_the_last_steward_cannot_leave_or_step_down(owner, member):
    community = start(owner)
    add(community, owner, member)
    with pytest.raises(LastSteward):
        services.leave(actor=owner, community=community)
    with pytest.raises(LastSteward):
        services.change_role(actor=owner, community=community, account_id=owner.pk,
                             role="member")
    services.change_role(actor=owner, community=community, account_id=member.pk,
                         role="steward")
    services.leave(actor=owner, community=community)
    assert role_of(community, owner) is None
    assert {"communities.role_changed", "communities.left"} <= actions()


@pytest.mark.django_db(transaction=True)
def test_two_stewards_stepping_down_at_once_leave_one_steward():
    """Real parallel connections: the steward rows are locked before the last-steward check."""
    first = make_account("first@example.org", "First")
    second = make_account("second@example.org", "Second")
    community = start(first)
    add(community, first, second, role="steward")
    barrier = threading.Barrier(2)
    errors = []

    def step_down(actor):
        try:
            barrier.wait()
            services.change_role(actor=actor, community=community, account_id=actor.pk,
                                 role="member")
        except CommunityError as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=step_down, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Membership.objects.filter(community=community, role="steward").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], LastSteward)


def test_stewards_manage_their_own_community_only(owner, member, outsider):
    mine, theirs = start(owner, name="Mine"), start(outsider, name="Theirs")
    add(theirs, outsider, member)
    with pytest.raises(NotAllowed):
        services.remove_member(actor=owner, community=theirs, account_id=member.pk)
    with pytest.raises(NotAllowed):
        services.change_role(actor=owner, community=theirs, account_id=member.pk,
                             role="steward")
    add(mine, owner, member)
    with pytest.raises(NotAllowed):
        services.remove_member(actor=member, community=mine, account_id=owner.pk)
    services.remove_member(actor=owner, community=mine, account_id=member.pk)
    assert role_of(mine, member) is None and role_of(theirs, member) == "member"


def test_supervisors_are_appointed_by_platform_supervisors_only(owner, member, admin_account):
    community = start(owner)
    add(community, owner, member)
    with pytest.raises(NotAllowed):
        services.change_role(actor=owner, community=community, account_id=member.pk,
                             role="supervisor")
    with pytest.raises(NotAllowed):
        services.appoint_supervisor(actor=owner, community=community, account=member)
    services.appoint_supervisor(actor=admin_account, community=community, account=member)
    assert role_of(community, member) == "supervisor"
    # Stewards cannot remove or demote a supervisor.
    with pytest.raises(NotAllowed):
        services.remove_member(actor=owner, community=community, account_id=member.pk)
    services.dismiss_supervisor(actor=admin_account, community=community,
                                account_id=member.pk)
    assert role_of(community, member) == "member"
    assert {"communities.supervisor_appointed", "communities.supervisor_dismissed"} <= actions()


# --- invitations ---------------------------------------------------------------------------

def test_an_email_invitation_is_for_that_address_and_used_once(owner, member, outsider):
    community = start(owner, join_policy="invitation")
    _invitation, token = services.invite(actor=owner, community=community,
                                         email=member.email)
    with pytest.raises(NotAllowed):
        services.accept_invitation(actor=outsider, token=token)
    services.accept_invitation(actor=member, token=token)
    with pytest.raises(InvitationUnusable):
        services.accept_invitation(actor=member, token=token)
    with pytest.raises(AlreadyMember):
        services.invite(actor=owner, community=community, email=member.email)


def test_an_invitation_link_has_a_use_limit_and_an_expiry(owner, member, outsider):
    community = start(owner, join_policy="invitation")
    _invitation, token = services.invite(actor=owner, community=community, max_uses=1, days=3)
    services.accept_invitation(actor=member, token=token)
    with pytest.raises(InvitationUnusable):
        services.accept_invitation(actor=outsider, token=token)
    _invitation, later = services.invite(actor=owner, community=community, max_uses=5, days=3)
    with (time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)),
          pytest.raises(InvitationUnusable)):
        services.accept_invitation(actor=outsider, token=later)
    assert role_of(community, outsider) is None
    for bad in ({"days": 0}, {"days": 91}, {"max_uses": 0}, {"max_uses": "many"},
                {"email": "not-an-address"}, {"role": "supervisor"}):
        with pytest.raises(Invalid):
            services.invite(actor=owner, community=community, **bad)


def test_a_revoked_or_unknown_invitation_is_not_found(owner, member):
    community = start(owner)
    invitation, token = services.invite(actor=owner, community=community, max_uses=10)
    services.revoke_invitation(actor=owner, community=community, invitation_id=invitation.pk)
    for value in (token, "nonsense", ""):
        with pytest.raises(NotFound):
            services.accept_invitation(actor=member, token=value)
    assert {"communities.invited", "communities.invitation_revoked"} <= actions()


@pytest.mark.django_db(transaction=True)
def test_a_link_with_one_use_left_admits_one_of_many_at_once():
    """Real parallel connections: the invitation row is locked before its uses are counted."""
    steward = make_account("steward@example.org", "Steward")
    community = start(steward, join_policy="invitation")
    _invitation, token = services.invite(actor=steward, community=community, max_uses=1)
    people = [make_account(f"p{i}@example.org", f"P{i}") for i in range(4)]
    barrier = threading.Barrier(len(people))
    errors = []

    def accept(person):
        try:
            barrier.wait()
            services.accept_invitation(actor=person, token=token)
        except CommunityError as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Membership.objects.filter(community=community, role="member").count() == 1
    assert Invitation.objects.get().use_count == 1
    assert len(errors) == 3 and all(isinstance(e, InvitationUnusable) for e in errors)


# --- alliances -------------------------------------------------------------------------------

def test_an_alliance_is_proposed_accepted_and_ended_by_stewards(owner, member):
    one, two = start(owner, name="One"), start(member, name="Two")
    alliance = services.propose_alliance(actor=owner, community=one, partner_slug=two.slug)
    with pytest.raises(Conflict):
        services.propose_alliance(actor=member, community=two, partner_slug=one.slug)
    with pytest.raises(NotAllowed):
        services.respond_to_alliance(actor=owner, community=two, alliance_id=alliance.pk,
                                     accept=True)
    services.respond_to_alliance(actor=member, community=two, alliance_id=alliance.pk,
                                 accept=True)
    assert Alliance.objects.get().status == "active"
    services.end_alliance(actor=owner, community=one, alliance_id=alliance.pk)
    assert Alliance.objects.get().status == "ended"
    with pytest.raises(Conflict):
        services.end_alliance(actor=member, community=two, alliance_id=alliance.pk)
    assert {"communities.alliance_proposed", "communities.alliance_accepted",
            "communities.alliance_ended"} <= actions()


def test_no_alliance_with_itself_or_with_a_hidden_community(owner, outsider):
    one = start(owner)
    hidden = start(outsider, name="Hidden", visibility="hidden")
    with pytest.raises(Invalid):
        services.propose_alliance(actor=owner, community=one, partner_slug=one.slug)
    with pytest.raises(NotFound):
        services.propose_alliance(actor=owner, community=one, partner_slug=hidden.slug)
    assert not Alliance.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_crossing_proposals_at_once_make_one_open_alliance():
    first = make_account("first@example.org", "First")
    second = make_account("second@example.org", "Second")
    one, two = start(first, name="One"), start(second, name="Two")
    barrier = threading.Barrier(2)
    errors = []

    def propose(actor, mine, other):
        try:
            barrier.wait()
            services.propose_alliance(actor=actor, community=mine, partner_slug=other.slug)
        except CommunityError as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=propose, args=(first, one, two)),
               threading.Thread(target=propose, args=(second, two, one))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Alliance.objects.filter(status="proposed").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)


# --- consent ---------------------------------------------------------------------------------

def test_a_member_shows_more_of_themselves_in_one_community_than_in_another(owner, member,
                                                                             outsider):
    contacts.update_profile(actor=owner, headline="Coach", region="Utrecht",
                            profile_visibility="public", region_visibility="communities")
    for viewer in (member, outsider):
        contacts.ensure_person(viewer)
    close, distant = start(owner, name="Close"), start(owner, name="Distant")
    add(close, owner, member)
    add(distant, owner, outsider)
    services.set_consent(actor=owner, community=distant, share_profile=False)
    assert contacts_access.profile_for(member, owner.person.handle).can_see("region")
    assert not contacts_access.profile_for(outsider, owner.person.handle).can_see("region")
    assert "communities.consent_changed" in actions()


# --- the board -------------------------------------------------------------------------------

def test_members_discuss_and_the_topic_author_hears_of_replies(owner, member, outsider):
    community = start(owner)
    add(community, owner, member)
    topic = board.start_topic(actor=owner, community=community, title="Intervisie",
                              body="Who joins?", domain="coaching")
    board.reply(actor=member, community=community, topic_id=topic.pk, body="Me!")
    assert Notification.objects.filter(recipient=owner, kind="communities.replied").exists()
    with pytest.raises(NotAllowed):
        board.reply(actor=outsider, community=community, topic_id=topic.pk, body="Me too")
    for title, body in (("", "Text"), ("Title", "  "), ("x" * 151, "Text")):
        with pytest.raises(Invalid):
            board.start_topic(actor=member, community=community, title=title, body=body)
    with pytest.raises(Invalid):
        board.start_topic(actor=member, community=community, title="T", body="B",
                          domain="astrology")
    assert Topic.objects.count() == 1 and Reply.objects.count() == 1


def test_moderators_close_and_hide_what_members_then_cannot_reach(owner, member):
    community = start(owner)
    add(community, owner, member)
    topic = board.start_topic(actor=member, community=community, title="T", body="B")
    with pytest.raises(NotAllowed):
        board.moderate_topic(actor=member, community=community, topic_id=topic.pk, locked=True)
    board.moderate_topic(actor=owner, community=community, topic_id=topic.pk, locked=True)
    with pytest.raises(Conflict):
        board.reply(actor=member, community=community, topic_id=topic.pk, body="Still?")
    board.moderate_topic(actor=owner, community=community, topic_id=topic.pk, hidden=True)
    member_view = access.community_for(member, community.slug)
    steward_view = access.community_for(owner, community.slug)
    assert not access.topics_for(member_view).exists()
    assert access.topics_for(steward_view).count() == 1
    assert "communities.topic_moderated" in actions()


# --- publications ------------------------------------------------------------------------------

def test_content_is_written_once_and_published_to_many_channels(owner, member):
    one, two = start(owner, name="One"), start(owner, name="Two")
    add(one, owner, member)
    add(two, owner, member)
    article = publications.create_article(actor=member, title="Five questions",
                                          body="1. Why?")
    made = publications.publish(actor=member, content=article,
                                targets=[(one.slug, "coaching"), (two.slug, "advice")])
    assert len(made) == 2
    with pytest.raises(Conflict):
        publications.publish(actor=member, content=article, targets=[(one.slug, "coaching")])
    publications.update_article(actor=member, article_id=article.pk, title="Six questions",
                                body="1. Why?")
    assert set(Publication.objects.values_list("title", flat=True)) == {"Six questions"}
    publications.unpublish(actor=member, publication_id=made[0].pk)
    assert list(Publication.objects.values_list("community__slug", flat=True)) == [two.slug]
    assert publications.article_for(owner, article.pk) == article
    assert {"communities.published", "communities.unpublished"} <= actions()


def test_publishing_needs_membership_and_ones_own_content(owner, member, outsider):
    community = start(owner)
    article = publications.create_article(actor=member, title="Mine", body="Text")
    with pytest.raises(NotAllowed):
        publications.publish(actor=member, content=article,
                             targets=[(community.slug, "coaching")])
    add(community, owner, outsider)
    with pytest.raises(NotAllowed):
        publications.publish(actor=outsider, content=article,
                             targets=[(community.slug, "coaching")])
    add(community, owner, member)
    with pytest.raises(Invalid):
        publications.publish(actor=member, content=article,
                             targets=[(community.slug, "astrology")])
    with pytest.raises(Invalid):
        publications.publish(actor=member, content=article, targets=[])
    assert not Publication.objects.exists()


def test_stewards_curate_without_touching_the_content(owner, member):
    community = start(owner, review_publications=True)
    add(community, owner, member)
    article = publications.create_article(actor=member, title="Mine", body="Text")
    [publication] = publications.publish(actor=member, content=article,
                                         targets=[(community.slug, "coaching")])
    assert publication.status == "pending"
    assert Notification.objects.filter(recipient=owner,
                                       kind="communities.publication_waiting").exists()
    member_view = access.community_for(member, community.slug)
    assert not access.publications_for(member_view).exists()
    with pytest.raises(NotAllowed):
        publications.curate(actor=member, community=community, publication_id=publication.pk,
                            action="approve")
    with pytest.raises(Conflict):
        publications.curate(actor=owner, community=community, publication_id=publication.pk,
                            action="feature")
    publications.curate(actor=owner, community=community, publication_id=publication.pk,
                        action="approve")
    publications.curate(actor=owner, community=community, publication_id=publication.pk,
                        action="feature")
    assert access.publications_for(member_view).get().featured
    publications.curate(actor=owner, community=community, publication_id=publication.pk,
                        action="hide")
    assert not access.publications_for(member_view).exists()
    article.refresh_from_db()
    assert (article.title, article.body) == ("Mine", "Text")
    assert "communities.curated" in actions()


def test_allied_members_see_what_publishers_allow_them(owner, member, outsider):
    private = start(owner, name="Private", visibility="listed")
    ally = start(member, name="Ally")
    article = publications.create_article(actor=owner, title="Shared", body="Text")
    secret = publications.create_article(actor=owner, title="Ours", body="Text")
    publications.publish(actor=owner, content=article, targets=[(private.slug, "coaching")])
    publications.publish(actor=owner, content=secret, targets=[(private.slug, "advice")],
                         allies_may_see=False)
    alliance = services.propose_alliance(actor=owner, community=private,
                                         partner_slug=ally.slug)

    def seen(viewer):
        view = access.community_for(viewer, private.slug)
        return set(access.publications_for(view).values_list("title", flat=True))

    assert seen(member) == set()
    services.respond_to_alliance(actor=member, community=ally, alliance_id=alliance.pk,
                                 accept=True)
    assert seen(member) == {"Shared"}
    assert seen(outsider) == set() and seen(None) == set()
    assert seen(owner) == {"Shared", "Ours"}
    assert publications.article_for(member, article.pk) == article
    with pytest.raises(NotFound):
        publications.article_for(member, secret.pk)
    services.end_alliance(actor=owner, community=private, alliance_id=alliance.pk)
    assert seen(member) == set()


# --- export and deletion ------------------------------------------------------------------------

def test_the_export_holds_memberships_posts_invitations_and_articles(owner, member):
    community = start(owner)
    add(community, owner, member)
    services.invite(actor=owner, community=community, max_uses=3)
    topic = board.start_topic(actor=member, community=community, title="Hello", body="Hi")
    board.reply(actor=owner, community=community, topic_id=topic.pk, body="Welcome")
    article = publications.create_article(actor=owner, title="Guide", body="Text")
    publications.publish(actor=owner, content=article, targets=[(community.slug, "wiki")])
    data = identity.export_account(actor=owner)
    assert data["community_memberships"][0]["role"] == "steward"
    assert len(data["community_invitations"]["sent"]) == 2
    assert data["community_posts"]["replies"][0]["text"] == "Welcome"
    assert data["articles"][0]["published_in"][0]["domain"] == "wiki"
    received = identity.export_account(actor=member)
    assert received["community_invitations"]["received"][0]["used"] is True
    assert received["community_posts"]["topics"][0]["title"] == "Hello"


def test_deletion_is_refused_for_the_last_steward_and_otherwise_anonymises_posts(owner,
                                                                                  member):
    community = start(owner)
    add(community, owner, member)
    topic = board.start_topic(actor=member, community=community, title="Hello", body="Hi")
    board.reply(actor=owner, community=community, topic_id=topic.pk, body="Welcome")
    with pytest.raises(LastSteward):
        identity.delete_account(actor=owner)
    assert Membership.objects.filter(account=owner).exists()
    article = publications.create_article(actor=member, title="Guide", body="Text")
    publications.publish(actor=member, content=article, targets=[(community.slug, "wiki")])
    identity.delete_account(actor=member)
    topic.refresh_from_db()
    assert topic.author is None and "removed" in topic.body
    assert Reply.objects.get().body == "Welcome"
    assert not Publication.objects.exists()
    assert not Membership.objects.filter(community=community, role="member").exists()
    # A community only its steward belongs to goes with the account.
    identity.delete_account(actor=owner)
    assert not Community.objects.exists() and not CommunityDomain.objects.exists()


def test_joining_once_the_community_is_open_answers_an_earlier_request(owner, member):
    community = start(owner, join_policy="approval")
    asked = services.join(actor=member, community=community)
    community = services.update_community(actor=owner, community=community,
                                          join_policy="open")
    services.join(actor=member, community=community)
    asked.refresh_from_db()
    assert asked.status == "approved" and role_of(community, member) == "member"


def test_a_community_removed_with_its_only_member_is_audited(owner):
    community = start(owner)
    identity.delete_account(actor=owner)
    assert not Community.objects.filter(pk=community.pk).exists()
    assert AuditRecord.objects.filter(action="communities.deleted",
                                      target_id=str(community.pk)).exists()


def test_one_items_visibility_agrees_with_the_list_of_visible_publications(owner, member,
                                                                          outsider):
    ally_member = make_account("ally@example.org", "Ally")
    ally = start(ally_member, name="Ally")
    articles = {}
    for visibility in ("public", "listed", "hidden"):
        community = start(owner, name=f"C {visibility}", visibility=visibility)
        add(community, owner, member)
        alliance = services.propose_alliance(actor=owner, community=community,
                                             partner_slug=ally.slug)
        services.respond_to_alliance(actor=ally_member, community=ally,
                                     alliance_id=alliance.pk, accept=True)
        for allies in (True, False):
            article = publications.create_article(actor=owner, title=f"{visibility} {allies}",
                                                  body="Text")
            publications.publish(actor=owner, content=article, allies_may_see=allies,
                                 targets=[(community.slug, "coaching")])
            articles[(visibility, allies)] = article
    unpublished = publications.create_article(actor=owner, title="Nowhere", body="Text")
    for viewer in (owner, member, outsider, ally_member, None):
        listed = set(publications.visible_publications(viewer).values_list("object_id",
                                                                           flat=True))
        for article in [*articles.values(), unpublished]:
            assert publications.is_visible(viewer, article) == (article.pk in listed)
    # The ally sees the shared offers of the listed and hidden communities, not the others.
    assert publications.is_visible(ally_member, articles[("hidden", True)])
    assert not publications.is_visible(ally_member, articles[("hidden", False)])


def test_a_hidden_topic_is_not_found_by_members_who_did_not_write_it(owner, member, outsider):
    community = start(owner)
    add(community, owner, member)
    add(community, owner, outsider)
    topic = board.start_topic(actor=outsider, community=community, title="T", body="B")
    board.moderate_topic(actor=owner, community=community, topic_id=topic.pk, hidden=True)
    with pytest.raises(NotFound):
        board.edit_topic(actor=member, community=community, topic_id=topic.pk, title="X",
                         body="Y")
    with pytest.raises(NotFound):
        board.delete_topic(actor=member, community=community, topic_id=topic.pk)
    # Its author still finds it (to delete it), and a visible one refuses others plainly.
    board.edit_topic(actor=outsider, community=community, topic_id=topic.pk, title="T2",
                     body="B2")
    shown = board.start_topic(actor=outsider, community=community, title="S", body="B")
    with pytest.raises(NotAllowed):
        board.delete_topic(actor=member, community=community, topic_id=shown.pk)
