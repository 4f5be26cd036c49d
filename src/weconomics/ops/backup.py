"""weconomics backup: the database and the data folder, consistent, into one archive.

Safe while the server runs. SQLite is copied with the online backup API in one step: a
read transaction in WAL mode, so writers go on while the copy sees one moment. PostgreSQL
is dumped by pg_dump inside a snapshot exported by a REPEATABLE READ transaction, in which
the row counts of the manifest are taken too: counts and dump describe the same moment.
"""

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from weconomics.ops import postgres
from weconomics.ops.archive import (
    ARCHIVE_PREFIX,
    ARCHIVE_SUFFIX,
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    WORK_PREFIX,
    BackupError,
    data_entries,
    database_vendor,
    files_under,
    fsync_folder,
    keys_in_environment,
    sha256_of,
    sqlite_path,
)


@dataclass
class Backup:
    path: Path
    manifest: dict
    seconds: float
    removed: list[Path]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def create_backup(output: str | None = None, *, include_outbox: bool = False,
                  keep: int | None = None) -> Backup:
    """Write a backup archive; return where it went and its manifest."""
    started = time.monotonic()
    data_dir = Path(settings.DATA_DIR)
    target, folder_given = _target(output, data_dir)
    if keep is not None and not folder_given:
        raise BackupError("--keep needs a folder to write into (the archives are named by "
                          "their time there), not a file name.")
    vendor = database_vendor()
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    staging = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}backup-", dir=data_dir))
    try:
        database_file = staging / DATABASE_MEMBER[vendor]
        database_file.parent.mkdir()
        if vendor == "sqlite":
            database = _copy_sqlite(database_file)
        else:
            database = _dump_postgres(database_file)
        entries = data_entries(data_dir, include_outbox=include_outbox,
                               exclude=target.parent.resolve())
        files = [{"path": DATABASE_MEMBER[vendor], "size": database_file.stat().st_size,
                  "sha256": sha256_of(database_file)}]
        for entry in entries:
            for source, member in files_under(data_dir, entry):
                staged = staging / member
                if _stage(source, staged):
                    files.append({"path": member, "size": staged.stat().st_size,
                                  "sha256": sha256_of(staged)})
        in_environment = keys_in_environment()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "weconomics_version": _version(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {k: v for k, v in database.items() if k not in ("tables", "migrations")},
            "tables": database["tables"],
            "migrations": database["migrations"],
            "keys": {name: "environment" if flag else "data folder"
                     for name, flag in in_environment.items()},
            "includes_outbox": include_outbox,
            "files": files,
        }
        _write_archive(target, staging, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    removed = _prune(target.parent, keep) if keep is not None else []
    return Backup(target, manifest, time.monotonic() - started, removed)


def _target(argument: str | None, data_dir: Path) -> tuple[Path, bool]:
    """The archive's path, and whether it was named by its time in a folder."""
    output = Path(argument) if argument else None
    if output is not None and not (output.is_dir() or argument.endswith(("/", os.sep))):
        if not output.name.endswith(ARCHIVE_SUFFIX):
            raise BackupError(f"{output} is neither a folder nor a file name ending in "
                              f"{ARCHIVE_SUFFIX} (end a new folder's name with /).")
        if output.exists():
            raise BackupError(f"{output} exists already; a backup never overwrites a file.")
        if not output.parent.is_dir():
            raise BackupError(f"The folder {output.parent} does not exist.")
        return output.resolve(), False
    folder = output if output is not None else data_dir / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{ARCHIVE_PREFIX}{stamp}-{number}{ARCHIVE_SUFFIX}"
    return target.resolve(), True


def _version() -> str:
    try:
        return metadata.version("weconomics")
    except metadata.PackageNotFoundError:
        return "unknown"


def _copy_sqlite(copy: Path) -> dict:
    """Copy the live database in one step of the online backup API, then count its rows."""
    source_path = sqlite_path()
    if not source_path.is_file():
        raise BackupError(f"There is no database at {source_path}; nothing to back up.")
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(copy)
    try:
        # pages=-1: the whole database in one step, so the copy is one consistent moment
        # (a read transaction; in WAL mode the server's writers are not held up).
        source.backup(target, pages=-1)
    finally:
        source.close()
    try:
        # One self-contained file, without a write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The database's copy fails SQLite's check ({check}); the "
                              "database itself may be damaged.")
        tables = [name for (name,) in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
        counts = {name: target.execute(
            f"SELECT count(*) FROM {postgres.quote_identifier(name)}").fetchone()[0]  # noqa: S608
            for name in tables}
        migrations = ([f"{app}.{name}" for app, name in target.execute(
            "SELECT app, name FROM django_migrations ORDER BY app, name")]
            if "django_migrations" in counts else [])
        version = target.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        target.close()
    return {"vendor": "sqlite", "sqlite_version": version, "tables": counts,
            "migrations": migrations}


def _dump_postgres(dump: Path) -> dict:
    """pg_dump the schema in the snapshot in which the manifest's rows are counted."""
    pg_dump, major, version = postgres.checked_tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_schema(), "
                       "current_setting('server_version')")
        snapshot, schema, server_version = cursor.fetchone()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s "
                       "ORDER BY tablename", [schema])
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for name in tables:
            cursor.execute(f"SELECT count(*) FROM {postgres.quote_identifier(schema)}."  # noqa: S608
                           f"{postgres.quote_identifier(name)}")
            counts[name] = cursor.fetchone()[0]
        migrations = []
        if "django_migrations" in counts:
            cursor.execute(f"SELECT app, name FROM {postgres.quote_identifier(schema)}."  # noqa: S608
                           "django_migrations ORDER BY app, name")
            migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        # Extensions installed in the schema (pg_trgm for the searches) go with it: the
        # restore drops the schema, and them with it.
        cursor.execute("SELECT e.extname FROM pg_extension e JOIN pg_namespace n "
                       "ON n.oid = e.extnamespace WHERE n.nspname = %s ORDER BY e.extname",
                       [schema])
        extensions = [name for (name,) in cursor.fetchall()]
        if extensions and major < 14:
            raise BackupError(f"{pg_dump} is version {version}; dumping the extensions in the "
                              f"schema ({', '.join(extensions)}) needs version 14 or newer.")
        # Uncompressed: the archive's gzip compresses it once.
        result = subprocess.run(  # noqa: S603
            [pg_dump, "--format=custom", "--compress=0", f"--snapshot={snapshot}",
             f"--schema={schema}", *[f"--extension={name}" for name in extensions],
             "--no-password", f"--file={dump}"],
            env=postgres.libpq_environment(), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return {"vendor": "postgresql", "server_version": server_version, "schema": schema,
            "pg_dump_version": version, "pg_dump_major": major, "extensions": extensions,
            "tables": counts,
            "migrations": migrations}


def _stage(source: Path, staged: Path) -> bool:
    """Hard-link (or copy) a data file into the staging folder; False when it vanished.

    The link keeps the file as it was even when the server deletes it meanwhile (a mail
    leaves the queue once delivered), at no cost in space.
    """
    staged.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.link(source, staged)
    except FileNotFoundError:
        return False
    except OSError:
        try:
            shutil.copy2(source, staged)
        except FileNotFoundError:
            return False
    return True


class _HashingReader:
    """A file read into the archive, hashed on the way, to prove it did not change."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _write_archive(target: Path, staging: Path, manifest: dict) -> None:
    """Write the archive to a private temporary file beside the target, then rename it."""
    fd, temporary = tempfile.mkstemp(prefix=f"{WORK_PREFIX}backup-", suffix=".tmp",
                                     dir=target.parent)
    os.fchmod(fd, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as packed, \
                    tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar:
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))
                for entry in manifest["files"]:
                    staged = staging / entry["path"]
                    with staged.open("rb") as handle:
                        reader = _HashingReader(handle)
                        tar.addfile(_info(entry["path"], entry["size"]), reader)
                    if reader.digest.hexdigest() != entry["sha256"]:
                        raise BackupError(f"{entry['path']} changed while it was being backed "
                                          "up; run the backup again.")
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, target)
        fsync_folder(target.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def _prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in the folder (names sort by time)."""
    archives = sorted(path for path in folder.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}")
                      if path.is_file())
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old
