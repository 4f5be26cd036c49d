"""weconomics generate_channel: one big community for benchmarks (bench/channel.py).

Fills a community with the generated people (`generate_people` first), articles published
to its domains, and discussions; run again, it tops up to the numbers asked.
"""

import datetime as dt
import random
import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from weconomics.communities import services
from weconomics.communities.models import (
    Article,
    Community,
    CommunityDomain,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.identity.models import Account

GENERATED = "@generated.example"


class Command(BaseCommand):
    help = "Create or top up a community with many members, publications and topics."

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="bench-channel")
        parser.add_argument("--visibility", default="public",
                            choices=[v for v, _label in Community.Visibility.choices])
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--items", type=int, default=1_000,
                            help="Published articles in the community's domains.")
        parser.add_argument("--topics", type=int, default=200)
        parser.add_argument("--seed", type=int, default=3)

    def handle(self, *args, slug, visibility, members, items, topics, seed, **options):
        started = time.monotonic()
        rng = random.Random(seed)
        people = list(Account.objects.filter(email__endswith=GENERATED).order_by("pk")
                      .values_list("pk", flat=True)[:members])
        if len(people) < min(members, 2):
            raise CommandError(f"Run `weconomics generate_people --count {members}` first.")
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            founder = Account.objects.get(pk=people[0])
            community = services.create_community(
                actor=founder, name=f"Benchmark {slug}", slug=slug, kind="professional_network",
                purpose="A generated community for benchmarks.", audience="Generated people.",
                visibility=visibility, join_policy="open")
        domains = list(CommunityDomain.objects.filter(community=community))
        with transaction.atomic():
            Membership.objects.bulk_create(
                [Membership(community=community, account_id=pk) for pk in people],
                ignore_conflicts=True, batch_size=2000)
        article_type = ContentType.objects.get_for_model(Article)
        have = Publication.objects.filter(community=community).count()
        now = timezone.now()
        with transaction.atomic():
            for start in range(have, items, 500):
                size = min(500, items - start)
                authors = [rng.choice(people) for _i in range(size)]
                articles = Article.objects.bulk_create([
                    Article(author_id=author, title=f"Generated article {start + i + 1}",
                            summary="A generated article for benchmarks.", body="Text.")
                    for i, author in enumerate(authors)])
                Publication.objects.bulk_create([
                    Publication(content_type=article_type, object_id=article.pk,
                                community=community, domain=rng.choice(domains),
                                published_by_id=article.author_id, title=article.title,
                                summary=article.summary, featured=rng.random() < 0.02)
                    for article in articles])
        have_topics = Topic.objects.filter(community=community).count()
        with transaction.atomic():
            made = Topic.objects.bulk_create([
                Topic(community=community, author_id=rng.choice(people),
                      title=f"Generated topic {n + 1}", body="Text.",
                      last_activity_at=now - dt.timedelta(minutes=n))
                for n in range(have_topics, topics)])
            Reply.objects.bulk_create([
                Reply(topic=topic, author_id=rng.choice(people), body="Reply.")
                for topic in made for _i in range(rng.randint(0, 8))])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"{community.slug}: {Membership.objects.filter(community=community).count()} "
            f"members, {Publication.objects.filter(community=community).count()} "
            f"publications, {Topic.objects.filter(community=community).count()} topics "
            f"({time.monotonic() - started:.1f} s)")
