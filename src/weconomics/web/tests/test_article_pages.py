"""Articles: written once by their author, published to the domains of many communities."""

import pytest
from django.test import Client

from weconomics.audit.models import AuditRecord
from weconomics.communities import publications, services
from weconomics.communities.models import Alliance, Article, Membership, Publication
from weconomics.conftest import make_account

pytestmark = pytest.mark.django_db


def browser(account=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if account is not None:
        client.force_login(account)
    return client


def make_community(steward, slug, visibility, **extra):
    return services.create_community(
        actor=steward, name=f"The {slug.title()}", slug=slug, purpose="Purpose",
        audience="Audience", kind="professional_network", visibility=visibility,
        join_policy="open", **extra)


@pytest.fixture
def author(db):
    return make_account("writer@example.org", "Wendy Writer")


@pytest.fixture
def places(owner, author, member, outsider):
    """A public, a listed (reviewed) and a hidden community the author belongs to, one the
    author does not belong to, and an allied community with its own member (`member`)."""
    public = make_community(owner, "open-net", "public")
    listed = make_community(owner, "closed-club", "listed", review_publications=True)
    hidden = make_community(owner, "secret", "hidden")
    foreign = make_community(owner, "foreign", "public")
    foreign_hidden = make_community(owner, "foreign-hidden", "hidden")
    allied = make_community(member, "allies", "public")
    for community in (public, listed, hidden):
        Membership.objects.create(community=community, account=author)
    Alliance.objects.create(proposer=listed, partner=allied, status=Alliance.Status.ACTIVE)
    return {"public": public, "listed": listed, "hidden": hidden, "foreign": foreign,
            "foreign_hidden": foreign_hidden, "allied": allied}


def write(author, title="Five questions", body="Some **bold** text <script>x()</script>"):
    return publications.create_article(actor=author, title=title, summary="A summary",
                                       body=body)


# --- writing -------------------------------------------------------------------------------

def test_an_author_writes_an_article_and_is_sent_on_to_publish_it(author):
    response = browser(author).post("/articles/new/", {"title": "My piece", "summary": "",
                                                       "body": "Hello *world*"})
    article = Article.objects.get(title="My piece")
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.pk}/publish/"
    assert AuditRecord.objects.filter(action="communities.article_created",
                                      actor=author).exists()


