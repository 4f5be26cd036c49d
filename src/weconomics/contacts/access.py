"""The one place that decides what a viewer may see of a contact.

Pages, the API, the directory search and the account export all read people through
these helpers; nothing else filters Person rows for a viewer.

A viewer stands in one relation to a person, and each relation reaches up to a level:
  the person themselves -> everything ("only me" included)
  a connection          -> public, community and connection sections
  a fellow member of a community they share -> public and community sections
  anyone else, and anyone the person has blocked -> public sections only
A section shows when the viewer's level reaches its visibility and the profile card
itself (the "profile" section) is visible to them.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from weconomics.communities.models import Membership
from weconomics.contacts.errors import NotFound
from weconomics.contacts.models import SECTIONS, Block, Connection, Person, Visibility

# The level a viewer needs for each visibility.
NEEDED = {Visibility.PUBLIC: 0, Visibility.COMMUNITIES: 1, Visibility.CONNECTIONS: 2,
          Visibility.PRIVATE: 3}
STRANGER, COMMUNITY, CONNECTION, SELF = 0, 1, 2, 3


def person_of(account) -> Person | None:
    """Return the account's own person profile, or None for a visitor or a new account."""
    if account is None or not account.is_authenticated:
        return None
    try:
        return account.person
    except Person.DoesNotExist:
        return None


def display_name(account, *, fallback: str | None = None) -> str:
    """The name people see for an account: its profile's display name, else the account's
    name, else `fallback` (the email address when none is given)."""
    person = getattr(account, "person", None)
    name = getattr(person, "display_name", "") or account.name
    if name:
        return name
    return account.email if fallback is None else fallback


@dataclass(frozen=True)
class ViewerContext:
    """What one viewer's relations are, as subqueries evaluated inside a single SQL query."""

    me: Person | None

    @property
    def signed_in(self) -> bool:
        return self.me is not None

    def connected(self):
        return Q(pk__in=Connection.objects.filter(person=self.me).values("other_id"))

    def shares_community(self):
        my_communities = Membership.objects.filter(account_id=self.me.account_id).values(
            "community_id")
        # Only memberships whose owner consents to share with that community count.
        return Exists(Membership.objects.filter(account_id=OuterRef("account_id"),
                                                community_id__in=my_communities,
                                                share_profile=True))

    def has_blocked_me(self):
        return Q(pk__in=Block.objects.filter(blocked=self.me).values("blocker_id"))

    def blocked_by_me(self):
        return Q(pk__in=Block.objects.filter(blocker=self.me).values("blocked_id"))

    def level(self):
        """An SQL expression for the viewer's level towards each person row."""
        if not self.signed_in:
            return Value(STRANGER, output_field=IntegerField())
        return Case(
            When(pk=self.me.pk, then=Value(SELF)),
            When(self.has_blocked_me(), then=Value(STRANGER)),
            When(self.connected(), then=Value(CONNECTION)),
            When(self.shares_community(), then=Value(COMMUNITY)),
            default=Value(STRANGER), output_field=IntegerField())

    def reaches(self, section: str) -> Q:
        """A filter: rows whose section (and card) this viewer may see."""
        field = f"{section}_visibility"
        public = Q(**{field: Visibility.PUBLIC}) & Q(profile_visibility=Visibility.PUBLIC)
        if not self.signed_in:
            return public
        connection = (Q(**{f"{field}__in": [Visibility.PUBLIC, Visibility.COMMUNITIES,
                                            Visibility.CONNECTIONS]})
                      & ~Q(profile_visibility=Visibility.PRIVATE))
        community = (Q(**{f"{field}__in": [Visibility.PUBLIC, Visibility.COMMUNITIES]})
                     & Q(profile_visibility__in=[Visibility.PUBLIC, Visibility.COMMUNITIES]))
        # The same rule as ProfileAccess.can_see, shaped for the database: the block is
        # checked once, and the cheap column tests come before the relation subqueries so
        # most rows are decided without them (the planner keeps the order of OR terms).
        return Q(pk=self.me.pk) | (~self.has_blocked_me() & (
            public
            | (connection & self.connected())
            | (community & self.shares_community())))


def viewer_context(viewer) -> ViewerContext:
    return ViewerContext(me=person_of(viewer))


class ProfileAccess:
    """What one viewer may see of one person; built by `profile_for` or `visible_people`."""

    def __init__(self, person: Person, level: int, *, is_self: bool = False,
                 blocked_by_them: bool = False):
        self.person = person
        self.level = level
        self.is_self = is_self
        self.blocked_by_them = blocked_by_them

    def can_see(self, section: str) -> bool:
        if section not in SECTIONS:
            raise ValueError(f"unknown profile section {section!r}")
        if self.is_self:
            return True
        person = self.person
        card = NEEDED[person.profile_visibility]
        return max(card, NEEDED[getattr(person, f"{section}_visibility")]) <= self.level

    @cached_property
    def visible(self) -> dict[str, bool]:
        return {section: self.can_see(section) for section in SECTIONS}

    @property
    def is_connection(self) -> bool:
        return self.level >= CONNECTION and not self.is_self


