"""PostgreSQL's client tools (pg_dump, pg_restore, psql) run against the configured database."""

import os
import re
import shutil
import subprocess

from django.conf import settings
from django.db import connection

from weconomics.ops.archive import BackupError

# libpq's environment variables for the connection options dj-database-url passes on.
LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                 "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
                 "connect_timeout": "PGCONNECT_TIMEOUT", "target_session_attrs":
                 "PGTARGETSESSIONATTRS"}


def libpq_environment() -> dict[str, str]:
    """The environment that points pg_dump, pg_restore and psql at the configured database."""
    database = settings.DATABASES["default"]
    env = {**os.environ, "PGAPPNAME": "weconomics-backup"}
    for key, variable in (("NAME", "PGDATABASE"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if database.get(key):
            env[variable] = str(database[key])
    for key, variable in LIBPQ_OPTIONS.items():
        if database.get("OPTIONS", {}).get(key):
            env[variable] = str(database["OPTIONS"][key])
    return env


def tool(name: str) -> str:
    """The path of a PostgreSQL client tool, or a clear error when it is not installed."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client tools of the server's "
            f"version or newer (Debian and Ubuntu: apt install postgresql-client-"
            f"{server_major()}) or put their folder on PATH.")
    return found


def tool_version(path: str) -> tuple[int, str]:
    """The major version and the full version of a client tool ("pg_dump (PostgreSQL) 15.2")."""
    try:
        answer = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                                timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError(f"{path} --version failed: {error}") from None
    match = re.search(r"\)\s*(\d+(?:\.\d+)*)", answer)
    if match is None:
        raise BackupError(f"Could not read the version of {path} from {answer.strip()!r}.")
    return int(match.group(1).split(".")[0]), match.group(1)


def server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def checked_tool(name: str) -> tuple[str, int, str]:
    """A client tool not older than the server (an older pg_dump cannot dump a newer server)."""
    path = tool(name)
    major, version = tool_version(path)
    server = server_major()
    if major < server:
        raise BackupError(
            f"{path} is version {version}, older than the PostgreSQL {server} server. Install "
            f"the client tools of version {server} or newer (Debian and Ubuntu: apt install "
            f"postgresql-client-{server}) and put them first on PATH.")
    return path, major, version


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
