"""A community's wiki over HTTP and through its services: pages, revisions, conflicts,
history, diff, revert, protection, hidden revisions, visibility, bad input, erasure.

Three communities (public, listed, hidden) with the wiki open; a member, a steward, a
supervisor, a member of an allied community and an outsider.
"""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from weconomics.audit.models import AuditRecord
from weconomics.communities import services as communities
from weconomics.communities.models import Alliance, Membership
from weconomics.conftest import make_account
from weconomics.wiki import services
from weconomics.wiki.errors import EditConflict, Invalid, NotFound, Protected
from weconomics.wiki.models import Page, Revision, Wiki

pytestmark = pytest.mark.django_db


def browser(account=None, **extra) -> Client:
    client = Client(**{"HTTP_ACCEPT_LANGUAGE": "en", **extra})
    if account is not None:
        client.force_login(account)
    return client


@pytest.fixture
def world(db):
    people = SimpleNamespace(
        steward=make_account("stella@example.org", "Stella Steward"),
        member=make_account("mira@example.org", "Mira Member"),
        other=make_account("olaf@example.org", "Olaf Other"),
        supervisor=make_account("sam@example.org", "Sam Supervisor"),
        ally=make_account("alex@example.org", "Alex Ally"),
        outsider=make_account("otto@example.org", "Otto Outsider"),
        admin=make_account("ada@example.org", "Ada Admin", staff=True),
    )
    partner = communities.create_community(
        actor=people.ally, name="Partner", slug="partner", purpose="p", audience="a",
        kind="professional_network", visibility="public", join_policy="open")
    places = {}
    for visibility in ("public", "listed", "hidden"):
        community = communities.create_community(
            actor=people.steward, name=f"The {visibility.title()}", slug=f"c-{visibility}",
            purpose="Purpose", audience="Audience", kind="professional_network",
            visibility=visibility, join_policy="open", domains=["wiki", "coaching"])
        for account in (people.member, people.other):
            Membership.objects.create(community=community, account=account)
        communities.appoint_supervisor(actor=people.admin, community=community,
                                       account=people.supervisor)
        Alliance.objects.create(proposer=community, partner=partner,
                                status=Alliance.Status.ACTIVE)
        places[visibility] = community
    return SimpleNamespace(people=people, **places)


def save(actor, community, title, text, **kwargs):
    return services.save_page(actor=actor, community=community, title=title, text=text,
                              **kwargs)


# --- pages and revisions ------------------------------------------------------------------

def test_a_member_creates_a_page_in_the_browser_and_each_save_is_a_revision(world):
    client = browser(world.people.member)
    form = client.get("/c/c-public/wiki/Getting_started/edit/")
    assert form.status_code == 200
    assert "Creating “Getting started”" in form.content.decode()
    response = client.post("/c/c-public/wiki/Getting_started/edit/",
                           {"text": "Hello **world**", "summary": "First words"})
    assert response.status_code == 302
    assert response["Location"] == "/c/c-public/wiki/Getting_started"
    page = Page.objects.get(community=world.public, title="Getting started")
    first = page.latest
    assert (first.author, first.summary, first.size, first.size_change, first.minor) == (
        world.people.member, "First words", 15, 15, False)
    response = client.post("/c/c-public/wiki/Getting_started/edit/",
                           {"text": "Hello", "summary": "Shorter", "minor": "on",
                            "base": first.pk})
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.latest.size_change, page.latest.minor, page.latest.parent) == (-10, True, first)
    html = client.get("/c/c-public/wiki/Getting_started").content.decode()
    assert "Hello" in html and "<strong>world" not in html
    history = client.get("/c/c-public/wiki/Getting_started/history/").content.decode()
    assert "First words" in history and "Shorter" in history
    assert "(+15)" in history and "(-10)" in history and "Mira Member" in history


def test_a_title_in_another_form_redirects_to_the_canonical_address(world):
    save(world.people.member, world.public, "Café rules", "x")
    client = browser()
    assert client.get("/c/c-public/wiki/caf%C3%A9 rules")["Location"] == \
        "/c/c-public/wiki/Caf%C3%A9_rules"
    assert client.get("/c/c-public/wiki/Caf%C3%A9_rules").status_code == 200


