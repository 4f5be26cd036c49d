"""Errors of bookings; str(error) is a message fit to show to people."""

from weconomics.identity.errors import IdentityError


class BookingError(IdentityError):
    status = 400
    code = "booking_error"


class NotFound(BookingError):
    status = 404
    code = "not_found"


class NotAllowed(BookingError):
    status = 403
    code = "not_allowed"


class Invalid(BookingError):
    status = 422
    code = "invalid"


class Conflict(BookingError):
    status = 409
    code = "conflict"


class Full(Conflict):
    """No places left; the answer offers the waiting list where there is one."""

    code = "full"


class Unavailable(Conflict):
    """A slot or a date range that is taken, or outside what can be booked."""

    code = "unavailable"


class TooLate(Conflict):
    code = "too_late"


class KeyReused(Conflict):
    """An Idempotency-Key sent again for a different booking."""

    code = "idempotency_key_reused"


class Busy(Conflict):
    """A lock not had in time: others are booking or changing the same thing right now."""

    code = "busy"
