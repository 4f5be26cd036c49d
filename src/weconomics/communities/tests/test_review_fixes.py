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