def test_markdown_renders_wiki_links_contents_tables_and_code_safely(world):
    save(world.people.member, world.public, "Existing", "here")
    text = ("# One\n\n## Two\n\n### Three\n\nSee [[Existing]] and [[Missing page|the gap]].\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n[[Not a link]] <b>x</b>\n```\n\n"
            "<script>alert(1)</script> ![img](https://evil.example/x.png) "
            "[bad](javascript:alert(1))")
    save(world.people.member, world.public, "Home", text)
    html = browser().get("/c/c-public/wiki/Home").content.decode()
    assert '<a href="/c/c-public/wiki/Existing" rel="nofollow noopener noreferrer ugc">' \
        'Existing</a>' in html
    assert 'class="new"' in html and 'href="/c/c-public/wiki/Missing_page/edit/"' in html
    assert ">the gap</a>" in html
    assert 'id="s-one"' in html and 'href="#s-three"' in html  # headings and contents
    assert "<table>" in html and "<td>1</td>" in html
    assert "[[Not a link]] &lt;b&gt;x&lt;/b&gt;" in html  # code stays literal
    text_html = html.split('<div class="prose wiki-text">')[1].split("</article>")[0]
    assert "<script" not in text_html and "<img" not in text_html
    assert "javascript:" not in text_html
    missing = browser(world.people.member).get("/c/c-public/wiki/Missing_page")
    assert missing.status_code == 404
    assert "Create this page" in missing.content.decode()


# --- edit conflicts -------------------------------------------------------------------------

def _base_of(client, url) -> int:
    import re

    html = client.get(url).content.decode()
    return int(re.search(r'name="base" value="(\d+)"', html).group(1))


