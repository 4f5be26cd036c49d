"""Errors of the identity domain, shown to people as clear messages."""


class IdentityError(Exception):
    """A request the identity domain refuses; str(error) is fit to show."""

    status = 400


class TokenLimitReached(IdentityError):
    status = 409


class NotFound(IdentityError):
    status = 404
