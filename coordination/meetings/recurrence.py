"""Meeting series: RRULE expansion on local wall-clock time, and the RRULE of the simple series form."""
from __future__ import annotations

from datetime import datetime

from dateutil.rrule import rrulestr

MAX_OCCURRENCES = 60


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
