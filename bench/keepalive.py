#!/usr/bin/env python3
"""Many clients that keep their connections open, against a real `weconomics serve`.

    .venv/bin/python bench/keepalive.py [--clients 50,200,500] [--requests 5]
    .venv/bin/python bench/keepalive.py --clients 50 --connections 8 --keepalive 30

Each round opens CLIENTS connections at once (threads), then every client sends REQUESTS
`GET /healthz` one after the other on its own connection, keeping it open (as browsers,
client pools and proxies do) until all clients are done. It prints how many requests
were answered, the latency of each request (p50/p95/max) and the round's wall time.
`--connections` and `--keepalive` set WECONOMICS_CONNECTIONS and
WECONOMICS_KEEPALIVE_TIMEOUT; `--connections 8 --keepalive 30` is how serve ran before
(granian's backpressure equal to the 8 threads, its 30 s header timeout). SQLite in a
temp folder; every request goes to 127.0.0.1 and each client gives up after 90 s.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int) -> None:
    for _ in range(1200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def client(port, requests, start, done, latencies, errors):
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=90)
    except OSError as error:
        errors.append(repr(error))
        start.wait()
        done.wait()
        return
    try:
        start.wait()
        for _ in range(requests):
            began = time.monotonic()
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = connection.recv(4096)
                if not chunk:
                    raise ConnectionError("closed")
                received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length")), 0))
            while len(body) < length:
                body += connection.recv(4096)
            if not head.startswith(b"HTTP/1.1 200"):
                raise ConnectionError(head.split(b"\r\n")[0].decode())
            latencies.append(time.monotonic() - began)
    except (OSError, ConnectionError) as error:
        errors.append(repr(error))
    finally:
        # Idle, but open, until every client is done: as a browser or a client pool.
        done.wait()
        connection.close()


def round_of(port: int, clients: int, requests: int) -> str:
    latencies: list[float] = []
    errors: list[str] = []
    start, done = threading.Barrier(clients + 1), threading.Barrier(clients)
    threads = [threading.Thread(target=client,
                                args=(port, requests, start, done, latencies, errors))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    ms = sorted(1000 * t for t in latencies) or [0]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (f"{clients:4d} clients x {requests}: {len(latencies)}/{clients * requests} answered, "
            f"{len(errors)} errors, p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ms[-1]:.0f} ms, wall {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="50,200,500")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--connections", help="WECONOMICS_CONNECTIONS (default: serve's)")
    parser.add_argument("--keepalive", help="WECONOMICS_KEEPALIVE_TIMEOUT in seconds")
    args = parser.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="weconomics-bench-keepalive-")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("WECONOMICS_")}
    env.update({"DJANGO_SETTINGS_MODULE": "weconomics.settings", "WECONOMICS_DATA_DIR": data,
                "WECONOMICS_WORKERS": args.workers})
    if args.connections:
        env["WECONOMICS_CONNECTIONS"] = args.connections
    if args.keepalive:
        env["WECONOMICS_KEEPALIVE_TIMEOUT"] = args.keepalive
    server = subprocess.Popen([sys.executable, "-m", "weconomics", "serve", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port)
        print(f"serve with {args.workers} workers, connections per worker "
              f"{args.connections or 'default'}, keep-alive {args.keepalive or 'default'} s")
        for clients in (int(n) for n in args.clients.split(",")):
            print(round_of(port, clients, args.requests), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
