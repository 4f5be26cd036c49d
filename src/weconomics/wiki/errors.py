"""Errors of the wiki; str(error) is a message fit to show to people."""

from weconomics.communities.errors import CommunityError


class WikiError(CommunityError):
    status = 400
    code = "wiki_error"


class NotFound(WikiError):
    status = 404
    code = "not_found"


class NotAllowed(WikiError):
    status = 403
    code = "not_allowed"


class Invalid(WikiError):
    status = 422
    code = "invalid"


class Protected(NotAllowed):
    code = "protected"


class EditConflict(WikiError):
    """Someone saved the page after the editor's base revision; nothing was saved.

    `latest` is the page's newest revision; `merged` the three-way merge of the base, the
    latest and the editor's text when their changes do not overlap, else None.
    """

    status = 409
    code = "edit_conflict"

    def __init__(self, message: str, *, latest, merged: str | None, text: str):
        super().__init__(message)
        self.latest = latest
        self.merged = merged
        self.text = text
