"""The form for a coordination body."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from coordination.bodies.models import BodyKind, BodyStatus, Visibility
from coordination.dates import zone_choices
from coordination.forms import (
    HistoricalDate,
    VersionedForm,
    enum_choices,
    model_choices,
    optional_int,
    text_length,
)
from coordination.organisations.models import Level

NONE = _l("— none —")


class BodyForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), text_length(200)])
    acronym = StringField(
        _l("Acronym"), validators=[Optional(), text_length(20)],
        description=_l("Used to number decisions, e.g. CN-2026-014."),
    )
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    parent_id = SelectField(
        _l("Parent body"), coerce=optional_int, validators=[Optional()],
        description=_l("Leave empty for a top-level body."),
    )
    level = SelectField(_l("Level"), validators=[InputRequired()])
    area = StringField(
        _l("Geographic area"), validators=[Optional(), text_length(120)],
        description=_l("The country, a department or a commune."),
    )
    status = SelectField(_l("Status"), validators=[InputRequired()])
    visibility = SelectField(_l("Visibility"), validators=[InputRequired()])
    lead_organisation_id = SelectField(_l("Lead organisation"), coerce=optional_int, validators=[Optional()])
    secretariat_organisation_id = SelectField(
        _l("Secretariat organisation"), coerce=optional_int, validators=[Optional()]
    )
    established_on = DateField(_l("Date established"), validators=[Optional(), HistoricalDate()])
    timezone = SelectField(
        _l("Time zone"), validators=[InputRequired()],
        description=_l("Meeting times of this body are shown in this time zone."),
    )
    mandate = TextAreaField(_l("Mandate summary"), validators=[Optional(), text_length(10000)])

    def __init__(self, bodies, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(BodyKind)
        self.level.choices = enum_choices(Level)
        self.status.choices = enum_choices(BodyStatus)
        self.visibility.choices = enum_choices(Visibility)
        self.parent_id.choices = model_choices(bodies, NONE)
        self.lead_organisation_id.choices = model_choices(organisations, NONE)
        self.secretariat_organisation_id.choices = model_choices(organisations, NONE)
        self.timezone.choices = list(zone_choices())
