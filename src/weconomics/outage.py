"""When the database cannot be reached: a temporary outage (503), not a fault of ours (500).

One rule for the pages (web.errors), the API (api.problems) and /healthz. Django already
discards a broken connection at the end of the request in which it failed (its
`errors_occurred` check) and tests a kept connection before reusing it
(CONN_HEALTH_CHECKS), so the site comes back by itself as soon as the database does.
"""

from django.db import DatabaseError, InterfaceError, OperationalError, connections

# What a 503 asks clients to wait before they try again, in seconds.
RETRY_AFTER = 5

# SQLite reports mistakes in the schema or in SQL as OperationalError too: those are bugs
# (a migration not run), which must stay loud 500s instead of "try again later".
_SQLITE_BUGS = ("no such table", "no such column", "syntax error", "has no column")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether the error says the database is away or busy, rather than our code wrong.

    Connections refused or cut, timeouts (statement, lock, connect), and SQLite's
    "database is locked" or "unable to open database file".
    """
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    message = str(error).lower()
    return not any(bug in message for bug in _SQLITE_BUGS)


def database_reachable() -> bool:
    """Whether the default database answers a trivial query now."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True
