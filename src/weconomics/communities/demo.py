"""Demo communities of four kinds, with domains, members, stewards, a supervisor, an alliance,
discussions, articles published to several channels, a join request and an invitation link.
Idempotent: running it again changes nothing that is already there."""

import datetime as dt
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from weconomics.communities.models import (
    Alliance,
    Article,
    Community,
    CommunityDomain,
    DomainKind,
    Invitation,
    JoinRequest,
    Membership,
    Publication,
    Reply,
    Topic,
)
from weconomics.communities.services import TEMPLATES

# slug, name, kind, visibility, join policy, colours, purpose, audience, members
COMMUNITIES = [
    ("coaches", "Coaches Collectief", Community.Kind.PROFESSIONAL_NETWORK, "public", "open",
     ("#1d6b57", "#f2b134"),
     "Zelfstandige coaches delen kennis, verwijzen klanten naar elkaar en bieden samen "
     "coachingtrajecten aan.",
     "Loopbaan-, team- en leiderschapscoaches in Nederland.",
     [("anna@example.org", "steward"), ("bram@example.org", "steward"),
      ("eva@example.org", "member"), ("grace@example.org", "member")]),
    ("data-leren", "Leergemeenschap Data", Community.Kind.LEARNING_COMMUNITY, "public", "open",
     ("#2b4c9b", "#e4572e"),
     "Samen leren werken met data: cursussen, workshops en een wiki met wat we weten.",
     "Informatiewerkers die meer met data willen doen.",
     [("chidi@example.org", "steward"), ("grace@example.org", "member"),
      ("anna@example.org", "member")]),
    ("ssc-zorg", "SSC Zorg & Welzijn", Community.Kind.SHARED_SERVICE_CENTRE, "listed",
     "approval", ("#6b2d5c", "#8fbc8f"),
     "Zorginstellingen delen HR, ICT en inkoop in één shared service centre.",
     "Medewerkers van aangesloten zorg- en welzijnsorganisaties.",
     [("dewi@example.org", "steward"), ("farid@example.org", "member"),
      ("admin@example.org", "supervisor")]),
    ("buurt-oost", "Buurtcoöperatie Oost", Community.Kind.NEIGHBOURHOOD, "hidden", "invitation",
     ("#8a4b08", "#3a7ca5"),
     "Buren bieden elkaar diensten, ruimtes en klussen aan.",
     "Bewoners en ondernemers in Oost.",
     [("eva@example.org", "steward"), ("farid@example.org", "member")]),
]

DISCUSSIONS = {
    "coaches": [
        ("anna@example.org", "Intervisie in januari", "coaching",
         "Wie doet mee aan een intervisiegroep vanaf januari? We zoeken nog twee coaches.",
         [("eva@example.org", "Ik doe graag mee, liefst op dinsdagavond."),
          ("bram@example.org", "Goed plan. Ik kan de ruimte in Utrecht regelen.")]),
        ("grace@example.org", "Referrals between coaches", None,
         "How do we refer clients to each other fairly? Shall we write down a few rules?",
         [("anna@example.org", "Goed idee, laten we het op de volgende bijeenkomst bespreken.")]),
    ],
    "data-leren": [
        ("chidi@example.org", "Welcome! Introduce yourself", None,
         "Tell us what you work on and what you want to learn about data this year.",
         [("grace@example.org", "Hi all, I work on reporting for a housing cooperative."),
          ("anna@example.org", "Ik wil leren hoe ik enquêtes beter analyseer.")]),
    ],
    "ssc-zorg": [
        ("dewi@example.org", "Gezamenlijke inkoop laptops 2027", "advice",
         "De offertes voor de laptops van volgend jaar zijn binnen. Reacties graag voor vrijdag.",
         [("farid@example.org", "Ik mis nog een optie met langere garantie.")]),
    ],
    "buurt-oost": [
        ("eva@example.org", "Klusdag in het buurthuis", None,
         "Zaterdag de 12e schilderen we het buurthuis. Wie helpt er mee?",
         [("farid@example.org", "Ik neem kwasten en koffie mee.")]),
    ],
}

