"""Meeting pages: scheduling, series, agenda, invitees, attendance and the agenda .docx."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from coordination import dates
from coordination.accounts.queries import active_people, get_user
from coordination.bodies.models import Body
from coordination.bodies.queries import get_body
from coordination.dates import local_today
from coordination.db import utcnow
from coordination.downloads import document_labels, docx_response, download_language
from coordination.errors import ValidationError
from coordination.exports import docx as docx_export
from coordination.forms import submit
from coordination.i18n import in_locale
from coordination.meetings import agenda, attendance, queries, services
from coordination.meetings.forms import (
    AgendaItemForm,
    AttachmentForm,
    GuestForm,
    MeetingForm,
    SeriesForm,
    presence_choices,
)
from coordination.meetings.models import AgendaItem, Attachment, Invitation, Meeting, Presence, Rsvp
from coordination.organisations.queries import all_organisations
from coordination.page_cache import cached_page
from coordination.permissions import can, guard, visible_body_ids
from coordination.uploads import send
from coordination.urls import id_arg, page_arg

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def _detail_url(meeting: Meeting, section: str = "") -> str:
    """The meeting's page, at ``section`` (an anchor) if given."""
    return url_for("meetings.detail", meeting_id=meeting.id) + (f"#{section}" if section else "")


def _meeting_page(meeting_id: int, **_child: object) -> Meeting | None:
    """The meeting of a nested route (its child is loaded by the guard from the meeting)."""
    return queries.meeting_page(meeting_id)


def _meeting(meeting_id: int, **_child: object) -> Meeting | None:
    """The meeting alone (with its body), for a document download."""
    return queries.get_meeting(meeting_id)


def _warn(meeting: Meeting) -> None:
    for warning in services.overlaps(meeting):
        flash(warning, "warning")


def _body_for_new() -> Body | None:
    """The body named by ``?body=`` for a new meeting; the guard checks it (404 / 403)."""
    body_id = id_arg("body")
    return get_body(body_id) if body_id is not None else None


def _proposed(body: Body, in_days: int, title: str) -> dict[str, Any]:
    """What a new meeting's form first proposes: ``in_days`` from today, 10:00 to 12:00 local time."""
    start = datetime.combine(local_today(body.timezone) + timedelta(days=in_days), datetime.min.time()).replace(hour=10)
    return {"title": title, "timezone": body.timezone, "start_local": start, "end_local": start + timedelta(hours=2)}


# --- lists and scheduling ---------------------------------------------------------------------


