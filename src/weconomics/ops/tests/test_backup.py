"""weconomics backup and restore, over real processes on the database the suite runs on.

Each test makes its own instance: a data folder in tmp_path and, on PostgreSQL, a database
of its own on the suite's server that the test creates and drops. The commands
run as subprocesses with the production settings, as an operator runs them.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import requests
from django.conf import settings

from weconomics.web.tests.processes import free_port, scratch_site, start_serve, stop_serve

VENDOR = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
OTHER_VENDOR = {"postgresql": "sqlite", "sqlite": "postgresql"}[VENDOR]
DATABASE_MEMBER = {"sqlite": "database/weconomics.sqlite3",
                   "postgresql": "database/weconomics.pgdump"}
DEMO_PASSWORD = "weconomics-demo"

# Every table's rows, counted the way an operator would, independently of the archive.
COUNT_ROWS = """
import json
from django.db import connection
with connection.cursor() as cursor:
    counts = {}
    for name in connection.introspection.table_names(include_views=False):
        cursor.execute('SELECT count(*) FROM "%s"' % name)
        counts[name] = cursor.fetchone()[0]
"""

# Personal access tokens for a provider and a customer of the demo, and the provider's course.
MAKE_TOKENS = """
import json
from weconomics.catalogue.models import Product
from weconomics.identity.models import Account
from weconomics.identity.services import create_token
chidi = Account.objects.get(email="chidi@example.org")
eva = Account.objects.get(email="eva@example.org")
course = Product.objects.get(title="Cursus Data-analyse met Python")
tokens = {"provider": create_token(actor=chidi, name="load", scope="write")[1],
          "customer": create_token(actor=eva, name="load", scope="write")[1],
          "product": course.pk}
"""

# A trigger that refuses to delete audit records (as the append-only log's own triggers
# do): restoring must replace the database without deleting rows.
REFUSE_DELETES = """
from django.db import connection
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("CREATE FUNCTION test_backup_refuse() RETURNS trigger AS $$ BEGIN "
                       "RAISE EXCEPTION 'append-only'; END $$ LANGUAGE plpgsql")
        cursor.execute("CREATE TRIGGER test_backup_no_delete BEFORE DELETE OR TRUNCATE ON "
                       "audit_auditrecord FOR EACH STATEMENT EXECUTE FUNCTION "
                       "test_backup_refuse()")
    else:
        cursor.execute("CREATE TRIGGER test_backup_no_delete BEFORE DELETE ON "
                       "audit_auditrecord BEGIN SELECT RAISE(ABORT, 'append-only'); END")
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Instance:
    """A Weconomics instance of its own: a data folder and (PostgreSQL) a database, both
    copied from the process tests' migrated template (weconomics.web.tests.processes)."""

    def __init__(self, site):
        self.data = site.data_dir
        self.env = site.env(WECONOMICS_LOG_LEVEL="WARNING")
        self.database = urlparse(site.database_url).path[1:] if site.database_url else None

    def _server(self, statement: str) -> None:
        config = settings.DATABASES["default"]
        with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
                             user=config["USER"], password=config.get("PASSWORD") or None,
                             dbname="postgres", autocommit=True) as server:
            server.execute(statement.format(f'"{self.database}"'))

    def run(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "weconomics", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, script: str):
        return json.loads(self.ok("shell", "-c", script).strip().splitlines()[-1])

    def rows(self) -> dict[str, int]:
        return self.shell(COUNT_ROWS + "print(json.dumps(counts))")

    def destroy(self) -> None:
        """Lose everything: the data folder, and the database (an empty one takes its place)."""
        shutil.rmtree(self.data)
        if self.database:
            self._server("DROP DATABASE {} WITH (FORCE)")
            self._server("CREATE DATABASE {}")

    def serve(self, port: int) -> subprocess.Popen:
        return start_serve(self.env, port, "--no-worker", "--workers", "1",
                           log=self.data.parent / "serve.log")

    @staticmethod
    def stop(server: subprocess.Popen) -> None:
        stop_serve(server)


@pytest.fixture
def instance(tmp_path):
    with scratch_site(tmp_path / "data") as site:  # dropped after, on PostgreSQL
        yield Instance(site)


