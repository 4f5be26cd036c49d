"""What the API tests share: clients with a token or none, JSON requests, the check of a
problem document, the audit trail, and a catalogue product in the making."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from weconomics.audit.models import AuditRecord
from weconomics.catalogue import services as catalogue
from weconomics.identity import services as identity

API = "/api/v1"


def token_client(account, scope="write"):
    _, raw = identity.create_token(actor=account, name=f"{scope} token", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def visitor():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["title"] and body["detail"]
    return body


def post_json(client, path, body=None, **headers):
    return client.post(path, body if body is not None else {},
                       content_type="application/json", **headers)


def patch_json(client, path, body):
    return client.patch(path, body, content_type="application/json")


def put_json(client, path, body=None):
    return client.put(path, body if body is not None else {}, content_type="application/json")


def actions():
    return list(AuditRecord.objects.order_by("pk").values_list("action", flat=True))


def soon(days=7, hours=0):
    return (timezone.now() + dt.timedelta(days=days, hours=hours)).replace(microsecond=0)


def draft(provider, **fields):
    fields = {"kind": "workshop", "logistics": "scheduled", "title": "Clay workshop",
              "price_cents": 1500, **fields}
    return catalogue.create_product(actor=provider, **fields)
