"""weconomics restore: an archive of `weconomics backup` back into this instance.

Nothing changes until the whole archive is read and checked: every member against the
manifest's SHA-256, the database copy against the manifest's row counts (SQLite) or
pg_restore's reading of the dump (PostgreSQL). Then the data folder's entries are swapped
by renames and the database is replaced in one step: SQLite by renaming the checked copy
over the database file, PostgreSQL in one transaction that drops the schema and loads the
dump (dropping never fires the triggers that refuse DELETE and TRUNCATE). When that step
fails, the data folder is put back as it was.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from weconomics.ops import postgres
from weconomics.ops.archive import (
    CHUNK,
    DATABASE_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    WORK_PREFIX,
    BackupError,
    data_entries,
    database_vendor,
    fsync_folder,
    keys_in_environment,
    safe_member,
    sqlite_path,
    vendor_name,
)

MANIFEST_MAX_BYTES = 64 * 1024 * 1024
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Restored:
    manifest: dict
    seconds: float
    notes: list[str]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())


def restore_backup(archive: Path, *, force: bool = False, host: str = "127.0.0.1",
                   port: int = 8000, check_only: bool = False) -> Restored:
    """Check an archive and, unless check_only, restore it over this instance."""
    started = time.monotonic()
    if not archive.exists():
        raise BackupError(f"There is no file {archive}.")
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    if not check_only and server_answers(host, port):
        raise BackupError(
            f"A Weconomics server answers at {_url(host, port)}: stop it (and its task worker) "
            "before restoring. If that is another instance, name this one's address with "
            "--host and --port.")
    data_dir = Path(settings.DATA_DIR)
    vendor = database_vendor()
    staging = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}restore-", dir=data_dir))
    try:
        manifest = _read_archive(archive, staging, vendor)
        _check_migrations(manifest)
        database_file = staging / DATABASE_MEMBER[vendor]
        tools: dict = {}
        if vendor == "sqlite":
            _check_sqlite_copy(database_file, manifest)
        else:
            tools = _postgres_tools(database_file, manifest)
        if check_only:
            return Restored(manifest, time.monotonic() - started, [])
        if not force and (reason := _holds_data(data_dir)):
            raise BackupError(f"This instance is not empty ({reason}). Restoring replaces "
                              "everything in it; add --force to do that.")
        if vendor == "sqlite":
            _release_sqlite(sqlite_path())
        _swap(data_dir, staging, manifest, lambda: (
            _replace_sqlite(database_file, sqlite_path()) if vendor == "sqlite"
            else _load_postgres(database_file, manifest, tools)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # pg_restore leaves the planner without statistics
    notes = _clear_cache() + _key_notes(manifest)
    return Restored(manifest, time.monotonic() - started, notes)


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def server_answers(host: str, port: int) -> bool:
    """Whether a Weconomics server answers its health check at host:port."""
    try:
        with urllib.request.urlopen(_url(host, port) + "healthz", timeout=2) as answer:  # noqa: S310 - our own address
            return answer.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


# --- reading and checking the archive ---------------------------------------------------

def _read_archive(archive: Path, staging: Path, vendor: str) -> dict:
    """Extract every member into staging, checked against the manifest; return the manifest."""
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive} is not a Weconomics backup: it cannot be read as a "
                          f"tar.gz archive ({error}).") from None
    damaged = (f"{archive} is damaged (it ends early or fails its checksums); nothing was "
               "restored")
    expected: dict[str, dict] = {}
    seen: set[str] = set()
    with tar:
        try:
            first = tar.next()
            if (first is None or first.name != MANIFEST or not first.isfile()
                    or first.size > MANIFEST_MAX_BYTES):
                raise BackupError(f"{archive} is not a Weconomics backup: it does not begin "
                                  f"with {MANIFEST}.")
            manifest = _parse_manifest(tar.extractfile(first).read(), archive)
            _check_vendor(manifest, vendor)
            expected = {entry["path"]: entry for entry in manifest["files"]}
            for member in tar:
                if member is first or member.isdir():
                    continue
                name = member.name
                if not member.isfile() or safe_member(name) is None:
                    raise BackupError(f"{archive} holds an unexpected entry {name!r}; it is "
                                      "not an archive of weconomics backup. Nothing was "
                                      "restored.")
                entry = expected.get(name)
                if entry is None or name in seen:
                    raise BackupError(f"{archive} holds {name}, which its manifest does not "
                                      "list (once); nothing was restored.")
                _extract(tar, member, staging / name, entry, damaged)
                seen.add(name)
            # Read to the end, so gzip checks its own checksum of the whole stream too.
            while tar.fileobj.read(CHUNK):
                pass
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise BackupError(f"{damaged} ({error}).") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{damaged}: it misses {', '.join(missing[:5])}"
                          f"{' and more' if len(missing) > 5 else ''}.")
    return manifest


def _extract(tar, member, target: Path, entry: dict, damaged: str) -> None:

    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    source = tar.extractfile(member)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source, os.fdopen(fd, "wb") as handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise BackupError(f"{damaged}: {member.name} differs from the checksum in the "
                          "manifest.")


def _parse_manifest(body: bytes, archive: Path) -> dict:
    try:
        manifest = json.loads(body)
    except ValueError:
        raise BackupError(f"{archive} is damaged: its {MANIFEST} is not JSON; nothing was "
                          "restored.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Weconomics backup (its {MANIFEST} is of "
                          "another kind).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise BackupError(f"{archive}'s manifest has no valid format_version.")
    if version > FORMAT_VERSION:
        raise BackupError(f"{archive} was made by a newer Weconomics (archive format "
                          f"{version}; this one reads {FORMAT_VERSION}). Upgrade first.")
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(f"{archive}'s manifest is incomplete or damaged ({problem}); "
                          "nothing was restored.")
    return manifest


def _manifest_problem(manifest: dict) -> str:
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("vendor") not in DATABASE_MEMBER:
        return "no database vendor"
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
            TABLE_NAME.match(str(name)) and isinstance(rows, int) and rows >= 0
            for name, rows in tables.items()):
        return "no valid table counts"
    migrations = manifest.get("migrations")
    if not isinstance(migrations, list) or not all(isinstance(m, str) for m in migrations):
        return "no list of migrations"
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(entry, dict) and isinstance(entry.get("path"), str)
            and safe_member(entry["path"]) is not None and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str) and SHA256.match(entry["sha256"])
            for entry in files):
        return "no valid file list"
    if DATABASE_MEMBER[database["vendor"]] not in {entry["path"] for entry in files}:
        return "no database file"
    if database["vendor"] == "postgresql" and not TABLE_NAME.match(str(database.get("schema"))):
        return "no valid schema name"
    return ""


def _check_vendor(manifest: dict, vendor: str) -> None:
    theirs = manifest["database"]["vendor"]
    if theirs != vendor:
        configured = ("WECONOMICS_DATABASE_URL is set" if vendor != "sqlite"
                      else "WECONOMICS_DATABASE_URL is not set")
        raise BackupError(
            f"This backup holds a {vendor_name(theirs)} database, but this instance uses "
            f"{vendor_name(vendor)} ({configured}). Restore it into an instance with a "
            f"{vendor_name(theirs)} database. Nothing was restored.")


def _check_migrations(manifest: dict) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in
             MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"This backup was made by a newer Weconomics ({manifest.get('weconomics_version')}"
            f"): its database has migrations this version does not know "
            f"({', '.join(unknown[:3])}{' ...' if len(unknown) > 3 else ''}). Upgrade "
            "Weconomics first. Nothing was restored.")


def _holds_data(data_dir: Path) -> str:
    """Why this instance counts as not empty: it has accounts or uploaded files."""
    try:
        accounts = _accounts()
    except sqlite3.DatabaseError as error:
        return f"its database cannot be read: {error}"
    if accounts:
        return f"its database has {accounts} accounts"
    media = data_dir / "media"
    if media.is_dir() and any(path.is_file() for path in media.rglob("*")):
        return f"{media} holds uploaded files"
    return ""


def _accounts() -> int:
    from weconomics.identity.models import Account

    table = Account._meta.db_table
    if database_vendor() == "postgresql":
        try:
            if table not in connection.introspection.table_names():
                return 0
            return Account.objects.count()
        finally:
            connections.close_all()
    path = sqlite_path()
    if not path.is_file():
        return 0
    # Read directly, read-only: Django would leave a connection (and a new file) behind.
    database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=20)
    try:
        if not database.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                [table]).fetchone():
            return 0
        return database.execute(
            f"SELECT count(*) FROM {postgres.quote_identifier(table)}").fetchone()[0]  # noqa: S608
    finally:
        database.close()


# --- SQLite ---------------------------------------------------------------------------

def _check_sqlite_copy(copy: Path, manifest: dict) -> None:
    """SQLite's integrity check and the manifest's row counts, on the extracted copy."""
    try:
        database = sqlite3.connect(copy)
        try:
            check = database.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"The database in the archive fails SQLite's check ({check});"
                                  " nothing was restored.")
            tables = {name for (name,) in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")}
            _compare_counts(tables, manifest, lambda name: database.execute(
                f"SELECT count(*) FROM {postgres.quote_identifier(name)}").fetchone()[0])  # noqa: S608
            database.execute("PRAGMA journal_mode=DELETE")
        finally:
            database.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The database in the archive cannot be read ({error}); nothing was "
                          "restored.") from None


def _compare_counts(tables: set[str], manifest: dict, count) -> None:
    if tables != set(manifest["tables"]):
        raise BackupError("The database in the archive has other tables than its manifest "
                          "lists; nothing was restored.")
    for name, rows in manifest["tables"].items():
        found = count(name)
        if found != rows:
            raise BackupError(f"Table {name} in the archive has {found} rows; its manifest "
                              f"says {rows}. Nothing was restored.")


def _release_sqlite(path: Path) -> None:
    """Fold the write-ahead log into the old database and make sure nobody has it open."""
    if not path.exists():
        return
    try:
        database = sqlite3.connect(path, timeout=5)
        try:
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # Leaving WAL mode needs the only connection: a server still holding the
            # database open makes this fail instead of losing its writes.
            mode = database.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        finally:
            database.close()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            mode = "in use"
        else:
            return  # unreadable: it is about to be replaced anyway
    except sqlite3.DatabaseError:
        return
    if str(mode).lower() != "delete":
        raise BackupError(f"The database {path} is in use by another process (the server or "
                          "its task worker?); stop it first. Nothing was restored.")


def _replace_sqlite(copy: Path, path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.chmod(copy, 0o600)
    os.replace(copy, path)  # one rename: the old database or the new one, never a mix
    fsync_folder(path.parent)


# --- PostgreSQL -----------------------------------------------------------------------

def _postgres_tools(dump: Path, manifest: dict) -> dict:
    pg_restore, major, version = postgres.checked_tool("pg_restore")
    made_by = manifest["database"].get("pg_dump_major", 0)
    if isinstance(made_by, int) and major < made_by:
        raise BackupError(f"{pg_restore} is version {version}; the dump was made by pg_dump "
                          f"{manifest['database'].get('pg_dump_version')}. Install client "
                          f"tools of version {made_by} or newer.")
    # psql of the same installation understands what that pg_restore writes.
    beside = Path(pg_restore).with_name("psql")
    psql = str(beside) if os.access(beside, os.X_OK) else postgres.tool("psql")
    listing = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True,  # noqa: S603
                             text=True, check=False, env=postgres.libpq_environment())
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump in the archive "
                          f"({listing.stderr.strip()}); nothing was restored.")
    schema = manifest["database"]["schema"]
    creates_schema = any(line.split()[3:6] == ["SCHEMA", "-", schema]
                         for line in listing.stdout.splitlines()
                         if not line.startswith(";") and len(line.split()) >= 6)
    return {"pg_restore": pg_restore, "psql": psql, "creates_schema": creates_schema}


def _load_postgres(dump: Path, manifest: dict, tools: dict) -> None:
    """Drop the schema and load the dump in one transaction, checked against the manifest."""
    schema = manifest["database"]["schema"]
    quoted = postgres.quote_identifier(schema)
    preamble = ("SET client_min_messages = warning;\nSET lock_timeout = '30s';\nBEGIN;\n"
                f"DROP SCHEMA IF EXISTS {quoted} CASCADE;\n")
    if not tools["creates_schema"]:
        preamble += f"CREATE SCHEMA {quoted};\n"
    checks = [
        f"SELECT count(*) INTO found FROM pg_tables WHERE schemaname = "  # noqa: S608
        f"{postgres.quote_literal(schema)};\n"
        f"IF found <> {len(manifest['tables'])} THEN RAISE EXCEPTION 'the restored schema has "
        f"% tables; the manifest lists {len(manifest['tables'])}', found; END IF;"]
    for name, rows in manifest["tables"].items():
        checks.append(
            f"SELECT count(*) INTO found FROM {quoted}.{postgres.quote_identifier(name)};\n"  # noqa: S608
            f"IF found <> {int(rows)} THEN RAISE EXCEPTION 'table {name} has % rows after the "
            f"restore; the manifest says {int(rows)}', found; END IF;")
    epilogue = ("\nDO $weconomics$ DECLARE found bigint; BEGIN\n" + "\n".join(checks)
                + "\nEND $weconomics$;\nCOMMIT;\n")
    env = postgres.libpq_environment()
    connections.close_all()  # hold no lock of our own on what is about to be dropped
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
        psql = subprocess.Popen([tools["psql"], "-X", "-q", "-v", "ON_ERROR_STOP=1",  # noqa: S603
                                 "--no-password", "-f", "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=psql_errors, env=env)
        reader = subprocess.Popen([tools["pg_restore"], "--no-owner", "--no-privileges",  # noqa: S603
                                   "--file=-", str(dump)], stdout=subprocess.PIPE,
                                  stderr=restore_errors, env=env)
        try:
            psql.stdin.write(preamble.encode())
            shutil.copyfileobj(reader.stdout, psql.stdin, CHUNK)
            if reader.wait() == 0:
                psql.stdin.write(epilogue.encode())
            # Without the epilogue's COMMIT, psql ends and the transaction rolls back.
            psql.stdin.close()
        except BrokenPipeError:
            pass
        finally:
            reader.stdout.close()
            reader.wait()
            psql.wait()
        if reader.returncode != 0 or psql.returncode != 0:
            psql_errors.seek(0)
            restore_errors.seek(0)
            detail = (restore_errors.read() + psql_errors.read()).decode(errors="replace")
            raise BackupError(f"Loading the dump failed, so the database was left as it was: "
                              f"{detail.strip()[-2000:]}")


# --- swapping the data folder -----------------------------------------------------------

def _swap(data_dir: Path, staging: Path, manifest: dict, replace_database) -> None:
    """Move the data folder's entries aside, the archive's in, then replace the database.

    Renames within one file system; when the database step fails, everything moves back.
    """
    aside = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}restore-old-", dir=data_dir))
    moved: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    incoming = staging / "data"
    try:
        for entry in data_entries(data_dir, include_outbox=bool(manifest.get("includes_outbox"))):
            os.rename(data_dir / entry, aside / entry)
            moved.append((data_dir / entry, aside / entry))
        if incoming.is_dir():
            for entry in sorted(os.listdir(incoming)):
                if (data_dir / entry).exists():  # an outbox the archive holds, for example
                    os.rename(data_dir / entry, aside / entry)
                    moved.append((data_dir / entry, aside / entry))
                os.rename(incoming / entry, data_dir / entry)
                placed.append(data_dir / entry)
        replace_database()
    except BaseException:
        for path in placed:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for original, kept in reversed(moved):
            os.rename(kept, original)
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    fsync_folder(data_dir)


def _clear_cache() -> list[str]:
    """Cached pages and counts describe the instance before the restore: drop them.

    On Redis only this site's keys (WECONOMICS_REDIS_KEY_PREFIX) go: other sites may share
    the database, and FLUSHDB would empty theirs too.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    try:
        if not isinstance(cache, RedisCache):
            cache.clear()
            return []
        if not cache.key_prefix:
            return ["The Redis cache was left as it is (without WECONOMICS_REDIS_KEY_PREFIX "
                    "its keys cannot be told from other sites'); its entries expire by "
                    "themselves."]
        client = cache._cache.get_client(write=True)
        pattern = re.sub(r"([\\*?\[\]])", r"\\\1", cache.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
    except Exception as error:  # noqa: BLE001 - the restore itself has succeeded
        return [f"The cache could not be cleared ({error}); clear it before serving."]
    return []


def _key_notes(manifest: dict) -> list[str]:
    notes = []
    here = keys_in_environment()
    names = {"secret_key": "WECONOMICS_SECRET_KEY",
             "oidc_private_key": "WECONOMICS_OIDC_PRIVATE_KEY"}
    for key, variable in names.items():
        if manifest.get("keys", {}).get(key) == "environment":
            notes.append(f"The backup's {variable} came from the environment and is not in the "
                         "archive: set the same value here.")
        elif here[key]:
            notes.append(f"{variable} is set here, so it is used instead of the restored key "
                         "file.")
    return notes
