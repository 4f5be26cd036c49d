"""Whatever a caller may not see answers exactly like something that does not exist.

The operations come from the API's own OpenAPI document: every operation with a path
parameter is called twice by a signed-in outsider, once naming things that exist but are
hidden from them (a profile for connections only, a hidden community and everything in
it, a product published only there, someone else's booking, conversation, session, token,
draft...) and once naming things that do not exist. Both answers must carry the same
status, the same problem code and the same message. A new operation is covered the day
it is added; one that cannot be covered must be listed in PUBLIC_BY_DESIGN with the reason.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from weconomics.api.api import api
from weconomics.api.tests.helpers import token_client
from weconomics.bookings import services as bookings
from weconomics.bookings.models import PortfolioEntry, WaitingListEntry
from weconomics.catalogue import services as catalogue
from weconomics.communities import board, publications
from weconomics.communities import services as communities
from weconomics.communities.models import JoinRequest
from weconomics.conftest import make_account
from weconomics.contacts import organisations as orgs
from weconomics.contacts import services as contacts
from weconomics.conversations import services as conversations
from weconomics.identity import services as identity
from weconomics.wiki import services as wiki

pytestmark = pytest.mark.django_db

MISSING_ID = 2_000_000_000

# Operations whose object is public by design or is itself a secret: naming a real one is
# meant to answer differently from naming nothing.
PUBLIC_BY_DESIGN = {
    # An invitation's token is the secret that grants it: whoever holds it may see it.
    "GET /api/v1/invitations/{token}": "the token is the capability",
    "POST /api/v1/invitations/{token}/accept": "the token is the capability",
    "GET /api/v1/communities/invitations/{token}": "the token is the capability",
    "POST /api/v1/communities/invitations/{token}/accept": "the token is the capability",
}
# Organisations are public: everyone finds every organisation. Under an organisation the
# parent is the caller's own, and the child (member, invitation, news) is another's.
OWN_PARENT = {"organisations"}


def _operations():
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method, operation in operations.items():
            found.append((method.upper(), path, operation))
    return schema, found


class World:
    """Things that exist but that the outsider may not see, and the outsider's own."""

    def __init__(self):
        self.outsider = make_account("otto@example.org", "Otto Outsider")
        self.olivia = make_account("olivia@example.org", "Olivia Hidden")
        self.bob = make_account("bob@example.org", "Bob Provider")
        self.carl = make_account("carl@example.org", "Carl Asker")
        for account in (self.outsider, self.olivia, self.bob, self.carl):
            contacts.ensure_person(account)
            contacts.update_profile(actor=account, profile_visibility="public")
        contacts.set_skills(actor=self.olivia, names=["Coaching"])
        self.experience = contacts.save_experience(actor=self.olivia, title="Coach",
                                                   organisation_name="Samen",
                                                   started_on="2020-01-01")
        self.education = contacts.save_education(actor=self.olivia, institution="School",
                                                 qualification="Bachelor")
        self._connect(self.olivia, self.bob)
        self.connection_request = contacts.request_connection(
            actor=self.carl, handle=self.olivia.person.handle)
        asked = contacts.ask_recommendation(actor=self.olivia, handle=self.bob.person.handle)
        self.recommendation = asked
        contacts.update_profile(actor=self.olivia, profile_visibility="connections")
        # Someone else's session and token.
        from allauth.usersessions.models import UserSession

        from weconomics.identity.tests.helpers import sign_in

        sign_in(Client(), self.olivia.email)

        self.session = UserSession.objects.filter(user=self.olivia).first()
        self.token, _raw = identity.create_token(actor=self.olivia, name="hers", scope="read")
        # A hidden community with everything in it.
        self.hidden = communities.create_community(
            actor=self.olivia, name="Hidden circle", purpose="Quiet", audience="Few",
            kind="professional_network", visibility="hidden", join_policy="approval",
            domains=["training", "coaching", "wiki"])
        self.hidden_ally = communities.create_community(
            actor=self.olivia, name="Hidden ally", purpose="Quiet", audience="Few",
            kind="professional_network", visibility="hidden", domains=["training"])
        for account in (self.bob,):
            communities.accept_invitation(actor=account, token=communities.invite(
                actor=self.olivia, community=self.hidden, max_uses=1)[1])
        self.invitation, _token = communities.invite(actor=self.olivia, community=self.hidden,
                                                     email="someone@example.org")
        self.join_request = JoinRequest.objects.create(community=self.hidden, account=self.carl,
                                                       message="Let me in")
        self.alliance = communities.propose_alliance(actor=self.olivia, community=self.hidden,
                                                     partner_slug=self.hidden_ally.slug)
        self.topic = board.start_topic(actor=self.olivia, community=self.hidden, title="Hi",
                                       body="Hello")
        self.reply = board.reply(actor=self.bob, community=self.hidden, topic_id=self.topic.pk,
                                 body="Hello back")
        self.wiki_revision = wiki.save_page(actor=self.olivia, community=self.hidden,
                                            title="Secret", text="Only for us")
        self.article = publications.create_article(actor=self.olivia, title="Secret",
                                                   body="Only for us")
        [self.publication] = publications.publish(
            actor=self.olivia, content=self.article, targets=[(self.hidden.slug, "training")])
        # A product published only in the hidden community, a date and a booking of it.
        self.product = catalogue.create_product(
            actor=self.bob, kind="training", logistics="scheduled", title="Quiet training",
            price_cents=0)
        start = timezone.now() + dt.timedelta(days=7)
        [self.occurrence] = catalogue.add_occurrences(
            actor=self.bob, product_id=self.product.pk, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), capacity=5)
        publications.publish(actor=self.bob, content=self.product,
                             targets=[(self.hidden.slug, "training")])
        catalogue.set_status(actor=self.bob, product_id=self.product.pk, status="published")
        self.booking = bookings.book(actor=self.olivia, product_id=self.product.pk,
                                     occurrence_id=self.occurrence.pk)
        self.waiting = WaitingListEntry.objects.create(occurrence=self.occurrence,
                                                       customer=self.carl)
        self.portfolio = PortfolioEntry.objects.create(
            booking=self.booking, account=self.olivia, title="Quiet training",
            kind="training", attested_by="Bob", completed_on=dt.date(2026, 1, 1))
        self.rooms = catalogue.create_product(actor=self.bob, kind="accommodation",
                                              logistics="resource", title="Room",
                                              price_cents=100)
        self.unit = catalogue.add_unit(actor=self.bob, product_id=self.rooms.pk, name="A")
        # A conversation between two others.
        self.conversation = conversations.start_direct(
            actor=self.olivia, handle=self.bob.person.handle, body="Just us")
        self.message = self.conversation.messages.first()
        # An organisation of the outsider's own, and another's with members and news.
        self.own_org = orgs.create_organisation(actor=self.outsider, name="Otto BV",
                                                kind="company")
        self.other_org = orgs.create_organisation(actor=self.olivia, name="Olivia BV",
                                                  kind="company")
        self.org_invitation, _t = orgs.invite(actor=self.olivia, organisation=self.other_org,
                                              email="new@example.org")
        self.news = orgs.post_news(actor=self.olivia, organisation=self.other_org,
                                   title="News", body="Inside")

    def own_parents(self):
        """The outsider's own community, conversation and product, for the second pass."""
        self.own_community = communities.create_community(
            actor=self.outsider, name="Otto's circle", purpose="Open", audience="All",
            kind="professional_network", domains=["training", "wiki"])
        # A page of the same title, so that only the revision inside it differs.
        wiki.save_page(actor=self.outsider, community=self.own_community, title="Secret",
                       text="Mine")
        self._connect(self.outsider, self.carl)
        self.own_conversation = conversations.start_direct(
            actor=self.outsider, handle=self.carl.person.handle, body="Hi Carl")
        self.own_product = catalogue.create_product(
            actor=self.outsider, kind="accommodation", logistics="resource", title="Desk",
            price_cents=100)

    @staticmethod
    def _connect(a, b):
        asked = contacts.request_connection(actor=a, handle=b.person.handle)
        contacts.respond_to_request(actor=b, request_id=asked.pk, answer="accept")

    def values(self, path: str, *, own_parent: bool = False) -> dict[str, tuple[str, str]]:
        """Each path parameter's (hidden, missing) value for this path.

        own_parent=True names the outsider's own community, conversation or product as the
        first parameter, in both calls, so that only the thing inside it differs.
        """
        entry = (self.portfolio.pk if "/portfolio/" in path
                 else self.waiting.pk if "/waiting-list/" in path
                 else self.education.pk if "/education/" in path
                 else self.experience.pk)
        request = self.join_request.pk if "/join-requests/" in path else (
            self.connection_request.pk)
        if path.startswith("/api/v1/organisations/"):
            slug = (self.own_org.slug, self.own_org.slug)
        else:
            slug = (self.hidden.slug, "no-such-community")
        hidden = {
            "session_id": self.session.pk, "token_id": self.token.pk,
            "handle": self.olivia.person.handle,
            "skill_id": self.olivia.person.person_skills.first().pk,
            "entry_id": entry, "request_id": request,
            "recommendation_id": self.recommendation.pk,
            "account_id": self.olivia.pk,
            "invitation_id": (self.org_invitation.pk if "/organisations/" in path
                              else self.invitation.pk),
            "post_id": self.news.pk, "conversation_id": self.conversation.pk,
            "message_id": self.message.pk, "alliance_id": self.alliance.pk,
            "topic_id": self.topic.pk, "reply_id": self.reply.pk,
            "publication_id": self.publication.pk, "article_id": self.article.pk,
            "product_id": self.rooms.pk if "/units/" in path else self.product.pk,
            "occurrence_id": self.occurrence.pk, "unit_id": self.unit.pk,
            "booking_id": self.booking.pk, "revision_id": self.wiki_revision.pk,
        }
        pairs = {name: (str(value), str(MISSING_ID)) for name, value in hidden.items()}
        pairs["handle"] = (self.olivia.person.handle, "no-such-person")
        pairs["slug"] = slug
        if own_parent:
            own = {"slug": self.own_community.slug if "/communities/" in path
                   else self.own_org.slug,
                   "conversation_id": str(self.own_conversation.pk),
                   "product_id": str(self.own_product.pk)}
            first = re.findall(r"{(\w+)}", path)[0]
            if first in own:
                pairs[first] = (own[first], own[first])
        # Not things but words: the same in both calls.
        for name, word in {"title": "Secret", "role": "customer", "answer": "accept",
                           "decision": "approve", "kind": "training", "token": "x"}.items():
            pairs[name] = (word, word)
        return pairs


