"""Errors of the contacts domain; str(error) is a message fit to show to people."""

from weconomics.identity.errors import IdentityError


class ContactError(IdentityError):
    """A request the contacts domain refuses."""

    status = 400
    code = "contact_error"


class NotFound(ContactError):
    status = 404
    code = "not_found"


class NotAllowed(ContactError):
    status = 403
    code = "not_allowed"


class Conflict(ContactError):
    status = 409
    code = "conflict"


class Invalid(ContactError):
    status = 422
    code = "invalid"


class LastOwner(ContactError):
    status = 409
    code = "last_owner"