def backed_up_path(output: str) -> Path:
    line = next(line for line in output.splitlines() if line.startswith("Backup written to "))
    return Path(line.removeprefix("Backup written to ").split(" (")[0])


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def book_steadily(base: str, tokens: dict, stop: threading.Event, made: list, errors: list):
    """Through the API: the provider adds a date, the customer books it; again and again."""
    provider = {"Authorization": f"Bearer {tokens['provider']}"}
    customer = {"Authorization": f"Bearer {tokens['customer']}"}
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=40)
    with requests.Session() as session:
        for number in range(1000):
            if stop.is_set():
                return
            try:
                when = start + dt.timedelta(hours=number)
                answer = session.post(f"{base}/api/v1/products/{tokens['product']}/occurrences",
                                      headers=provider, timeout=30, json={
                                          "starts_at": when.isoformat(),
                                          "ends_at": (when + dt.timedelta(minutes=30)).isoformat(),
                                          "capacity": 3})
                assert answer.status_code == 201, answer.text
                answer = session.post(f"{base}/api/v1/bookings", headers=customer, timeout=30,
                                      json={"product_id": tokens["product"],
                                            "occurrence_id": answer.json()[0]["id"]})
                assert answer.status_code == 201, answer.text
                made.append(answer.json()["id"])
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))
                return
            time.sleep(0.1)  # light: a steady trickle of writes, not a benchmark


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def signing_key(base: str) -> tuple[str, str]:
    key = requests.get(f"{base}/.well-known/jwks.json", timeout=10).json()["keys"][0]
    return key["kid"], key["n"]


