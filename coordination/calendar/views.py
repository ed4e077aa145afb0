"""Calendar pages: the subscription feeds (token in the URL), a meeting's .ics and the feed address.

Two blueprints, because their addresses predate this domain and calendar programs are
subscribed to them: ``calendar`` holds the token feeds under ``/calendar`` (revalidated by
calendar programs: ``private, no-cache``); ``calendar_pages`` holds what a signed-in person
uses — ``/meetings/<id>.ics`` and ``/accounts/calendar-feed`` (``no-store`` like every page).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.accounts import security
from coordination.accounts.models import User
from coordination.bodies.models import Body
from coordination.calendar import feeds, queries, services
from coordination.meetings.models import Meeting
from coordination.meetings.queries import get_meeting
from coordination.permissions import bodies_sat_on, feed_guard, guard, login_only, visible_body_ids

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
pages = Blueprint("calendar_pages", __name__)


@bp.app_template_global()
def calendar_feed_url(user: User, body: Body | None = None) -> str | None:
    """The user's secret feed address (of ``body``, or their personal feed), or None if they have none."""
    token = services.feed_token(user) if user.is_authenticated else None
    if token is None:
        return None
    if body is not None:
        return url_for("calendar.body_feed", token=token, body_id=body.id, _external=True)
    return url_for("calendar.personal_feed", token=token, _external=True)


@bp.route("/<token>/mine.ics")
@feed_guard()
def personal_feed(viewer: queries.FeedViewer):
    """My meetings, plus my organisation's action-item deadlines as all-day events."""
    user = viewer.user
    visible, sat_on = visible_body_ids(user), bodies_sat_on(user)

    def build() -> bytes:
        deadlines = feeds.deadline_fragments(user.organisation_id, visible)
        return feeds.meetings_calendar(
            _("My meetings and deadlines"), queries.personal_meetings_filter(user, visible, sat_on), extra=deadlines)

    return feeds.conditional(feeds.personal_validator(viewer, visible, sat_on), "my-calendar", build)


@bp.route("/<token>/bodies/<int:body_id>.ics")
@feed_guard(body=True)
def body_feed(viewer: queries.FeedViewer, body: Body):
    """Every meeting of a body; the guard has checked that the token's user may see it."""
    return feeds.conditional(
        feeds.body_validator(body), f"body-{body.id}",
        lambda: feeds.meetings_calendar(body.name, [Meeting.body_id == body.id]))


@pages.route("/meetings/<int:meeting_id>.ics")
@guard("view", Meeting, load=get_meeting)
def meeting_ics(meeting: Meeting):
    """One meeting; an occurrence of a series gives the whole series (one UID for all)."""
    return feeds.conditional(
        feeds.meeting_validator(meeting), f"meeting-{meeting.id}",
        lambda: feeds.meetings_calendar(meeting.title, [feeds.meeting_where(meeting)], method="PUBLISH"))


@pages.route("/accounts/calendar-feed", methods=["POST"])
@login_only
@security.recent_login_required
def feed_token():
    """Make a new secret address for the personal calendar feed (the old one stops working)."""
    user = current_user._get_current_object()
    if request.form.get("revoke"):
        services.revoke_feed_token(user, actor=user)
        flash(_("Your calendar address has been revoked."), "success")
        return redirect(url_for("accounts.profile"), 303)
    services.regenerate_feed_token(user, actor=user)
    flash(_("Your calendar has a new address; the previous one no longer works."), "success")
    return redirect(url_for("accounts.profile") + "#feed-title", 303)
