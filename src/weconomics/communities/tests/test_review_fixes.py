"""Defects found in the review of communities (services and API), each pinned by a test."""

import pytest
from django.test import Client

from weconomics.communities import services
from weconomics.identity import services as identity

pytestmark = pytest.mark.django_db

API = "/api/v1"


def token_client(account, scope="write"):
    _, raw = identity.create_token(actor=account, name=f"{scope} token", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def start(actor, slug="coaches", **fields):
    return services.create_community(actor=actor, name=slug.title(), slug=slug,
                                     purpose="Share work", audience="Coaches",
                                     kind="professional_network", **fields)


@pytest.mark.parametrize("content_type", ["multipart/form-data",
                                          "multipart/form-data; boundary="])
def test_a_logo_upload_that_is_not_valid_multipart_is_a_bad_request(owner, content_type):
    start(owner)
    response = token_client(owner).post(f"{API}/communities/coaches/logo", data="garbage",
                                        content_type=content_type)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "malformed_body"


def _published_in(owner, slug, visibility):
    from weconomics.communities import publications

    start(owner, slug, visibility=visibility)
    article = publications.create_article(actor=owner, title="Intervision", body="How")
    [publication] = publications.publish(actor=owner, content=article,
                                         targets=[(slug, "coaching")])
    return publication


@pytest.mark.parametrize("visibility", ["hidden", "listed"])
def test_unpublishing_what_one_may_not_see_answers_as_if_it_did_not_exist(owner, outsider,
                                                                          visibility):
    from weconomics.communities.models import Publication

    publication = _published_in(owner, "closed", visibility)
    api = token_client(outsider)
    existing = api.delete(f"{API}/publications/{publication.pk}")
    missing = api.delete(f"{API}/publications/{publication.pk + 1000}")
    assert existing.status_code == missing.status_code == 404
    assert existing.json()["detail"] == missing.json()["detail"]
    assert Publication.objects.filter(pk=publication.pk).exists()


def test_unpublishing_a_visible_publication_of_someone_else_is_still_forbidden(owner,
                                                                               outsider):
    publication = _published_in(owner, "open", "public")
    response = token_client(outsider).delete(f"{API}/publications/{publication.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
