"""The database connection: on PostgreSQL, statements a connection repeats are prepared."""

import json

import pytest
from django.db import connection

from weconomics.identity.models import Account
from weconomics.web.tests.test_deploy import weconomics

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/unused"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="prepared statements are PostgreSQL's; SQLite runs in the process")
def test_a_statement_run_again_is_prepared_with_its_parameters_bound_by_the_server():
    for email in ("one@example.org", "two@example.org", "three@example.org"):
        assert not Account.objects.filter(email=email).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    # One prepared statement for the three lookups, with a placeholder for the address.
    [lookup] = [s for s in prepared if '"identity_account"."email" = $' in s]
    assert "example.org" not in lookup
    # Still planned for each run's own values, never with a generic plan.
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"


def _options(tmp_path, **extra):
    script = ("import json; from django.conf import settings as s; "
              "print(json.dumps(s.DATABASES['default']['OPTIONS']))")
    result = weconomics(tmp_path, "shell", "-c", script,
                        extra={"WECONOMICS_DATABASE_URL": POSTGRES_URL} | extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# A lost database fails a request in seconds: connecting gives up, a silent peer is found dead.
TIMEOUTS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10,
            "keepalives_interval": 5, "keepalives_count": 3}


def test_prepared_statements_are_on_for_postgresql_and_can_be_turned_off(tmp_path):
    assert _options(tmp_path) == {
        "options": "-c jit=off -c plan_cache_mode=force_custom_plan",
        "server_side_binding": True, "prepare_threshold": 2, **TIMEOUTS}
    # Options of the URL's own keep the plans made for each run's values.
    assert _options(tmp_path, WECONOMICS_DATABASE_URL=POSTGRES_URL
                    + "?options=-c%20statement_timeout%3D5000")["options"] == (
        "-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan")
    # Behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
    assert _options(tmp_path, WECONOMICS_DATABASE_PREPARED="0") == {
        "options": "-c jit=off", **TIMEOUTS}
    # A timeout of the URL's own wins.
    assert _options(tmp_path, WECONOMICS_DATABASE_URL=POSTGRES_URL
                    + "?connect_timeout=30")["connect_timeout"] == 30
