"""Forms for charters: a version's text, its adoption, a signature."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from coordination.charters.models import DecisionRule, LegalStatus, MeetingFrequency, QuorumRule
from coordination.dates import local_today
from coordination.forms import (
    BaseForm,
    HistoricalDate,
    VersionedForm,
    enum_choices,
    model_choices,
    optional_int,
    text_length,
)


def _not_in_future(form, field):
    if field.data and field.data > local_today():
        raise FieldError(_l("The date cannot be in the future."))


class CharterForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(200)])
    mandate = TextAreaField(_l("Mandate"), validators=[Optional(), text_length(20000)])
    objectives = TextAreaField(_l("Objectives"), validators=[Optional(), text_length(20000)])
    composition_rule = TextAreaField(
        _l("Composition"), validators=[Optional(), text_length(10000)],
        description=_l("Who sits on the body and how seats are allotted."),
    )
    quorum_rule = SelectField(_l("Quorum rule"), validators=[InputRequired()])
    quorum_value = IntegerField(
        _l("Quorum number or percentage"),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("Enter a whole number from 1."))],
        description=_l("For a fixed number: how many organisations; for a percentage: 1 to 100."),
    )
    decision_rule = SelectField(_l("Decision rule"), validators=[InputRequired()])
    meeting_frequency = SelectField(_l("Meeting frequency"), validators=[InputRequired()])
    legal_status = SelectField(_l("Legal status"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quorum_rule.choices = enum_choices(QuorumRule)
        self.decision_rule.choices = enum_choices(DecisionRule)
        self.meeting_frequency.choices = enum_choices(MeetingFrequency)
        self.legal_status.choices = enum_choices(LegalStatus)


class AdoptCharterForm(BaseForm):
    adopted_on = DateField(_l("Adopted on"), validators=[InputRequired(), _not_in_future, HistoricalDate()])
    adopted_at_meeting = StringField(
        _l("Adopted at meeting"), validators=[Optional(), text_length(200)],
        description=_l("E.g. the ordinary meeting of 12 March 2026."),
    )


class SignatoryForm(BaseForm):
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[InputRequired()])
    signer_name = StringField(_l("Signed by"), validators=[InputRequired(), text_length(200)])
    signer_title = StringField(_l("Signer's title"), validators=[Optional(), text_length(200)])
    signed_on = DateField(_l("Date signed"), validators=[InputRequired(), _not_in_future, HistoricalDate()])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = model_choices(organisations, _l("— choose —"))
