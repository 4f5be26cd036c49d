"""Errors of the identity domain, shown to people as clear messages."""


class IdentityError(Exception):
    """A request the identity domain refuses; str(error) is fit to show."""

    status = 400
    code = "identity_error"


class TokenLimitReached(IdentityError):
    status = 409
    code = "token_limit_reached"


class NotFound(IdentityError):
    status = 404
    code = "not_found"