@bp.route("/")
@guard("view", Meeting)
def index():
    upcoming = request.args.get("past") != "1"
    page = queries.meetings_list(visible_body_ids(current_user), upcoming, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("meetings/index.html", page=page, upcoming=upcoming)


@bp.route("/new", methods=["GET", "POST"])
@guard("schedule_meeting", Body, load=_body_for_new)
def create(body: Body):
    initial = None
    if request.method == "GET":
        initial = {**_proposed(body, 14, _("Ordinary meeting of %(body)s", body=body.acronym or body.name)),
                   "status": "planned"}
    form = MeetingForm(data=initial)

    def done(meeting: Meeting):
        _warn(meeting)
        return (_("Meeting scheduled with the body's members as invitees. Send the invitations from this page when "
                  "the meeting is ready."), _detail_url(meeting))

    return submit(form, lambda: services.create_meeting(body, form.data_for(), actor=current_user), done=done,
                  render=lambda: render_template("meetings/form.html", form=form, body=body, meeting=None))


@bp.route("/series/new", methods=["GET", "POST"])
@guard("schedule_meeting", Body, load=_body_for_new)
def create_series(body: Body):
    initial = None
    if request.method == "GET":
        initial = {**_proposed(body, 7, _("Monthly meeting of %(body)s", body=body.acronym or body.name)),
                   "interval": 1, "count": 12}
    form = SeriesForm(data=initial)
    return submit(
        form, lambda: services.create_series(body, form.data_for(), actor=current_user),
        done=lambda series: (ngettext("%(num)d meeting scheduled.", "%(num)d meetings scheduled.", len(series.meetings)),
                             url_for("bodies.detail", body_id=body.id) + "#meetings"),
        render=lambda: render_template("meetings/series_form.html", form=form, body=body))


# --- one meeting -------------------------------------------------------------------------------


def _detail(meeting: Meeting, agenda_form=None, attachment_form=None, guest_form=None, status: int = 200):
    quorum = attendance.meeting_quorum(meeting)
    mine = next((i for i in meeting.invitations if i.user_id == current_user.id), None)
    invited = {i.user_id for i in meeting.invitations}
    # The editing forms (and the people and organisations they list) only for those who edit.
    manage = can(current_user, "edit", meeting)
    people = active_people() if manage else []
    return render_template(
        "meetings/detail.html", meeting=meeting, quorum=quorum, mine=mine,
        past=meeting.end < utcnow(),
        total_minutes=sum(a.duration_minutes for a in meeting.agenda),
        agenda_form=agenda_form or (AgendaItemForm(all_organisations(), people) if manage else None),
        attachment_form=attachment_form or (AttachmentForm(meeting.agenda) if manage else None),
        guest_form=guest_form or (GuestForm([p for p in people if p.id not in invited]) if manage else None),
        rsvp_choices=[r for r in Rsvp if r != Rsvp.NONE],
        invitations=sorted(meeting.invitations, key=lambda i: (i.guest, i.organisation.name if i.organisation else "", i.alternate, i.person.full_name)),
    ), status


@bp.route("/<int:meeting_id>")
@cached_page
@guard("view", Meeting, load=queries.meeting_page)
def detail(meeting: Meeting):
    return _detail(meeting)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def edit(meeting: Meeting):
    if request.method == "GET":
        start, end = dates.local_span(meeting)
        form = MeetingForm(obj=meeting, start_local=start, end_local=end)
    else:
        form = MeetingForm()

    def done(_changes):
        _warn(meeting)
        return _("Meeting saved."), _detail_url(meeting)

    return submit(form, lambda: services.update_meeting(meeting, form.data_for(), actor=current_user), done=done,
                  render=lambda: render_template("meetings/form.html", form=form, body=meeting.body, meeting=meeting))


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def add_agenda_item(meeting: Meeting):
    form = AgendaItemForm(all_organisations(), active_people())
    return submit(form, lambda: agenda.add_agenda_item(meeting, form.data_for(), actor=current_user),
                  done=lambda _item: (_("Agenda item added."), _detail_url(meeting, "agenda")),
                  render=lambda: _detail(meeting, agenda_form=form, status=422))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@guard("edit", Meeting, load=_meeting_page, child=queries.agenda_item)
def edit_agenda_item(meeting: Meeting, item: AgendaItem):
    form = AgendaItemForm(all_organisations(), active_people(), obj=item if request.method == "GET" else None)
    return submit(form, lambda: agenda.update_agenda_item(item, form.data_for(), actor=current_user),
                  done=lambda _changes: (_("Agenda item saved."), _detail_url(meeting, "agenda")),
                  render=lambda: render_template("meetings/agenda_form.html", form=form, meeting=meeting, item=item))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/<any(up, down):direction>", methods=["POST"])
@guard("edit", Meeting, load=_meeting_page, child=queries.agenda_item)
def move_agenda_item(meeting: Meeting, item: AgendaItem):
    agenda.move_agenda_item(item, -1 if request.view_args["direction"] == "up" else 1, actor=current_user)
    return redirect(_detail_url(meeting, "agenda"), 303)


@bp.route("/<int:meeting_id>/agenda/order", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def reorder_agenda(meeting: Meeting):
    """The drag-and-drop layer posts the whole order here; Up/Down buttons work without it."""
    try:
        ids = [int(part) for part in request.form.get("order", "").split(",") if part.strip()]
    except ValueError:
        ids = []
    agenda.reorder_agenda(meeting, ids, actor=current_user)
    flash(_("Agenda order saved."), "success")
    return redirect(_detail_url(meeting, "agenda"), 303)


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
@guard("edit", Meeting, load=_meeting_page, child=queries.agenda_item)
def delete_agenda_item(meeting: Meeting, item: AgendaItem):
    agenda.remove_agenda_item(item, actor=current_user)
    flash(_("Agenda item removed."), "success")
    return redirect(_detail_url(meeting, "agenda"), 303)


@bp.route("/<int:meeting_id>/attachments", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def add_attachment(meeting: Meeting):
    form = AttachmentForm(meeting.agenda)

    def attach():
        upload = form.file.data
        if not upload or not upload.filename:
            raise ValidationError({"file": _("Choose a file.")})
        item = next((a for a in meeting.agenda if a.id == form.agenda_item_id.data), None)
        return agenda.add_attachment(meeting, upload, item, actor=current_user)

    return submit(form, attach, done=lambda _found: (_("Document attached."), _detail_url(meeting, "documents")),
                  render=lambda: _detail(meeting, attachment_form=form, status=422))


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>")
@guard("view", Meeting, load=_meeting, child=queries.attachment)
def attachment(meeting: Meeting, found: Attachment):
    return send(found.path, found.name, found.mime)


@bp.route("/<int:meeting_id>/guests", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def invite_guest(meeting: Meeting):
    invited = {i.user_id for i in meeting.invitations}
    form = GuestForm([p for p in active_people() if p.id not in invited])
    return submit(form, lambda: attendance.invite_guest(meeting, get_user(form.user_id.data), actor=current_user),
                  done=lambda _invitation: (_("Guest invited."), _detail_url(meeting, "invitees")),
                  render=lambda: _detail(meeting, guest_form=form, status=422))


@bp.route("/<int:meeting_id>/invitations/send", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def send_invitations(meeting: Meeting):
    """Mail the invitations once the meeting is ready (a series: once for all its meetings)."""
    count = services.send_invitations(meeting, actor=current_user)
    if count:
        flash(ngettext("%(num)d invitation is being sent.", "%(num)d invitations are being sent.", count), "success")
    else:
        flash(_("Everyone invited has already received the invitation."), "info")
    return redirect(_detail_url(meeting, "invitees"), 303)


@bp.route("/<int:meeting_id>/update/send", methods=["POST"])
@guard("edit", Meeting, load=queries.meeting_page)
def send_update(meeting: Meeting):
    """Send the held-back text changes to the invitees as one update."""
    count = services.send_pending_update(meeting, actor=current_user)
    flash(ngettext("The update is being sent to %(num)d invitee.", "The update is being sent to %(num)d invitees.", count),
          "success")
    return redirect(_detail_url(meeting, "invitees"), 303)


@bp.route("/<int:meeting_id>/invitees/<int:invitation_id>/remove", methods=["POST"])
@guard("edit", Meeting, load=_meeting_page, child=queries.invitation)
def remove_invitee(meeting: Meeting, invitation: Invitation):
    attendance.remove_invitee(invitation, actor=current_user)
    flash(_("%(name)s is no longer invited.", name=invitation.person.full_name), "success")
    return redirect(_detail_url(meeting, "invitees"), 303)


@bp.route("/<int:meeting_id>/rsvp", methods=["POST"])
@guard("rsvp", Meeting, load=queries.meeting_page)
def rsvp(meeting: Meeting):
    value = request.form.get("rsvp", "")
    if value not in {r.value for r in Rsvp} - {Rsvp.NONE.value}:
        flash(_("Choose whether you will attend."), "danger")
        return _detail(meeting, status=422)
    attendance.answer(meeting, current_user, Rsvp(value))
    flash(_("Your answer has been recorded."), "success")
    return redirect(_detail_url(meeting, "invitees"), 303)


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"], endpoint="attendance")
@guard("edit", Meeting, load=queries.meeting_page)
def attendance_register(meeting: Meeting):
    errors = {}
    if request.method == "POST":
        values = {}
        for invitation in meeting.invitations:
            raw = request.form.get(f"presence-{invitation.id}", Presence.UNKNOWN.value)
            if raw not in {p.value for p in Presence}:
                errors[invitation.id] = _("Not a valid choice")
            else:
                values[invitation.id] = Presence(raw)
        if not errors:
            attendance.record_attendance(meeting, values, actor=current_user)
            flash(_("Attendance recorded."), "success")
            return redirect(_detail_url(meeting, "attendance"), 303)
    invitations = sorted(meeting.invitations, key=lambda i: (i.organisation.name if i.organisation else "", i.alternate))
    return render_template("meetings/attendance.html", meeting=meeting, invitations=invitations,
                           choices=presence_choices(), errors=errors), 422 if errors else 200


# --- exports -----------------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/agenda.docx")
@guard("view", Meeting, load=queries.meeting_page)
def agenda_docx(meeting: Meeting):
    """The agenda in the viewer's language, or the one chosen with ``?lang=``."""
    with in_locale(download_language()) as code:
        data = docx_export.agenda_docx(meeting, document_labels(), code)
    return docx_response(data, f"agenda-{meeting.id}")
