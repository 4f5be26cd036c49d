from weconomics.contacts.models import OrganisationMembership


def organisation_memberships_of(account):
    return (OrganisationMembership.objects.filter(account=account)
            .select_related("organisation").order_by("organisation__name"))
