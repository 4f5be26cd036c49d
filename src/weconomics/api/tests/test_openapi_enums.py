"""Every enum value that the OpenAPI document offers for a request is one the server accepts.

The walk reads the live document: each enum of a query or path parameter and of a request
body (nested objects and arrays included) is sent, value by value. An answer may still be a
404 or a 409 for other reasons, but never a validation error about that field; where the
test has a complete valid request (creating and changing a community or an organisation),
the request must succeed outright.
"""

import json
import re

import pytest

from weconomics.api.tests.helpers import API, token_client
from weconomics.communities import services as communities
from weconomics.conftest import make_account
from weconomics.contacts import organisations as orgs

# Complete requests, so that the enum's value is the only thing that can be refused.
COMPLETE = {
    ("post", "/api/v1/communities"): lambda n: {
        "name": f"Enum walk {n}", "kind": "cooperative", "purpose": "Trying every kind",
        "audience": "Everyone"},
    ("post", "/api/v1/organisations"): lambda n: {"name": f"Enum walk {n}", "kind": "company"},
    ("patch", "/api/v1/communities/{slug}"): lambda n: {},
    ("patch", "/api/v1/organisations/{slug}"): lambda n: {},
}


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def enums(document, schema, trail=(), seen=()):
    """(trail, values) for every enum in a schema; a trail holds names and [] for items."""
    ref = schema.get("$ref")
    if ref in seen:
        return
    schema, seen = resolve(document, schema), (*seen, ref) if ref else seen
    if "enum" in schema:
        yield trail, schema["enum"]
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from enums(document, option, trail, seen)
    for name, field in schema.get("properties", {}).items():
        yield from enums(document, field, (*trail, name), seen)
    if "items" in schema:
        yield from enums(document, schema["items"], (*trail, "[]"), seen)


def nest(trail, value):
    """The smallest JSON value that puts `value` at `trail`."""
    if not trail:
        return value
    if trail[0] == "[]":
        return [nest(trail[1:], value)]
    return {trail[0]: nest(trail[1:], value)}


def refused_field(response, location):
    """Whether the answer is a validation error about the field at `location`."""
    if response.status_code != 422 or not response["Content-Type"].startswith(
            "application/problem+json"):
        return False
    for error in response.json().get("errors", []):
        where = [part for part in error["location"] if not part.isdigit()]
        if where[-len(location):] == list(location):
            return True
    return False


@pytest.fixture
def steward(db):
    account = make_account("enums@example.org", "Enum Walker")
    community = communities.create_community(
        actor=account, name="Walkers", slug="walkers", purpose="Walking", audience="All",
        kind="cooperative")
    organisation = orgs.create_organisation(actor=account, name="Walk Ltd", kind="company")
    return account, community, organisation


def test_every_enum_value_of_the_document_is_accepted(steward):
    account, community, organisation = steward
    client = token_client(account, scope="write")
    document = client.get(f"{API}/openapi.json").json()
    tried, refused = 0, []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            sites = []
            for parameter in operation.get("parameters", []):
                for trail, values in enums(document, parameter.get("schema", {})):
                    sites.append((parameter["in"], parameter["name"], trail, values))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for trail, values in enums(document, body["schema"]) if body else ():
                sites.append(("body", None, trail, values))
            for where, name, trail, values in sites:
                for value in values:
                    tried += 1
                    slug = (organisation.slug if path.startswith(f"{API}/organisations")
                            else community.slug)
                    url = path.replace("{slug}", slug)
                    query, payload = {}, None
                    if where == "path":
                        url = url.replace("{" + name + "}", str(value))
                    elif where == "query":
                        query[name] = value
                    else:
                        complete = COMPLETE.get((method, path))
                        payload = {**(complete(tried) if complete else {}), **nest(trail, value)}
                    url = re.sub(r"\{\w+\}", "1", url)  # other ids and keys
                    if payload is None:
                        response = getattr(client, method)(url, query)
                    elif method == "get":
                        continue
                    else:
                        response = getattr(client, method)(url, json.dumps(payload),
                                                           content_type="application/json")
                    site = f"{method.upper()} {path} {where} {name or '.'.join(trail)}={value!r}"
                    assert response.status_code < 500, site
                    location = [name] if name else [t for t in trail if t != "[]"]
                    if refused_field(response, location):
                        refused.append(f"{site}: {response.json()['errors']}")
                    elif (method, path) in COMPLETE and where == "body":
                        assert response.status_code in (200, 201), (site, response.content)
    assert tried > 100
    assert not refused, "\n".join(refused)


def test_two_schemas_of_one_name_cannot_share_the_document():
    from django.core.exceptions import ImproperlyConfigured
    from ninja import Schema

    from weconomics.api.api import WeconomicsAPI

    def body(field):
        return type("MemberPatch", (Schema,), {"__annotations__": {field: str}})

    first, second = body("role"), body("kind")
    clash = WeconomicsAPI(urls_namespace="clash")

    @clash.post("/a")
    def a(request, payload: first):
        return {}

    @clash.post("/b")
    def b(request, payload: second):
        return {}

    with pytest.raises(ImproperlyConfigured, match="MemberPatch"):
        clash.get_openapi_schema(path_prefix="/")
