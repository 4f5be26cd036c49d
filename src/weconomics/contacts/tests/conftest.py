import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # The messages asserted here are the English originals; the site defaults to Dutch.
    with translation.override("en"):
        yield
