import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Accounts without a language get the site's default; these tests read English mail.
    settings.LANGUAGE_CODE = "en"
