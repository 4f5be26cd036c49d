"""Defects found in the review of the communities pages, each pinned by a test."""

import pytest
from django.test import Client

from weconomics.audit.models import AuditRecord
from weconomics.communities import publications, services
from weconomics.communities.models import Membership, Publication

pytestmark = pytest.mark.django_db

# Larger than any database integer: the URL's <int:...> takes any number of digits.
HUGE = "9" * 25


def english_client(account) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(account)
    return browser


def start(actor, slug="coaches", **fields):
    return services.create_community(actor=actor, name=slug.title(), slug=slug,
                                     purpose="Share work", audience="Coaches",
                                     kind="professional_network", **fields)


@pytest.mark.parametrize("action", ["role", "remove"])
def test_a_member_number_too_large_for_the_database_is_not_found(owner, action):
    start(owner)
    response = english_client(owner).post(f"/c/coaches/manage/members/{HUGE}/{action}/",
                                          {"role": "steward"})
    assert response.status_code == 404
    assert Membership.objects.get().role == "steward"


def test_a_supervisor_number_too_large_for_the_database_is_not_found(owner, admin_account):
    start(owner)
    response = english_client(admin_account).post(
        f"/c/coaches/manage/supervisors/{HUGE}/dismiss/")
    assert response.status_code == 404


@pytest.mark.parametrize("target", ["coaches\x00:coaching", "coaches:coach\x00ing"])
def test_publishing_to_a_target_with_a_nul_character_is_refused_with_a_message(owner, target):
    start(owner)
    article = publications.create_article(actor=owner, title="Intervision", body="How we do it")
    response = english_client(owner).post(f"/articles/{article.pk}/publish/",
                                          {"target": [target]})
    assert response.status_code == 422
    assert "Choose community domains from the list." in response.content.decode()
    assert not Publication.objects.exists()
    assert not AuditRecord.objects.filter(action="communities.published").exists()
