"""Three independent readings of an iCalendar file: icalendar, vobject and Mozilla's ical.js.

Each gives ``{uid: [UTC start of every occurrence]}``: recurring events expanded with their
EXDATEs and moved instances. vobject and ical.js take the zone rules from the file's own
VTIMEZONE (as Outlook and Thunderbird do); icalendar resolves TZIDs with the system's zones.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import vobject
from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

JS = Path(__file__).parent / "js"


def _utc(value) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return None


def by_icalendar(data: bytes) -> dict[str, list[str]]:
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    moved: dict[str, dict[str, str]] = {}
    for event in events:
        if "RECURRENCE-ID" in event:
            moved.setdefault(str(event["UID"]), {})[_utc(event.decoded("RECURRENCE-ID"))] = _utc(event.decoded("DTSTART"))
    out: dict[str, list[str]] = {}
    for event in events:
        uid = str(event["UID"])
        if "RECURRENCE-ID" in event:
            if uid not in {str(e["UID"]) for e in events if "RECURRENCE-ID" not in e}:
                out.setdefault(uid, []).append(_utc(event.decoded("DTSTART")))
            continue
        start = event.decoded("DTSTART")
        if "RRULE" in event:
            rules = rruleset()
            rules.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
            exdates = event.get("EXDATE")
            for group in exdates if isinstance(exdates, list) else ([exdates] if exdates else []):
                for value in group.dts:
                    rules.exdate(value.dt)
            starts = [_utc(s) for s in rules]
            starts = [moved.get(uid, {}).get(s, s) for s in starts]
        else:
            starts = [_utc(start)]
        out.setdefault(uid, []).extend(starts)
    return {k: sorted(v) for k, v in out.items()}


def by_vobject(data: bytes) -> dict[str, list[str]]:
    cal = vobject.readOne(data.decode())
    events = list(getattr(cal, "vevent_list", []))
    masters = {e.uid.value for e in events if not hasattr(e, "recurrence_id")}
    moved: dict[str, dict[str, str]] = {}
    for event in events:
        if hasattr(event, "recurrence_id"):
            moved.setdefault(event.uid.value, {})[_utc(event.recurrence_id.value)] = _utc(event.dtstart.value)
    out: dict[str, list[str]] = {}
    for event in events:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            if uid not in masters:
                out.setdefault(uid, []).append(_utc(event.dtstart.value))
            continue
        if hasattr(event, "rrule"):
            starts = [moved.get(uid, {}).get(_utc(s), _utc(s)) for s in event.getrruleset(addRDate=True)]
        else:
            starts = [_utc(event.dtstart.value)]
        out.setdefault(uid, []).extend(starts)
    return {k: sorted(v) for k, v in out.items()}


def icaljs(data: bytes) -> dict:
    """The raw reading of ical.js (``tests/js/ics_instants.mjs``), run with Node.js in UTC."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the ical.js checks (make installs the tests/js packages)"
    assert (JS / "node_modules" / "ical.js").exists(), "run `npm ci` in tests/js (make does)"
    result = subprocess.run([node, str(JS / "ics_instants.mjs")], input=data, capture_output=True, check=True,  # noqa: S603
                            env={"TZ": "UTC", "PATH": str(Path(node).parent)}, timeout=60)
    return json.loads(result.stdout)


def by_icaljs(data: bytes) -> dict[str, list[str]]:
    parsed = icaljs(data)
    masters = {e["uid"] for e in parsed["events"] if not e["recurrence_id"]}
    out: dict[str, list[str]] = {}
    for event in parsed["events"]:
        if event["recurrence_id"]:
            if event["uid"] not in masters:
                out.setdefault(event["uid"], []).append(event["start"])
            continue
        if event["occurrences"] is not None:
            out.setdefault(event["uid"], []).extend(o["start"] for o in event["occurrences"])
        else:
            out.setdefault(event["uid"], []).append(event["start"])
        # A time resolved without the file's zone would fall back to the local ("floating") zone.
        assert event["all_day"] or event["zone"] in {None, "UTC"} or event["zone"] != "floating", event
    return {k: sorted(v) for k, v in out.items()}


def agree(data: bytes) -> dict[str, list[str]]:
    """The three readings, asserted equal; returns the common one."""
    first, second, third = by_icalendar(data), by_vobject(data), by_icaljs(data)
    assert first == second, ("icalendar and vobject disagree", first, second)
    assert first == third, ("icalendar and ical.js disagree", first, third)
    return first
