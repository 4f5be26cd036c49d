"""Real processes for the supervision tests: a data folder and database of their own,
`weconomics` commands started and killed, and their process trees read from /proc."""

import atexit
import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

# Small timeouts, so a test sees a restart or a reclaim within seconds.
FAST = {
    "WECONOMICS_RESTART_BACKOFF": "0.2",
    "WECONOMICS_RESTART_BACKOFF_MAX": "1",
    "WECONOMICS_TASK_RECLAIM_AFTER": "1",
    "WECONOMICS_TASK_MAX_ATTEMPTS": "50",
}


_templates: dict[str, tuple[Path, str]] = {}


def _template(url: str) -> tuple[Path, str]:
    """A data folder (static files collected) and a database migrated once per test
    process; every site starts as a copy of them, which takes a moment, not a migration."""
    if url in _templates:
        return _templates[url]
    folder = Path(tempfile.mkdtemp(prefix="weconomics-proc-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    site = Site(folder, {})
    if url:
        site.database_url = _create_database(url, f"wec_proc_tpl_{uuid.uuid4().hex[:10]}")
        site.extra["WECONOMICS_DATABASE_URL"] = site.database_url
        atexit.register(_drop_database, site.database_url)
    for command in (("migrate", "-v0"), ("collectstatic", "--noinput", "-v0")):
        result = site.run(*command)
        assert result.returncode == 0, result.stderr
    _templates[url] = (folder, site.database_url)
    return _templates[url]


def _server(url: str):
    import psycopg

    return psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True)


def _create_database(url: str, name: str, template: str = "") -> str:
    with _server(url) as server:
        server.execute(f'CREATE DATABASE "{name}"'
                       + (f' TEMPLATE "{template}"' if template else ""))
    return urlparse(url)._replace(path=f"/{name}").geturl()


def _drop_database(url: str) -> None:
    with contextlib.suppress(Exception), _server(url) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path[1:]}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_site(tmp_path: Path, postgres_url: str = ""):
    """A data folder and a migrated database, on the server the suite runs on.

    On SQLite the database is a file in the folder; on PostgreSQL (the suite run with
    WECONOMICS_DATABASE_URL, or `postgres_url` given) a database of its own on the same
    server, dropped after. Its URL is `site.database_url`.
    """
    url = postgres_url or os.environ.get("WECONOMICS_DATABASE_URL", "")
    url = url if url.startswith("postgres") else ""
    folder, template_url = _template(url)
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    site = Site(tmp_path, {})
    if url:
        site.database_url = _create_database(url, f"wec_proc_{uuid.uuid4().hex[:10]}",
                                             template=urlparse(template_url).path[1:])
        site.extra["WECONOMICS_DATABASE_URL"] = site.database_url
    try:
        yield site
    finally:
        if url:
            _drop_database(site.database_url)


class Site:
    def __init__(self, data_dir: Path, env: dict[str, str]):
        self.data_dir = data_dir
        self.extra = env
        self.database_url = ""

    def env(self, **extra) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("WECONOMICS_")}
        return {**env, "DJANGO_SETTINGS_MODULE": "weconomics.settings",
                "WECONOMICS_DATA_DIR": str(self.data_dir), **FAST, **self.extra, **extra}

    def run(self, *args, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "weconomics", *args],
                              env=self.env(**extra), capture_output=True, text=True,
                              timeout=120)

    def start(self, *args, log: str, **extra) -> subprocess.Popen:
        with open(self.data_dir / log, "a") as out:
            return subprocess.Popen([sys.executable, "-m", "weconomics", *args],
                                    env=self.env(**extra), stdout=out,
                                    stderr=subprocess.STDOUT)

    def query(self, sql: str) -> list[tuple]:
        """Read the site's database directly (no Django in this process for it)."""
        url = self.database_url
        if url:
            import psycopg

            with psycopg.connect(url) as connection:
                return connection.execute(sql).fetchall()
        with contextlib.closing(sqlite3.connect(self.data_dir / "weconomics.sqlite3",
                                                timeout=20)) as connection:
            return connection.execute(sql).fetchall()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def child_running(pid: int, word: str) -> int | None:
    for child in children(pid):
        if word in command_line(child) and alive(child):
            return child
    return None


def wait_for(check, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {what}")


def healthz(port: int, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",  # noqa: S310
                                    timeout=timeout) as answer:
            return answer.status
    except OSError:
        return 0


def kill_tree(pid: int) -> None:
    """End a process and everything under it, whatever happened in the test."""
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)


def start_serve(env: dict[str, str], port: int, *options: str, log: Path) -> subprocess.Popen:
    """Start `weconomics serve` on 127.0.0.1:`port` and wait until /healthz answers 200.

    Its output goes to the file `log` (a file, not a pipe: a pipe nobody reads stalls it).
    """
    with open(log, "a") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "weconomics", "serve", "--port", str(port), *options],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: process.poll() is not None or healthz(port, 1) == 200, 120,
                 "serve answers")
        assert process.poll() is None, log.read_text()
    except BaseException:
        stop_serve(process)
        raise
    return process


def stop_serve(process: subprocess.Popen) -> None:
    """End serve and everything it started, at once (a test needs no graceful stop)."""
    kill_tree(process.pid)
    process.wait(timeout=10)


@contextlib.contextmanager
def serving(site: Site, port: int, *options: str, **extra):
    """Run `weconomics serve` until it answers; kill it and its children after."""
    process = start_serve(site.env(**extra), port, *options, log=site.data_dir / "serve.log")
    try:
        yield process
    finally:
        stop_serve(process)
