#!/usr/bin/env python3
"""How fast the people directory and the profile page answer with 100,000 generated people.

    .venv/bin/python bench/directory.py [--people 100000] [--requests 200] [--data-dir DIR]
    WECONOMICS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wec_bench \\
        .venv/bin/python bench/directory.py

SQLite lives in --data-dir (by default a folder in the system's temp folder, kept between
runs so the people are generated once); PostgreSQL is used when WECONOMICS_DATABASE_URL is
set (create the database first: createdb -h 127.0.0.1 -U postgres wec_bench). The script
migrates, runs `generate_people` when fewer people were generated, then measures, after a
warm-up, p50/p95/max in milliseconds and the SQL queries per request of:
  - the query layer (contacts.queries / contacts.access called directly), and
  - the pages GET /people/?skill=..., /people/?q=... and /people/<handle>/ through Django's
    test client (skipped while those pages answer 404),
for an anonymous visitor and a signed-in member with communities and connections.
--explain prints the query plan of one search of each kind.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = {"search": 100, "profile": 50}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="measured per case")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured calls per case")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir())
                                                  / "weconomics-bench-directory"))
    parser.add_argument("--explain", action="store_true",
                        help="print the query plans of the searches and the profile")
    parser.add_argument("--no-pages", action="store_true", help="measure the query layer only")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    return parser.parse_args()


def setup_django(args) -> None:
    os.environ["WECONOMICS_DATA_DIR"] = args.data_dir
    hosts = os.environ.get("WECONOMICS_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["WECONOMICS_ALLOWED_HOSTS"] = hosts + ",testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weconomics.settings")
    import django

    django.setup()


def prepare(args) -> None:
    from django.core.management import call_command

    from weconomics.contacts.management.commands.generate_people import DOMAIN
    from weconomics.identity.models import Account

    call_command("migrate", verbosity=0)
    # The pages link static files through the manifest, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    have = Account.objects.filter(email__endswith=f"@{DOMAIN}").count()
    if have < args.people:
        started = time.monotonic()
        call_command("generate_people", count=args.people)
        print(f"generate_people --count {args.people}: {time.monotonic() - started:.0f} s")


def pick_members(rng, how_many: int = 5):
    """Generated people with at least two communities and eight connections."""
    from django.db.models import Count, Q

    from weconomics.contacts.management.commands.generate_people import DOMAIN
    from weconomics.contacts.models import Person

    candidates = list(Person.objects.filter(account__email__endswith=f"@{DOMAIN}")
                      .values_list("pk", flat=True)[:5000])
    rng.shuffle(candidates)
    found = (Person.objects.filter(pk__in=candidates[:500])
             .annotate(n_connections=Count("connections", distinct=True),
                       n_communities=Count("account__community_memberships", distinct=True))
             .filter(Q(n_connections__gte=8), Q(n_communities__gte=2))
             .select_related("account"))
    members = list(found[:how_many])
    if not members:
        raise SystemExit("no generated person with two communities and eight connections")
    return [m.account for m in members]


def terms(rng, n: int):
    from weconomics.contacts.management.commands.generate_people import (
        FIRST_NAMES,
        LAST_NAMES,
        SKILLS,
    )

    popular, rest = SKILLS[:20], SKILLS[20:]
    skills = [rng.choice(popular) if i % 2 else rng.choice(rest) for i in range(n)]
    names = []
    for i in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES).replace("_", " ")
        kind = i % 5
        names.append([first, last, f"{first} {last}", first[:3].lower(),
                      last.split()[-1][:4]][kind])
    return skills, names


def profiles(members, rng, n: int):
    """(viewer, handle) pairs: a member looking at a connection, and at a stranger."""
    from weconomics.contacts import access
    from weconomics.contacts.errors import NotFound
    from weconomics.contacts.models import Connection, Person, Visibility

    of_connections, of_strangers = [], []
    public = list(Person.objects.filter(profile_visibility=Visibility.PUBLIC)
                  .values_list("handle", flat=True)[:20000])
    for member in members:
        mine = set(Connection.objects.filter(person__account=member)
                   .values_list("other__handle", flat=True))
        for handle in mine:
            try:
                access.profile_for(member, handle)
            except NotFound:
                continue
            of_connections.append((member, handle))
        of_strangers += [(member, h) for h in rng.sample(public, 200) if h not in mine]
    anonymous = [(None, h) for h in rng.sample(public, n)]
    return ([rng.choice(of_connections) for _ in range(n)],
            [rng.choice(of_strangers) for _ in range(n)], anonymous)


def fresh(account):
    """A new account object, as each request loads it: nothing cached from earlier calls."""
    if account is None:
        return None
    return type(account).objects.get(pk=account.pk)


def measure(calls, warmup: int):
    """Run each call once (after warming up on the first ones); return ms list, query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for prepare_call, call in calls[:warmup]:
        call(prepare_call())
    times, counts = [], []
    for prepare_call, call in calls:
        argument = prepare_call()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call(argument)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries))
    return times, counts


