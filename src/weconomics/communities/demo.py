from django.db import transaction

from weconomics.communities.models import Community, Membership

COMMUNITIES = [
    ("coaches", "Coaches Collectief", Community.Kind.PROFESSIONAL_NETWORK, "public",
     "Zelfstandige coaches delen kennis, verwijzen klanten naar elkaar en bieden samen "
     "coachingtrajecten aan.",
     "Loopbaan-, team- en leiderschapscoaches in Nederland.",
     [("anna@example.org", "steward"), ("bram@example.org", "member"),
      ("eva@example.org", "member")]),
    ("data-leren", "Leergemeenschap Data", Community.Kind.LEARNING_COMMUNITY, "public",
     "Samen leren werken met data: cursussen, workshops en een wiki met wat we weten.",
     "Informatiewerkers die meer met data willen doen.",
     [("chidi@example.org", "steward"), ("grace@example.org", "member"),
      ("anna@example.org", "member")]),
    ("ssc-zorg", "SSC Zorg & Welzijn", Community.Kind.SHARED_SERVICE_CENTRE, "listed",
     "Zorginstellingen delen HR, ICT en inkoop in één shared service centre.",
     "Medewerkers van aangesloten zorg- en welzijnsorganisaties.",
     [("dewi@example.org", "steward"), ("farid@example.org", "member")]),
    ("buurt-oost", "Buurtcoöperatie Oost", Community.Kind.NEIGHBOURHOOD, "hidden",
     "Buren bieden elkaar diensten, ruimtes en klussen aan.",
     "Bewoners en ondernemers in Oost.",
     [("eva@example.org", "steward"), ("farid@example.org", "member")]),
]


@transaction.atomic
def populate(accounts) -> list[Community]:
    created = []
    for slug, name, kind, visibility, purpose, audience, members in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "visibility": visibility,
                                 "purpose": purpose, "audience": audience})
        for email, role in members:
            Membership.objects.update_or_create(
                community=community, account=accounts[email], defaults={"role": role})
        created.append(community)
    return created
