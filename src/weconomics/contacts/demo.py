"""Demo people, organisations and the network between them (idempotent)."""

import datetime as dt

from django.db import transaction

from weconomics.contacts.models import (
    Connection,
    ConnectionRequest,
    Education,
    Endorsement,
    Experience,
    Follow,
    NetworkRole,
    Organisation,
    OrganisationMembership,
    OrganisationPost,
    Person,
    PersonSkill,
    Recommendation,
    Skill,
)
from weconomics.contacts.text import search_key

ORGANISATIONS = [
    ("samen-werkt", "Coöperatie Samen Werkt", Organisation.Kind.COOPERATIVE, "Utrecht",
     "Coaches en trainers die samen sterker staan",
     "Een coöperatie van zelfstandige coaches en trainers.",
     [("anna@example.org", "owner"), ("bram@example.org", "member")],
     ["product_supplier", "intermediary"]),
    ("ssc-midden", "Shared Service Centrum Midden", Organisation.Kind.SHARED_SERVICE_CENTRE,
     "Amersfoort", "HR, ICT en financiën voor de zorg",
     "Gedeelde HR-, ICT- en financiële diensten voor zorginstellingen.",
     [("dewi@example.org", "owner"), ("farid@example.org", "admin")],
     ["network_supplier"]),
    ("leerhuis", "Stichting Open Leerhuis", Organisation.Kind.FOUNDATION, "Rotterdam",
     "Open leren voor informatiewerkers",
     "Open cursussen en assessments voor informatiewerkers.",
     [("chidi@example.org", "owner"), ("grace@example.org", "member")],
     ["product_supplier"]),
]

PUBLIC = "public"
# email: handle, headline, about, region, skills, roles, languages, hours, public sections
PEOPLE = {
    "anna@example.org": (
        "anna-de-vries", "Loopbaancoach en teamcoach",
        "Ik begeleid professionals bij **loopbaankeuzes** en teams bij samenwerking.\n\n"
        "- 12 jaar ervaring\n- NOBCO-gecertificeerd",
        "Utrecht", ["Loopbaancoaching", "Teamcoaching", "Assessments"],
        ["product_supplier", "intermediary"], [("nl", "native"), ("en", "fluent")], 40,
        ["profile", "photo", "about", "skills", "region", "recommendations"]),
    "bram@example.org": (
        "bram-jansen", "Trainer communicatie",
        "Trainingen in gesprekstechnieken en feedback geven.",
        "Utrecht", ["Training", "Communicatie", "Feedback"],
        ["product_supplier", "customer"], [("nl", "native")], 24,
        ["profile", "skills", "region"]),
    "chidi@example.org": (
        "chidi-okafor", "Data analyst and course author",
        "I teach data skills to information workers.",
        "Rotterdam", ["Data-analyse", "Python", "Training"],
        ["product_supplier", "network_supplier"], [("en", "native"), ("nl", "good")], 60,
        ["profile", "about", "skills", "region", "languages"]),
    "dewi@example.org": (
        "dewi-santoso", "HR-adviseur shared services",
        "Ik bouw gedeelde HR-diensten voor zorginstellingen.",
        "Amersfoort", ["HR-advies", "Shared services", "Werving en selectie"],
        ["network_supplier", "customer"], [("nl", "native"), ("id", "fluent")], None,
        ["profile", "skills"]),
    "eva@example.org": (
        "eva-bakker", "Interim projectleider",
        "Projectleiding in het sociaal domein.", "Amsterdam",
        ["Projectleiding", "Interim-management", "Coaching"],
        ["product_supplier", "customer"], [("nl", "native"), ("en", "good")], 80,
        ["profile"]),
    "farid@example.org": (
        "farid-el-amrani", "ICT-beheerder", "Beheer van werkplekken en netwerken.",
        "Amersfoort", ["ICT-beheer", "Netwerken", "Informatiebeveiliging"],
        ["network_supplier"], [("nl", "native"), ("ar", "fluent")], 16, []),
    "grace@example.org": (
        "grace-mensah", "Learning designer",
        "I design blended courses and assessments.", "Rotterdam",
        ["Leerontwerp", "Assessments", "E-learning"],
        ["product_supplier", "customer"], [("en", "native")], 32,
        ["profile", "skills", "about"]),
}

