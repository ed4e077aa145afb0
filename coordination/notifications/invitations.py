"""Meeting invitations, updates and cancellations by e-mail (iTIP, RFC 5546).

Each invitee gets one mail: text and HTML with the meeting, the agenda so far and a link to
answer in the portal, plus a ``text/calendar; method=REQUEST`` (or ``CANCEL``) part and the
same as an ``.ics`` file. A person invited to every occurrence of a series receives the series
once, with its rule, and later changes to one occurrence as instances of it (RECURRENCE-ID);
someone invited to some occurrences only receives each as a meeting of its own. The UID each
invitee's calendar holds is remembered on the invitation (``sent_uid``), with the SEQUENCE sent.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.db import utcnow
from coordination.exports import ics
from coordination.meetings.models import Invitation, Meeting, MeetingSeries, MeetingStatus, Rsvp
from coordination.notifications.message import Mail, link, render
from coordination.notifications.services import queue

PARTSTAT = {Rsvp.NONE: "NEEDS-ACTION", Rsvp.ACCEPTED: "ACCEPTED", Rsvp.DECLINED: "DECLINED",
            Rsvp.TENTATIVE: "TENTATIVE"}


def _url(meeting: Meeting) -> str:
    return link("meetings.detail", meeting_id=meeting.id)


def _sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]


def _role(invitation: Invitation) -> str:
    if invitation.voting and not invitation.alternate:
        return "REQ-PARTICIPANT"
    return "OPT-PARTICIPANT"


def _attendees(invitations: Sequence[Invitation]) -> list[ics.Attendee]:
    seen: dict[int, ics.Attendee] = {}
    for invitation in invitations:
        person = invitation.person
        if person.id not in seen and person.active:
            seen[person.id] = ics.Attendee(person.email, person.full_name, _role(invitation), PARTSTAT[invitation.rsvp])
    return sorted(seen.values(), key=lambda a: a.name)


def series_holders(series: MeetingSeries) -> set[int]:
    """People invited to every occurrence of ``series``: they receive it as one recurring event."""
    occurrences = list(series.meetings)
    if not occurrences:
        return set()
    holders = {i.user_id for i in occurrences[0].invitations}
    for meeting in occurrences[1:]:
        holders &= {i.user_id for i in meeting.invitations}
    return holders


def _mail(invitation: Invitation, meeting: Meeting, kind: str, method: str, calendar: bytes,
          occurrences: Sequence[Meeting] = ()) -> Mail:
    person = invitation.person
    from coordination.dates import localtime

    with force_locale(person.language if person.language in current_app.config["LANGUAGES"] else "en"):
        when = localtime(meeting.start, meeting.timezone, "full")
        subjects = {
            "invitation": _("Invitation: %(title)s, %(when)s", title=meeting.title, when=when),
            "series_invitation": _("Invitation to a series: %(title)s", title=meeting.series.title if meeting.series else meeting.title),
            "update": _("Updated: %(title)s, %(when)s", title=meeting.title, when=when),
            "cancellation": _("Cancelled: %(title)s, %(when)s", title=meeting.title, when=when),
            "uninvited": _("No longer invited: %(title)s, %(when)s", title=meeting.title, when=when),
        }
        subject = subjects[kind]
    text, html = render("meeting", person.language, kind=kind, meeting=meeting, person=person,
                        occurrences=[(m, localtime(m.start, m.timezone, "full")) for m in occurrences],
                        url=_url(meeting), when=when, end=localtime(meeting.end, meeting.timezone, "full"))
    return Mail(kind=f"meeting_{kind}", to_address=person.email, to_name=person.full_name, subject=subject,
                text=text, html=html, user_id=person.id, calendar=calendar.decode(), calendar_method=method,
                sender_name=meeting.body.name)


def _single(meeting: Meeting, invitation: Invitation, method: str, attendees: list[ics.Attendee]) -> bytes:
    """The meeting as the invitee's calendar holds it: an instance of the series, or a meeting of its own."""
    if invitation.sent_uid and meeting.series is not None and invitation.sent_uid == meeting.series.uid:
        event = ics.occurrence_event(meeting, _url(meeting), _sender())
    else:
        event = ics.meeting_event(meeting, _url(meeting), _sender())
    return ics.itip_calendar(method, [event], _sender(), meeting.body.name, attendees, meeting.title)


