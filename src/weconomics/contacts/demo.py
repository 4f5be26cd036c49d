from django.db import transaction

from weconomics.contacts.models import Organisation, OrganisationMembership

ORGANISATIONS = [
    ("samen-werkt", "Coöperatie Samen Werkt", Organisation.Kind.COOPERATIVE,
     "Een coöperatie van zelfstandige coaches en trainers.",
     [("anna@example.org", "owner"), ("bram@example.org", "member")]),
    ("ssc-midden", "Shared Service Centrum Midden", Organisation.Kind.SHARED_SERVICE_CENTRE,
     "Gedeelde HR-, ICT- en financiële diensten voor zorginstellingen.",
     [("dewi@example.org", "owner"), ("farid@example.org", "admin")]),
    ("leerhuis", "Stichting Open Leerhuis", Organisation.Kind.FOUNDATION,
     "Open cursussen en assessments voor informatiewerkers.",
     [("chidi@example.org", "owner"), ("grace@example.org", "member")]),
]


@transaction.atomic
def populate(accounts) -> list[Organisation]:
    created = []
    for slug, name, kind, about, members in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "about": about})
        for email, role in members:
            OrganisationMembership.objects.update_or_create(
                organisation=organisation, account=accounts[email], defaults={"role": role})
        created.append(organisation)
    return created
