#!/usr/bin/env python3
"""Booking creation and the catalogue under load: `weconomics serve` (granian) and wrk on
one machine, with a bare Django view measured in the same run for the ratio.

    createdb -h 127.0.0.1 -U postgres wec_bench_bookings      # once; recreated each run
    .venv/bin/python bench/bookings.py [--seconds 10] [--connections 50] [--workers 2]
    .venv/bin/python bench/bookings.py --sqlite                # SQLite in a temp folder
    WECONOMICS_BENCH_DB=wec_bench_mine .venv/bin/python bench/bookings.py   # another database

Cases (each after a short warm-up):
  bare       GET /healthz: a Django view that returns "ok" (the ratio's denominator)
  catalogue  GET /api/v1/products (anonymous, the public catalogue)
  book       POST /api/v1/bookings with a personal access token and an Idempotency-Key;
             every request is a different customer or date, so each is a real booking
  contend    --connections clients (50 by default) at once on one date with 100 places,
             each customer trying once: exactly 100 must be confirmed, the rest answered
             409 "full", and nothing else (no 5xx, no oversold place)
  floor      (PostgreSQL, with pgbench) the statements of one booking, booking_floor.sql,
             from 16 pgbench clients, with the simple and the prepared protocol: what the
             database alone can do on this machine (p50 shows the average latency; the
             client's CPU is pgbench's; pgbench's backends end before they are counted,
             so read the machine's total)
It prints requests per second, latency percentiles from wrk, CPU milliseconds per request
(the machine's, and the server's, PostgreSQL's and the load generator's shares) and the ratios.
Issue targets: booking >= 500/s with p95 < 100 ms on PostgreSQL and zero oversold places;
catalogue >= 1,500 requests/s.
"""

import argparse
import json
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
sys.path.insert(0, str(ROOT / "src"))
# Another name lets two people measure on one server at once.
DB_NAME = os.environ.get("WECONOMICS_BENCH_DB", "wec_bench_bookings")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
CUSTOMERS = 4000
DATES = 40


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="granian threads per worker")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--cases", default="bare,catalogue,book,contend,floor",
                        help="Which cases to run, comma-separated (the ratios need bare).")
    return parser.parse_args()


