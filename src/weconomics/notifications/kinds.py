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
}


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
