"""Helpers for driving the sign-in flows in tests, as a browser would."""

import re
import time
from urllib.parse import urlsplit

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from weconomics.conftest import PASSWORD


def last_mail_link(pattern: str) -> str:
    """Return the first URL in the newest email whose path matches pattern."""
    body = mail.outbox[-1].body
    for url in re.findall(r"https?://\S+", body):
        if re.search(pattern, url):
            return urlsplit(url).path
    raise AssertionError(f"no link matching {pattern!r} in: {body}")


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def totp_code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
