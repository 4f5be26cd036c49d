#!/usr/bin/env python3
"""Requests per second of `weconomics serve` (granian) against gunicorn, measured with wrk.

    .venv/bin/python bench/http_throughput.py [--seconds 10] [--connections 32]

Needs wrk (apt-get install wrk). gunicorn is compared only when it is installed in the
virtual environment (pip install gunicorn); it is not a dependency of the project.
Every request goes to 127.0.0.1 only, and each run stops after --seconds.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PATHS = ["/healthz", "/", "/accounts/login/"]


def wait_until_up(port: int) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def wrk(port: int, path: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{path}: {non2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(name: str, command: list[str], env: dict, port: int, args) -> dict[str, float]:
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(port)
        for path in PATHS:  # warm up
            wrk(port, path, 2, args.connections)
        return {path: wrk(port, path, args.seconds, args.connections) for path in PATHS}
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    data = tempfile.mkdtemp(prefix="weconomics-bench-")
    env = {**os.environ, "WECONOMICS_DATA_DIR": data,
           "DJANGO_SETTINGS_MODULE": "weconomics.settings"}
    subprocess.run([BIN / "weconomics", "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BIN / "weconomics", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    results = {"granian (weconomics serve)": measure(
        "granian", [str(BIN / "weconomics"), "serve", "--port", "8301", "--no-worker"],
        env, 8301, args)}
    if (BIN / "gunicorn").exists():
        results["gunicorn (2 sync workers)"] = measure(
            "gunicorn", [str(BIN / "gunicorn"), "-w", "2", "-b", "127.0.0.1:8302",
                         "weconomics.wsgi:application"], env, 8302, args)
    print(f"{os.cpu_count()} cores, wrk -t2 -c{args.connections} -d{args.seconds}s")
    print(f"{'server':<30}" + "".join(f"{p:>18}" for p in PATHS))
    for name, row in results.items():
        print(f"{name:<30}" + "".join(f"{row[p]:>14.0f} r/s" for p in PATHS))
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
