// Reads an iCalendar file on stdin and prints, as JSON, every event's UTC instants as Mozilla's
// ical.js computes them: times are resolved with the file's own VTIMEZONE (as Thunderbird does),
// and recurring events are expanded with their EXDATEs and moved instances (RECURRENCE-ID).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));
const iso = (t) => (t ? t.toJSDate().toISOString().replace(".000Z", "Z") : null);
const zoneOf = (t) => (t && !t.isDate ? t.zone.tzid : null);

const events = root.getAllSubcomponents("vevent");
const exceptions = {};
for (const component of events) {
  if (component.hasProperty("recurrence-id")) {
    (exceptions[component.getFirstPropertyValue("uid")] ||= []).push(component);
  }
}
const out = { method: root.getFirstPropertyValue("method"), events: [] };
for (const component of events) {
  const event = new ICAL.Event(component);
  const item = {
    uid: event.uid,
    summary: event.summary,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    recurrence_id: event.recurrenceId ? iso(event.recurrenceId) : null,
    all_day: event.startDate.isDate,
    start: event.startDate.isDate ? event.startDate.toString() : iso(event.startDate),
    end: event.endDate ? (event.endDate.isDate ? event.endDate.toString() : iso(event.endDate)) : null,
    zone: zoneOf(event.startDate),
    occurrences: null,
  };
  if (event.isRecurring()) {
    for (const exception of exceptions[event.uid] || []) event.relateException(exception);
    const iterator = event.iterator();
    item.occurrences = [];
    for (let next = iterator.next(); next && item.occurrences.length < 500; next = iterator.next()) {
      const details = event.getOccurrenceDetails(next);
      item.occurrences.push({ start: iso(details.startDate), end: iso(details.endDate),
                              zone: zoneOf(details.startDate), summary: details.item.summary });
    }
  }
  out.events.push(item);
}
process.stdout.write(JSON.stringify(out));
