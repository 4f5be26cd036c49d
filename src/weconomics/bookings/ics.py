"""Calendar files (RFC 5545) for bookings: one .ics per booking, and a feed of them all."""

import datetime as dt

from django.conf import settings

from weconomics.bookings.models import Booking, State


def _escape(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 section 3.1 asks."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        size = 75 if start == 0 else 74
        end = min(start + size, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(booking: Booking) -> list[str] | None:
    if booking.occurrence_id:
        return [f"DTSTART:{_utc(booking.occurrence.starts_at)}",
                f"DTEND:{_utc(booking.occurrence.ends_at)}"]
    if booking.starts_at and booking.ends_at:
        return [f"DTSTART:{_utc(booking.starts_at)}", f"DTEND:{_utc(booking.ends_at)}"]
    if booking.start_date and booking.end_date:
        return [f"DTSTART;VALUE=DATE:{booking.start_date:%Y%m%d}",
                f"DTEND;VALUE=DATE:{booking.end_date:%Y%m%d}"]
    return None


def event_lines(booking: Booking, now: dt.datetime) -> list[str]:
    when = _when(booking)
    if when is None:
        return []
    host = (getattr(settings, "SITE_URL", "") or "weconomics").split("//")[-1].strip("/")
    where = ""
    if booking.occurrence_id:
        where = booking.occurrence.venue or booking.occurrence.online_url
    elif booking.unit_id:
        where = f"{booking.product.venue} ({booking.unit.name})".strip()
    else:
        where = booking.product.venue or booking.product.online_url
    cancelled = booking.state in (State.CANCELLED, State.DECLINED)
    lines = ["BEGIN:VEVENT", f"UID:booking-{booking.pk}@{host}", f"DTSTAMP:{_utc(now)}", *when,
             f"SUMMARY:{_escape(booking.product.title)}",
             f"DESCRIPTION:{_escape(booking.product.summary or booking.product.provider_name)}",
             f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
             f"SEQUENCE:{booking.events.count() if hasattr(booking, 'events') else 0}"]
    if where:
        lines.append(f"LOCATION:{_escape(where)}")
    lines.append("END:VEVENT")
    return lines


def calendar(bookings, *, name: str = "Weconomics") -> str:
    now = dt.datetime.now(dt.UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Weconomics//Bookings//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    for booking in bookings:
        lines += event_lines(booking, now)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
