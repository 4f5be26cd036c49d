"""When the database cannot be reached: a temporary outage (503), not a fault of ours (500).

One rule for the pages (web.errors), the API (api.problems) and /healthz. Django already
discards a broken connection at the end of the request in which it failed (its
`errors_occurred` check) and tests a kept connection before reusing it
(CONN_HEALTH_CHECKS), so the site comes back by itself as soon as the database does.
"""

import sqlite3

from django.db import DatabaseError, InterfaceError, OperationalError, connections

# What a 503 asks clients to wait before they try again, in seconds.
RETRY_AFTER = 5

# SQLite says OperationalError for mistakes in the schema or in SQL and for its own limits
# too: only these messages are the database being busy or away.
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked",
                       "unable to open database file", "disk i/o error",
                       "database or disk is full", "interrupted", "locking protocol")
# Bugs (a migration not run) whatever the database, which must stay loud 500s.
_BUGS = ("no such table", "no such column", "syntax error", "has no column")
# PostgreSQL's OperationalError classes that no retry mends: program limit exceeded (54:
# too many columns, an index row too large) and an object not in the state asked (55000).
_POSTGRES_NOT_AN_OUTAGE = ("54", "55000")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether the error says the database is away or busy, rather than our code wrong.

    Connections refused or cut, timeouts (statement, lock, connect), and SQLite's
    "database is locked" or "unable to open database file".
    """
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    message = str(error).lower()
    if any(bug in message for bug in _BUGS):
        return False
    cause = error.__cause__  # the driver's own error, which Django wraps
    if isinstance(cause, sqlite3.Error):
        return any(busy in message for busy in _SQLITE_UNAVAILABLE)
    return not (getattr(cause, "sqlstate", None) or "").startswith(_POSTGRES_NOT_AN_OUTAGE)


def database_reachable() -> bool:
    """Whether the default database answers a trivial query now."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True
