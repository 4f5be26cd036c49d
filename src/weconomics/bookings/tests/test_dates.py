"""The `dates` template library: month abbreviations as each language writes them, and the
span of a booking on one day or over several."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST_OF_DECEMBER = dt.datetime(2026, 12, 1, 9, 30, tzinfo=AMSTERDAM)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load dates %}" + source).render(Context(context))


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "di 1 dec 2026"), ("en", "Tue 1 Dec 2026"),
])
def test_langdate_writes_the_month_abbreviation_in_the_languages_case(language, shown):
    assert render('{{ d|langdate:"D j M Y" }}', language, d=FIRST_OF_DECEMBER) == shown


@pytest.mark.parametrize(("language", "shown"), [("nl", "dec 2026"), ("en", "Dec 2026")])
def test_langdate_formats_plain_dates_too(language, shown):
    assert render('{{ d|langdate:"M Y" }}', language, d=dt.date(2026, 12, 24)) == shown


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_escaped_m_stays_a_literal_letter(language):
    shown = render(r'{{ d|langdate:"\M\o\n\t\h: M" }}', language, d=FIRST_OF_DECEMBER)
    assert shown == ("Month: dec" if language == "nl" else "Month: Dec")


def test_named_formats_are_looked_up_not_rewritten():
    assert render('{{ d|langdate:"DATE_FORMAT" }}', "nl", d=FIRST_OF_DECEMBER) == "1 december 2026"
    assert render("{{ d|langdate }}", "nl", d=FIRST_OF_DECEMBER) == "1 december 2026"


def test_langdate_shows_aware_times_in_the_local_time_zone():
    late_in_utc = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 in Amsterdam
    assert render('{{ d|langdate:"j M, H:i" }}', "nl", d=late_in_utc) == "1 dec, 00:30"


def test_langdate_of_nothing_is_empty():
    assert render('{{ d|langdate:"j M" }}', "nl", d=None) == ""


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "di 1 dec 2026, 09:30–17:00"), ("en", "Tue 1 Dec 2026, 09:30–17:00"),
])
def test_a_span_within_one_day_shows_the_date_once(language, shown):
    end = FIRST_OF_DECEMBER.replace(hour=17, minute=0)
    assert render("{% timespan s e %}", language, s=FIRST_OF_DECEMBER, e=end) == shown


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "ma 1 mrt 2027, 09:00 – vr 5 mrt 2027, 17:00"),
    ("en", "Mon 1 Mar 2027, 09:00 – Fri 5 Mar 2027, 17:00"),
])
def test_a_span_over_several_days_shows_both_dates(language, shown):
    start = dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM)
    end = dt.datetime(2027, 3, 5, 17, tzinfo=AMSTERDAM)
    assert render("{% timespan s e %}", language, s=start, e=end) == shown


def test_days_are_compared_in_local_time_not_in_utc():
    # 22:00-23:30 UTC on 30 November is 23:00 on the 30th to 00:30 on 1 December locally.
    start = dt.datetime(2026, 11, 30, 22, tzinfo=dt.UTC)
    shown = render("{% timespan s e %}", "nl", s=start, e=start + dt.timedelta(minutes=90))
    assert shown == "ma 30 nov 2026, 23:00 – di 1 dec 2026, 00:30"
    same_day = dt.datetime(2026, 11, 30, 22, 30, tzinfo=AMSTERDAM)
    assert render("{% timespan s e %}", "nl", s=same_day.astimezone(dt.UTC),
                  e=same_day + dt.timedelta(minutes=20)) == "ma 30 nov 2026, 22:30–22:50"


def test_a_span_takes_a_day_format_and_may_have_no_end():
    start = dt.datetime(2027, 3, 1, 9, tzinfo=AMSTERDAM)
    assert render('{% timespan s None day="l j F Y" %}', "en", s=start) == (
        "Monday 1 March 2027, 09:00")
    assert render("{% timespan s e %}", "nl", s=None, e=start) == ""


@pytest.mark.parametrize(("language", "shown"), [
    ("nl", "ma 30 nov 2026, 23:00–00:00"), ("en", "Mon 30 Nov 2026, 23:00–00:00"),
])
def test_a_span_until_midnight_stays_on_its_day(language, shown):
    starts = dt.datetime(2026, 11, 30, 23, tzinfo=AMSTERDAM)
    assert render("{% timespan s e %}", language, s=starts,
                  e=starts + dt.timedelta(hours=1)) == shown
