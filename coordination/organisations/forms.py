"""Organisation forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, Email, InputRequired, Optional

from coordination.forms import MultiCheckboxField, VersionedForm, enum_choices, text_length
from coordination.organisations.models import Level, OrganisationKind, Sector


class OrganisationForm(VersionedForm):
    name = StringField(_l("Name"), validators=[InputRequired(), text_length(200)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), text_length(30)])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    sectors = MultiCheckboxField(_l("Sectors"), description=_l("Tick every sector it works in."))
    level = SelectField(_l("Level"), validators=[InputRequired()])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), text_length(200)])
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(message=_l("Enter a valid e-mail address.")), text_length(254)],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), text_length(50)])
    website = URLField(
        _l("Website"),
        validators=[Optional(), URL(message=_l("Enter a full address starting with https://")), text_length(300)],
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), text_length(1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(OrganisationKind, blank=str(_l("— choose —")))
        self.level.choices = enum_choices(Level)
        self.sectors.choices = enum_choices(Sector)


