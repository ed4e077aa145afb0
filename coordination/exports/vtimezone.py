"""VTIMEZONE components that every calendar program reads the same way.

Outlook and Mozilla's ical.js (Thunderbird) take a zone's rules from the file itself. ical.js
reads only the first value of an RDATE property, so a VTIMEZONE that lists transitions as
``RDATE:a,b,c`` (as ``icalendar``'s generator writes them) loses all but one transition and
puts summer meetings an hour off. Here a zone's transitions are found from the system's tz
database and written as yearly rules (``RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU``, the form
Outlook itself writes), with one component per irregular transition.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    at_local: datetime  # wall-clock time just before the change (in the old offset)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: bool

    def rule_key(self) -> tuple:
        """What must stay equal from year to year for one yearly rule to cover the transitions."""
        day = self.at_local
        nth = (day.day - 1) // 7 + 1
        last = (day + timedelta(days=7)).month != day.month
        return (self.offset_from, self.offset_to, self.name, self.dst, day.month, day.weekday(),
                -1 if last and nth >= 4 else nth, day.time())


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    found = []
    step = timedelta(hours=12)
    moment = start
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + step
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = moment, following  # the change lies in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            after = high.astimezone(zone)
            found.append(Transition(
                at_local=(high + previous).replace(tzinfo=None, microsecond=0),
                offset_from=previous, offset_to=offset, name=after.tzname() or "", dst=bool(after.dst()),
            ))
            previous = offset
        moment = following
    return found


def _byday(key: tuple) -> str:
    ordinal, weekday = key[6], key[5]
    return f"{ordinal}{WEEKDAYS[weekday]}"


def _component(kind: type[Component], start_local: datetime, offset_from: timedelta, offset_to: timedelta,
               name: str) -> Component:
    component = kind()
    component.add("dtstart", start_local)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    if name:
        component.add("tzname", name)
    return component


# The last year a range may end with: its end is 1 January of the next year, and datetime stops at 9999.
LAST_YEAR = 9998


@lru_cache(maxsize=64)
def _vtimezone(name: str, first_year: int, last_year: int) -> bytes:
    zone = ZoneInfo(name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    transitions = _transitions(zone, start, end)
    tz = Timezone()
    tz.add("tzid", name)
    # The offset in force at the start of the range (times before the first transition).
    initial = start.astimezone(zone)
    initial_offset = initial.utcoffset()
    kind = TimezoneDaylight if initial.dst() else TimezoneStandard
    tz.add_component(_component(kind, start.replace(tzinfo=None) + initial_offset, initial_offset, initial_offset,
                                initial.tzname() or ""))
    # Group each kind of transition into runs of consecutive years that follow one rule.
    runs: list[list[Transition]] = []
    open_runs: dict[tuple, list[Transition]] = {}
    for transition in transitions:
        key = transition.rule_key()
        run = open_runs.get(key)
        if run is not None and run[-1].at_local.year == transition.at_local.year - 1:
            run.append(transition)
        else:
            run = [transition]
            open_runs[key] = run
            runs.append(run)
    last_seen = transitions[-1].at_local.year if transitions else first_year
    for run in runs:
        first = run[0]
        kind = TimezoneDaylight if first.dst else TimezoneStandard
        component = _component(kind, first.at_local, first.offset_from, first.offset_to, first.name)
        if len(run) > 1:
            key = first.rule_key()
            rule = {"freq": "YEARLY", "bymonth": key[4], "byday": _byday(key)}
            if run[-1].at_local.year < last_seen:  # the rule stopped within the range
                rule["until"] = (run[-1].at_local - first.offset_from).replace(tzinfo=UTC)
            component.add("rrule", rule)
        tz.add_component(component)
    return tz.to_ical()


def vtimezone_ical(name: str, first: date, last: date) -> bytes:
    """The VTIMEZONE of IANA zone ``name`` valid for events between ``first`` and ``last``, serialised.

    The range is widened to whole years, two before and two after, so clients that look a
    little outside the events (alarms, free/busy) still find the rules — but never past the
    year 9998, the last whose end ``datetime`` can hold (events in year 9999 still get their rules).
    """
    return _vtimezone(name, first.year - 2, min(last.year + 2, LAST_YEAR))
