"""Dates as the active language writes them: {{ value|langdate:"D j M Y" }}, and when
something runs: {% timespan starts ends %}.

They live beside `money` rather than in the web app because the booking mails use them too,
and a domain never loads the web layer's tags.
"""

import datetime as dt
import re

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats, translation
from django.utils.timezone import template_localtime

register = template.Library()

# Languages that write a month's abbreviation in lower case ("di 1 dec 2026"). Django's `M`
# title-cases the abbreviation in every language; its `b` gives it as translated.
LOWERCASE_MONTH_LANGUAGES = frozenset({"nl"})
# A format character preceded by a backslash is a literal letter, as in django.utils.dateformat.
UNESCAPED_M = re.compile(r"(?<!\\)M")


def in_language(format_string: str | None) -> str:
    """Return the date format with `M` as `b` where the active language lowercases months.

    A named format ("DATE_FORMAT") is looked up first; a backslash-escaped character is left
    alone, so `\\M` stays a literal M (the same rule Django's formatter applies).
    """
    format_string = format_string or "DATE_FORMAT"
    if format_string in formats.FORMAT_SETTINGS:
        format_string = formats.get_format(format_string)
    language = (translation.get_language() or "").split("-")[0]
    if language not in LOWERCASE_MONTH_LANGUAGES:
        return format_string
    return UNESCAPED_M.sub("b", format_string)


@register.filter(expects_localtime=True, is_safe=False)
def langdate(value, arg=None) -> str:
    """Format like Django's `date`, writing month abbreviations as the active language does."""
    return date_filter(value, in_language(arg))


@register.simple_tag
def timespan(starts, ends=None, day: str = "D j M Y") -> str:
    """When something runs, in local time and the active language.

    Within one local day the end shows as a time only ("di 1 dec 2026, 09:00–17:00"); when it
    ends on another day both dates show ("ma 1 mrt 2027, 09:00 – vr 5 mrt 2027, 17:00").
    `day` is the date part's format; the time follows it after a comma.
    """
    if not starts:
        return ""
    starts, at = template_localtime(starts), f"{day}, H:i"
    if not ends:
        return langdate(starts, at)
    ends = template_localtime(ends)
    # Until midnight is still the same evening ("23:00–00:00"), not a second day.
    if ends.date() == starts.date() or (
            ends.time() == dt.time(0) and ends.date() - starts.date() == dt.timedelta(days=1)):
        return f"{langdate(starts, at)}–{date_filter(ends, 'H:i')}"
    return f"{langdate(starts, at)} – {langdate(ends, at)}"