def _uid_and_sequence(meeting: Meeting, invitation: Invitation) -> None:
    if invitation.sent_uid and meeting.series is not None and invitation.sent_uid == meeting.series.uid:
        invitation.sent_sequence = meeting.series.sequence
    else:
        invitation.sent_uid = meeting.uid
        invitation.sent_sequence = meeting.sequence


def send_invitations(meeting: Meeting) -> int:
    """Invite everyone not yet invited by mail; a series goes once, with its rule, to those invited
    to all of it. Returns the number of mails queued."""
    now = utcnow()
    count = 0
    if meeting.series is not None:
        series = meeting.series
        occurrences = list(series.meetings)
        holders = series_holders(series)
        everyone = [i for m in occurrences for i in m.invitations]
        attendees = _attendees([i for i in everyone if i.user_id in holders])
        first = {}
        for invitation in everyone:
            if invitation.user_id in holders and invitation.sent_sequence is None:
                first.setdefault(invitation.user_id, invitation)
        if first:
            events = ics.series_events(series, occurrences, _url, _sender())
            calendar = ics.itip_calendar("REQUEST", events, _sender(), meeting.body.name, attendees, series.title)
            live = [m for m in occurrences if m.status != MeetingStatus.CANCELLED]
            for invitation in first.values():
                queue(_mail(invitation, occurrences[0], "series_invitation", "REQUEST", calendar, live))
                count += 1
        for occurrence in occurrences:
            for invitation in occurrence.invitations:
                if invitation.user_id in holders and invitation.sent_sequence is None:
                    invitation.sent_uid, invitation.sent_sequence = series.uid, series.sequence
            occurrence.invitations_sent_at = occurrence.invitations_sent_at or now
            occurrence.text_update_pending = False
        series.invitations_sent_at = series.invitations_sent_at or now
        # Guests of single occurrences get those occurrences as meetings of their own.
        for occurrence in occurrences:
            count += _invite_each(occurrence, [i for i in occurrence.invitations
                                               if i.user_id not in holders and i.sent_sequence is None])
        return count
    count = _invite_each(meeting, [i for i in meeting.invitations if i.sent_sequence is None])
    meeting.invitations_sent_at = meeting.invitations_sent_at or now
    meeting.text_update_pending = False
    return count


def _invite_each(meeting: Meeting, invitations: Sequence[Invitation]) -> int:
    if meeting.status == MeetingStatus.CANCELLED:
        return 0
    attendees = _attendees(meeting.invitations)
    for invitation in invitations:
        invitation.sent_uid = None
        _uid_and_sequence(meeting, invitation)
        calendar = _single(meeting, invitation, "REQUEST", attendees)
        queue(_mail(invitation, meeting, "invitation", "REQUEST", calendar))
    return len(invitations)


def send_update(meeting: Meeting) -> int:
    """Send the meeting as it now is to everyone who was sent it: an update (same UID, the
    higher SEQUENCE), or a cancellation when it is cancelled."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    method, kind = ("CANCEL", "cancellation") if cancelled else ("REQUEST", "update")
    attendees = _attendees(meeting.invitations)
    count = 0
    for invitation in meeting.invitations:
        if invitation.sent_sequence is None or not invitation.person.active:
            continue
        _uid_and_sequence(meeting, invitation)
        queue(_mail(invitation, meeting, kind, method, _single(meeting, invitation, method, attendees)))
        count += 1
    meeting.text_update_pending = False
    return count


def invitee_added(invitation: Invitation) -> int:
    """A person invited after the invitations went out gets theirs now."""
    meeting = invitation.meeting
    if meeting.invitations_sent_at is None:
        return 0
    return _invite_each(meeting, [invitation])


def invitee_removed(invitation: Invitation) -> int:
    """A person taken off the list after being invited gets a cancellation for them alone."""
    meeting = invitation.meeting
    if invitation.sent_sequence is None or not invitation.person.active:
        return 0
    if invitation.sent_uid and meeting.series is not None and invitation.sent_uid == meeting.series.uid:
        meeting.series.sequence += 1
    else:
        meeting.sequence += 1
    _uid_and_sequence(meeting, invitation)
    attendee = _attendees([invitation])
    queue(_mail(invitation, meeting, "uninvited", "CANCEL", _single(meeting, invitation, "CANCEL", attendee)))
    return 1


