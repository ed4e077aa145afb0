"""Download responses for the exports (.ics, .docx) and the translated labels Word documents use."""
from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from coordination.i18n import resolve

# Headings and column titles of the agenda and minutes documents (exports stay pure: they
# receive these already translated).
_DOCUMENT_LABELS = {
    "agenda": _l("Agenda"), "when": _l("When"), "where": _l("Where"), "online": _l("Online"),
    "items": _l("Items"), "item": _l("Item"), "presenter": _l("Presenter"), "duration": _l("Duration"),
    "total": _l("Total planned time"), "minutes": _l("Minutes"), "status": _l("Status"),
    "version": _l("version"), "correction": _l("Correction"), "attendance": _l("Attendance"),
    "organisation": _l("Organisation"), "person": _l("Person"), "presence": _l("Presence"),
    "quorum": _l("Quorum"), "summary": _l("Summary"), "proceedings": _l("Proceedings"),
    "decisions": _l("Decisions"), "reference": _l("Reference"), "decision": _l("Decision"),
    "vote": _l("Vote (for–against–abstentions)"), "actions": _l("Action items arising"), "code": _l("Code"),
    "action": _l("Action"), "owner": _l("Owner"), "focal": _l("Focal person"), "deadline": _l("Deadline"),
    "approval": _l("Approval"), "page": _l("Page"), "minutes_unit": _l("min"),
    "cancelled_banner": _l("This meeting is cancelled."), "postponed_banner": _l("This meeting is postponed."),
    "no_decisions": _l("No decision was recorded."), "no_actions": _l("No action item arose from this meeting."),
}


def document_labels() -> dict[str, str]:
    """The document labels in the current locale (and the locale itself, for dates)."""
    return {**{key: str(text) for key, text in _DOCUMENT_LABELS.items()}, "locale": str(get_locale() or "en")}


def download_language() -> str:
    """The language a document is produced in: ``?lang=`` when given (one of ``LANGUAGES``), else the viewer's.

    A language without a catalogue gives English, like the pages; an unknown code is a 400.
    """
    code = request.args.get("lang")
    if code is None:
        return str(get_locale())
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    return resolve(code)


def ics_response(data: bytes, name: str) -> Response:
    """An iCalendar file as a download that proxies and browsers do not cache."""
    return Response(data, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{name}.ics"', "Cache-Control": "no-store"})


def docx_response(data: bytes, name: str) -> Response:
    """A Word document as a download."""
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
