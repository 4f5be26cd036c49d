"""The organisation pages: directory, profile, members, invitations, news, roles, supervisors."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.conftest import make_account
from weconomics.contacts import organisations, services
from weconomics.contacts.models import (
    Follow,
    NetworkRole,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPost,
    Report,
)
from weconomics.notifications.models import Notification
from weconomics.web.organisation_views import news_feed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The messages checked below are the English source texts.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def english_client(account=None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        browser.force_login(account)
    return browser


def create(owner, name="Samen Werkt", slug="samen") -> Organisation:
    return organisations.create_organisation(actor=owner, name=name, slug=slug,
                                             kind="cooperative", region="Utrecht")


def join(organisation, inviter, account, role="member"):
    _invitation, token = organisations.invite(actor=inviter, organisation=organisation,
                                              email=account.email, role=role)
    return organisations.accept_invitation(actor=account, token=token)


def public(account):
    services.update_profile(actor=account, profile_visibility="public",
                            headline="Trainer")


def role_of(organisation, account):
    found = OrganisationMembership.objects.filter(organisation=organisation,
                                                  account=account).first()
    return found.role if found else None


def actions():
    return set(AuditRecord.objects.values_list("action", flat=True))


def invite_by_page(browser, slug, email, role, capture):
    with capture(execute=True):
        return browser.post(f"/organisations/{slug}/members/invite/",
                            {"email": email, "role": role})


def emailed_link() -> str:
    body = mail.outbox[-1].body
    url = next(u for u in re.findall(r"https?://\S+", body) if "/invitations/" in u)
    return urlsplit(url).path


# --- directory and creation --------------------------------------------------------------

def test_a_created_organisation_appears_in_the_directory(client, owner):
    client.force_login(owner)
    response = client.post("/organisations/new/", {
        "name": "Stichting Open Leerhuis", "slug": "", "kind": "foundation",
        "headline": "Open leren", "about": "We *teach*.", "region": "Rotterdam",
        "website": "https://leerhuis.example.org/"})
    assert response.status_code == 302
    assert response["Location"] == "/organisations/stichting-open-leerhuis/"
    organisation = Organisation.objects.get(slug="stichting-open-leerhuis")
    assert role_of(organisation, owner) == "owner"
    assert "contacts.organisation_created" in actions()
    anonymous = english_client()
    html = anonymous.get("/organisations/").content.decode()
    assert "Stichting Open Leerhuis" in html
    assert 'href="/organisations/stichting-open-leerhuis/"' in html
    assert "Open leren" in html and "Rotterdam" in html and "1 member" in html
    found = anonymous.get("/organisations/?q=leerhuis&kind=foundation&region=rotter").content
    assert b"Stichting Open Leerhuis" in found
    assert b"Stichting Open Leerhuis" not in anonymous.get("/organisations/?kind=school").content
    page = anonymous.get("/organisations/stichting-open-leerhuis/")
    assert page.status_code == 200 and b"<em>teach</em>" in page.content


def test_the_directory_searches_by_role_and_survives_bad_criteria(client, owner):
    organisation = create(owner)
    services.add_role(actor=owner, organisation=organisation, role="intermediary")
    create(owner, "Other Company", "other")
    html = client.get("/organisations/?role=intermediary").content.decode()
    assert "Samen Werkt" in html and "Other Company" not in html and "Intermediary" in html
    for query in ("?kind=spaceship", "?role=<script>", "?page=abc", "?page=-4", "?page=99999"):
        assert client.get("/organisations/" + query).status_code == 200


def test_creating_needs_an_account(client):
    response = client.get("/organisations/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/organisations/new/", {"name": "X", "kind": "company"}).status_code == 302
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("slug", ["samen", "new", "admin", "invitations", "-"])
def test_a_taken_or_reserved_short_name_is_refused_with_a_form_error(client, owner, slug):
    create(owner)
    client.force_login(owner)
    response = client.post("/organisations/new/", {"name": "Copy", "slug": slug,
                                                   "kind": "company"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field has-errors"' in html and ("taken" in html or "another short name" in html)
    assert Organisation.objects.count() == 1


def test_bad_input_gives_form_errors_not_a_crash(client, owner):
    client.force_login(owner)
    for data in ({"name": "Line\nbreak", "kind": "company"}, {"name": "", "kind": "company"},
                 {"name": "Ok", "kind": "spaceship"}, {"name": "Ok", "kind": "company",
                                                       "website": "javascript:alert(1)"},
                 {"name": "x" * 201, "kind": "company"}):
        response = client.post("/organisations/new/", data)
        assert response.status_code == 422, data
    assert not Organisation.objects.exists()


def test_html_and_script_in_name_about_and_news_are_shown_inert(client, owner, member):
    organisation = organisations.create_organisation(
        actor=owner, name="<script>alert('n')</script>Evil", slug="evil", kind="company",
        headline="<b>bold</b>", about="<script>alert('a')</script><img src=x onerror=alert(1)>"
        "[link](javascript:alert(2)) **fine**")
    organisations.post_news(actor=owner, organisation=organisation,
                            title="<script>alert('t')</script>",
                            body="<iframe src='https://evil.example'></iframe>*news*")
    for url in ("/organisations/evil/", "/organisations/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;Evil" in html
    html = client.get("/organisations/evil/").content.decode()
    assert "<img src=\"x\"" not in html and "onerror" not in html and "javascript:" not in html
    assert "<iframe" not in html and "<strong>fine</strong>" in html and "<em>news</em>" in html
    Follow.objects.create(account=member, organisation=organisation)
    feed = news_feed(member)
    assert "<iframe" not in str(feed[0]["html"]) and "<em>news</em>" in str(feed[0]["html"])


# --- invitations -------------------------------------------------------------------------

def test_an_invitee_accepts_from_the_emailed_link_and_gets_the_role(
        client, owner, member, django_capture_on_commit_callbacks):
    organisation = create(owner)
    client.force_login(owner)
    response = invite_by_page(client, "samen", member.email, "admin",
                              django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox[-1].to == [member.email] and "Samen Werkt" in mail.outbox[-1].subject
    link = emailed_link()
    page = client.get("/organisations/samen/members/")
    assert member.email in page.content.decode()  # the open invitation is listed
    invitee = english_client(member)
    html = invitee.get(link).content.decode()
    assert "Samen Werkt" in html and "Administrator" in html and "Olivia Owner" in html
    response = invitee.post(link)
    assert response.status_code == 302 and response["Location"] == "/organisations/samen/"
    assert role_of(organisation, member) == "admin"
    assert {"contacts.organisation_invited", "contacts.organisation_joined"} <= actions()
    assert invitee.get(link).status_code == 410  # used now


def test_a_visitor_with_the_link_is_sent_to_sign_in_or_up_and_back(client, owner, member):
    organisation = create(owner)
    _invitation, token = organisations.invite(actor=owner, organisation=organisation,
                                              email="new@example.org")
    path = f"/organisations/invitations/{token}/"
    html = client.get(path).content.decode()
    assert f'href="/accounts/login/?next={path}"' in html
    assert f'href="/accounts/signup/?next={path}"' in html
    response = client.post(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_expired_used_revoked_unknown_and_foreign_invitations_are_refused(
        client, owner, member, outsider):
    organisation = create(owner)
    _inv, expired = organisations.invite(actor=owner, organisation=organisation,
                                         email=member.email)
    client.force_login(member)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        client.force_login(member)  # the first session has expired by now
        response = client.post(f"/organisations/invitations/{expired}/")
        assert response.status_code == 410 and b"has expired" in response.content
    assert role_of(organisation, member) is None
    client.force_login(member)
    OrganisationInvitation.objects.update(revoked_at=timezone.now())

    revoked_inv, revoked = organisations.invite(actor=owner, organisation=organisation,
                                                email=member.email)
    organisations.revoke_invitation(actor=owner, organisation=organisation,
                                    invitation_id=revoked_inv.pk)
    response = client.get(f"/organisations/invitations/{revoked}/")
    assert response.status_code == 404 and b"withdrawn" in response.content
    response = client.get("/organisations/invitations/not-a-token/")
    assert response.status_code == 404 and b"does not exist" in response.content

    _inv, foreign = organisations.invite(actor=owner, organisation=organisation,
                                         email=outsider.email)
    response = client.post(f"/organisations/invitations/{foreign}/")
    assert response.status_code == 403 and b"sent to another email address" in response.content
    assert role_of(organisation, member) is None

    english_client(outsider).post(f"/organisations/invitations/{foreign}/")
    response = client.post(f"/organisations/invitations/{foreign}/")
    assert response.status_code == 410 and b"used already" in response.content
    assert role_of(organisation, member) is None and role_of(organisation, outsider) == "member"


def test_an_admin_withdraws_an_open_invitation_and_its_link_stops_working(client, owner, member):
    organisation = create(owner)
    invitation, token = organisations.invite(actor=owner, organisation=organisation,
                                             email=member.email)
    client.force_login(owner)
    response = client.post(f"/organisations/samen/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert "contacts.organisation_invitation_revoked" in actions()
    assert english_client(member).post(f"/organisations/invitations/{token}/").status_code == 404
    again = client.post(f"/organisations/samen/invitations/{invitation.pk}/revoke/")
    assert again.status_code == 404 and b"no longer open" in again.content


def test_inviting_twice_or_a_member_is_a_clear_error(client, owner, member,
                                                     django_capture_on_commit_callbacks):
    organisation = create(owner)
    join(organisation, owner, member)
    client.force_login(owner)
    response = invite_by_page(client, "samen", member.email, "member",
                              django_capture_on_commit_callbacks)
    assert response.status_code == 409 and b"already a member" in response.content
    invite_by_page(client, "samen", "new@example.org", "member",
                   django_capture_on_commit_callbacks)
    response = invite_by_page(client, "samen", "new@example.org", "member",
                              django_capture_on_commit_callbacks)
    assert response.status_code == 409 and b"open invitation already" in response.content
    response = invite_by_page(client, "samen", "not an address", "member",
                              django_capture_on_commit_callbacks)
    assert response.status_code == 422
    assert OrganisationInvitation.objects.filter(email="new@example.org").count() == 1


# --- who may do what ---------------------------------------------------------------------

@pytest.fixture
def team(owner, member, outsider):
    organisation = create(owner)
    admin = make_account("adam@example.org", "Adam Admin")
    join(organisation, owner, admin, "admin")
    join(organisation, owner, member, "member")
    for account in (owner, admin, member, outsider):
        public(account)
    return organisation, admin


def test_a_plain_member_cannot_edit_invite_change_roles_or_remove(client, team, owner, member,
                                                                  outsider):
    organisation, admin = team
    for account in (member, outsider):
        client.force_login(account)
        assert client.get("/organisations/samen/edit/").status_code == 403
        response = client.post("/organisations/samen/edit/", {"name": "Hacked", "slug": "samen",
                                                              "kind": "company"})
        assert response.status_code == 403
        assert client.post("/organisations/samen/members/invite/",
                           {"email": "x@example.org", "role": "member"}).status_code == 403
        response = client.post(f"/organisations/samen/members/{admin.pk}/role/",
                               {"role": "member"})
        assert response.status_code == 403
        response = client.post(f"/organisations/samen/members/{owner.pk}/remove/")
        assert response.status_code == 403
        assert client.post("/organisations/samen/news/",
                           {"title": "T", "body": "B"}).status_code == 403
        assert client.post("/organisations/samen/roles/",
                           {"role": "customer"}).status_code == 403
        html = client.get("/organisations/samen/").content.decode()
        assert "/organisations/samen/edit/" not in html and "Post news" not in html
    organisation.refresh_from_db()
    assert organisation.name == "Samen Werkt" and role_of(organisation, admin) == "admin"
    assert not OrganisationInvitation.objects.filter(email="x@example.org").exists()
    assert not OrganisationPost.objects.exists()


def test_an_admin_edits_invites_and_removes_members_but_only_owners_change_roles(
        client, team, owner, member, django_capture_on_commit_callbacks):
    organisation, admin = team
    client.force_login(admin)
    assert client.get("/organisations/samen/edit/").status_code == 200
    response = client.post("/organisations/samen/edit/", {
        "name": "Samen Werkt Beter", "slug": "samen", "kind": "cooperative",
        "headline": "", "about": "", "region": "Utrecht", "website": ""})
    assert response.status_code == 302
    assert invite_by_page(client, "samen", "new@example.org", "admin",
                          django_capture_on_commit_callbacks).status_code == 302
    response = invite_by_page(client, "samen", "boss@example.org", "owner",
                              django_capture_on_commit_callbacks)
    assert response.status_code == 422  # only owners invite owners
    response = client.post(f"/organisations/samen/members/{member.pk}/role/", {"role": "admin"})
    assert response.status_code == 403 and b"Only an owner can change roles" in response.content
    response = client.post(f"/organisations/samen/members/{owner.pk}/remove/")
    assert response.status_code == 403 and role_of(organisation, owner) == "owner"
    assert client.post(f"/organisations/samen/members/{member.pk}/remove/").status_code == 302
    assert role_of(organisation, member) is None
    organisation.refresh_from_db()
    assert organisation.name == "Samen Werkt Beter"
    assert {"contacts.organisation_updated", "contacts.organisation_member_removed"} <= actions()


def test_an_owner_changes_roles_and_removes_anyone(client, team, owner, member):
    organisation, admin = team
    client.force_login(owner)
    html = client.get("/organisations/samen/members/").content.decode()
    assert "Adam Admin" in html and "Mo Member" in html and 'name="role"' in html
    # Owners first, then administrators, then members.
    assert html.index("Olivia Owner") < html.index("Adam Admin") < html.index("Mo Member")
    page = english_client().get("/organisations/samen/").content.decode()
    assert page.index("Olivia Owner") < page.index("Adam Admin") < page.index("Mo Member")
    assert client.post(f"/organisations/samen/members/{member.pk}/role/",
                       {"role": "owner"}).status_code == 302
    assert role_of(organisation, member) == "owner"
    assert client.post(f"/organisations/samen/members/{admin.pk}/remove/").status_code == 302
    assert role_of(organisation, admin) is None
    response = client.post(f"/organisations/samen/members/{member.pk}/role/", {"role": "god"})
    assert response.status_code == 422 and role_of(organisation, member) == "owner"
    record = AuditRecord.objects.filter(action="contacts.organisation_role_changed").first()
    assert record.data == {"from": "member", "to": "owner", "account": member.pk}
    assert Notification.objects.filter(recipient=member,
                                       kind="contacts.organisation_role_changed").exists()


def test_the_last_owner_can_neither_leave_nor_be_demoted(client, team, owner):
    organisation, _admin = team
    client.force_login(owner)
    before = AuditRecord.objects.count()
    response = client.post("/organisations/samen/leave/")
    assert response.status_code == 409
    assert b"needs at least one owner" in response.content
    response = client.post(f"/organisations/samen/members/{owner.pk}/role/", {"role": "member"})
    assert response.status_code == 409 and b"needs at least one owner" in response.content
    response = client.post(f"/organisations/samen/members/{owner.pk}/remove/")
    assert response.status_code == 409
    assert role_of(organisation, owner) == "owner"
    assert AuditRecord.objects.count() == before


def test_a_member_leaves(client, team, member):
    organisation, _admin = team
    client.force_login(member)
    assert b"Leave this organisation" in client.get("/organisations/samen/").content
    response = client.post("/organisations/samen/leave/")
    assert response.status_code == 302 and role_of(organisation, member) is None
    assert "contacts.organisation_left" in actions()
    assert b"Leave this organisation" not in client.get("/organisations/samen/").content


def test_writes_are_post_only_and_need_an_account(client, team):
    assert client.get("/organisations/samen/leave/").status_code == 405
    assert client.get("/organisations/samen/follow/").status_code == 405
    response = client.post("/organisations/samen/follow/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()
    assert client.post("/organisations/nowhere/follow/").status_code == 404
    assert client.get("/organisations/nowhere/").status_code == 404
    assert client.get("/organisations/nowhere/members/").status_code == 404


def test_admins_manage_the_network_roles_but_cannot_choose_supervisor(client, team, owner):
    organisation, _admin = team
    client.force_login(owner)
    response = client.post("/organisations/samen/roles/", {"role": "network_supplier",
                                                           "specialty": "it"})
    assert response.status_code == 302
    role = NetworkRole.objects.get(organisation=organisation)
    assert (role.role, role.specialty) == ("network_supplier", "it")
    assert b"Network supplier" in client.get("/organisations/samen/").content
    response = client.post("/organisations/samen/roles/", {"role": "supervisor"})
    assert response.status_code == 422
    assert client.post("/organisations/samen/roles/network_supplier/remove/").status_code == 302
    assert not NetworkRole.objects.filter(organisation=organisation).exists()
    assert {"contacts.role_added", "contacts.role_removed"} <= actions()


# --- members the viewer may see ----------------------------------------------------------

def test_the_member_list_hides_people_whose_card_the_viewer_may_not_see(client, team, owner,
                                                                       member, outsider):
    organisation, _admin = team
    services.update_profile(actor=member, profile_visibility="private")
    for path in ("/organisations/samen/", "/organisations/samen/members/"):
        for viewer in (None, outsider):
            browser = english_client(viewer)
            html = browser.get(path).content.decode()
            assert "Adam Admin" in html and "Mo Member" not in html
            assert member.person.handle not in html
    # The owner still manages the hidden member, without seeing their profile.
    client.force_login(owner)
    html = client.get("/organisations/samen/members/").content.decode()
    assert "Mo Member" not in html and "whose profile you may not see" in html
    assert member.email in html  # the address they were invited at
    assert f"/organisations/samen/members/{member.pk}/remove/" in html


def test_a_blocked_member_is_hidden_from_the_blocker(client, team, member, outsider):
    services.block(actor=member, handle=outsider.person.handle)
    html = english_client(outsider).get("/organisations/samen/").content.decode()
    assert "Mo Member" not in html


# --- follow and news ---------------------------------------------------------------------

def test_a_follower_is_told_of_news_and_sees_it(client, team, owner, outsider):
    organisation, _admin = team
    browser = english_client(outsider)
    response = browser.post("/organisations/samen/follow/", {"follow": "1"},
                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="follow"' in fragment and "Unfollow" in fragment and "<html" not in fragment
    assert Follow.objects.filter(account=outsider, organisation=organisation).exists()
    client.force_login(owner)
    response = client.post("/organisations/samen/news/", {
        "title": "Nieuwe cursus", "body": "Start in **januari**."})
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=outsider,
                                            kind="contacts.organisation_news")
    assert notification.url == "/organisations/samen/"
    html = browser.get("/organisations/samen/").content.decode()
    assert "Nieuwe cursus" in html and "<strong>januari</strong>" in html
    assert [item["post"].title for item in news_feed(outsider)] == ["Nieuwe cursus"]
    assert "contacts.organisation_news_posted" in actions()
    browser.post("/organisations/samen/follow/", {"follow": "0"})
    assert not Follow.objects.filter(account=outsider).exists()


def test_news_needs_a_title_and_text_and_admins_delete_it(client, team, owner):
    organisation, _admin = team
    client.force_login(owner)
    response = client.post("/organisations/samen/news/", {"title": "", "body": ""})
    assert response.status_code == 422 and b"has-errors" in response.content
    post = organisations.post_news(actor=owner, organisation=organisation, title="Old",
                                   body="Text")
    assert client.post(f"/organisations/samen/news/{post.pk}/delete/").status_code == 302
    assert not OrganisationPost.objects.exists()
    assert client.post(f"/organisations/samen/news/{post.pk}/delete/").status_code == 404


# --- reports -----------------------------------------------------------------------------

def test_a_report_reaches_the_moderators_who_mark_it_handled(client, team, outsider,
                                                            admin_account):
    browser = english_client(outsider)
    response = browser.post("/organisations/samen/report/", {"reason": "nonsense"})
    assert response.status_code == 422 and not Report.objects.exists()
    response = browser.post("/organisations/samen/report/", {"reason": "spam",
                                                             "details": "Adverts"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.subject_name == "Samen Werkt" and report.status == "open"
    client.force_login(admin_account)
    for path in ("/admin/contacts/report/", f"/admin/contacts/report/{report.pk}/change/",
                 "/admin/contacts/person/", f"/admin/contacts/person/{outsider.person.pk}/change/",
                 "/admin/contacts/networkrole/"):
        assert client.get(path).status_code == 200, path
    response = client.post("/admin/contacts/report/", {
        "action": "mark_handled", "_selected_action": [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed" and report.handled_at is not None
    handled = AuditRecord.objects.get(action="contacts.report_handled")
    assert handled.actor_id == admin_account.pk and handled.target_id == str(report.pk)
    assert {"contacts.reported"} <= actions()


def test_the_admin_site_shows_members_but_cannot_change_them_past_the_rules_and_audit(
        client, owner, admin_account):
    organisation = create(owner)
    membership = OrganisationMembership.objects.get(organisation=organisation)
    client.force_login(admin_account)
    path = f"/admin/contacts/organisation/{organisation.pk}/change/"
    assert client.get(path).status_code == 200
    prefix = "memberships"
    response = client.post(path, {
        "name": "Samen Werkt", "slug": "samen", "kind": "cooperative", "region": "Utrecht",
        f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": membership.pk, f"{prefix}-0-organisation": organisation.pk,
        f"{prefix}-0-account": owner.pk, f"{prefix}-0-role": "member",
        f"{prefix}-0-DELETE": "on",
        f"{prefix}-1-organisation": organisation.pk, f"{prefix}-1-account": admin_account.pk,
        f"{prefix}-1-role": "owner",
    })
    assert response.status_code in (200, 302)
    # The last owner stays, nobody joins unaudited: memberships change only through services.
    assert list(OrganisationMembership.objects.filter(organisation=organisation)
                .values_list("account_id", "role")) == [(owner.pk, "owner")]


# --- the supervisor role -----------------------------------------------------------------

def test_only_staff_and_supervisors_grant_the_supervisor_role(client, owner, member, outsider,
                                                             admin_account):
    for account in (owner, member, outsider):
        public(account)
    client.force_login(member)
    assert client.get("/supervision/roles/").status_code == 403
    response = client.post("/supervision/roles/", {"handle": member.person.handle})
    assert response.status_code == 403
    assert not NetworkRole.objects.filter(role="supervisor").exists()
    assert english_client().get("/supervision/roles/").status_code == 302

    staff = english_client(admin_account)
    response = staff.post("/supervision/roles/", {"handle": owner.person.handle})
    assert response.status_code == 302
    assert NetworkRole.objects.filter(person=owner.person, role="supervisor").exists()
    record = AuditRecord.objects.get(action="contacts.supervisor_granted")
    assert record.actor_id == admin_account.pk and record.subject_id == owner.pk
    assert owner.person.display_name in staff.get("/supervision/roles/").content.decode()
    response = staff.post("/supervision/roles/", {"handle": "nobody-here"})
    assert response.status_code == 422 and b"no such profile" in response.content

    # A supervisor may grant it on, and revoke it.
    client.force_login(owner)
    assert client.post("/supervision/roles/", {"handle": member.person.handle}).status_code == 302
    assert NetworkRole.objects.filter(person=member.person, role="supervisor").exists()
    response = client.post(f"/supervision/roles/{member.person.handle}/revoke/")
    assert response.status_code == 302
    assert not NetworkRole.objects.filter(person=member.person, role="supervisor").exists()
    assert "contacts.supervisor_revoked" in actions()
    client.force_login(outsider)
    response = client.post(f"/supervision/roles/{owner.person.handle}/revoke/")
    assert response.status_code == 403
    assert NetworkRole.objects.filter(person=owner.person, role="supervisor").exists()


# --- query counts ------------------------------------------------------------------------

def _queries(browser, path) -> int:
    browser.get(path)  # the first request of a session also records the session itself
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200
    return len(captured)


def _organisations(owner, start, count):
    for n in range(start, start + count):
        organisation = Organisation.objects.create(
            name=f"Organisation {n:03}", slug=f"org-{n:03}", search_name=f"organisation {n:03}",
            kind="company", region="Utrecht", region_key="utrecht")
        OrganisationMembership.objects.create(organisation=organisation, account=owner,
                                              role="owner")
        NetworkRole.objects.create(organisation=organisation, role="customer")


def test_the_directory_runs_the_same_queries_for_3_and_for_25_organisations(client, owner):
    client.force_login(owner)
    _organisations(owner, 0, 3)
    few = _queries(client, "/organisations/")
    _organisations(owner, 3, 22)
    many = _queries(client, "/organisations/")
    assert b"Organisation 019" in client.get("/organisations/").content
    assert few == many


def _members(organisation, start, count):
    for n in range(start, start + count):
        account = make_account(f"m{n}@example.org", f"Member {n:03}")
        public(account)
        OrganisationMembership.objects.create(organisation=organisation, account=account)
        # The owner posts (memberships are ordered by organisation only: no first one).
        owner = organisation.memberships.get(role=OrganisationMembership.Role.OWNER).account
        organisations.post_news(actor=owner,
                                organisation=organisation, title=f"News {n}", body="*b*")


@pytest.mark.parametrize("viewer", ["owner", "outsider", "anonymous"])
def test_an_organisation_page_runs_the_same_queries_for_3_and_for_25_members(
        client, owner, outsider, viewer):
    organisation = create(owner)
    public(owner)
    browser = english_client({"owner": owner, "outsider": outsider}.get(viewer))
    _members(organisation, 0, 2)
    few = (_queries(browser, "/organisations/samen/"),
           _queries(browser, "/organisations/samen/members/"))
    _members(organisation, 2, 23)
    many = (_queries(browser, "/organisations/samen/"),
            _queries(browser, "/organisations/samen/members/"))
    html = browser.get("/organisations/samen/members/").content.decode()
    assert "Member 024" in html
    assert few == many