def test_two_sessions_editing_at_once_get_a_merge_when_changes_do_not_overlap(world):
    save(world.people.member, world.public, "Plan", "Line one\nLine two\nLine three\nLine four\n")
    mira, olaf = browser(world.people.member), browser(world.people.other)
    url = "/c/c-public/wiki/Plan/edit/"
    base_mira, base_olaf = _base_of(mira, url), _base_of(olaf, url)
    assert mira.post(url, {"text": "Line ONE\nLine two\nLine three\nLine four\n",
                           "base": base_mira}).status_code == 302
    response = olaf.post(url, {"text": "Line one\nLine two\nLine three\nLine FOUR\n",
                               "base": base_olaf, "summary": "four"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Edit conflict" in html and "do not overlap" in html
    page = Page.objects.get(title="Plan")
    assert page.revisions.count() == 2  # nothing saved for Olaf yet
    merged = "Line ONE\nLine two\nLine three\nLine FOUR\n"
    assert merged in html  # the edit box holds the merge
    assert f'name="base" value="{page.latest_id}"' in html
    assert olaf.post(url, {"text": merged, "base": page.latest_id}).status_code == 302
    assert Page.objects.get(title="Plan").latest.text == merged


def test_two_sessions_with_overlapping_changes_keep_both_texts_visible(world):
    save(world.people.member, world.public, "Plan", "The meeting is on Monday.\n")
    mira, olaf = browser(world.people.member), browser(world.people.other)
    url = "/c/c-public/wiki/Plan/edit/"
    base_mira, base_olaf = _base_of(mira, url), _base_of(olaf, url)
    assert mira.post(url, {"text": "The meeting is on Tuesday.\n", "base": base_mira}
                     ).status_code == 302
    response = olaf.post(url, {"text": "The meeting is on Friday.\n", "base": base_olaf})
    assert response.status_code == 409
    html = response.content.decode()
    assert "overlap" in html
    assert "The meeting is on Friday." in html and "The meeting is on Tuesday." in html
    assert Page.objects.get(title="Plan").latest.text == "The meeting is on Tuesday.\n"


def test_a_page_created_twice_at_once_is_a_conflict_not_an_overwrite(world):
    mira, olaf = browser(world.people.member), browser(world.people.other)
    url = "/c/c-public/wiki/Fresh/edit/"
    assert mira.post(url, {"text": "Mira's"}).status_code == 302
    response = olaf.post(url, {"text": "Olaf's"})
    assert response.status_code == 409
    assert Page.objects.get(title="Fresh").latest.text == "Mira's"


def test_the_service_refuses_a_stale_base(world):
    first = save(world.people.member, world.public, "P", "a\nb\nc\n")
    save(world.people.other, world.public, "P", "A\nb\nc\n", base_revision_id=first.pk)
    with pytest.raises(EditConflict) as caught:
        save(world.people.member, world.public, "P", "a\nb\nC\n", base_revision_id=first.pk)
    assert caught.value.merged == "A\nb\nC\n"
    with pytest.raises(EditConflict):  # no base at all is stale too
        save(world.people.member, world.public, "P", "x")


# --- history, diff, revert ---------------------------------------------------------------

def test_the_diff_between_two_revisions_is_word_level_and_inline(world):
    one = save(world.people.member, world.public, "Doc", "The quick brown fox <jumps>.\n")
    two = save(world.people.member, world.public, "Doc", "The quick red fox <jumps>.\n",
               base_revision_id=one.pk)
    html = browser().get(f"/c/c-public/wiki/Doc/diff/?from={one.pk}&to={two.pk}"
                         ).content.decode()
    assert '<del class="diff-del">brown</del><ins class="diff-ins">red</ins>' in html
    assert "&lt;jumps&gt;" in html
    assert browser().get("/c/c-public/wiki/Doc/diff/").status_code == 200  # newest change


def test_revert_in_one_click_makes_a_new_revision(world):
    one = save(world.people.member, world.public, "Doc", "good text")
    save(world.people.other, world.public, "Doc", "vandalised", base_revision_id=one.pk)
    response = browser(world.people.member).post(
        f"/c/c-public/wiki/Doc/revisions/{one.pk}/revert/")
    assert response.status_code == 302
    page = Page.objects.get(title="Doc")
    assert page.revisions.count() == 3 and page.latest.text == "good text"
    assert "Reverted to the revision of" in page.latest.summary
    assert AuditRecord.objects.filter(action="wiki.reverted", target_id=str(page.pk)).exists()


def test_revisions_of_another_page_are_refused_clearly(world):
    doc = save(world.people.member, world.public, "Doc", "doc")
    save(world.people.member, world.public, "Doc", "doc 2", base_revision_id=doc.pk)
    other = save(world.people.member, world.public, "Other", "other")
    client = browser(world.people.member)
    for response in (
            client.post(f"/c/c-public/wiki/Doc/revisions/{other.pk}/revert/"),
            client.get(f"/c/c-public/wiki/Doc/diff/?from={doc.pk}&to={other.pk}"),
            client.get("/c/c-public/wiki/Doc/diff/?from=abc"),
            client.get(f"/c/c-public/wiki/Doc/revisions/{other.pk}/")):
        assert response.status_code == 404
        assert "has no such revision" in response.content.decode()
    assert Revision.objects.count() == 3


# --- protection and hidden revisions ------------------------------------------------------

def test_a_protected_page_is_edited_by_stewards_only(world):
    save(world.people.member, world.public, "Rules", "Be kind")
    supervisor = browser(world.people.supervisor)
    assert supervisor.post("/c/c-public/wiki/Rules/protect/",
                           {"action": "protect"}).status_code == 302
    assert AuditRecord.objects.filter(action="wiki.page_protected").exists()
    member = browser(world.people.member)
    latest = Page.objects.get(title="Rules").latest_id
    response = member.post("/c/c-public/wiki/Rules/edit/", {"text": "Be rude", "base": latest})
    assert response.status_code == 403
    assert "protected" in response.content.decode()
    assert member.get("/c/c-public/wiki/Rules/edit/").status_code == 403
    with pytest.raises(Protected):
        save(world.people.member, world.public, "Rules", "x", base_revision_id=latest)
    assert browser(world.people.steward).post(
        "/c/c-public/wiki/Rules/edit/", {"text": "Be kind, always", "base": latest}
    ).status_code == 302
    assert member.post("/c/c-public/wiki/Rules/protect/", {"action": "unprotect"}
                       ).status_code == 403
    assert Page.objects.get(title="Rules").protected


def test_a_moderator_hides_a_revision_with_a_reason_and_it_stays_in_history(world):
    one = save(world.people.member, world.public, "Doc", "fine")
    bad = save(world.people.other, world.public, "Doc", "private phone 0612345678",
               base_revision_id=one.pk)
    save(world.people.member, world.public, "Doc", "fine again", base_revision_id=bad.pk)
    supervisor = browser(world.people.supervisor)
    url = f"/c/c-public/wiki/Doc/revisions/{bad.pk}/hide/"
    assert supervisor.post(url, {"action": "hide"}).status_code == 422  # a reason is needed
    assert supervisor.post(url, {"action": "hide", "reason": "personal data"}
                           ).status_code == 302
    record = AuditRecord.objects.get(action="wiki.revision_hidden")
    assert record.data["reason"] == "personal data"
    member = browser(world.people.member)
    history = member.get("/c/c-public/wiki/Doc/history/").content.decode()
    assert "text hidden" in history and "personal data" in history
    for path in (f"/c/c-public/wiki/Doc/revisions/{bad.pk}/",
                 f"/c/c-public/wiki/Doc/diff/?to={bad.pk}"):
        assert "0612345678" not in member.get(path).content.decode()
    assert "0612345678" in supervisor.get(f"/c/c-public/wiki/Doc/revisions/{bad.pk}/"
                                          ).content.decode()
    assert member.post(f"/c/c-public/wiki/Doc/revisions/{bad.pk}/revert/").status_code == 403
    latest = Page.objects.get(title="Doc").latest_id
    assert supervisor.post(f"/c/c-public/wiki/Doc/revisions/{latest}/hide/",
                           {"action": "hide", "reason": "x"}).status_code == 422
    assert member.post(url, {"action": "show"}).status_code == 403


# --- who may read and edit ----------------------------------------------------------------

WIKI_PATHS = ["wiki/", "wiki/Doc", "wiki/Doc/history/", "wiki/Doc/diff/", "wiki/Doc/edit/",
              "wiki/Special:RecentChanges", "wiki/Doc/revisions/{rev}/", "wiki/Nope"]


def test_a_hidden_communitys_wiki_is_missing_for_outsiders_everywhere(world):
    rev = save(world.people.member, world.hidden, "Doc", "secret plans")
    for account in (None, world.people.outsider, world.people.ally):
        client = browser(account)
        for path in WIKI_PATHS:
            response = client.get("/c/c-hidden/" + path.format(rev=rev.pk))
            assert response.status_code == 404, (account, path)
            assert "secret plans" not in response.content.decode()
        for path in ("wiki/Doc/protect/", f"wiki/Doc/revisions/{rev.pk}/revert/"):
            assert client.post("/c/c-hidden/" + path).status_code == 404
    with pytest.raises(NotFound):
        save(world.people.outsider, world.hidden, "Doc", "x", base_revision_id=rev.pk)
    assert browser(world.people.member).get("/c/c-hidden/wiki/Doc").status_code == 200


def test_a_listed_communitys_wiki_is_for_members_and_a_public_one_for_all(world):
    rev = save(world.people.member, world.listed, "Doc", "members know this")
    for path in WIKI_PATHS[:-1]:
        response = browser(world.people.outsider).get("/c/c-listed/" + path.format(rev=rev.pk))
        assert response.status_code == 403 and "members know this" not in \
            response.content.decode()
    save(world.people.member, world.public, "Doc", "everyone knows this")
    assert "everyone knows this" in browser().get("/c/c-public/wiki/Doc").content.decode()
    response = browser(world.people.outsider).post("/c/c-public/wiki/Doc/edit/",
                                                   {"text": "x"})
    assert response.status_code == 403
    assert browser().get("/c/c-public/wiki/Doc/edit/").status_code == 302  # to sign in


def test_a_closed_wiki_domain_hides_the_wiki_but_keeps_its_pages(world):
    save(world.people.member, world.public, "Doc", "kept")
    communities.close_domain(actor=world.people.steward, community=world.public, kind="wiki")
    assert browser(world.people.member).get("/c/c-public/wiki/Doc").status_code == 404
    assert Page.objects.filter(title="Doc").exists()


def test_the_community_chooses_who_edits(world):
    steward = browser(world.people.steward)
    assert steward.post("/c/c-public/wiki/Special:Settings", {"editors": "stewards"}
                        ).status_code == 302
    with pytest.raises(Exception, match="only stewards"):
        save(world.people.member, world.public, "Doc", "x")
    save(world.people.steward, world.public, "Doc", "x")
    with pytest.raises(Exception, match="Only members"):
        save(world.people.ally, world.listed, "Doc", "x")
    services.set_editors(actor=world.people.steward, community=world.listed, editors="allies")
    save(world.people.ally, world.listed, "Doc", "from an ally")
    assert browser(world.people.ally).get("/c/c-listed/wiki/Doc").status_code == 200
    assert browser(world.people.member).get("/c/c-public/wiki/Special:Settings"
                                            ).status_code == 404
    assert AuditRecord.objects.filter(action="wiki.editors_changed").count() == 2


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["a/b", "bad\x07title", "   ", "x" * 201, "Special:Foo",
                                   "a[b]", "tab\there"])
def test_bad_titles_are_refused_clearly(world, title):
    with pytest.raises(Invalid):
        save(world.people.member, world.public, title, "text")
    response = browser(world.people.member).get("/c/c-public/wiki/Special:NewPage",
                                                {"title": title})
    assert response.status_code == 422
    assert Page.objects.count() == 0


def test_empty_and_huge_pages_are_refused_and_nothing_is_saved(world):
    client = browser(world.people.member)
    for text, message in (("", "The page is empty"), ("   \n ", "The page is empty"),
                          ("x" * 500_001, "The page is too long: 501 kB, at most 500 kB.")):
        response = client.post("/c/c-public/wiki/Doc/edit/", {"text": text})
        assert response.status_code == 422
        assert message in response.content.decode()
    assert Page.objects.count() == 0 and Revision.objects.count() == 0
    save(world.people.member, world.public, "Doc", "x" * 500_000)  # the cap itself is fine


def test_a_slash_or_garbage_in_the_address_is_a_404_not_a_500(world):
    client = browser(world.people.member)
    for path in ("wiki/a/b", "wiki/%00", "wiki/%07x", "wiki/Doc/diff/?to=99999",
                 "wiki/Doc/history/", "wiki/%20/edit/"):
        assert client.get("/c/c-public/" + path).status_code == 404, path


def test_saving_nothing_new_is_refused(world):
    first = save(world.people.member, world.public, "Doc", "same")
    with pytest.raises(Invalid):
        save(world.people.member, world.public, "Doc", "same", base_revision_id=first.pk)


# --- recent changes, links from the channel, own host -------------------------------------

def test_recent_changes_list_the_communitys_edits_in_few_queries(world):
    for number in range(12):
        save(world.people.member, world.public, f"Page {number}", f"text {number}")
    save(world.people.member, world.listed, "Elsewhere", "not here")
    client = browser()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/c/c-public/wiki/Special:RecentChanges").content.decode()
    assert "Page 11" in html and "Page 0" in html and "Elsewhere" not in html
    assert len(queries) < 15


def test_the_channel_links_to_its_wiki(world):
    client = browser(world.people.member)
    assert 'href="/c/c-public/wiki/"' in client.get("/c/c-public/").content.decode()
    assert 'href="/c/c-public/wiki/"' in client.get("/c/c-public/d/wiki/").content.decode()


def test_the_wiki_works_on_the_communitys_own_host_name(world):
    host = "wiki.example.nl"
    with override_settings(ALLOWED_HOSTS=["testserver", host]):
        communities.update_community(actor=world.people.steward, community=world.public,
                                     host=host)
        client = browser(world.people.member, HTTP_HOST=host)
        assert client.post("/wiki/Hosted/edit/", {"text": "See [[Home]]"})["Location"] == \
            "/wiki/Hosted"
        html = client.get("/wiki/Hosted").content.decode()
        assert 'href="/wiki/Home/edit/"' in html


# --- privacy -------------------------------------------------------------------------------

def test_erasure_keeps_pages_whole_and_export_holds_ones_revisions(world):
    from weconomics.identity import services as identity

    first = save(world.people.other, world.public, "Doc", "Olaf wrote this")
    save(world.people.member, world.public, "Doc", "Olaf wrote this. Mira too.",
         base_revision_id=first.pk)
    exported = identity.export_account(actor=world.people.other)
    found = [v for k, v in exported.items() if "wiki" in k]
    assert found and found[0][0]["text"] == "Olaf wrote this"
    identity.delete_account(actor=world.people.other)
    page = Page.objects.get(title="Doc")
    assert page.revisions.count() == 2
    assert Revision.objects.get(pk=first.pk).author is None
    history = browser().get("/c/c-public/wiki/Doc/history/").content.decode()
    assert "deleted user" in history and "Mira Member" in history


def test_the_wiki_row_is_made_once(world):
    save(world.people.member, world.public, "A", "a")
    save(world.people.member, world.public, "B", "b")
    assert Wiki.objects.filter(community=world.public).count() == 1


def test_the_wiki_speaks_dutch(world):
    first = save(world.people.member, world.public, "Doc", "een")
    save(world.people.other, world.public, "Doc", "twee", base_revision_id=first.pk)
    client = browser(world.people.member, HTTP_ACCEPT_LANGUAGE="nl")
    assert "Geschiedenis van “Doc”" in client.get("/c/c-public/wiki/Doc/history/"
                                                  ).content.decode()
    assert "Wijzigingen in “Doc”" in client.get("/c/c-public/wiki/Doc/diff/").content.decode()
    response = client.post("/c/c-public/wiki/Doc/edit/", {"text": "drie", "base": first.pk})
    assert response.status_code == 409
    assert "Bewerkingsconflict" in response.content.decode()
    assert "De pagina is leeg" in client.post("/c/c-public/wiki/Nieuw/edit/", {"text": ""}
                                              ).content.decode()


def test_a_diff_of_a_long_page_shows_the_change_with_some_context(world):
    lines = [f"Line {n}" for n in range(200)]
    one = save(world.people.member, world.public, "Long", "\n".join(lines))
    lines[100] = "Line hundred"
    two = save(world.people.member, world.public, "Long", "\n".join(lines),
               base_revision_id=one.pk)
    html = browser().get(f"/c/c-public/wiki/Long/diff/?from={one.pk}&to={two.pk}"
                         ).content.decode()
    assert "Line 97" in html and "Line 103" in html and "Line 50\n" not in html
    assert "⋯ 97 unchanged lines ⋯" in html and "⋯ 96 unchanged lines ⋯" in html
    assert '<del class="diff-del">100</del><ins class="diff-ins">hundred</ins>' in html


# --- watchlist ---------------------------------------------------------------------------

def test_watchers_are_told_of_changes_by_others(world):
    from weconomics.notifications.models import Notification

    first = save(world.people.member, world.listed, "Doc", "one")  # the author watches it
    steward = browser(world.people.steward)
    # The steward watches it, but is not a member of the listed community beyond stewardship
    # (she is one): watch, then an outsider-to-be leaves.
    assert steward.post("/c/c-listed/wiki/Doc/watch/", {"action": "watch"}).status_code == 302
    assert "Unwatch" in steward.get("/c/c-listed/wiki/Doc").content.decode()
    second = save(world.people.other, world.listed, "Doc", "two", base_revision_id=first.pk)
    told = Notification.objects.filter(kind="wiki.page_changed")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [world.people.member.pk, world.people.steward.pk])
    note = told.get(recipient=world.people.member)
    assert note.url == f"/c/c-listed/wiki/Doc/diff/?to={second.pk}"
    assert "Olaf Other changed the wiki page “Doc”" in browser(world.people.member).get(
        "/notifications/").content.decode()
    # Who left the community is told nothing more; who unwatched neither.
    Membership.objects.filter(community=world.listed, account=world.people.member).delete()
    assert steward.post("/c/c-listed/wiki/Doc/watch/", {"action": "unwatch"}
                        ).status_code == 302
    told.delete()
    save(world.people.other, world.listed, "Doc", "three", base_revision_id=second.pk)
    assert not told.exists()
    assert browser(world.people.outsider).post("/c/c-listed/wiki/Doc/watch/",
                                               {"action": "watch"}).status_code == 403


