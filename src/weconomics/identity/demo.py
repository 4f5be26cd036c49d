"""Demo accounts; other modules' demo data builds on these."""

from allauth.account.models import EmailAddress
from django.db import transaction

from weconomics.identity.models import Account

DEMO_PASSWORD = "weconomics-demo"
ADMIN_EMAIL = "admin@example.org"

PEOPLE = [
    ("anna@example.org", "Anna de Vries", "nl"),
    ("bram@example.org", "Bram Jansen", "nl"),
    ("chidi@example.org", "Chidi Okafor", "en"),
    ("dewi@example.org", "Dewi Santoso", "nl"),
    ("eva@example.org", "Eva Bakker", "nl"),
    ("farid@example.org", "Farid El Amrani", "nl"),
    ("grace@example.org", "Grace Mensah", "en"),
]


def _account(email: str, name: str, language: str, *, staff: bool = False) -> Account:
    account, created = Account.objects.get_or_create(
        email=email, defaults={"name": name, "language": language, "is_staff": staff,
                               "is_superuser": staff})
    if created:
        account.set_password(DEMO_PASSWORD)
        account.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=account, email=email, defaults={"verified": True, "primary": True})
    return account


@transaction.atomic
def populate() -> dict[str, Account]:
    """Create the demo accounts (idempotent) and return them by email."""
    accounts = {ADMIN_EMAIL: _account(ADMIN_EMAIL, "Platform Admin", "nl", staff=True)}
    for email, name, language in PEOPLE:
        accounts[email] = _account(email, name, language)
    return accounts
