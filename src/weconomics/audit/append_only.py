"""The one way past the database's append-only rule for audit records and booking events.

Triggers (audit migration 0004, bookings migration 0005) make the database refuse UPDATE,
DELETE and (PostgreSQL) TRUNCATE of `audit_auditrecord` and `bookings_bookingevent`,
whatever the code or a person at an SQL prompt tries. They let a statement through only
while a flag is raised inside the current transaction:

- PostgreSQL: the setting `weconomics.append_only_bypass`, set with `set_config(..., true)`
  (SET LOCAL): it ends with the transaction and no other connection ever sees it;
- SQLite: a row in `audit_append_only_bypass` (a trigger cannot read a TEMP table), written
  and removed inside one transaction: under SQLite's single writer no other connection can
  write meanwhile, and none ever reads the uncommitted row.

Two callers use it: the erasure of an account (`audit.services.anonymise_records_of`, which
writes its own audit record) and the flush between transactional tests (the test suite's
conftest wraps Django's `execute_sql_flush`). Nothing else may.
"""

import contextlib
from contextlib import contextmanager

from django.db import DatabaseError
from django.db import connection as default_connection

SETTING = "weconomics.append_only_bypass"


def statements(vendor: str) -> tuple[list[str], list[str]]:
    """The SQL that raises and lowers the flag, for a database vendor."""
    if vendor == "postgresql":
        return ([f"SELECT set_config('{SETTING}', 'on', true)"],
                [f"SELECT set_config('{SETTING}', 'off', true)"])
    if vendor == "sqlite":
        return (["INSERT INTO audit_append_only_bypass (raised) VALUES (1)"],
                ["DELETE FROM audit_append_only_bypass"])
    return [], []


@contextmanager
def bypass(connection=None):
    """Let UPDATE/DELETE of append-only rows through for the statements in this block.

    Only inside a transaction (`transaction.atomic`): the flag must end with it, never
    be committed for everyone.
    """
    connection = connection or default_connection
    if not connection.in_atomic_block:
        raise RuntimeError("the append-only bypass needs a transaction")
    raise_flag, lower_flag = statements(connection.vendor)
    with connection.cursor() as cursor:
        for sql in raise_flag:
            cursor.execute(sql)
    try:
        yield
    except BaseException:
        # Lowered on an error too: a caller may catch it and commit, and on SQLite the flag
        # is a row that would then stay raised for every later transaction. Where the
        # error broke the transaction (PostgreSQL), its rollback lowers the flag instead.
        with contextlib.suppress(DatabaseError):
            _lower(connection, lower_flag)
        raise
    _lower(connection, lower_flag)


def _lower(connection, lower_flag: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in lower_flag:
            cursor.execute(sql)
