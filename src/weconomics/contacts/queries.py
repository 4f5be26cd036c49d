"""Reads of the contacts domain: directory search, the network around a person, organisations.

Every read of people goes through `weconomics.contacts.access`.
"""

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat

from weconomics.communities.models import Community, Membership
from weconomics.contacts.access import (
    person_of,
    visible_people,
    visible_people_showing,
)
from weconomics.contacts.models import (
    Block,
    Connection,
    ConnectionRequest,
    Endorsement,
    NetworkRole,
    Organisation,
    OrganisationMembership,
    OrganisationPost,
    Person,
    PersonSkill,
    Recommendation,
)
from weconomics.contacts.text import search_key

PAGE_SIZE = 20


def organisation_memberships_of(account):
    return (OrganisationMembership.objects.filter(account=account)
            .select_related("organisation").order_by("organisation__name"))


def with_cards(people: QuerySet[Person]) -> QuerySet[Person]:
    """Load what a person card shows (skills, roles) in a fixed number of queries."""
    return people.select_related("account").prefetch_related(
        Prefetch("person_skills", queryset=PersonSkill.objects.select_related("skill")),
        Prefetch("roles", queryset=NetworkRole.objects.order_by("role")),
    )


# Up to this many matches, a search by name or skill starts from the matching people
# and sorts just them; above it, it walks everyone in name order until a page is full.
# A rare name or skill would make that walk cover nearly all people, while a common one
# fills a page after a few dozen rows. The databases cannot tell the two apart by
# themselves (PostgreSQL guesses how common `LIKE '%word%'` is, and cannot see which
# skill a key names), so a quick capped count tells them. The counts stop at one too
# many: PostgreSQL answers names from the trigram index, and both answer skills from
# the index by skill.
FEW_MATCHES = 2000


def search_people(viewer, *, q: str = "", skill: str = "", role: str = "", region: str = "",
                  community: str = "") -> QuerySet[Person]:
    """Search the directory; every criterion respects the visibility of its section."""
    among, sections, few = Q(), [], False
    words = search_key(q).split()[:5]
    if words:
        named = Q(*[Q(search_name__contains=word) for word in words])
        among &= named
        # SQLite has no index for a substring: walking the name index in order, testing
        # each name before reading its row, is already its best plan for any name.
        if connection.vendor == "postgresql":
            matches = Person.objects.filter(named).order_by()[:FEW_MATCHES + 1].count()
            if not matches:
                return Person.objects.none()
            few = matches <= FEW_MATCHES
    if skill:
        found = list(PersonSkill.objects.filter(skill__key=search_key(skill)).order_by()
                     .values_list("skill_id", flat=True)[:FEW_MATCHES + 1])
        if not found:
            return Person.objects.none()
        holders = PersonSkill.objects.filter(skill_id=found[0])
        if len(found) <= FEW_MATCHES:
            among &= Q(pk__in=holders.values("person_id"))
            few = True
        else:
            among &= Exists(holders.filter(person=OuterRef("pk")))
        sections.append("skills")
    if region:
        among &= Q(region_key__contains=search_key(region))
        sections.append("region")
    people = visible_people_showing(viewer, sections, among=among)
    if role:
        people = people.filter(Exists(NetworkRole.objects.filter(person=OuterRef("pk"),
                                                                 role=role)))
    if community:
        found = community_for_directory(viewer, community)
        if found is None:
            return people.none()
        people = people.filter(Exists(Membership.objects.filter(
            community=found, account_id=OuterRef("account_id"))))
    if few:
        # The same order, by an expression no index serves, so that the database starts
        # from the few matches: PostgreSQL would otherwise walk the name index looking for
        # them, assuming they are spread evenly over the alphabet (they rarely are: all
        # the Zoës sort together).
        return people.order_by(Concat("search_name", Value("")), "pk")
    return people.order_by("search_name", "pk")


def community_for_directory(viewer, slug: str) -> Community | None:
    """The community whose members a viewer may list: public ones, or their own."""
    from weconomics.communities.queries import visible_communities

    found = visible_communities(viewer).filter(slug=slug).first()
    if found is None:
        return None
    if found.visibility == Community.Visibility.PUBLIC:
        return found
    if viewer is not None and viewer.is_authenticated and Membership.objects.filter(
            community=found, account=viewer).exists():
        return found
    return None


def page_of(queryset, page: int, size: int = PAGE_SIZE):
    """Return (rows, has_next) without counting the whole result."""
    page = max(1, page)
    rows = list(queryset[(page - 1) * size: page * size + 1])
    return rows[:size], len(rows) > size


def connections_of(viewer) -> QuerySet[Person]:
    """The viewer's first-degree connections, most recent first."""
    me = person_of(viewer)
    if me is None:
        return Person.objects.none()
    return (visible_people(viewer).filter(pk__in=Connection.objects.filter(person=me)
                                          .values("other_id"))
            .order_by("search_name", "pk"))


def second_degree_of(viewer) -> QuerySet[Person]:
    """People connected to the viewer's connections but not to the viewer, with mutual counts."""
    me = person_of(viewer)
    if me is None:
        return Person.objects.none()
    mine = Connection.objects.filter(person=me).values("other_id")
    return (visible_people(viewer)
            .exclude(pk=me.pk).exclude(pk__in=mine)
            .filter(connections__other_id__in=mine)
            .annotate(mutual=Count("connections", filter=Q(connections__other_id__in=mine)))
            .order_by("-mutual", "search_name", "pk"))


