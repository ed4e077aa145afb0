"""Minutes by e-mail: circulated for comment (link and date to comment by), approved, published."""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.bodies.models import PersonMembership
from coordination.dates import local_today
from coordination.extensions import db
from coordination.minutes.models import Minutes
from coordination.notifications.message import Attachment, Mail, link, render
from coordination.notifications.services import queue

DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def members(body_id: int, on: date) -> list[User]:
    """The people holding a seat on the body on ``on`` (active accounts, each once)."""
    return list(db.session.execute(
        db.select(User).join(PersonMembership, PersonMembership.user_id == User.id).where(
            PersonMembership.body_id == body_id, PersonMembership.start_date <= on,
            db.or_(PersonMembership.end_date.is_(None), PersonMembership.end_date >= on), User.active.is_(True),
        ).distinct().order_by(User.full_name)
    ).scalars())


def _send(minutes: Minutes, kind: str, comment_by: date | None = None,
          document: tuple[str, bytes] | None = None) -> int:
    meeting = minutes.meeting
    from coordination.dates import localdate, localtime

    people = members(meeting.body_id, local_today())
    for person in people:
        language = person.language if person.language in current_app.config["LANGUAGES"] else "en"
        with force_locale(language):
            subjects = {
                "circulated": _("Minutes for comment: %(title)s", title=meeting.title),
                "approved": _("Minutes approved: %(title)s", title=meeting.title),
                "published": _("Minutes published: %(title)s", title=meeting.title),
            }
            subject = subjects[kind]
            when = localtime(meeting.start, meeting.timezone, "full")
            by = localdate(comment_by, "full") if comment_by else ""
        text, html = render("minutes", person.language, kind=kind, minutes=minutes, meeting=meeting, person=person,
                            when=when, comment_by=by, url=link("minutes.detail", minutes_id=minutes.id),
                            attached=document is not None)
        attachments = [Attachment(document[0], document[1], *DOCX)] if document else []
        queue(Mail(kind=f"minutes_{kind}", to_address=person.email, to_name=person.full_name, subject=subject,
                   text=text, html=html, user_id=person.id, attachments=attachments, sender_name=meeting.body.name))
    return len(people)


def circulated(minutes: Minutes, comment_by: date) -> int:
    return _send(minutes, "circulated", comment_by=comment_by)


def settled(minutes: Minutes, kind: str, document: tuple[str, bytes] | None) -> int:
    """Approved or published: the link, and the Word file when the secretariat ticked it."""
    return _send(minutes, kind, document=document)
