"""Errors of the catalogue; str(error) is a message fit to show to people."""

from weconomics.identity.errors import IdentityError


class CatalogueError(IdentityError):
    status = 400
    code = "catalogue_error"


class NotFound(CatalogueError):
    status = 404
    code = "not_found"


class NotAllowed(CatalogueError):
    status = 403
    code = "not_allowed"


class Invalid(CatalogueError):
    status = 422
    code = "invalid"


class Conflict(CatalogueError):
    status = 409
    code = "conflict"