def test_a_backup_taken_under_load_restores_the_instance_after_it_is_lost(instance, tmp_path):
    started = time.monotonic()
    instance.ok("demo")
    demo_seconds = time.monotonic() - started
    tokens, rows_before_load = instance.shell(
        MAKE_TOKENS + REFUSE_DELETES + COUNT_ROWS + "print(json.dumps([tokens, counts]))")
    photo = instance.data / "media" / "photos" / "backup-test.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(os.urandom(20_000))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = instance.serve(port)
    stop, made, errors = threading.Event(), [], []
    load = threading.Thread(target=book_steadily, args=(base, tokens, stop, made, errors))
    try:
        load.start()
        wait_for(lambda: len(made) >= 3 or errors)
        booked_before = len(made)
        started = time.monotonic()
        output = instance.ok("backup", str(tmp_path / "backups") + "/")
        backup_seconds = time.monotonic() - started
        booked_during = len(made) - booked_before
        wait_for(lambda: len(made) >= booked_before + booked_during + 3 or errors)
        stop.set()
        load.join(timeout=30)
        assert not errors, errors
        key_before = signing_key(base)

        archive = backed_up_path(output)
        # The server went on booking while the backup ran, and after it.
        assert booked_during > 0
        # While a server answers on the instance's port, restore refuses and changes nothing.
        refused = instance.run("restore", str(archive), "--force", "--port", str(port))
        assert refused.returncode != 0 and "answers at" in refused.stderr, refused.stderr
    finally:
        stop.set()
        load.join(timeout=30)
        instance.stop(server)
    booked_after_load = rows_before_load["bookings_booking"] + len(made)

    assert archive.stat().st_mode & 0o777 == 0o600
    manifest = manifest_of(archive)
    assert manifest["database"]["vendor"] == VENDOR
    assert set(manifest["tables"]) == set(rows_before_load)
    booked = manifest["tables"]["bookings_booking"]
    # A moment in the middle of the load: more than before it, fewer than after it.
    assert rows_before_load["bookings_booking"] < booked < booked_after_load
    assert {entry["path"] for entry in manifest["files"]} >= {
        DATABASE_MEMBER[VENDOR], "data/secret_key", "data/oidc_private_key.pem",
        "data/media/photos/backup-test.jpg"}
    assert not any(entry["path"].startswith(("data/cache/", "data/static/"))
                   for entry in manifest["files"])

    keys = {name: (instance.data / name).read_bytes()
            for name in ("secret_key", "oidc_private_key.pem")}
    photo_bytes = photo.read_bytes()
    instance.destroy()
    started = time.monotonic()
    instance.ok("restore", str(archive), "--port", str(port))
    restore_seconds = time.monotonic() - started

    # Counted independently, then bad archives tried on the restored instance: nothing moves.
    restored_rows = refuse_bad_archives(instance, archive, manifest, tmp_path)
    assert restored_rows == manifest["tables"]
    for name, value in keys.items():
        assert (instance.data / name).read_bytes() == value
    assert photo.read_bytes() == photo_bytes

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = instance.serve(port)
    try:
        assert requests.get(f"{base}/c/coaches/", timeout=10).status_code == 200
        assert signing_key(base) == key_before
        with requests.Session() as browser:
            browser.get(f"{base}/accounts/login/", timeout=10)
            signed_in = browser.post(
                f"{base}/accounts/login/", timeout=10, allow_redirects=False,
                headers={"Referer": f"{base}/accounts/login/"},
                data={"login": "anna@example.org", "password": DEMO_PASSWORD,
                      "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
            assert signed_in.status_code == 302, signed_in.text[:500]
            me = browser.get(f"{base}/api/v1/me", timeout=10)
            assert me.status_code == 200 and me.json()["email"] == "anna@example.org"
    finally:
        instance.stop(server)

    replace_only_with_force(instance, archive, manifest)
    print(f"\n[{VENDOR}] demo {demo_seconds:.1f} s; {len(manifest['tables'])} tables, "
          f"{sum(manifest['tables'].values())} rows compared equal; bookings "
          f"{rows_before_load['bookings_booking']} before the load, {booked} in the backup, "
          f"{booked_after_load} after; {booked_during} booked while the "
          f"backup ran; backup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s "
          "(wall clock of the commands, process start included)")


def rewrite(archive: Path, target: Path, *, manifest=None, replace=None) -> Path:
    """A copy of an archive with another manifest or other content for some members."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            body = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                body = json.dumps(manifest).encode()
            if replace and member.name in replace:
                body = replace[member.name]
            member.size = len(body)
            copy.addfile(member, io.BytesIO(body))
    return target


def data_state(instance: Instance) -> dict:
    """The data folder's files (the database is compared by its rows)."""
    return {path.relative_to(instance.data).as_posix(): sha256(path)
            for path in sorted(instance.data.rglob("*"))
            if path.is_file() and path.relative_to(instance.data).parts[0] not in
            ("cache", "static", "backups") and not path.name.startswith("weconomics.sqlite3")}


# Restores that must be refused, run by one process through the command itself, with the
# rows before and after; then a check of the good archive.
REFUSED_RESTORES = """
import io
from django.core.management import CommandError, call_command
before = counts
refusals = {}
for path in ARCHIVES:
    try:
        call_command("restore", path, "--force", "--port", "PORT")
    except CommandError as error:
        refusals[path] = str(error)
    else:
        refusals[path] = "restored"
""" + COUNT_ROWS + """
checked = io.StringIO()
call_command("restore", "GOOD", "--check", stdout=checked)
import os, pathlib, tempfile
from django.db import connection
if connection.vendor == "sqlite":
    # This process still holds the database open, as a running server or worker would.
    try:
        call_command("restore", "GOOD", "--force", "--port", "PORT")
    except CommandError as error:
        refusals["in use"] = str(error)
else:
    # pg_dump missing, or older than the server.
    old = pathlib.Path(tempfile.mkdtemp()) / "pg_dump"
    old.write_text("#!/bin/sh\\necho 'pg_dump (PostgreSQL) 9.6.24'\\n")
    old.chmod(0o755)
    path = os.environ["PATH"]
    for folder in (str(old.parent), "/nonexistent"):
        os.environ["PATH"] = folder
        try:
            call_command("backup", "--keep", "1")
        except CommandError as error:
            refusals[folder] = str(error)
    os.environ["PATH"] = path
""" + COUNT_ROWS + """
print(json.dumps([refusals, before, counts, checked.getvalue()]))
"""


def refuse_bad_archives(instance, archive, manifest, tmp_path) -> dict[str, int]:
    """Missing, foreign, damaged and tampered archives change nothing; return the rows."""
    other = tmp_path / "other.tar.gz"
    database = b"not the database of this instance"
    with tarfile.open(other, "w:gz") as tar:
        body = json.dumps({
            "format": "weconomics-backup", "format_version": 1,
            "database": {"vendor": OTHER_VENDOR, "schema": "public"},
            "tables": {}, "migrations": [], "keys": {}, "files": [{
                "path": DATABASE_MEMBER[OTHER_VENDOR], "size": len(database),
                "sha256": hashlib.sha256(database).hexdigest()}]}).encode()
        for name, content in (("manifest.json", body), (DATABASE_MEMBER[OTHER_VENDOR], database)):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    (tmp_path / "notes.txt").write_text("not an archive")
    no_manifest = tmp_path / "no-manifest.tar.gz"
    with tarfile.open(no_manifest, "w:gz") as tar:
        tar.add(tmp_path / "notes.txt", arcname="notes.txt")
    whole = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    flipped = tmp_path / "flipped.tar.gz"
    middle = len(whole) // 2
    flipped.write_bytes(whole[:middle] + bytes([whole[middle] ^ 0xFF]) + whole[middle + 1:])
    tampered = rewrite(archive, tmp_path / "tampered.tar.gz",
                       replace={"data/secret_key": b"someone else's key\n"})
    unlisted = rewrite(archive, tmp_path / "unlisted.tar.gz", manifest={
        **manifest, "files": [f for f in manifest["files"] if f["path"] != "data/secret_key"]})
    newer = rewrite(archive, tmp_path / "newer.tar.gz",
                    manifest={**manifest, "migrations": [*manifest["migrations"],
                                                         "identity.9999_from_the_future"]})
    names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
    expected = {
        tmp_path / "missing.tar.gz": "There is no file",
        tmp_path / "notes.txt": "cannot be read as a tar.gz archive",
        no_manifest: "does not begin with manifest.json",
        truncated: "is damaged",
        flipped: "is damaged",
        tampered: "differs from the checksum in the manifest",
        unlisted: "which its manifest does not list",
        newer: "newer Weconomics",
        other: f"holds a {names[OTHER_VENDOR]} database, but this instance uses "
               f"{names[VENDOR]}",
    }
    files_before = data_state(instance)
    refusals, rows_before, rows_after, checked = instance.shell(
        COUNT_ROWS + REFUSED_RESTORES.replace("ARCHIVES", json.dumps([str(p) for p in expected]))
        .replace("PORT", str(free_port())).replace("GOOD", str(archive)))
    for bad, message in expected.items():
        assert message in refusals.pop(str(bad)), bad
    if VENDOR == "sqlite":
        assert "is in use by another process" in refusals.pop("in use")
    else:
        older, missing = refusals.values()
        assert "/pg_dump is version 9.6.24, older than the PostgreSQL" in older
        assert missing.startswith("pg_dump was not found on PATH")
    # Nothing changed, and no work folder was left behind.
    assert rows_after == rows_before
    assert data_state(instance) == files_before
    assert not list(instance.data.glob(".weconomics-*"))
    assert "is a complete backup" in checked
    return rows_before


def replace_only_with_force(instance, archive, manifest):
    """An instance with data is replaced only with --force; by default backups go to backups/."""
    port = str(free_port())
    # From the command line: a clear message and exit code 1, no traceback.
    refused = instance.run("restore", str(archive), "--port", port)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        f"CommandError: This instance is not empty (its database has "
        f"{manifest['tables']['identity_account']} accounts)"), refused.stderr
    # --force replaces it: the sign-in's session and audit record are gone, and the
    # trigger that refuses deleting audit records did not stand in the way.
    instance.ok("restore", str(archive), "--force", "--port", port)
    assert instance.rows() == manifest["tables"]
    assert not list(instance.data.glob(".weconomics-*"))

    old = instance.data / "backups" / "weconomics-backup-20000101T000000Z.tar.gz"
    old.parent.mkdir(exist_ok=True)  # a refused backup may have made it
    old.write_bytes(archive.read_bytes())
    made = backed_up_path(instance.ok("backup", "--keep", "1"))
    assert made.parent == instance.data / "backups" and made.stat().st_mode & 0o777 == 0o600
    assert not old.exists()
