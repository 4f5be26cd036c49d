"""HEAD answers wherever GET does on /api/v1 (RFC 9110, 9.3.2): same status and headers,
no body."""

import re

import pytest

from weconomics.api.tests.helpers import API, token_client
from weconomics.bookings.tests.helpers import scheduled
from weconomics.conftest import make_account


@pytest.fixture
def reader(db):
    provider = make_account("head@example.org", "Head Provider")
    product, occurrence = scheduled(provider)
    return token_client(provider, scope="read"), product, occurrence


def test_head_answers_like_get_on_every_read_of_the_document(reader):
    client, product, occurrence = reader
    document = client.get(f"{API}/openapi.json").json()
    values = {"slug": "market", "product_id": product.pk, "occurrence_id": occurrence.pk}
    compared = 0
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], 1)), path)
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, (path, got.status_code, head.status_code)
        assert head.content == b"", path
        for header in ("Content-Type", "Cache-Control", "ETag"):
            assert head.get(header) == got.get(header), (path, header)
        # The length of the body a GET would send (an export's varies from call to call).
        assert head.has_header("Content-Length") == got.has_header("Content-Length"), path
        compared += got.status_code == 200
    assert compared > 20  # most reads answered 200 with their real objects


def test_head_of_the_openapi_document_and_a_list(reader):
    client, _, _ = reader
    for url in (f"{API}/openapi.json", f"{API}/products", f"{API}/me"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert int(response["Content-Length"]) > 0 and response.content == b""


def test_head_is_refused_where_get_is_and_allow_names_head_beside_get(reader):
    client, _, _ = reader
    lacking = client.put(f"{API}/me/export")
    assert lacking.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in lacking["Allow"].split(",")}
    post_only = client.head(f"{API}/bookings/1/cancel")
    assert post_only.status_code == 405 and "HEAD" not in post_only["Allow"]


def test_head_of_a_streamed_file_keeps_its_length(reader):
    from weconomics.api.tests.test_people_api import _upload, image_file
    from weconomics.contacts import services as contacts
    from weconomics.contacts.models import Person

    client, product, _ = reader
    contacts.set_photo(actor=product.provider, upload=_upload(image_file()))
    url = f"{API}/people/{Person.objects.get(account=product.provider).handle}/photo"
    got, head = client.get(url), client.head(url)
    assert got.status_code == head.status_code == 200
    assert got.streaming and int(head["Content-Length"]) == len(b"".join(got.streaming_content))
    assert b"".join(head.streaming_content) == b"" and head["Content-Type"] == "image/jpeg"
