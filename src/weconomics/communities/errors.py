"""Errors of the communities domain; str(error) is a message fit to show to people."""

from weconomics.identity.errors import IdentityError


class CommunityError(IdentityError):
    """A request the communities domain refuses."""

    status = 400
    code = "community_error"


class NotFound(CommunityError):
    status = 404
    code = "not_found"


class NotAllowed(CommunityError):
    status = 403
    code = "not_allowed"


class Conflict(CommunityError):
    status = 409
    code = "conflict"


class Invalid(CommunityError):
    status = 422
    code = "invalid"


class AlreadyMember(Conflict):
    code = "already_member"


class LastSteward(Conflict):
    code = "last_steward"


class InvitationUnusable(Conflict):
    code = "invitation_unusable"
