"""The one time module: "today", a meeting's local day, UTC ↔ local wall-clock time, time
zones, and how dates and times are written for people.

Dates are stored in UTC (:class:`coordination.db.UTCDateTime`) and shown in the body's or
meeting's IANA time zone; a meeting's day is its local day (:func:`local_date`), never the UTC
date. The formatting helpers follow the current language (:mod:`coordination.i18n`) and are
template filters (``localtime``, ``localdate``, ``span``, ``moment``).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_interval as babel_format_interval
from babel.dates import format_skeleton
from flask import current_app
from flask_babel import format_date, format_time, get_locale

from coordination.i18n import current_locale


def local_today(zone: str | None = None) -> date:
    """The current date in ``zone`` (a body's or meeting's time zone), else in DEFAULT_TIMEZONE.

    Deadlines, "overdue", the default as-of date and "not in the future" checks are calendar
    dates of the people using the portal: an evening in Port-au-Prince is already tomorrow in
    UTC, where servers usually run.
    """
    return datetime.now(ZoneInfo(zone or current_app.config["DEFAULT_TIMEZONE"])).date()


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """The IANA zone names (read once: listing them walks the whole tz database on disk)."""
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def zone_choices() -> tuple[tuple[str, str], ...]:
    """(name, name) pairs of every zone, sorted, for select fields."""
    return tuple((z, z) for z in sorted(known_zones()))


def is_known_zone(name: str) -> bool:
    return name in known_zones()


def to_utc(local: datetime, zone: str) -> datetime:
    """A naive local time in ``zone`` as an aware UTC datetime.

    A time that does not exist (skipped at the start of daylight-saving time) moves forward
    by the gap; an ambiguous one (repeated hour) takes its first occurrence.
    """
    tz = ZoneInfo(zone)
    aware = local.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:  # in a gap
        aware = (local + timedelta(hours=1)).replace(tzinfo=tz)
    return aware.astimezone(UTC)


def local_span(meeting) -> tuple[datetime, datetime]:
    """A meeting's start and end as naive wall-clock times in its own time zone."""
    return to_local(meeting.start, meeting.timezone), to_local(meeting.end, meeting.timezone)


def local_date(meeting) -> date:
    """The meeting's day: the calendar date of its start in its own time zone.

    Never ``meeting.start.date()``: the start is stored in UTC, and an evening meeting west
    of Greenwich (20:30 in Port-au-Prince) is already the next day there. Seats, charters
    and decision years all follow this local day.
    """
    return to_local(meeting.start, meeting.timezone).date()


def to_local(moment: datetime, zone: str) -> datetime:
    """An aware datetime as naive wall-clock time in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``, or the portal default when it is empty or unknown."""
    try:
        return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def span_text(start: datetime, end: datetime, zone: ZoneInfo, locale: Locale | str, *, weekday: bool = True) -> str:
    """The one format of a meeting's start and end (pure: used by pages and Word documents alike).

    The same day is written once ("Tue, Nov 3, 2026, 10:00 AM – 12:00 PM EST",
    « mar. 3 nov. 2026, 10:00 – 12:00 HNE »); a span over several days repeats the date.
    The zone is the abbreviation of the start in ``zone``.
    """
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day_skeleton = "yMMMEd" if weekday else "yMMMd"
    time_skeleton = "hm" if "h" in str(locale.time_formats["short"].pattern) else "Hm"
    glue = str(locale.datetime_formats["medium"])  # "{1}, {0}": {1} is the date, {0} the time
    if local_start.date() == local_end.date():
        day = format_skeleton(day_skeleton, local_start, tzinfo=zone, locale=locale)
        if local_start == local_end:
            hours = format_skeleton(time_skeleton, local_start, tzinfo=zone, locale=locale)
        else:
            hours = babel_format_interval(local_start, local_end, time_skeleton, tzinfo=zone, locale=locale)
        text = glue.replace("{1}", day).replace("{0}", hours)
    else:
        ends = [glue.replace("{1}", format_skeleton(day_skeleton, moment, tzinfo=zone, locale=locale))
                .replace("{0}", format_skeleton(time_skeleton, moment, tzinfo=zone, locale=locale))
                for moment in (local_start, local_end)]
        text = f"{ends[0]} – {ends[1]}"
    return f"{text} {local_start.tzname()}"


def format_span(start: datetime | None, end: datetime | None, tz: str | None = None, *, weekday: bool = True) -> str:
    """A meeting's start and end in the reader's language, in the time zone ``tz`` (see :func:`span_text`)."""
    if start is None:
        return ""
    return span_text(start, end or start, zone(tz), current_locale(), weekday=weekday)


def format_moment(value: datetime | None, tz: str | None = None, *, weekday: bool = False) -> str:
    """One instant (a comment, a log-in) in the time zone ``tz``, with the zone abbreviation."""
    if value is None:
        return ""
    return format_span(value, value, tz, weekday=weekday)


def localtime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """A UTC datetime in the time zone ``tz`` (a body's): date, hour and zone abbreviation.

    ``fmt`` ("short", "medium", "full") sets how the date is written; the hour is always short.
    Date and time are formatted apart so Babel never names a zone of its own.
    """
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    locale = get_locale()
    day = _date_in(local.date(), fmt, locale) if locale else format_date(local.date(), fmt)
    hour = _time_in(local.time(), locale) if locale else format_time(local.time(), "short", rebase=False)
    return f"{day}, {hour} {local.tzname()}"


def localdate(value: date | None, fmt: str = "medium") -> str:
    """A calendar date in the reader's language ("Nov 3, 2026", « 3 nov. 2026 », "3 nov 2026")."""
    if not value:
        return ""
    locale = get_locale()
    # A datetime is rebased to the reader's zone by Flask-Babel: only plain dates are kept.
    return _date_in(value, fmt, locale) if locale and type(value) is date else format_date(value, fmt)


# Pages write the same dates and hours many times (deadlines, seat start dates, meetings):
# each is formatted once per language and process (Babel's formatting is costly next to a
# dictionary look-up), by the same Flask-Babel call, whose result depends on nothing else.
@lru_cache(maxsize=4096)
def _date_in(value: date, fmt: str, locale: Locale) -> str:
    return format_date(value, fmt)


@lru_cache(maxsize=2048)
def _time_in(value: time, locale: Locale) -> str:
    return format_time(value, "short", rebase=False)


def register(app) -> None:
    """The date and time template filters."""
    app.jinja_env.filters.update(localtime=localtime, localdate=localdate, span=format_span, moment=format_moment)
