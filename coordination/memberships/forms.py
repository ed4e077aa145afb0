"""Forms for seats: an organisation's seat, a person's seat, the end of a seat."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from coordination.bodies.forms import NONE
from coordination.forms import VersionedForm, enum_choices, model_choices, optional_int, text_length
from coordination.memberships.models import MembershipKind, SeatRole


class OrganisationMembershipForm(VersionedForm):
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[InputRequired()])
    kind = SelectField(_l("Seat"), validators=[InputRequired()])
    start_date = DateField(_l("From"), validators=[InputRequired()])
    end_date = DateField(_l("Until"), validators=[Optional()], description=_l("Leave empty while the seat lasts."))
    notes = StringField(_l("Notes"), validators=[Optional(), text_length(500)])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = model_choices(organisations, _l("— choose —"))
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
        self.organisation_id.choices = model_choices(organisations, _l("— the person's organisation —"))
        self.role.choices = enum_choices(SeatRole)
        self.alternate_for_id.choices = [("", NONE)] + [(m.id, m.person.full_name) for m in principals]


class EndMembershipForm(VersionedForm):
    end_date = DateField(_l("Last day of the seat"), validators=[InputRequired()])
