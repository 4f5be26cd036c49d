"""Sessions are tracked for the sessions page without a write on every request."""

import datetime as dt

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


def writes_on(client, path="/settings/"):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE \"usersessions")]


def test_a_session_is_written_once_a_minute_and_at_once_when_its_browser_changes(member):
    client = Client(HTTP_USER_AGENT="Firefox")
    client.force_login(member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/settings/")
        assert writes_on(client) == []
        seen = UserSession.objects.get(user=member).last_seen_at
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert len(writes_on(client)) == 1
        assert UserSession.objects.get(user=member).last_seen_at > seen
        client.defaults["HTTP_USER_AGENT"] = "Chromium"
        assert len(writes_on(client)) == 1
        assert UserSession.objects.get(user=member).user_agent == "Chromium"
