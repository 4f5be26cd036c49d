#!/usr/bin/env python3
"""How fast a community channel's home page renders with 10,000 members and 1,000 items.

    .venv/bin/python bench/channel.py [--members 10000] [--items 1000] [--requests 200]
    WECONOMICS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wec_bench_channel \\
        .venv/bin/python bench/channel.py

SQLite lives in --data-dir (a folder in the system's temp folder, kept between runs);
PostgreSQL is used when WECONOMICS_DATABASE_URL is set (createdb first). The script
migrates, runs `generate_people` and `generate_channel` (a public and a listed community)
when the data is missing, then, after a warm-up, times GET /c/<slug>/ and the channel's
other pages through Django's test client (middleware, session, view, template) for an
anonymous visitor, a member, a steward and an outsider, and prints p50/p95/max in ms and
the SQL queries per request. The target from the Communities issue: the home page p95
under 50 ms with a fixed number of queries.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory import load, measure, setup_django  # noqa: E402

TARGET_MS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200, help="measured per case")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured calls per case")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir())
                                                  / "weconomics-bench-channel"))
    return parser.parse_args()


def prepare(args) -> None:
    from django.core.management import call_command

    from weconomics.communities.models import Membership, Publication
    from weconomics.contacts.management.commands.generate_people import DOMAIN
    from weconomics.identity.models import Account

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if Account.objects.filter(email__endswith=f"@{DOMAIN}").count() < args.members:
        call_command("generate_people", count=args.members)
    for slug, visibility in (("bench-channel", "public"), ("bench-listed", "listed")):
        if (Membership.objects.filter(community__slug=slug).count() < args.members
                or Publication.objects.filter(community__slug=slug).count() < args.items):
            call_command("generate_channel", slug=slug, visibility=visibility,
                         members=args.members, items=args.items)


def viewers():
    from weconomics.communities.models import Membership
    from weconomics.conftest import make_account
    from weconomics.identity.models import Account

    steward = Membership.objects.filter(community__slug="bench-channel",
                                        role="steward").first().account
    member = (Membership.objects.filter(community__slug="bench-channel", role="member")
              .order_by("-pk").first().account)
    outsider = Account.objects.filter(email="bench-outsider@example.org").first() or \
        make_account("bench-outsider@example.org", "Bench Outsider")
    return {"anonymous": None, "outsider": outsider, "member": member, "steward": steward}


def cases(people):
    from django.test import Client

    clients = {}
    for who, account in people.items():
        client = Client()
        if account is not None:
            client.force_login(account)
        clients[who] = client

    def get(client, url):
        def run(_argument):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
        return run

    def nothing():
        return None

    rng = random.Random(5)
    found = []
    for who in ("anonymous", "member", "steward"):
        found.append((f"home public, {who}", [(nothing, get(clients[who], "/c/bench-channel/"))]))
    for who in ("outsider", "member"):
        slug = "bench-listed"
        if who == "member":
            from weconomics.communities.models import Membership

            account = Membership.objects.filter(community__slug=slug).order_by("-pk").first()
            clients["listed-member"] = Client()
            clients["listed-member"].force_login(account.account)
            client = clients["listed-member"]
        else:
            client = clients[who]
        found.append((f"home listed, {who}", [(nothing, get(client, f"/c/{slug}/"))]))
    found.append(("members page, member", [
        (nothing, get(clients["member"], f"/c/bench-channel/members/?page={rng.randint(1, 20)}"))
    ]))
    found.append(("board, member", [(nothing, get(clients["member"], "/c/bench-channel/board/"))]))
    return found


def report(found, args) -> None:
    print(f"{'case':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}  target")
    for name, calls in found:
        calls = calls * (args.requests + args.warmup)
        try:
            times, counts = measure(calls, args.warmup)
        except Exception as error:  # noqa: BLE001 - report and go on with the next case
            print(f"{name:<28}failed: {type(error).__name__}: {str(error)[:80]}", flush=True)
            continue
        times = times[args.warmup:]
        p95 = statistics.quantiles(times, n=20)[-1]
        low, high = min(counts), max(counts)
        queries = str(low) if low == high else f"{low}-{high}"
        verdict = ("ok" if p95 < TARGET_MS else f"OVER {TARGET_MS}") if "home" in name else ""
        print(f"{name:<28}{statistics.median(times):9.1f}{p95:9.1f}{max(times):9.1f}"
              f"{queries:>9}  {verdict}", flush=True)


def main() -> None:
    args = parse_args()
    args.people = args.members
    setup_django(args)
    from django.db import connection

    prepare(args)
    from weconomics.communities.models import Membership, Publication, Topic

    version = (connection.cursor().connection.info.server_version
               if connection.vendor == "postgresql" else __import__("sqlite3").sqlite_version)
    counts = {slug: (Membership.objects.filter(community__slug=slug).count(),
                     Publication.objects.filter(community__slug=slug).count(),
                     Topic.objects.filter(community__slug=slug).count())
              for slug in ("bench-channel", "bench-listed")}
    print(f"{connection.vendor} {version}; members/publications/topics {counts}; "
          f"{args.requests} requests per case after {args.warmup} to warm up; "
          f"load average {load()}")
    report(cases(viewers()), args)
    print(f"load average at the end {load()} (other work on the machine skews the times)")


if __name__ == "__main__":
    os.environ.setdefault("WECONOMICS_LOG_LEVEL", "WARNING")
    main()