def _example(schema: dict, node: dict, depth: int = 0):
    """A small value that satisfies a JSON schema, so a body passes validation."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _example(schema, schema["components"]["schemas"][name], depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return _example(schema, options[0], depth + 1)
    if "enum" in node:
        return node["enum"][0]
    if "default" in node and node["default"] is not None:
        return node["default"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        required = node.get("required", [])
        return {name: _example(schema, prop, depth + 1)
                for name, prop in node.get("properties", {}).items()
                if name in required and depth < 6}
    if kind == "array":
        return [_example(schema, node.get("items", {}), depth + 1)
                for _ in range(node.get("minItems", 0))]
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return max(node.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return (timezone.now() + dt.timedelta(days=10)).replace(microsecond=0).isoformat()
        if fmt == "date":
            return (timezone.now() + dt.timedelta(days=10)).date().isoformat()
        if fmt == "email":
            return "someone@example.org"
        if fmt == "uri":
            return "https://example.org/"
        return "x" * max(node.get("minLength", 0), 4)
    return None


def _later(hours=0):
    return (timezone.now() + dt.timedelta(days=10, hours=hours)).replace(
        microsecond=0).isoformat()


# Bodies the schema alone does not make valid (a rule between fields, at least one field),
# so that the lookup, not the validation, decides the answer.
BODIES = {
    "POST /api/v1/conversations/{conversation_id}/messages": {"body": "Hello"},
    "POST /api/v1/communities/{slug}/topics/{topic_id}/moderation": {"pinned": True},
    "POST /api/v1/communities/{slug}/replies/{reply_id}/moderation": {"hidden": True},
    "POST /api/v1/products/{product_id}/status": {"status": "archived"},
    "POST /api/v1/products/{product_id}/occurrences": {
        "starts_at": _later(), "ends_at": _later(2), "capacity": 3},
    "POST /api/v1/bookings/{booking_id}/propose": {
        "starts_at": _later(), "ends_at": _later(2), "price_cents": 100},
    "POST /api/v1/organisations/{slug}/invitations": {"email": "new@example.org"},
    "POST /api/v1/communities/{slug}/wiki/pages/{title}/revisions/{revision_id}/visibility": {
        "hidden": True, "reason": "x"},
}


def _body(schema, operation, name=""):
    if name in BODIES:
        return "json", BODIES[name]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return "json", _example(schema, content["application/json"]["schema"])
    if content:
        return "multipart", {}
    return None, None


def _query(schema, operation):
    return {p["name"]: _example(schema, p.get("schema", {}))
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and p.get("required")}


def _call(client, method, path, schema, operation, name):
    kind, body = _body(schema, operation, name)
    query = _query(schema, operation)
    if query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query)}"
    call = getattr(client, method.lower())
    if kind == "json":
        return call(path, body, content_type="application/json")
    if kind == "multipart" and method != "GET":
        return call(path, {"file": _png(), "photo": _png(), "logo": _png()})
    return call(path)


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 90)).save(data, format="PNG")
    return SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png")


def _answer(response) -> tuple[int, str | None]:
    code = detail = None
    if response.get("Content-Type", "").startswith("application/problem+json"):
        code = response.json().get("code")
        detail = response.json().get("detail")
    return response.status_code, code, detail


def _differences(world, *, own_parent: bool, anonymous: bool = False) -> tuple[list[str], int]:
    schema, operations = _operations()
    client = Client(HTTP_ACCEPT_LANGUAGE="en") if anonymous else token_client(world.outsider)
    differences, checked = [], 0
    for method, path, operation in operations:
        name = f"{method} {path}"
        if name in PUBLIC_BY_DESIGN or (anonymous and method != "GET"):
            continue
        pairs = world.values(path, own_parent=own_parent)
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in pairs]
        assert not unknown, f"{name}: teach World.values about {unknown}"
        hidden = path.format(**{p: pairs[p][0] for p in params})
        missing = path.format(**{p: pairs[p][1] for p in params})
        if hidden == missing:
            continue  # only words and the caller's own things: nothing hidden named
        seen = _answer(_call(client, method, hidden, schema, operation, name))
        nothing = _answer(_call(client, method, missing, schema, operation, name))
        checked += 1
        if seen != nothing:
            differences.append(f"{name}: hidden {seen} but missing {nothing}")
    return differences, checked


def test_every_operation_answers_a_hidden_thing_like_a_missing_one():
    differences, checked = _differences(World(), own_parent=False)
    assert checked >= 110
    assert not differences, "\n".join(differences)


def test_inside_the_callers_own_things_another_ones_child_is_missing_too():
    """A steward of their own community naming a topic, member or invitation of a hidden
    one; a participant naming another conversation's message; a product's unit."""
    world = World()
    world.own_parents()
    differences, checked = _differences(world, own_parent=True)
    assert checked >= 30
    assert not differences, "\n".join(differences)


def test_a_visitor_reading_a_hidden_thing_gets_what_a_missing_one_gets():
    differences, checked = _differences(World(), own_parent=False, anonymous=True)
    assert checked >= 20
    assert not differences, "\n".join(differences)
