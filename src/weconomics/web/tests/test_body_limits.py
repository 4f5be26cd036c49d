"""Request bodies over their limit are refused with 413 before they are read; bodies of
unknown length (chunked) within it are read.

Through the test client with small limits, and over raw sockets to the real server
(granian), where a body can be larger than anything should read or come in chunks.
"""

import io
import json
import os
import socket
import time

import pytest
from django.test import Client
from PIL import Image

from weconomics.api.tests.helpers import assert_problem, token_client
from weconomics.conftest import make_account
from weconomics.identity.models import Account
from weconomics.web.tests.served import served, url_of_test_database

LIMIT = 10_000
UPLOAD_LIMIT = 200_000


@pytest.fixture
def limits(settings):
    settings.MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    settings.UPLOAD_MAX_BODY_BYTES = UPLOAD_LIMIT


def noisy_png(side: int) -> io.BytesIO:
    """A PNG that does not compress: about 3 * side * side bytes."""
    data = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(data, format="PNG")
    data.seek(0)
    data.name = "me.png"
    return data


def test_an_anonymous_multipart_body_far_over_the_limit_gets_a_413_page(db, limits):
    big = io.BytesIO(b"x" * LIMIT * 64)
    big.name = "big.bin"
    response = Client().post("/accounts/login/", {"login": "a@example.org", "file": big})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Te veel ineens verstuurd" in response.content.decode()


def test_the_413_page_speaks_english_when_asked(db, limits):
    response = Client().post("/accounts/login/", {"x": "y" * LIMIT * 2},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "Too much sent at once" in response.content.decode()


def test_an_api_body_over_the_limit_is_a_413_problem(db, limits):
    api = token_client(make_account("mo@example.org", "Mo Member"))
    response = api.patch("/api/v1/me", {"name": "x" * LIMIT * 2},
                         content_type="application/json")
    body = assert_problem(response, 413, "payload_too_large")
    assert body["max_bytes"] == LIMIT
    # A multipart body too, though only its form fields count for Django's own limit.
    big = io.BytesIO(b"x" * LIMIT * 2)
    big.name = "big.bin"
    assert_problem(api.post("/api/v1/me/tokens", {"file": big}), 413, "payload_too_large")


def test_photos_have_their_own_larger_limit(db, limits):
    member = make_account("mo@example.org", "Mo Member")
    photo = noisy_png(100)  # ~30 kB: over the body limit, within the upload limit
    assert LIMIT < len(photo.getvalue()) < UPLOAD_LIMIT
    assert token_client(member).post("/api/v1/me/profile/photo",
                                     {"photo": photo}).status_code == 200
    browser = Client()
    browser.force_login(member)
    photo.seek(0)
    assert browser.post("/profile/photo/", {"photo": photo}).status_code == 302
    # Over the upload limit, an upload is refused like any other body.
    huge = noisy_png(300)  # ~270 kB
    assert_problem(token_client(member).post("/api/v1/me/profile/photo", {"photo": huge}),
                   413, "payload_too_large")
    huge.seek(0)
    assert browser.post("/profile/photo/", {"photo": huge}).status_code == 413


# --- over real connections ---------------------------------------------------------------

SERVER_LIMIT = 65_536


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):
    with served(tmp_path_factory.mktemp("site"), url_of_test_database(),
                WECONOMICS_MAX_BODY_BYTES=str(SERVER_LIMIT)) as (port, _log):
        yield port


@pytest.fixture
def site(server, transactional_db):
    return server


def exchange(port: int, head: bytes, body_parts=(), *, pause: float = 0) -> bytes:
    """Send a request's head and as much of its body as the server takes; the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head)
        try:
            for part in body_parts:
                sock.sendall(part)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the server answered and closed without reading the rest: as it should
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if _complete(answer):
                    break
        except OSError:
            pass
    return answer


def _complete(answer: bytes) -> bool:
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return body.endswith(b"0\r\n\r\n")  # chunked


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def body_of(answer: bytes) -> bytes:
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    decoded = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        if not int(size, 16):
            break
        decoded, body = decoded + rest[:int(size, 16)], rest[int(size, 16) + 2:]
    return decoded


def chunked(data: bytes, size: int = 4096):
    for start in range(0, len(data), size):
        piece = data[start:start + size]
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def test_a_300_mib_post_is_refused_before_it_is_sent(site):
    # Only the head and the first 64 kB go out: the answer must come without the rest.
    head = (b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: %d\r\n\r\n" % (300 * 1024 * 1024))
    answer = exchange(site, head, [b"--xyz\r\n" + b"x" * 65536])
    assert status_of(answer) == 413, answer[:300]
    assert b"<h1>" in body_of(answer)
    answer = exchange(site, head.replace(b"/accounts/login/", b"/api/v1/bookings"),
                      [b"x" * 65536])
    assert status_of(answer) == 413
    assert json.loads(body_of(answer))["code"] == "payload_too_large"


def test_a_chunked_body_within_the_limit_is_read(site):
    from weconomics.identity import services as identity

    account = make_account("mo@example.org", "Mo Member")
    _, token = identity.create_token(actor=account, name="chunks", scope="write")
    head = (b"PATCH /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" % token.encode())
    data = json.dumps({"name": "Chunky " + "o" * 100}).encode()
    answer = exchange(site, head, chunked(data, 16))
    assert status_of(answer) == 200, answer
    assert Account.objects.get(pk=account.pk).name == "Chunky " + "o" * 100


def test_a_chunked_body_over_the_limit_is_refused_after_reading_no_more_than_the_limit(site):
    head = (b"POST /api/v1/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    # Twice the limit is offered; the server reads a little over the limit, then answers.
    answer = exchange(site, head, chunked(b"x" * SERVER_LIMIT * 2, 8192))
    assert status_of(answer) == 413, answer[:300]
    assert json.loads(body_of(answer))["code"] == "payload_too_large"
    # An endless page upload gets its page too, without the server waiting for the end.
    page = head.replace(b"/api/v1/bookings", b"/accounts/login/")
    endless = (b"2000\r\n" + b"x" * 8192 + b"\r\n" for _ in range(SERVER_LIMIT // 8192 + 4))
    answer = exchange(site, page, endless)
    assert status_of(answer) == 413
