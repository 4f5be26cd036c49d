#!/usr/bin/env python3
"""Install Weconomics into ./.venv and run it or test it. Needs only Python 3.11+.

    python3 run.py serve [--host H] [--port P]   demo data, then the server
    python3 run.py test [pytest arguments]       every check and test
    python3 run.py lock [--keep]                 upgrade the locked dependencies

Both serve and test install exactly the versions and files (by their PyPI sha256) of the
lock files in requirements/: runtime.txt for serve, dev.txt (runtime plus the test tools)
for test. `lock` re-resolves pyproject.toml's ranges to the newest versions and rewrites
both files (with --keep: only what pyproject.toml's changes need).

All are safe to run again: the virtual environment is reused and only rebuilt when the
lock file changes; demo data is created idempotently.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
# The runtime set alone, for the check that serve's dependencies are complete.
RUNTIME_VENV = ROOT / ".venv-runtime"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_TEST_POSTGRES = "postgres://postgres@127.0.0.1:5432/weconomics"
REQUIREMENTS = ROOT / "requirements"
LOCKS = {"": REQUIREMENTS / "runtime.txt", "[dev]": REQUIREMENTS / "dev.txt"}
# The tool that writes the lock files; installed into .venv only by `run.py lock`.
LOCK_TOOL = "uv==0.13.9"
LOCK_INDEX = "https://pypi.org/simple"
INPUTS_LINE = "# pyproject-inputs-sha256: "


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def bin_of(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts" if os.name == "nt" else "bin")


def lock_inputs() -> dict:
    """What the lock files are made from: pyproject.toml's requirements, nothing else."""
    import tomllib  # here, so that Python 3.10 reaches the version message

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    return {"requires-python": project.get("requires-python", ""),
            "dependencies": project.get("dependencies", []),
            "optional-dependencies": project.get("optional-dependencies", {}),
            "build-system": pyproject["build-system"]["requires"]}


def inputs_digest() -> str:
    return hashlib.sha256(json.dumps(lock_inputs(), sort_keys=True).encode()).hexdigest()


def check_lock_is_current(lock_file: Path) -> None:
    if not lock_file.exists():
        sys.exit(f"{lock_file.relative_to(ROOT)} is missing: run `python3 run.py lock`.")
    recorded = next((line[len(INPUTS_LINE):].strip()
                     for line in lock_file.read_text().splitlines()
                     if line.startswith(INPUTS_LINE)), "")
    if recorded != inputs_digest():
        sys.exit(f"pyproject.toml's dependencies changed after {lock_file.relative_to(ROOT)} "
                 "was written: run `python3 run.py lock --keep` (or `lock` to upgrade all) "
                 "and commit requirements/.")


def pip(python: Path, *args: str | Path) -> None:
    run(python, "-m", "pip", "--disable-pip-version-check", "--quiet", *args)


def stamp_of(lock_file: Path, editable: bool) -> str:
    return hashlib.sha256(lock_file.read_bytes() + sys.version.encode()
                          + str(editable).encode()).hexdigest()


def install_locked(venv_dir: Path, extras: str, *, editable: bool, clear: bool) -> None:
    """Install exactly the lock file's files (hash-checked), then the project without deps.

    A venv whose stamp names the same lock file, Python and mode is reused as it is; any
    other is rebuilt from scratch, so nothing outside the lock survives in it.
    """
    lock_file = LOCKS[extras]
    check_lock_is_current(lock_file)
    python = bin_of(venv_dir) / "python"
    stamp_file = venv_dir / ".weconomics-install"
    stamp = stamp_of(lock_file, editable)
    current = stamp_file.read_text() if stamp_file.exists() else ""
    if clear or current != stamp or not python.exists():
        say(f"Creating {venv_dir.name} from {lock_file.relative_to(ROOT)} (hash-checked)")
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        pip(python, "install", "--require-hashes", "-r", lock_file)
        current = ""
    if editable and current == stamp:
        return
    # setuptools (the build backend) is in the lock too, so nothing unlocked is fetched.
    if not editable:
        # setuptools reuses build/: a module deleted from src/ would still be packaged.
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    pip(python, "install", "--no-deps", "--no-build-isolation", "--force-reinstall",
        *(["-e", "."] if editable else ["."]))
    # Every requirement that the installed distributions declare is there.
    run(python, "-m", "pip", "--disable-pip-version-check", "check")
    stamp_file.write_text(stamp)