# --- talk pages ----------------------------------------------------------------------------

def test_a_pages_talk_page_is_a_topic_on_the_board(world):
    from weconomics.communities.models import Reply, Topic

    save(world.people.member, world.public, "Doc", "text")
    mira, olaf = browser(world.people.member), browser(world.people.other)
    form = mira.get("/c/c-public/wiki/Doc/talk/")
    assert form.status_code == 200 and "Start the conversation" in form.content.decode()
    assert mira.post("/c/c-public/wiki/Doc/talk/", {"body": ""}).status_code == 422
    started = mira.post("/c/c-public/wiki/Doc/talk/", {"body": "Shall we split this page?"})
    topic = Topic.objects.get()
    assert started["Location"] == f"/c/c-public/board/{topic.pk}/"
    assert (topic.title, topic.domain.kind.slug) == ("Wiki: Doc", "wiki")
    assert Page.objects.get(title="Doc").talk == topic
    assert olaf.get("/c/c-public/wiki/Doc/talk/")["Location"] == \
        f"/c/c-public/board/{topic.pk}/"
    # Olaf's form was open before Mira started it: his text becomes a reply, not lost.
    olaf.post("/c/c-public/wiki/Doc/talk/", {"body": "Yes, in two."})
    assert Topic.objects.count() == 1 and Reply.objects.get().body == "Yes, in two."
    assert browser(world.people.outsider).post("/c/c-hidden/wiki/Doc/talk/",
                                               {"body": "x"}).status_code == 404
