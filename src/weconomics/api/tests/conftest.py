"""The people of the catalogue and bookings API tests, and a training to book."""

import pytest

from weconomics.bookings.tests.helpers import scheduled
from weconomics.conftest import make_account


@pytest.fixture
def provider(db):
    return make_account("paula@example.org", "Paula Provider")


@pytest.fixture
def customer(db):
    return make_account("carl@example.org", "Carl Customer")


@pytest.fixture
def stranger(db):
    return make_account("stan@example.org", "Stan Stranger")


@pytest.fixture
def training(provider):
    """A published training with one date of 10 places in the provider's public community."""
    return scheduled(provider)