def ensure_installed(extras: str) -> None:
    """Install .venv from the lock file for `extras` ("" for serve, "[dev]" for test)."""
    if sys.version_info < (3, 11):
        sys.exit("Weconomics needs Python 3.11 or newer.")
    # The test install is a superset of the runtime one, so serve reuses it as it is.
    stamp_file = VENV / ".weconomics-install"
    if (extras == "" and stamp_file.exists() and (BIN / "python").exists()
            and stamp_file.read_text() == stamp_of(LOCKS["[dev]"], editable=True)):
        check_lock_is_current(LOCKS[""])
        return
    install_locked(VENV, extras, editable=True, clear=False)


def lock(args: list[str]) -> None:
    """Re-resolve pyproject.toml into requirements/runtime.txt and requirements/dev.txt."""
    if sys.version_info < (3, 11):
        sys.exit("Weconomics needs Python 3.11 or newer.")
    keep = "--keep" in args
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    say(f"Installing the lock tool ({LOCK_TOOL}) into .venv")
    pip(PYTHON, "install", LOCK_TOOL)
    inputs = lock_inputs()
    REQUIREMENTS.mkdir(exist_ok=True)
    for extras, extra_args in (("", []), ("[dev]", ["--extra", "dev", "-c", LOCKS[""]])):
        target = LOCKS[extras]
        say(f"Locking {target.relative_to(ROOT)}" + ("" if keep else " (newest versions)"))
        # Hashes of the files on PyPI itself, whatever mirror pip is set up with here.
        command = [BIN / "uv", "pip", "compile", "--quiet", "--no-config",
                   "--index-url", LOCK_INDEX, "--universal", "--python-version", "3.11",
                   "--generate-hashes", "--custom-compile-command", "python3 run.py lock",
                   "pyproject.toml", "-", *extra_args, "-o", target,
                   *([] if keep else ["--upgrade"])]
        build_requires = "\n".join(inputs["build-system"]) + "\n"
        result = subprocess.run([str(a) for a in command], cwd=ROOT, input=build_requires,
                                text=True)
        if result.returncode:
            sys.exit(result.returncode)
        lines = target.read_text().splitlines(keepends=True)
        lines.insert(2, f"{INPUTS_LINE}{inputs_digest()}\n")
        target.write_text("".join(lines))
    say("Done: the next serve or test installs the new set; commit requirements/.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def runtime_check() -> None:
    """Install the runtime lock ALONE into a clean venv, then check, migrate and serve.

    A module that serve needs but that only the test tools bring along fails here.
    """
    say("Runtime dependencies alone: install, check, migrate, serve")
    install_locked(RUNTIME_VENV, "", editable=False, clear=IN_CI)
    weconomics = bin_of(RUNTIME_VENV) / "weconomics"
    with tempfile.TemporaryDirectory(prefix="weconomics-runtime-") as data:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("WECONOMICS_", "DJANGO_", "PYTHON"))}
        env.update({"DJANGO_SETTINGS_MODULE": "weconomics.settings",
                    "WECONOMICS_DATA_DIR": data})
        run(weconomics, "check", "--fail-level", "WARNING", env=env)
        run(weconomics, "migrate", "--verbosity", "0", env=env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(data) / "serve.log", "w+")  # noqa: SIM115 - read back on failure
        server = subprocess.Popen([str(weconomics), "serve", "--port", str(port),
                                   "--workers", "1"],
                                  cwd=data, env=env, stdout=log, stderr=subprocess.STDOUT)
        problems = []
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                        break
                except OSError:
                    time.sleep(0.2)
            for path in ("/healthz", "/", "/accounts/login/", "/api/v1/openapi.json",
                         "/.well-known/openid-configuration"):
                try:
                    with urllib.request.urlopen(base + path, timeout=10) as answer:  # noqa: S310
                        status = answer.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError as error:
                    status = str(error)
                print(f"    GET {path}: {status}", flush=True)
                if status != 200:
                    problems.append(path)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.seek(0)
            output = log.read()
            log.close()
        if problems or server.returncode != 0:
            print(output, flush=True)
            sys.exit(f"The runtime install failed on {', '.join(problems) or 'serve'}: "
                     "a dependency may be missing from pyproject.toml (then run.py lock).")


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
    runtime_check()

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
    commands = {"serve": serve, "test": test, "lock": lock}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
