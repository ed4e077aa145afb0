"""Local wall-clock times ↔ UTC for a body's IANA time zone, and RRULE expansion."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import rrulestr

MAX_OCCURRENCES = 60


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


def expand(rule: str, first_local: datetime, limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """Local start times of a series: the RRULE is applied to wall-clock time, so a monthly
    meeting at 10:00 stays at 10:00 across daylight-saving changes."""
    occurrences = []
    for when in rrulestr(rule, dtstart=first_local):
        occurrences.append(when)
        if len(occurrences) >= limit:
            break
    return occurrences


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def build_rrule(pattern: str, first_local: datetime, interval: int, count: int | None,
                until_local: datetime | None, ordinal: int | None = None) -> str:
    """An RRULE from the simple series form.

    ``pattern``: "weekly" (every ``interval`` weeks on the first meeting's weekday),
    "monthly_weekday" (e.g. the first Tuesday of every ``interval`` months; ``ordinal`` 1–4
    or -1 for the last) or "monthly_day" (the same day of the month).
    """
    weekday = WEEKDAYS[first_local.weekday()]
    if pattern == "weekly":
        parts = ["FREQ=WEEKLY", f"INTERVAL={interval}", f"BYDAY={weekday}"]
    elif pattern == "monthly_weekday":
        n = ordinal if ordinal else (first_local.day - 1) // 7 + 1
        parts = ["FREQ=MONTHLY", f"INTERVAL={interval}", f"BYDAY={n}{weekday}"]
    elif pattern == "monthly_day":
        parts = ["FREQ=MONTHLY", f"INTERVAL={interval}", f"BYMONTHDAY={first_local.day}"]
    else:
        raise ValueError(pattern)
    if count:
        parts.append(f"COUNT={count}")
    elif until_local:
        parts.append("UNTIL=" + until_local.strftime("%Y%m%dT%H%M%S"))
    return ";".join(parts)
