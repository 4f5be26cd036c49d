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