@pytest.mark.parametrize("data,message", [
    ({"title": "", "body": "Text"}, "Give the article a title."),
    ({"title": "   ", "body": "Text"}, "Give the article a title."),
    ({"title": "Title", "body": ""}, "Write the article&#x27;s text."),
    ({"title": "Two\nlines", "body": "Text"}, "Use no line breaks or control characters."),
])
def test_an_article_without_title_or_text_is_refused_with_a_message(author, data, message):
    response = browser(author).post("/articles/new/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_signing_in_is_needed_to_write(db):
    response = browser().get("/articles/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_article_is_rendered_from_markdown_without_scripts(author, places):
    article = write(author)
    html = browser(author).get(f"/articles/{article.pk}/").content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>x()" not in html


def test_editing_changes_the_content_once_for_every_channel(author, places):
    article = write(author)
    publications.publish(actor=author, content=article,
                         targets=[("open-net", "coaching"), ("open-net", "advice")])
    response = browser(author).post(f"/articles/{article.pk}/edit/",
                                    {"title": "Six questions", "summary": "New",
                                     "body": "New text"})
    assert response.status_code == 302
    assert set(Publication.objects.values_list("title", flat=True)) == {"Six questions"}
    assert b"Six questions" in browser().get("/c/open-net/d/advice/").content
    assert AuditRecord.objects.filter(action="communities.article_updated").exists()


def test_nobody_else_edits_publishes_or_deletes_an_article(author, places, outsider):
    article = write(author)
    client = browser(outsider)
    for url in ("edit/", "publish/", "delete/"):
        assert client.get(f"/articles/{article.pk}/{url}").status_code == 404
        assert client.post(f"/articles/{article.pk}/{url}",
                           {"title": "x", "body": "y"}).status_code == 404
    assert Article.objects.get(pk=article.pk).title == "Five questions"


# --- publishing ----------------------------------------------------------------------------

def test_the_publish_page_offers_the_domains_of_the_authors_communities_only(author, places):
    article = write(author)
    html = browser(author).get(f"/articles/{article.pk}/publish/").content.decode()
    assert "The Open-Net" in html and "The Closed-Club" in html and "The Secret" in html
    assert 'value="open-net:coaching"' in html
    assert "foreign" not in html.lower().replace("foreign-hidden", "")
    assert "The Foreign" not in html


def test_an_author_publishes_to_many_domains_at_once_and_each_is_audited(author, places):
    article = write(author)
    response = browser(author).post(f"/articles/{article.pk}/publish/", {
        "target": ["open-net:coaching", "closed-club:advice", "secret:wiki"],
        "allies_may_see": "on"}, follow=True)
    assert response.status_code == 200
    assert "Published in 3 domain(s). 1 wait(s) for a steward&#x27;s approval." in (
        response.content.decode())
    made = {(p.community.slug, p.domain.kind.slug): p for p in
            Publication.objects.select_related("community", "domain__kind")}
    assert set(made) == {("open-net", "coaching"), ("closed-club", "advice"),
                         ("secret", "wiki")}
    assert made[("closed-club", "advice")].status == Publication.Status.PENDING
    assert all(p.allies_may_see for p in made.values())
    assert AuditRecord.objects.filter(action="communities.published").count() == 3
    listing = browser(author).get("/articles/").content.decode()
    assert "The Open-Net / Coaching" in listing and "Waiting for a steward" in listing


def test_publishing_twice_to_the_same_domain_is_refused(author, places):
    article = write(author)
    client = browser(author)
    client.post(f"/articles/{article.pk}/publish/", {"target": "open-net:coaching"})
    response = client.post(f"/articles/{article.pk}/publish/", {"target": "open-net:coaching"})
    assert response.status_code == 409
    assert "This is published in The Open-Net / Coaching already." in response.content.decode()
    assert Publication.objects.count() == 1


def test_publishing_in_a_community_one_is_not_a_member_of_is_refused(author, places):
    article = write(author)
    client = browser(author)
    response = client.post(f"/articles/{article.pk}/publish/", {"target": "foreign:coaching"})
    assert response.status_code == 403
    assert "You are not a member of The Foreign." in response.content.decode()
    hidden = client.post(f"/articles/{article.pk}/publish/",
                         {"target": "foreign-hidden:coaching"})
    assert hidden.status_code == 404
    assert "The Foreign-Hidden" not in hidden.content.decode()
    assert not Publication.objects.exists()


@pytest.mark.parametrize("data,status,message", [
    ({}, 422, "Choose at least one community domain to publish in."),
    ({"target": "open-net"}, 422, "Choose community domains from the list."),
    ({"target": "open-net:no-such"}, 422, "The Open-Net has no domain no-such."),
    ({"target": "nowhere:coaching"}, 404, "There is no such community"),
])
def test_bad_publish_choices_get_a_clear_message(author, places, data, status, message):
    article = write(author)
    response = browser(author).post(f"/articles/{article.pk}/publish/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Publication.objects.exists()


def test_one_failing_target_publishes_nothing(author, places):
    article = write(author)
    browser(author).post(f"/articles/{article.pk}/publish/",
                         {"target": ["open-net:coaching", "foreign:coaching"]})
    assert not Publication.objects.exists()


def test_unpublishing_from_one_channel_leaves_it_elsewhere(author, places):
    article = write(author)
    first, second = publications.publish(
        actor=author, content=article, targets=[("open-net", "coaching"), ("secret", "wiki")])
    response = browser(author).post(
        f"/articles/{article.pk}/publications/{first.pk}/unpublish/")
    assert response.status_code == 302
    assert list(Publication.objects.values_list("pk", flat=True)) == [second.pk]
    assert Article.objects.filter(pk=article.pk).exists()
    assert AuditRecord.objects.filter(action="communities.unpublished").exists()


def test_a_publication_of_another_article_cannot_be_unpublished_through_mine(author, places,
                                                                           owner):
    mine = write(author)
    theirs = publications.create_article(actor=owner, title="Theirs", body="x")
    [their_publication] = publications.publish(actor=owner, content=theirs,
                                               targets=[("open-net", "coaching")])
    response = browser(author).post(
        f"/articles/{mine.pk}/publications/{their_publication.pk}/unpublish/")
    assert response.status_code == 404
    assert Publication.objects.filter(pk=their_publication.pk).exists()


def test_the_author_decides_whether_allies_see_a_publication(author, places, member):
    article = write(author)
    [publication] = publications.publish(actor=author, content=article,
                                         targets=[("closed-club", "advice")])
    publications.curate(actor=places["listed"].created_by, community=places["listed"],
                        publication_id=publication.pk, action="approve")
    assert browser(member).get(f"/articles/{article.pk}/").status_code == 200
    response = browser(author).post(
        f"/articles/{article.pk}/publications/{publication.pk}/allies/", {"allowed": "0"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert not publication.allies_may_see
    assert browser(member).get(f"/articles/{article.pk}/").status_code == 404
    assert AuditRecord.objects.filter(action="communities.publication_changed").exists()


def test_deleting_an_article_takes_it_off_every_channel(author, places):
    article = write(author)
    publications.publish(actor=author, content=article,
                         targets=[("open-net", "coaching"), ("secret", "wiki")])
    client = browser(author)
    assert client.get(f"/articles/{article.pk}/delete/").status_code == 200
    assert client.post(f"/articles/{article.pk}/delete/").status_code == 302
    assert not Article.objects.exists() and not Publication.objects.exists()
    assert AuditRecord.objects.filter(action="communities.article_deleted",
                                      data__publications_removed=2).exists()


# --- who may read an article -----------------------------------------------------------------

@pytest.mark.parametrize("where,viewer,status", [
    ("public", "anonymous", 200), ("public", "outsider", 200),
    ("hidden", "anonymous", 404), ("hidden", "outsider", 404), ("hidden", "steward", 200),
    ("listed", "outsider", 404), ("listed", "ally", 200), ("listed", "steward", 200),
    (None, "outsider", 404), (None, "author", 200),
])
def test_an_article_is_visible_where_it_is_published_and_to_its_author(
        author, places, owner, member, outsider, where, viewer, status):
    article = write(author)
    targets = {"public": [("open-net", "coaching")], "hidden": [("secret", "wiki")],
               "listed": [("closed-club", "advice")]}.get(where)
    if targets:
        [publication] = publications.publish(actor=author, content=article, targets=targets)
        if where == "listed":
            publications.curate(actor=owner, community=places["listed"],
                                publication_id=publication.pk, action="approve")
    account = {"anonymous": None, "outsider": outsider, "steward": owner, "ally": member,
               "author": author}[viewer]
    response = browser(account).get(f"/articles/{article.pk}/")
    assert response.status_code == status
    if status == 404:
        assert b"Five questions" not in response.content


def test_a_steward_reads_an_article_waiting_for_approval_and_others_do_not(author, places,
                                                                          owner, member):
    article = write(author)
    publications.publish(actor=author, content=article, targets=[("closed-club", "advice")])
    assert browser(owner).get(f"/articles/{article.pk}/").status_code == 200
    assert browser(member).get(f"/articles/{article.pk}/").status_code == 404
    curation = browser(owner).get("/c/closed-club/manage/publications/").content.decode()
    assert f'href="/articles/{article.pk}/"' in curation


def test_my_articles_lists_only_mine_in_a_fixed_number_of_queries(author, places,
                                                                  django_assert_max_num_queries):
    publications.create_article(actor=places["public"].created_by, title="Not mine",
                                body="x")
    for i in range(3):
        article = write(author, title=f"Mine {i}")
        publications.publish(actor=author, content=article, targets=[("open-net", "coaching"),
                                                                     ("secret", "wiki")])
    client = browser(author)
    client.get("/articles/")
    with django_assert_max_num_queries(12):
        html = client.get("/articles/").content.decode()
    assert "Mine 0" in html and "Mine 2" in html and "Not mine" not in html
    assert html.count("The Secret / Wiki") == 3
