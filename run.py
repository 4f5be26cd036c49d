#!/usr/bin/env python3
"""Install Weconomics into ./.venv and run it or test it. Needs only Python 3.11+.

    python3 run.py serve [--host H] [--port P]   demo data, then the server
    python3 run.py test [pytest arguments]       every check and test

Both are safe to run again: the virtual environment is reused and only
reinstalled when pyproject.toml changes; demo data is created idempotently.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_TEST_POSTGRES = "postgres://postgres@127.0.0.1:5432/weconomics"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def ensure_installed(extras: str) -> None:
    """Create .venv and install the project, unless the same install is already there."""
    if sys.version_info < (3, 11):
        sys.exit("Weconomics needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    def stamp_for(wanted: str) -> str:
        spec = (ROOT / "pyproject.toml").read_bytes() + wanted.encode() + sys.version.encode()
        return hashlib.sha256(spec).hexdigest()

    stamp = stamp_for(extras)
    stamp_file = VENV / ".weconomics-install"
    installed = stamp_file.read_text() if stamp_file.exists() else ""
    # The test install includes everything the server needs, so serve reuses it.
    if installed in (stamp, stamp_for("[dev]")):
        return
    say(f"Installing Weconomics{extras} and its dependencies")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "-e", f".{extras}")
    stamp_file.write_text(stamp)


def serve(args: list[str]) -> None:
    ensure_installed("")
    weconomics = BIN / "weconomics"
    run(weconomics, "demo")
    os.chdir(ROOT)  # the data folder (./var) is the one demo just filled
    os.execv(str(weconomics), [str(weconomics), "serve", *args])


def postgres_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432),
                                      timeout=2):
            return True
    except OSError:
        return False


def ensure_chromium() -> str | None:
    """Return the path of Debian's Chromium, installing it in CI; None when unavailable."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        say("Installing Debian's chromium for the browser tests")
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], env=quiet, stdout=subprocess.DEVNULL)
        subprocess.run([apt, "install", "-y", "-qq", "chromium"], env=quiet,
                       stdout=subprocess.DEVNULL)
        return shutil.which("chromium")
    return None


def test(args: list[str]) -> None:
    ensure_installed("[dev]")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "weconomics.settings_test",
           "WECONOMICS_DATA_DIR": str(ROOT / "var" / "test")}
    env.pop("WECONOMICS_DATABASE_URL", None)
    weconomics = BIN / "weconomics"

    say("ruff check")
    run(BIN / "ruff", "check", ".")
    say("weconomics check")
    run(weconomics, "check", "--fail-level", "WARNING", env=env)
    say("makemigrations --check")
    run(weconomics, "makemigrations", "--check", "--dry-run", env=env)

    chromium = ensure_chromium()
    if chromium:
        env["WECONOMICS_CHROMIUM"] = chromium
    elif IN_CI:
        sys.exit("Chromium is missing and could not be installed; CI must run the browser tests.")
    else:
        say("Chromium not found: the browser tests are SKIPPED (apt-get install chromium)")

    pytest = [PYTHON, "-m", "pytest", "-n", os.environ.get("WECONOMICS_TEST_WORKERS", "2"),
              *args]
    say("Test suite on SQLite")
    failed = run(*pytest, env=env, check=False)

    pg_url = os.environ.get("WECONOMICS_TEST_DATABASE_URL", DEFAULT_TEST_POSTGRES)
    if postgres_reachable(pg_url):
        say(f"Test suite on PostgreSQL ({pg_url})")
        failed = run(*pytest, env={**env, "WECONOMICS_DATABASE_URL": pg_url},
                     check=False) or failed
    elif IN_CI:
        say(f"PostgreSQL is not reachable at {pg_url}; in CI that is a failure")
        failed = failed or 1
    else:
        say(f"PostgreSQL not reachable at {pg_url}: the PostgreSQL pass is SKIPPED")
    sys.exit(failed)


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
