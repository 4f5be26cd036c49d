from weconomics.contacts.models import OrganisationMembership
from weconomics.contacts.queries import organisation_memberships_of
from weconomics.identity import privacy


def export_organisation_memberships(account):
    return [
        {"organisation": m.organisation.name, "role": m.role,
         "since": m.created_at.isoformat()}
        for m in organisation_memberships_of(account)
    ]


privacy.register("organisation_memberships", export=export_organisation_memberships,
                 models=[OrganisationMembership])
