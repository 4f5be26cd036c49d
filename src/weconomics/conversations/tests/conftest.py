import pytest
from django.utils import translation

from weconomics.conversations.tests.helpers import make_people


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture(autouse=True)
def _in_english():
    # Refusals are asserted by their English words; the site's default is Dutch.
    with translation.override("en"):
        yield
