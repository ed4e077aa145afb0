"""Minutes pages: drafting, decisions, actions arising, circulation, comments, approval, corrections, .docx."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts.queries import active_people
from coordination.dates import local_today, localdate, to_local
from coordination.downloads import document_labels, docx_response, download_language
from coordination.errors import ValidationError
from coordination.exports import docx as docx_export
from coordination.forms import submit
from coordination.i18n import in_locale
from coordination.meetings import queries as meeting_queries
from coordination.meetings.attendance import meeting_quorum
from coordination.meetings.models import Meeting
from coordination.minutes import queries, services
from coordination.minutes.actions import source as actions_arising
from coordination.minutes.forms import (
    ApproveForm,
    ArisingActionForm,
    CommentForm,
    CorrectionForm,
    DecisionForm,
    MinutesForm,
)
from coordination.minutes.models import DecisionText, Minutes, MinutesStatus
from coordination.organisations.queries import all_organisations
from coordination.page_cache import cached_page
from coordination.permissions import can, guard

bp = Blueprint("minutes", __name__, url_prefix="/minutes")


def _minutes_url(minutes: Minutes) -> str:
    return url_for("minutes.detail", minutes_id=minutes.id)


@bp.route("/new/<int:meeting_id>", methods=["POST"])
@guard("edit", Meeting, load=meeting_queries.meeting_page)
def start(meeting: Meeting):
    minutes = services.start_minutes(meeting, actor=current_user)
    return redirect(_minutes_url(minutes), 303)


def _quorum_text(meeting: Meeting) -> str:
    q = meeting_quorum(meeting)
    if not q.judged:
        return _("Quorum cannot be judged: the body had no adopted charter on the meeting day.")
    verdict = _("Quorum met") if q.met else _("Quorum not met")
    return _("%(verdict)s: %(present)d of %(total)d member organisations present; %(required)d required (%(rule)s).",
                verdict=verdict, present=q.present, total=q.total, required=q.required, rule=q.rule)


def _minutes_page(minutes: Minutes, status: int = 200, **forms):
    meeting = meeting_queries.minutes_meeting(minutes.meeting_id)
    quorum_text = _quorum_text(meeting)
    # The secretariat's forms (and the lists they offer) are built only for those who edit.
    manage = can(current_user, "edit", minutes)
    circulated = minutes.status == MinutesStatus.CIRCULATED
    return render_template(
        "minutes/detail.html", minutes=minutes, meeting=meeting, quorum_text=quorum_text,
        versions=meeting.minutes, actions=actions_arising.get().of_meeting(meeting.id),
        comment_by_default=(local_today() + timedelta(days=current_app.config["MINUTES_COMMENT_DAYS"])).isoformat(),
        minutes_form=forms.get("minutes_form") or (MinutesForm(obj=minutes) if manage else None),
        decision_form=forms.get("decision_form") or (DecisionForm() if manage else None),
        approve_form=forms.get("approve_form") or (
            ApproveForm(meeting_queries.later_meetings(meeting)) if manage and circulated else None),
        correction_form=forms.get("correction_form") or (CorrectionForm() if manage else None),
        comment_form=forms.get("comment_form") or CommentForm(),
        action_form=forms.get("action_form") or (
            ArisingActionForm(all_organisations(), active_people()) if manage else None),
    ), status


@bp.route("/<int:minutes_id>")
@cached_page
@guard("view", Minutes, load=queries.minutes_page)
def detail(minutes: Minutes):
    return _minutes_page(minutes)


@bp.route("/<int:minutes_id>/edit", methods=["GET", "POST"])
@guard("edit", Minutes, load=queries.minutes_page)
def edit(minutes: Minutes):
    if request.method == "GET":  # the editor is on the minutes page (also where a stale edit points)
        return redirect(_minutes_url(minutes), 303)
    form = MinutesForm()

    def save():
        summaries = {s.id: request.form.get(f"section-{s.id}", s.summary)[:50000] for s in minutes.sections}
        services.update_minutes(minutes, form.data_for(), summaries, actor=current_user)

    return submit(form, save, done=lambda _none: (_("Minutes saved."), _minutes_url(minutes)),
                  render=lambda: _minutes_page(minutes, 422, minutes_form=form))


@bp.route("/<int:minutes_id>/decisions", methods=["POST"])
@guard("edit", Minutes, load=queries.minutes_page)
def add_decision(minutes: Minutes):
    form = DecisionForm()
    return submit(form, lambda: services.add_decision(minutes, form.data_for(), actor=current_user),
                  done=lambda decision: (_("Decision %(ref)s recorded.", ref=decision.reference),
                                         _minutes_url(minutes) + "#decisions"),
                  render=lambda: _minutes_page(minutes, 422, decision_form=form))


def _minutes_page_of(minutes_id: int, **_child: object) -> Minutes | None:
    """The minutes of a nested route (the guard loads the decision from them)."""
    return queries.minutes_page(minutes_id)


@bp.route("/<int:minutes_id>/decisions/<int:decision_id>/delete", methods=["POST"])
@guard("edit", Minutes, load=_minutes_page_of, child=queries.decision)
def delete_decision(minutes: Minutes, decision: DecisionText):
    services.remove_decision(decision, actor=current_user)
    return redirect(_minutes_url(minutes) + "#decisions", 303)


@bp.route("/<int:minutes_id>/decisions/<int:decision_id>/actions", methods=["POST"])
@guard("edit", Minutes, load=_minutes_page_of, child=queries.decision)
def add_action(minutes: Minutes, decision: DecisionText):
    form = ArisingActionForm(all_organisations(), active_people())
    return submit(form, lambda: services.action_from_decision(decision, form.data_for(), actor=current_user),
                  done=lambda item: (_("Action %(code)s created in the action items.", code=item.code),
                                     _minutes_url(minutes) + "#actions"),
                  render=lambda: _minutes_page(minutes, 422, action_form=form))


@bp.route("/<int:minutes_id>/<any(circulate, publish):step>", methods=["POST"])
@guard("edit", Minutes, load=lambda minutes_id, step: queries.minutes_page(minutes_id))
def step(minutes: Minutes):
    """Circulate (members are mailed the link and the date to comment by) or publish (mailed too)."""
    try:
        if request.view_args["step"] == "circulate":
            raw = request.form.get("comment_by", "").strip()
            try:
                comment_by = date.fromisoformat(raw) if raw else None
            except ValueError:
                raise ValidationError({"comment_by": _("Enter a date.")}) from None
            services.circulate(minutes, actor=current_user, comment_by=comment_by)
        else:
            services.publish(minutes, actor=current_user, document=_document(minutes))
    except ValidationError as error:
        for message in error.errors.values():
            flash(str(message), "danger")
        return _minutes_page(minutes, 422)
    flash(_("The minutes are now: %(status)s.", status=minutes.status.label), "success")
    return redirect(_minutes_url(minutes), 303)


def _document(minutes: Minutes):
    """The Word file to attach to the mail, when the secretariat ticked it (built after the change)."""
    if not request.form.get("attach_docx"):
        return None
    return lambda: (f"minutes-{minutes.meeting_id}-v{minutes.number}.docx", _minutes_docx(minutes))


@bp.route("/<int:minutes_id>/approve", methods=["POST"])
@guard("edit", Minutes, load=queries.minutes_page)
def approve(minutes: Minutes):
    form = ApproveForm(meeting_queries.later_meetings(minutes.meeting))
    return submit(
        form, lambda: services.approve(minutes, meeting_queries.get_meeting(form.approved_at_meeting_id.data),
                                       actor=current_user, document=_document(minutes)),
        done=lambda _none: (_("Minutes approved and locked."), _minutes_url(minutes)),
        render=lambda: _minutes_page(minutes, 422, approve_form=form))


@bp.route("/<int:minutes_id>/correct", methods=["POST"])
@guard("edit", Minutes, load=queries.minutes_page)
def correct(minutes: Minutes):
    form = CorrectionForm()
    return submit(form, lambda: services.correct(minutes, form.reason.data, actor=current_user),
                  done=lambda new: (_("Version %(n)d started as a draft.", n=new.number), _minutes_url(new)),
                  render=lambda: _minutes_page(minutes, 422, correction_form=form))


@bp.route("/<int:minutes_id>/comments", methods=["POST"])
@guard("comment", Minutes, load=queries.minutes_page)
def comment(minutes: Minutes):
    form = CommentForm()
    return submit(form, lambda: services.comment(minutes, form.text.data, actor=current_user),
                  done=lambda _entry: (_("Comment added."), _minutes_url(minutes) + "#comments"),
                  render=lambda: _minutes_page(minutes, 422, comment_form=form))


@bp.route("/<int:minutes_id>.docx")
@guard("view", Minutes, load=queries.minutes_page)
def docx(minutes: Minutes):
    """The minutes in the viewer's language, or the one chosen with ``?lang=``."""
    with in_locale(download_language()) as code:
        data = _minutes_document(minutes, code)
    meeting = minutes.meeting
    return docx_response(data, f"minutes-{meeting.id}-v{minutes.number}")


