"""The kinds of notification, each with its text; params fill the placeholders."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "contacts.connection_requested": _("%(actor)s asks to connect with you."),
    "contacts.connection_accepted": _("%(actor)s accepted your connection request."),
    "contacts.skill_endorsed": _("%(actor)s endorsed your skill %(skill)s."),
    "contacts.recommendation_requested": _("%(actor)s asks you for a recommendation."),
    "contacts.recommendation_written": _("%(actor)s wrote a recommendation for you."),
    "contacts.organisation_invited": _("%(actor)s invites you to join %(organisation)s."),
    "contacts.organisation_role_changed": _("Your role in %(organisation)s is now %(role)s."),
    "contacts.organisation_news": _("%(organisation)s posted news: %(title)s"),
    "contacts.role_granted": _("You were given the role %(role)s."),
    "conversations.message": _("%(actor)s sent you a message."),
    "conversations.added": _("%(actor)s added you to the conversation %(title)s."),
    "communities.invited": _("%(actor)s invites you to join %(community)s."),
    "communities.join_requested": _("%(actor)s asks to join %(community)s."),
    "communities.join_approved": _("You are now a member of %(community)s."),
    "communities.join_declined": _("Your request to join %(community)s was declined."),
    "communities.role_changed": _("Your role in %(community)s is now %(role)s."),
    "communities.replied": _("%(actor)s replied to “%(title)s” in %(community)s."),
    "wiki.page_changed": _("%(actor)s changed the wiki page “%(title)s” in %(community)s."),
    "communities.publication_waiting": _("“%(title)s” waits for approval in %(community)s."),
    "communities.alliance_proposed": _("%(other)s proposes an alliance with %(community)s."),
    "communities.alliance_accepted": _("%(other)s accepted the alliance with %(community)s."),
    "communities.alliance_declined": _("%(other)s declined the alliance with %(community)s."),
    "communities.alliance_ended": _("%(other)s ended the alliance with %(community)s."),
    "bookings.new": _("%(actor)s booked %(product)s."),
    "bookings.confirmed": _("Your booking of %(product)s is confirmed."),
    "bookings.declined": _("Your request for %(product)s was declined."),
    "bookings.cancelled": _("A booking of %(product)s was cancelled."),
    "bookings.proposed": _("%(actor)s proposes a date and price for %(product)s."),
    "bookings.proposal_answered": _("%(actor)s answered your proposal for %(product)s."),
    "bookings.completed": _("%(product)s is completed. You can write a review."),
    "bookings.place_offered": _("A place is free for you at %(product)s. Book it soon."),
    "bookings.minimum_not_reached": _(
        "%(product)s has %(taken)s of the %(minimum)s participants it needs. Go ahead or "
        "cancel?"),
    "bookings.minimum_at_risk": _("%(product)s may not go ahead: too few participants."),
}


def render(kind: str, params: dict) -> str:
    """Return the notification's text in the active language."""
    template = KINDS.get(kind)
    if template is None:
        return str(params.get("text", kind))
    if params.get("actor") == "":
        # The account that caused it was deleted.
        params = {**params, "actor": str(_("A deleted user"))}
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


# What each kind is called on the settings page, where people choose what the digest skips.
LABELS = {
    "contacts.connection_requested": _("Connection requests"),
    "contacts.connection_accepted": _("Accepted connection requests"),
    "contacts.skill_endorsed": _("Endorsements of your skills"),
    "contacts.recommendation_requested": _("Requests for a recommendation"),
    "contacts.recommendation_written": _("Recommendations written for you"),
    "contacts.organisation_invited": _("Invitations to an organisation"),
    "contacts.organisation_role_changed": _("Changes of your role in an organisation"),
    "contacts.organisation_news": _("News of organisations you follow"),
    "contacts.role_granted": _("Network roles given to you"),
    "conversations.message": _("New messages"),
    "conversations.added": _("Being added to a conversation"),
    "communities.invited": _("Invitations to a community"),
    "communities.join_requested": _("Requests to join a community you steward"),
    "communities.join_approved": _("Your requests to join being approved"),
    "communities.join_declined": _("Your requests to join being declined"),
    "communities.role_changed": _("Changes of your role in a community"),
    "communities.replied": _("Replies in discussions you take part in"),
    "wiki.page_changed": _("Changes to wiki pages you watch"),
    "communities.publication_waiting": _("Publications waiting for your approval"),
    "communities.alliance_proposed": _("Alliances proposed to a community you steward"),
    "communities.alliance_accepted": _("Alliances accepted"),
    "communities.alliance_declined": _("Alliances declined"),
    "communities.alliance_ended": _("Alliances ended"),
    "bookings.new": _("New bookings of your products"),
    "bookings.confirmed": _("Your bookings confirmed"),
    "bookings.declined": _("Your requests declined"),
    "bookings.cancelled": _("Cancelled bookings"),
    "bookings.proposed": _("Proposals for your requests"),
    "bookings.proposal_answered": _("Answers to your proposals"),
    "bookings.completed": _("Completed bookings"),
    "bookings.place_offered": _("A place freed for you on a waiting list"),
    "bookings.minimum_not_reached": _("Dates that lack participants"),
    "bookings.minimum_at_risk": _("Dates you booked that may not go ahead"),
}


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