def _access_from_row(person: Person, ctx: ViewerContext) -> ProfileAccess:
    is_self = ctx.me is not None and person.pk == ctx.me.pk
    return ProfileAccess(person, person.viewer_level, is_self=is_self)


def visible_people(viewer) -> QuerySet[Person]:
    """People whose card the viewer may see, each annotated with `viewer_level`.

    Blocks hide people both ways here: the directory, suggestions and lists never show
    someone who blocked the viewer or whom the viewer blocked.
    """
    return visible_people_showing(viewer)


def visible_people_showing(viewer, sections=(), *, among: Q | None = None,
                           with_level: bool = True) -> QuerySet[Person]:
    """Like `visible_people`, keeping only people whose given sections the viewer may see.

    `among` narrows the people first (search criteria on their own columns), so that the
    database tests the cheap criteria before the viewer's relations. A section that
    shows implies that the card shows, so each section replaces the card's condition
    rather than adding to it: fewer subqueries for the database to run per row.
    """
    ctx = viewer_context(viewer)
    people = Person.objects.filter(among) if among is not None else Person.objects.all()
    people = people.filter(account__is_active=True)
    if with_level:
        # with_level=False for lists that show only names: the level's relation subqueries
        # then cost nothing (with_level rows feed `accesses`, which needs the level).
        people = people.annotate(viewer_level=ctx.level())
    for section in sections or ("profile",):
        people = people.filter(ctx.reaches(section))
    if ctx.signed_in:
        people = people.exclude(ctx.blocked_by_me() & ~Q(pk=ctx.me.pk))
    return people


def accesses(viewer, people) -> list[ProfileAccess]:
    """Pair each person of a `visible_people` queryset with what the viewer may see."""
    ctx = viewer_context(viewer)
    return [_access_from_row(person, ctx) for person in people]


def profile_for(viewer, handle: str) -> ProfileAccess:
    """Return what the viewer may see of the person with this handle, or raise NotFound.

    Someone the person has blocked still finds the profile, but sees only what is public.
    """
    ctx = viewer_context(viewer)
    people = Person.objects.select_related("account").annotate(viewer_level=ctx.level())
    if ctx.signed_in:
        # In the same query: one round trip less on every profile page.
        people = people.annotate(blocks_viewer=Exists(Block.objects.filter(
            blocker=OuterRef("pk"), blocked=ctx.me)))
    person = people.filter(handle=handle, account__is_active=True).first()
    if person is None:
        raise NotFound(_not_found())
    access = _access_from_row(person, ctx)
    if not access.can_see("profile"):
        raise NotFound(_not_found())
    if ctx.signed_in and not access.is_self:
        access.blocked_by_them = person.blocks_viewer
    return access


def person_for(viewer, handle: str, *, known=None) -> Person:
    """Return the person with this handle for the viewer to act on, or raise NotFound.

    A profile the viewer may not see answers exactly like a handle that does not exist:
    the same NotFound, whatever the action, so no write reveals that a hidden profile
    exists. `known(me, other)` admits a hidden person the viewer is already in touch
    with (a connection to end, a block to lift); it runs only for hidden profiles.
    """
    other = Person.objects.select_related("account").filter(
        handle=handle, account__is_active=True).first() if handle else None
    if other is None:
        raise NotFound(_not_found())
    me = person_of(viewer)
    if me is not None and me.pk == other.pk:
        return other
    if access_to(viewer, other).can_see("profile"):
        return other
    if me is not None and known is not None and known(me, other):
        return other
    raise NotFound(_not_found())


def access_to(viewer, person: Person) -> ProfileAccess:
    """Return what the viewer may see of a person already in hand (for other modules)."""
    ctx = viewer_context(viewer)
    level = Person.objects.filter(pk=person.pk).annotate(
        viewer_level=ctx.level()).values_list("viewer_level", flat=True).first()
    return ProfileAccess(person, level or 0,
                         is_self=ctx.me is not None and ctx.me.pk == person.pk)


def is_blocked_between(a: Person, b: Person) -> bool:
    """True when either person has blocked the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def are_connected(a: Person, b: Person) -> bool:
    return Connection.objects.filter(person=a, other=b).exists()


def can_message(sender_account, recipient_account) -> bool:
    """True when the sender may start or continue a direct conversation with the recipient.

    Direct messages need an accepted connection and no block either way.
    """
    sender, recipient = person_of(sender_account), person_of(recipient_account)
    if sender is None or recipient is None or sender.pk == recipient.pk:
        return False
    return are_connected(sender, recipient) and not is_blocked_between(sender, recipient)


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("There is no such profile, or it is not visible to you.")
