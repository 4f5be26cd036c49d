"""People for the conversation tests: Anna connected with Bram and Eva, and a stranger."""

from types import SimpleNamespace

from weconomics.conftest import make_account
from weconomics.contacts import services as contacts


def person(email, name):
    """An account with a profile anyone may find, so connection requests can reach it."""
    account = make_account(email, name)
    contacts.update_profile(actor=account, profile_visibility="public")
    return account


def connect(a, b):
    request = contacts.request_connection(actor=a, handle=b.person.handle)
    contacts.respond_to_request(actor=b, request_id=request.pk, answer="accept")


def handle(account) -> str:
    return account.person.handle


def make_people() -> SimpleNamespace:
    """Anna, Bram and Eva all connected with each other; Stan connected with nobody."""
    anna = person("anna@example.org", "Anna de Vries")
    bram = person("bram@example.org", "Bram Jansen")
    eva = person("eva@example.org", "Eva Bakker")
    stan = person("stan@example.org", "Stan Stranger")
    connect(anna, bram)
    connect(anna, eva)
    connect(bram, eva)
    return SimpleNamespace(anna=anna, bram=bram, eva=eva, stan=stan)