def reset_postgres() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def seed(work: Path) -> dict:
    """Migrate and create a provider, a product, its dates and customers with tokens."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from weconomics.bookings.tests.helpers import community_of
    from weconomics.catalogue import services as catalogue
    from weconomics.communities import publications
    from weconomics.identity.models import Account, PersonalAccessToken, hash_token

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    provider = Account.objects.create_user(email="provider@bench.example", password=None,
                                           name="Bench Provider")
    community = community_of(provider, slug="bench-market")
    product = catalogue.create_product(actor=provider, kind="training", logistics="scheduled",
                                       title="Benchmark training", price_cents=2500,
                                       vat_rate="21", max_quantity=2)
    start = timezone.now() + dt.timedelta(days=30)
    dates = catalogue.add_occurrences(actor=provider, product_id=product.pk, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=2), capacity=100_000,
                                      repeat="daily", count=DATES)
    [contended] = catalogue.add_occurrences(
        actor=provider, product_id=product.pk, starts_at=start - dt.timedelta(days=1),
        ends_at=start - dt.timedelta(days=1) + dt.timedelta(hours=2), capacity=100)
    publications.publish(actor=provider, content=product, targets=[(community.slug,
                                                                     "training")])
    catalogue.set_status(actor=provider, product_id=product.pk, status="published")
    unusable = make_password(None)
    accounts = Account.objects.bulk_create([
        Account(email=f"c{i}@bench.example", name=f"Customer {i}", password=unusable)
        for i in range(CUSTOMERS)])
    tokens, raws = [], []
    for account in accounts:
        raw = PersonalAccessToken.generate()
        raws.append(raw)
        tokens.append(PersonalAccessToken(account=account, name="bench", scope="write",
                                          token_hash=hash_token(raw), hint=raw[:10]))
    PersonalAccessToken.objects.bulk_create(tokens, batch_size=1000)
    return {"product": product.pk, "dates": [d.pk for d in dates],
            "contended": contended.pk, "tokens": raws, "provider": provider.pk,
            "customers": [accounts[0].pk, accounts[-1].pk]}


LUA_BOOK = r"""
local tokens = {%(tokens)s}
local dates = {%(dates)s}
local counter = 0
local thread_index = 0
local threads = {}
function setup(thread)
  thread:set("id", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end
function init(args)
  codes = {}
  counter = 0
end
function request()
  -- Each thread uses its own half of the customers; each request a new (customer, date).
  local per = math.floor(#tokens / %(threads)d)
  local i = counter
  counter = counter + 1
  -- Consecutive requests go to different dates, as real traffic spread over a catalogue
  -- would; a customer books each date once at most.
  local customer = id * per + (math.floor(i / #dates) %% per) + 1
  local date = dates[(i %% #dates) + 1]
  local body = '{"product_id": %(product)d, "occurrence_id": ' .. date .. ', "quantity": 1}'
  local headers = {["Authorization"] = "Bearer " .. tokens[customer],
                   ["Content-Type"] = "application/json",
                   ["Idempotency-Key"] = "k-" .. id .. "-" .. i}
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
  io.write(string.format("p95us %%d\n", latency:percentile(95)))
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    for status, n in pairs(c) do io.write("status " .. status .. " " .. n .. "\n") end
  end
end
"""

LUA_GET = r"""
function done(summary, latency, requests)
  io.write(string.format("p95us %d\n", latency:percentile(95)))
end
"""

LUA_CONTEND = r"""
local tokens = {%(tokens)s}
local counter = 0
local thread_index = 0
local threads = {}
function setup(thread)
  thread:set("id", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end
function init(args) codes = {} end
function request()
  -- Each customer tries once: thread t takes customers t, t + threads, ...
  local customer = (counter * %(threads)d + id) %% #tokens + 1
  counter = counter + 1
  local body = '{"product_id": %(product)d, "occurrence_id": %(date)d, "quantity": 1}'
  local headers = {["Authorization"] = "Bearer " .. tokens[customer],
                   ["Content-Type"] = "application/json",
                   ["Idempotency-Key"] = "contend-" .. customer}
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  io.write(string.format("p95us %%d\n", latency:percentile(95)))
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    for status, n in pairs(c) do io.write("status " .. status .. " " .. n .. "\n") end
  end
end
"""


TICK = os.sysconf("SC_CLK_TCK")
SERVER_GROUP = None  # the process group of `weconomics serve`, set in main


def cpu_seconds() -> dict:
    """CPU seconds used so far by the server's processes, PostgreSQL's and wrk (children)."""
    used = {"server": 0.0, "postgres": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])
        if SERVER_GROUP is not None and int(fields[2]) == SERVER_GROUP:
            used["server"] += ticks / TICK
        elif name == "postgres":
            used["postgres"] += ticks / TICK
    children = os.times()
    used["wrk"] = children.children_user + children.children_system
    # The whole machine (backends that end during a run, as pgbench's do, keep counting).
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    used["machine"] = (sum(map(int, busy)) - int(busy[3]) - int(busy[4])) / TICK
    return used


def wrk(port: int, path: str, seconds: int, connections: int, script: Path | None = None,
        threads: int = 2) -> dict:
    before = cpu_seconds()
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "codes": {}}
    for code, count in re.findall(r"status (\d+) (\d+)", out):  # one line per wrk thread
        result["codes"][int(code)] = result["codes"].get(int(code), 0) + int(count)
    for pct in ("50", "75", "90", "99"):
        found = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            result[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" \
                else value
    p95 = re.search(r"p95us (\d+)", out)
    if p95:
        result["p95"] = int(p95.group(1)) / 1000
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    # Requests that timed out or failed are left out of wrk's latencies: show them.
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    if errors and any(int(n) for n in errors.groups()):
        result["codes"]["socket errors (connect/read/write/timeout)"] = "/".join(
            errors.groups())
    after = cpu_seconds()
    total = result["rps"] * seconds
    # CPU milliseconds per request, by whom (backends that ended during the run are lost,
    # so the PostgreSQL share is a floor).
    result["cpu"] = {who: (after[who] - before[who]) * 1000 / total for who in after}
    return result


def pgbench(data: dict, mode: str, seconds: int, clients: int) -> dict:
    """The booking's statements (booking_floor.sql) straight from pgbench: PostgreSQL's
    ceiling for this transaction on this machine, with no Python in the way."""
    before = cpu_seconds()
    variables = {"first_customer": data["customers"][0], "last_customer": data["customers"][1],
                 "first_date": min(data["dates"]), "last_date": max(data["dates"]),
                 "product": data["product"], "provider": data["provider"]}
    command = ["pgbench", "-n", "-M", mode, "-c", str(clients), "-j", "2", "-T", str(seconds),
               "-f", str(ROOT / "bench" / "booking_floor.sql"),
               *[f"-D{name}={value}" for name, value in variables.items()],
               os.environ["WECONOMICS_DATABASE_URL"]]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    after = cpu_seconds()
    return {"rps": tps, "p50": float(re.search(r"latency average = ([\d.]+)", out).group(1)),
            "codes": {}, "non2xx": int(re.search(r"failed transactions: (\d+)", out).group(1)),
            "cpu": {who: (after[who] - before[who]) * 1000 / (tps * seconds) for who in after}}


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    for _ in range(1200):  # migrate and collectstatic run first
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit code {server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="weconomics-bench-bookings-"))
    os.environ["WECONOMICS_DATA_DIR"] = str(work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "weconomics.settings"
    os.environ["WECONOMICS_LOG_LEVEL"] = "WARNING"
    if args.sqlite:
        os.environ.pop("WECONOMICS_DATABASE_URL", None)
    else:
        os.environ["WECONOMICS_DATABASE_URL"] = os.environ.get("WECONOMICS_BENCH_DATABASE_URL",
                                                               PG_URL)
        reset_postgres()
    data = seed(work)
    threads = 2
    quoted = ",".join(json.dumps(t) for t in data["tokens"])
    book_script = work / "book.lua"
    book_script.write_text(LUA_BOOK % {"tokens": quoted, "threads": threads,
                                       "dates": ",".join(map(str, data["dates"])),
                                       "product": data["product"]})
    contend_script = work / "contend.lua"
    contend_script.write_text(LUA_CONTEND % {"tokens": quoted, "threads": threads,
                                             "product": data["product"],
                                             "date": data["contended"]})
    get_script = work / "get.lua"
    get_script.write_text(LUA_GET)
    env = {**os.environ}
    server = subprocess.Popen(
        [str(BIN / "weconomics"), "serve", "--port", str(args.port), "--workers",
         str(args.workers), "--no-worker"], env={**env, "WECONOMICS_THREADS":
                                                  str(args.threads)},
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    global SERVER_GROUP
    SERVER_GROUP = server.pid
    try:
        wait_until_up(args.port, server)
        port, seconds, conns = args.port, args.seconds, args.connections
        cases = set(args.cases.split(","))
        wrk(port, "/healthz", 2, conns)
        wrk(port, "/api/v1/products", 2, conns)
        results = {}
        if "bare" in cases:
            results["bare"] = wrk(port, "/healthz", seconds, conns, get_script)
        if "catalogue" in cases:
            results["catalogue"] = wrk(port, "/api/v1/products", seconds, conns, get_script)
        if "book" in cases:
            results["book"] = wrk(port, "/", seconds, conns, book_script, threads)
        if "floor" in cases and not args.sqlite and shutil.which("pgbench"):
            for mode in ("simple", "prepared"):
                results[f"floor {mode}"] = pgbench(data, mode, seconds, 16)
        if "contend" in cases:
            # 50 clients at once on one date with 100 places; long enough for every one of
            # the customers to try once at most (the script never repeats a customer
            # within 4,000).
            results["contend"] = wrk(port, "/", 6, conns, contend_script, threads)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    report(args, data, results)


def report(args, data, results) -> None:
    import django
    from django.db import connection

    from weconomics.bookings.models import Booking

    django.db.connections.close_all()
    vendor = connection.vendor
    confirmed_contended = Booking.objects.filter(occurrence_id=data["contended"],
                                                 state="confirmed").count()
    booked = Booking.objects.filter(idempotency_key__startswith="k-").count()
    print(f"{vendor}, {os.cpu_count()} cores, granian {args.workers} workers x {args.threads} "
          f"threads, wrk -t2 -c{args.connections} -d{args.seconds}s, load average "
          f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"{'case':<15}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"  CPU ms per request: machine (server/postgres/client)  statuses")
    for name, found in results.items():
        cpu = found["cpu"]
        shares = "/".join(f"{cpu[who]:.2f}" for who in ("server", "postgres", "wrk"))
        print(f"{name:<15}{found['rps']:>8.0f}{found.get('p50', 0):>9.1f}"
              f"{found.get('p95', 0):>9.1f}{found.get('p99', 0):>9.1f}  "
              f"{cpu['machine']:>6.2f} ({shares}){'':<{max(0, 25 - len(shares))}} "
              f"{found['codes'] or ('non-2xx ' + str(found['non2xx']))}")
    if "bare" in results:
        bare = results["bare"]["rps"]
        print("ratios to the bare view: " + ", ".join(
            f"{name} {found['rps'] / bare:.2f}" for name, found in results.items()
            if name in ("catalogue", "book")))
    print(f"bookings written by the 'book' case: {booked}")
    verdict = ("sold out, none oversold" if confirmed_contended == 100 else
               "OVERSOLD" if confirmed_contended > 100 else "not sold out within the run")
    if "contend" in results:
        print(f"contended date: capacity 100, confirmed {confirmed_contended} ({verdict}); "
              f"answers {results['contend']['codes']}")


if __name__ == "__main__":
    main()
