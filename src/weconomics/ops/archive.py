"""The backup archive's format, shared by `weconomics backup` and `weconomics restore`.

One tar.gz file, mode 0600 (it holds the keys):

    manifest.json                   always the first member
    database/weconomics.sqlite3     SQLite: an online, consistent copy (sqlite3 backup API)
    database/weconomics.pgdump      PostgreSQL: pg_dump --format=custom of the schema
    data/...                        the data folder: uploads (media/), the secret key and
                                    the OIDC signing key, queued mail, the outbox on request

The manifest names the format and its version, when and by which Weconomics the backup
was made, the database vendor, the row count of every table, the applied migrations and
every other member with its size and SHA-256; restore checks all of them before it changes
anything.
"""

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings

FORMAT = "weconomics-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/weconomics.sqlite3",
                   "postgresql": "database/weconomics.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ARCHIVE_PREFIX = "weconomics-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
# Work folders of backup and restore in the data folder; never part of a backup.
WORK_PREFIX = ".weconomics-"
# Data-folder entries that are rebuilt, not restored: the database files (copied through
# the database itself), the cache, the collected static files and the default place of
# the archives themselves.
NOT_DATA = {"cache", "static", "backups"}
SQLITE_FILES = ("weconomics.sqlite3", "weconomics.sqlite3-wal", "weconomics.sqlite3-shm",
                "weconomics.sqlite3-journal")
OUTBOX = "outbox"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def data_entries(data_dir: Path, *, include_outbox: bool, exclude: Path | None = None) -> list[str]:
    """The top-level names in the data folder that a backup holds (and a restore replaces)."""
    if not data_dir.is_dir():
        return []
    found = []
    for entry in sorted(os.listdir(data_dir)):
        if entry in NOT_DATA or entry in SQLITE_FILES or entry.startswith(WORK_PREFIX):
            continue
        if entry == OUTBOX and not include_outbox:
            continue
        path = data_dir / entry
        if exclude is not None and path.resolve() == exclude:
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        found.append(entry)
    return found


def files_under(root: Path, entry: str) -> Iterator[tuple[Path, str]]:
    """Every regular file of a data-folder entry, as (path, member name under data/)."""
    path = root / entry
    if path.is_file():
        yield path, f"data/{entry}"
        return
    for folder, subfolders, names in os.walk(path):
        subfolders.sort()
        for name in sorted(names):
            file = Path(folder) / name
            if file.is_symlink() or not file.is_file():
                continue
            yield file, "data/" + file.relative_to(root).as_posix()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def safe_member(name: str) -> PurePosixPath | None:
    """The member's path when it is a plain relative path under database/ or data/."""
    path = PurePosixPath(name)
    if (path.is_absolute() or not path.parts or ".." in path.parts or "\\" in name
            or path.parts[0] not in ("database", "data") or len(path.parts) < 2
            or any(part in ("", ".") for part in name.split("/"))):
        return None
    return path


def database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def keys_in_environment() -> dict[str, bool]:
    """Which keys come from the environment (and so are not in the data folder)."""
    return {"secret_key": bool(os.environ.get("WECONOMICS_SECRET_KEY")),
            "oidc_private_key": bool(os.environ.get("WECONOMICS_OIDC_PRIVATE_KEY"))}


def fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