def query_cases(members, skills, names, profile_sets):
    from weconomics.contacts import access, queries

    def search(**criteria):
        def run(viewer):
            rows, _more = queries.page_of(
                queries.with_cards(queries.search_people(viewer, **criteria)), 1)
            for person in rows:  # what a card shows
                list(person.person_skills.all()), list(person.roles.all())
        return run

    def profile(handle):
        def run(viewer):
            seen = access.profile_for(viewer, handle)
            queries.skills_with_endorsements(seen.person, viewer)
            list(queries.approved_recommendations(seen.person))
        return run

    member = members[0]
    viewers = {"anonymous": lambda: None, "member": lambda: fresh(member)}
    cases = []
    for who, viewer in viewers.items():
        cases.append(("search", f"skill, {who}",
                      [(viewer, search(skill=s)) for s in skills]))
        cases.append(("search", f"name, {who}", [(viewer, search(q=q)) for q in names]))
    connection_views, stranger_views, anonymous_views = profile_sets
    for who, views in (("connection", connection_views), ("stranger", stranger_views),
                       ("anonymous", anonymous_views)):
        cases.append(("profile", f"profile, {who}",
                      [((lambda v=v: fresh(v)), profile(h)) for v, h in views]))
    return cases


def web_cases(members, skills, names, profile_sets):
    from urllib.parse import urlencode

    from django.test import Client

    anonymous = Client()
    signed_in = {}
    for member in members:
        client = Client()
        client.force_login(member)
        signed_in[member.pk] = client

    def get(client, url):
        def run(_argument):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
        return run

    def nothing():
        return None

    member_client = signed_in[members[0].pk]
    cases = []
    for who, client in (("anonymous", anonymous), ("member", member_client)):
        cases.append(("search", f"skill, {who}", [
            (nothing, get(client, "/people/?" + urlencode({"skill": s}))) for s in skills]))
        cases.append(("search", f"name, {who}", [
            (nothing, get(client, "/people/?" + urlencode({"q": q}))) for q in names]))
    connection_views, stranger_views, anonymous_views = profile_sets
    for who, views in (("connection", connection_views), ("stranger", stranger_views)):
        cases.append(("profile", f"profile, {who}", [
            (nothing, get(signed_in[v.pk], f"/people/{h}/")) for v, h in views]))
    cases.append(("profile", "profile, anonymous", [
        (nothing, get(anonymous, f"/people/{h}/")) for _v, h in anonymous_views]))
    return cases


def pages_missing() -> str:
    """Why the pages cannot be measured yet, or "" when they answer."""
    from django.test import Client

    try:
        status = Client().get("/people/").status_code
    except Exception as error:  # noqa: BLE001 - a page being written may still fail
        return f"/people/ fails ({type(error).__name__}: {str(error)[:80]})"
    return "" if status == 200 else f"/people/ answers {status}"


def report(title: str, cases, args) -> None:
    print(f"\n{title}")
    print(f"{'case':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}  target")
    for kind, name, calls in cases:
        if args.only and args.only not in name:
            continue
        try:
            times, counts = measure(calls, args.warmup)
        except Exception as error:  # noqa: BLE001 - a page being written may still fail
            print(f"{name:<24}failed: {type(error).__name__}: {str(error)[:80]}", flush=True)
            continue
        p95 = statistics.quantiles(times, n=20)[-1]
        low, high = min(counts), max(counts)
        queries = str(low) if low == high else f"{low}-{high}"
        verdict = "ok" if p95 < TARGET_MS[kind] else f"OVER {TARGET_MS[kind]}"
        print(f"{name:<24}{statistics.median(times):9.1f}{p95:9.1f}{max(times):9.1f}"
              f"{queries:>9}  {verdict}", flush=True)


def explain(members, skills, names) -> None:
    from django.db import connection

    from weconomics.contacts import access, queries

    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    member = members[0]
    popular, rare = skills[1], skills[0]
    for who, viewer in (("anonymous", None), ("member", fresh(member))):
        for label, criteria in ((f"skill {popular!r}", {"skill": popular}),
                                (f"skill {rare!r}", {"skill": rare}),
                                (f"name {names[0]!r}", {"q": names[0]}),
                                (f"name {names[3]!r}", {"q": names[3]})):
            qs = queries.search_people(viewer, **criteria)[:21]
            print(f"\n--- {who}, {label}\n{qs.explain(**options)}")
    handle = access.person_of(member).handle
    from weconomics.contacts.models import Person

    qs = Person.objects.annotate(viewer_level=access.viewer_context(fresh(member)).level()
                                 ).filter(handle=handle)
    print(f"\n--- profile level\n{qs.explain(**options)}")


def main() -> None:
    args = parse_args()
    setup_django(args)
    from django.db import connection

    prepare(args)
    from weconomics.contacts.models import Person

    rng = random.Random(args.seed)
    members = pick_members(rng)
    skills, names = terms(rng, args.requests)
    profile_sets = profiles(members, rng, args.requests)
    version = (connection.cursor().connection.info.server_version
               if connection.vendor == "postgresql" else __import__("sqlite3").sqlite_version)
    print(f"{connection.vendor} {version}, {Person.objects.count()} people, "
          f"{args.requests} requests per case after {args.warmup} to warm up; "
          f"member {access_summary(members[0])}; load average {load()}")
    if args.explain:
        explain(members, skills, names)
        return
    report("Query layer (contacts.queries and contacts.access called directly)",
           query_cases(members, skills, names, profile_sets), args)
    missing = "--no-pages given" if args.no_pages else pages_missing()
    if missing:
        print(f"\nPages not measured: {missing}.")
    else:
        report("Pages (Django test client: middleware, view, template)",
               web_cases(members, skills, names, profile_sets), args)
    print(f"\nload average at the end {load()} (other work on the machine skews the times)")


def load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def access_summary(account) -> str:
    from weconomics.communities.models import Membership
    from weconomics.contacts.models import Connection

    return (f"{account.email} ({Connection.objects.filter(person__account=account).count()} "
            f"connections, {Membership.objects.filter(account=account).count()} communities)")


if __name__ == "__main__":
    main()
