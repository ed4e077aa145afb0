"""Forms for minutes: summaries, decisions, approval, corrections, comments, actions arising."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from coordination.dates import local_date
from coordination.forms import BaseForm, VersionedForm, optional_int, text_length
from coordination.meetings.forms import CHOOSE, NONE


class MinutesForm(VersionedForm):
    summary = TextAreaField(_l("General summary"), validators=[Optional(), text_length(50000)])


class DecisionForm(BaseForm):
    text = TextAreaField(_l("Decision"), validators=[InputRequired(), text_length(5000)])
    votes_for = IntegerField(_l("Votes for"), validators=[Optional(), NumberRange(min=0, max=1000)])
    votes_against = IntegerField(_l("Votes against"), validators=[Optional(), NumberRange(min=0, max=1000)])
    abstentions = IntegerField(_l("Abstentions"), validators=[Optional(), NumberRange(min=0, max=1000)])


class ApproveForm(BaseForm):
    approved_at_meeting_id = SelectField(_l("Approved at the meeting of"), coerce=optional_int, validators=[InputRequired()])
    attach_docx = BooleanField(_l("Attach the Word file to the mail to the members"))

    def __init__(self, meetings, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.approved_at_meeting_id.choices = [("", CHOOSE)] + [(m.id, f"{local_date(m).isoformat()} — {m.title}") for m in meetings]


class CorrectionForm(BaseForm):
    reason = StringField(_l("Reason for the correction"), validators=[InputRequired(), text_length(500)])


class CommentForm(BaseForm):
    text = TextAreaField(_l("Comment"), validators=[InputRequired(), text_length(5000)])


class ArisingActionForm(BaseForm):
    title = StringField(_l("Action"), validators=[InputRequired(), text_length(300)])
    lead_organisation_id = SelectField(_l("Owner"), coerce=optional_int, validators=[InputRequired()])
    focal_person_id = SelectField(_l("Focal person"), coerce=optional_int, validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[InputRequired()])

    def __init__(self, organisations, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organisation_id.choices = [("", CHOOSE)] + [(o.id, o.short_name) for o in organisations]
        self.focal_person_id.choices = [("", NONE)] + [(p.id, p.full_name) for p in people]