def _minutes_docx(minutes: Minutes) -> bytes:
    """The minutes in the current language (the Word file attached to minutes mail)."""
    return _minutes_document(minutes, str(get_locale() or "en"))


def _minutes_document(minutes: Minutes, code: str) -> bytes:
    meeting = meeting_queries.meeting_page(minutes.meeting_id)
    quorum_text = _quorum_text(meeting)
    attendance = [
        [i.organisation.name if i.organisation else "", i.person.full_name + (f" ({_('alternate')})" if i.alternate else ""),
         i.presence.label]
        for i in sorted(meeting.invitations, key=lambda i: (i.organisation.name if i.organisation else "", i.alternate))
    ]
    actions = [
        [a.code, a.title, a.lead_organisation.short_name if a.lead_organisation else "",
         a.focal_person.full_name if a.focal_person else "", localdate(a.deadline), a.decision_reference]
        for a in actions_arising.get().of_meeting(meeting.id)
    ]
    labels = document_labels()
    if minutes.approved_at_meeting:
        labels["approval_line"] = _("Approved at the meeting of %(date)s by %(name)s.",
                                    date=localdate(to_local(minutes.approved_at_meeting.start, meeting.timezone).date()),
                                    name=minutes.approved_by.full_name if minutes.approved_by else "")
    else:
        labels["approval_line"] = _("Not yet approved.")
    return docx_export.minutes_docx(minutes, attendance, quorum_text, actions, labels, code)