CONNECTIONS = [
    ("anna", "bram"), ("anna", "chidi"), ("anna", "eva"), ("bram", "eva"),
    ("chidi", "grace"), ("dewi", "farid"), ("grace", "anna"),
]
PENDING = [("dewi", "anna", "We werken allebei met zorgteams; zullen we connecten?")]
ENDORSEMENTS = [("bram", "anna", "Loopbaancoaching"), ("chidi", "anna", "Assessments"),
                ("eva", "anna", "Loopbaancoaching"), ("anna", "chidi", "Python")]
RECOMMENDATION = ("bram", "anna",
                  "Anna coachte ons team door een lastige reorganisatie. Helder, warm en "
                  "resultaatgericht.")


@transaction.atomic
def populate(accounts) -> list[Organisation]:
    people = _people(accounts)
    organisations = []
    for slug, name, kind, region, headline, about, members, roles in ORGANISATIONS:
        organisation, _created = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "about": about,
                                 "headline": headline, "region": region,
                                 "region_key": search_key(region), "search_name": search_key(name)})
        for email, role in members:
            OrganisationMembership.objects.update_or_create(
                organisation=organisation, account=accounts[email], defaults={"role": role})
        for role in roles:
            NetworkRole.objects.get_or_create(organisation=organisation, role=role)
        organisations.append(organisation)
    _network(people, accounts, organisations)
    return organisations


def _people(accounts) -> dict[str, Person]:
    people = {}
    for email, (handle, headline, about, region, skills, roles, languages, hours,
                public) in PEOPLE.items():
        account = accounts[email]
        visibility = {f"{section}_visibility": PUBLIC for section in public}
        person, _created = Person.objects.update_or_create(account=account, defaults={
            "handle": handle, "display_name": account.name,
            "search_name": search_key(account.name), "headline": headline, "about": about,
            "region": region, "region_key": search_key(region),
            "languages": [{"code": c, "level": level} for c, level in languages],
            "hours_per_month": hours, "available_from": dt.date(2027, 1, 1) if hours else None,
            "links": [{"label": "Website", "url": f"https://{handle}.example.org/"}],
            **visibility})
        for position, name in enumerate(skills):
            skill, _created = Skill.objects.get_or_create(key=search_key(name),
                                                          defaults={"name": name})
            PersonSkill.objects.get_or_create(person=person, skill=skill,
                                              defaults={"position": position})
        for role in roles:
            NetworkRole.objects.get_or_create(person=person, role=role)
        Experience.objects.get_or_create(person=person, title=headline, defaults={
            "organisation_name": "Zelfstandig", "started_on": dt.date(2019, 3, 1)})
        Education.objects.get_or_create(person=person, institution="Hogeschool Utrecht",
                                        defaults={"qualification": "Bachelor",
                                                  "started_on": dt.date(2008, 9, 1),
                                                  "ended_on": dt.date(2012, 7, 1)})
        people[email.split("@")[0]] = person
    # The platform administrator grants the supervisor role; Dewi supervises.
    NetworkRole.objects.get_or_create(person=people["dewi"], role="supervisor",
                                      defaults={"granted_by": accounts["admin@example.org"]})
    return people


def _network(people, accounts, organisations) -> None:
    for a, b in CONNECTIONS:
        for x, y in ((a, b), (b, a)):
            Connection.objects.get_or_create(person=people[x], other=people[y])
        ConnectionRequest.objects.get_or_create(
            sender=people[a], recipient=people[b], status="accepted")
    for a, b, note in PENDING:
        ConnectionRequest.objects.get_or_create(sender=people[a], recipient=people[b],
                                                status="pending", defaults={"note": note})
    for endorser, person, skill in ENDORSEMENTS:
        person_skill = PersonSkill.objects.get(person=people[person], skill__key=search_key(skill))
        Endorsement.objects.get_or_create(endorser=people[endorser], person_skill=person_skill)
    author, subject, body = RECOMMENDATION
    Recommendation.objects.get_or_create(author=people[author], subject=people[subject],
                                         defaults={"body": body, "status": "approved"})
    for email in ("anna@example.org", "bram@example.org", "eva@example.org"):
        Follow.objects.get_or_create(account=accounts[email], organisation=organisations[2])
    OrganisationPost.objects.get_or_create(
        organisation=organisations[2], title="Nieuwe cursus: werken met data",
        defaults={"author": accounts["chidi@example.org"],
                  "body": "In januari start onze open cursus *Werken met data*. Aanmelden kan "
                          "binnenkort in de catalogus."})