ARTICLES = [
    ("anna@example.org", "Vijf vragen voor een goed loopbaangesprek",
     "Een korte leidraad die coaches en leidinggevenden kunnen gebruiken.",
     "1. Waar krijg je energie van?\n2. Wat wil je over een jaar kunnen?\n3. ...",
     [("coaches", "coaching"), ("data-leren", "coaching")]),
    ("chidi@example.org", "Getting started with open data",
     "Where to find open data sets and how to judge their quality.",
     "Start with the national open data portal, then check **licence**, freshness and "
     "documentation.", [("data-leren", "training"), ("data-leren", "wiki")]),
    ("bram@example.org", "Teamcoaching: wat werkt?",
     "Ervaringen uit twintig teamtrajecten.",
     "Wat werkt: een duidelijke vraag, een eigenaar en korte cycli.",
     [("coaches", "advice")]),
    ("dewi@example.org", "Inkoopkalender 2027", "Wanneer wat wordt ingekocht.",
     "Januari: laptops. Maart: telefonie. Juni: schoonmaak.", [("ssc-zorg", "advice")]),
]


@transaction.atomic
def populate(accounts) -> list[Community]:
    created = []
    now = timezone.now()
    for (slug, name, kind, visibility, policy, (colour, accent), purpose, audience,
         members) in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "visibility": visibility,
                                 "join_policy": policy, "colour": colour,
                                 "accent_colour": accent, "purpose": purpose,
                                 "audience": audience,
                                 "created_by": accounts[members[0][0]]})
        for position, kind_slug in enumerate(TEMPLATES[kind]["domains"]):
            CommunityDomain.objects.get_or_create(
                community=community, kind=DomainKind.objects.get(slug=kind_slug),
                defaults={"position": position})
        for email, role in members:
            Membership.objects.update_or_create(
                community=community, account=accounts[email], defaults={"role": role})
        created.append(community)
    by_slug = {c.slug: c for c in created}
    _discussions(accounts, by_slug, now)
    _articles(accounts, by_slug)
    Alliance.objects.get_or_create(
        proposer=by_slug["coaches"], partner=by_slug["data-leren"],
        status=Alliance.Status.ACTIVE,
        defaults={"proposed_by": accounts["anna@example.org"],
                  "decided_by": accounts["chidi@example.org"], "decided_at": now,
                  "message": "Samen coaching en leren aanbieden."})
    Alliance.objects.get_or_create(
        proposer=by_slug["ssc-zorg"], partner=by_slug["coaches"],
        status=Alliance.Status.PROPOSED,
        defaults={"proposed_by": accounts["dewi@example.org"],
                  "message": "Coaching voor onze medewerkers?"})
    JoinRequest.objects.get_or_create(
        community=by_slug["ssc-zorg"], account=accounts["chidi@example.org"],
        status=JoinRequest.Status.PENDING,
        defaults={"message": "I advise two care organisations on their data."})
    Invitation.objects.get_or_create(
        token_hash=hashlib.sha256(b"demo-buurt-oost").hexdigest(),
        defaults={"community": by_slug["buurt-oost"], "invited_by": accounts["eva@example.org"],
                  "max_uses": 20, "expires_at": now + dt.timedelta(days=60)})
    return created


def _discussions(accounts, by_slug, now) -> None:
    for slug, topics in DISCUSSIONS.items():
        community = by_slug[slug]
        for age, (email, title, domain, body, replies) in enumerate(topics):
            topic, made = Topic.objects.get_or_create(
                community=community, title=title,
                defaults={"author": accounts[email], "body": body,
                          "domain": CommunityDomain.objects.filter(
                              community=community, kind__slug=domain).first() if domain else None,
                          "last_activity_at": now - dt.timedelta(hours=age * 5)})
            if made:
                for reply_email, text in replies:
                    Reply.objects.create(topic=topic, author=accounts[reply_email], body=text)


def _articles(accounts, by_slug) -> None:
    article_type = ContentType.objects.get_for_model(Article)
    for email, title, summary, body, targets in ARTICLES:
        article, _ = Article.objects.get_or_create(
            author=accounts[email], title=title, defaults={"summary": summary, "body": body})
        for community_slug, domain_slug in targets:
            domain = CommunityDomain.objects.get(community=by_slug[community_slug],
                                                 kind__slug=domain_slug)
            Publication.objects.get_or_create(
                content_type=article_type, object_id=article.pk, domain=domain,
                defaults={"community": domain.community, "published_by": accounts[email],
                          "title": title, "summary": summary,
                          "featured": community_slug == "coaches"})