def people_you_may_know(viewer, limit: int = 12) -> list[Person]:
    """Suggest people from shared communities and connections' connections.

    Second-degree people come first (most mutual connections), then fellow members of
    the viewer's communities. Anyone already connected, asked, or blocked either way is
    left out.
    """
    me = person_of(viewer)
    if me is None:
        return []
    pending = ConnectionRequest.objects.filter(
        status__in=[ConnectionRequest.Status.PENDING, ConnectionRequest.Status.IGNORED])
    asked = list(pending.filter(sender=me).values_list("recipient_id", flat=True)) + list(
        pending.filter(recipient=me).values_list("sender_id", flat=True))
    suggestions = list(with_cards(second_degree_of(viewer).exclude(pk__in=asked))[:limit])
    if len(suggestions) < limit:
        seen = [p.pk for p in suggestions] + asked + [me.pk]
        my_communities = Membership.objects.filter(account_id=me.account_id).values(
            "community_id")
        fellows = (visible_people(viewer)
                   .exclude(pk__in=seen)
                   .exclude(pk__in=Connection.objects.filter(person=me).values("other_id"))
                   .filter(Exists(Membership.objects.filter(
                       account_id=OuterRef("account_id"), community_id__in=my_communities)))
                   .order_by("-updated_at", "pk"))
        suggestions += list(with_cards(fellows)[:limit - len(suggestions)])
    return suggestions


def requests_received(viewer) -> QuerySet[ConnectionRequest]:
    me = person_of(viewer)
    if me is None:
        return ConnectionRequest.objects.none()
    return (ConnectionRequest.objects.filter(recipient=me, status=ConnectionRequest.Status.PENDING)
            .select_related("sender", "sender__account"))


def requests_sent(viewer) -> QuerySet[ConnectionRequest]:
    """Requests the viewer sent that have no answer yet (an ignored one still looks open)."""
    me = person_of(viewer)
    if me is None:
        return ConnectionRequest.objects.none()
    return (ConnectionRequest.objects.filter(
        sender=me, status__in=[ConnectionRequest.Status.PENDING, ConnectionRequest.Status.IGNORED])
            .select_related("recipient"))


def blocked_people(viewer) -> QuerySet[Person]:
    me = person_of(viewer)
    if me is None:
        return Person.objects.none()
    return Person.objects.filter(pk__in=Block.objects.filter(blocker=me).values("blocked_id"))


def skills_with_endorsements(person: Person, viewer) -> list[PersonSkill]:
    """A person's skills with their endorsement counts and whether the viewer endorsed each."""
    me = person_of(viewer)
    skills = (PersonSkill.objects.filter(person=person).select_related("skill")
              .annotate(endorsement_count=Count("endorsements")))
    if me is not None:
        skills = skills.annotate(endorsed_by_me=Exists(Endorsement.objects.filter(
            person_skill=OuterRef("pk"), endorser=me)))
    return list(skills)


def approved_recommendations(person: Person) -> QuerySet[Recommendation]:
    return (Recommendation.objects.filter(subject=person,
                                          status=Recommendation.Status.APPROVED)
            .select_related("author"))


def recommendations_to_handle(viewer) -> dict[str, QuerySet[Recommendation]]:
    """Requests waiting for the viewer to write, and written ones waiting for their approval."""
    me = person_of(viewer)
    if me is None:
        empty = Recommendation.objects.none()
        return {"to_write": empty, "to_approve": empty}
    return {
        "to_write": Recommendation.objects.filter(
            author=me, status=Recommendation.Status.REQUESTED).select_related("subject"),
        "to_approve": Recommendation.objects.filter(
            subject=me, status=Recommendation.Status.WRITTEN).select_related("author"),
    }


def search_organisations(*, q: str = "", kind: str = "", role: str = "",
                         region: str = "") -> QuerySet[Organisation]:
    """Organisations are public: every viewer finds the same ones."""
    organisations = Organisation.objects.annotate(member_count=Count("memberships", distinct=True))
    for word in search_key(q).split()[:5]:
        organisations = organisations.filter(search_name__contains=word)
    if kind:
        organisations = organisations.filter(kind=kind)
    if role:
        organisations = organisations.filter(Exists(NetworkRole.objects.filter(
            organisation=OuterRef("pk"), role=role)))
    if region:
        organisations = organisations.filter(region_key__contains=search_key(region))
    return organisations.prefetch_related("roles").order_by("search_name", "pk")


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


# Owners first, then administrators, then members (alphabetical order would put owners last).
ROLE_RANK = Case(When(role=OrganisationMembership.Role.OWNER, then=Value(0)),
                 When(role=OrganisationMembership.Role.ADMIN, then=Value(1)),
                 default=Value(2), output_field=IntegerField())


def organisation_members(viewer, organisation: Organisation):
    """Members of an organisation; people whose card the viewer may not see are left out."""
    visible = visible_people(viewer).values("account_id")
    return (OrganisationMembership.objects.filter(organisation=organisation,
                                                  account_id__in=visible)
            .select_related("account__person")
            .order_by(ROLE_RANK, "account__person__search_name", "pk"))


def membership_in(organisation: Organisation, account) -> OrganisationMembership | None:
    if account is None or not account.is_authenticated:
        return None
    return OrganisationMembership.objects.filter(organisation=organisation,
                                                 account=account).first()


def news_for(account, limit: int = 20) -> QuerySet[OrganisationPost]:
    """News of the organisations an account follows, newest first."""
    return (OrganisationPost.objects.filter(organisation__followers__account=account)
            .select_related("organisation").order_by("-created_at", "-pk")[:limit])


def recommendations_written_by(viewer) -> QuerySet[Recommendation]:
    """Recommendations the viewer wrote that wait for approval or show on a profile."""
    me = person_of(viewer)
    if me is None:
        return Recommendation.objects.none()
    return (Recommendation.objects.filter(author=me, status__in=[
        Recommendation.Status.WRITTEN, Recommendation.Status.APPROVED])
            .select_related("subject"))
