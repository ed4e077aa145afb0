"""Forms for bodies, memberships, charters and signatories."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from coordination.bodies.models import (
    BodyKind,
    BodyStatus,
    DecisionRule,
    LegalStatus,
    MeetingFrequency,
    MembershipKind,
    QuorumRule,
    SeatRole,
    Visibility,
)
from coordination.dates import local_today, zone_choices
from coordination.forms import (
    BaseForm,
    HistoricalDate,
    VersionedForm,
    enum_choices,
    optional_int,
    text_length,
)
from coordination.organisations.models import Level

NONE = _l("— none —")


def _ids(rows, blank=None):
    choices = [(r.id, str(r)) for r in rows]
    return [("", blank), *choices] if blank is not None else choices


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
        self.parent_id.choices = _ids(bodies, NONE)
        self.lead_organisation_id.choices = _ids(organisations, NONE)
        self.secretariat_organisation_id.choices = _ids(organisations, NONE)
        self.timezone.choices = list(zone_choices())


def _not_in_future(form, field):
    from wtforms.validators import ValidationError

    if field.data and field.data > local_today():
        raise ValidationError(_l("The date cannot be in the future."))


class OrganisationMembershipForm(VersionedForm):
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[InputRequired()])
    kind = SelectField(_l("Seat"), validators=[InputRequired()])
    start_date = DateField(_l("From"), validators=[InputRequired()])
    end_date = DateField(_l("Until"), validators=[Optional()], description=_l("Leave empty while the seat lasts."))
    notes = StringField(_l("Notes"), validators=[Optional(), text_length(500)])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = _ids(organisations, _l("— choose —"))
        self.kind.choices = enum_choices(MembershipKind)


class PersonMembershipForm(VersionedForm):
    user_id = SelectField(_l("Person"), coerce=optional_int, validators=[InputRequired()])
    organisation_id = SelectField(
        _l("Representing"), coerce=optional_int, validators=[Optional()],
        description=_l("Defaults to the person's own organisation."),
    )
    role = SelectField(_l("Role"), validators=[InputRequired()])
    alternate_for_id = SelectField(
        _l("Alternate for"), coerce=optional_int, validators=[Optional()],
        description=_l("For an alternate: the member they stand in for."),
    )
    start_date = DateField(_l("Term starts"), validators=[InputRequired()])
    end_date = DateField(_l("Term ends"), validators=[Optional()])

    def __init__(self, people, organisations, principals, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("— choose —"))] + [
            (p.id, f"{p.full_name} — {p.organisation.short_name}" if p.organisation else p.full_name)
            for p in people
        ]
        self.organisation_id.choices = _ids(organisations, _l("— the person's organisation —"))
        self.role.choices = enum_choices(SeatRole)
        self.alternate_for_id.choices = [("", NONE)] + [(m.id, m.person.full_name) for m in principals]


class EndMembershipForm(VersionedForm):
    end_date = DateField(_l("Last day of the seat"), validators=[InputRequired()])


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
        self.organisation_id.choices = _ids(organisations, _l("— choose —"))
