"""Errors of the notifications domain; str(error) is a message fit to show to people."""

from weconomics.identity.errors import IdentityError


class Invalid(IdentityError):
    status = 422
    code = "invalid"
