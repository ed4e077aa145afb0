"""Forms for meetings, series, agenda, invitations and attendance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, InputRequired, NumberRange, Optional

from coordination.dates import zone_choices
from coordination.forms import BaseForm, VersionedForm, enum_choices, optional_int, text_length
from coordination.meetings.models import MeetingKind, MeetingStatus, Presence

NONE = _l("— none —")
CHOOSE = _l("— choose —")


def _zones():
    return list(zone_choices())


class MeetingForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(300)])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    start_local = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
                                     description=_l("Local time in the time zone below."))
    end_local = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    timezone = SelectField(_l("Time zone"), validators=[InputRequired()])
    location = StringField(_l("Place"), validators=[Optional(), text_length(300)])
    online_link = URLField(_l("Online meeting link"),
                           validators=[Optional(), URL(message=_l("Enter a full address starting with https://")), text_length(500)])
    status = SelectField(_l("Status"), validators=[InputRequired()])
    status_reason = StringField(_l("Reason for postponing or cancelling"), validators=[Optional(), text_length(500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(MeetingKind)
        self.status.choices = enum_choices(MeetingStatus)
        self.timezone.choices = _zones()


class SeriesForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(300)])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    start_local = DateTimeLocalField(_l("First meeting starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    end_local = DateTimeLocalField(_l("First meeting ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    timezone = SelectField(_l("Time zone"), validators=[InputRequired()])
    pattern = SelectField(_l("Repeats"), validators=[InputRequired()])
    ordinal = SelectField(_l("Which weekday of the month"), coerce=optional_int, validators=[Optional()])
    interval = IntegerField(_l("Every"), default=1, description=_l("1 = every week/month, 2 = every two, …"),
                            validators=[InputRequired(), NumberRange(min=1, max=12, message=_l("Use a number from 1 to 12."))])
    count = IntegerField(_l("Number of meetings"), validators=[Optional(), NumberRange(min=1, max=60, message=_l("Use a number from 1 to 60."))])
    until = DateField(_l("Or: last date"), validators=[Optional()])
    location = StringField(_l("Place"), validators=[Optional(), text_length(300)])
    online_link = URLField(_l("Online meeting link"),
                           validators=[Optional(), URL(message=_l("Enter a full address starting with https://")), text_length(500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(MeetingKind)
        self.timezone.choices = _zones()
        self.pattern.choices = [
            ("monthly_weekday", _l("Monthly, on the same weekday (e.g. the first Tuesday)")),
            ("monthly_day", _l("Monthly, on the same day of the month")),
            ("weekly", _l("Every week or every few weeks, on the same weekday")),
        ]
        self.ordinal.choices = [
            ("", _l("— as the first meeting —")), (1, _l("First")), (2, _l("Second")), (3, _l("Third")),
            (4, _l("Fourth")), (-1, _l("Last")),
        ]


class AgendaItemForm(VersionedForm):
    title = StringField(_l("Item"), validators=[InputRequired(), text_length(300)])
    presenter_organisation_id = SelectField(_l("Presented by (organisation)"), coerce=optional_int, validators=[Optional()])
    presenter_id = SelectField(_l("Presented by (person)"), coerce=optional_int, validators=[Optional()])
    duration_minutes = IntegerField(_l("Planned minutes"), default=15,
                                    validators=[InputRequired(), NumberRange(min=1, max=600, message=_l("Use 1 to 600 minutes."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), text_length(10000)])

    def __init__(self, organisations, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.presenter_organisation_id.choices = [("", NONE)] + [(o.id, o.short_name) for o in organisations]
        self.presenter_id.choices = [("", NONE)] + [(p.id, p.full_name) for p in people]


class AttachmentForm(BaseForm):
    file = FileField(_l("Document"), description=_l("PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text; 10 MB at most."))
    agenda_item_id = SelectField(_l("For agenda item"), coerce=optional_int, validators=[Optional()])

    def __init__(self, agenda, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda_item_id.choices = [("", _l("— the whole meeting —"))] + [(a.id, f"{a.position}. {a.title}") for a in agenda]


class GuestForm(BaseForm):
    user_id = SelectField(_l("Invite a guest"), coerce=optional_int, validators=[InputRequired()])

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", CHOOSE)] + [
            (p.id, f"{p.full_name} — {p.organisation.short_name}" if p.organisation else p.full_name) for p in people
        ]


def presence_choices() -> list[tuple[str, str]]:
    """The presence options, labelled in the current language (so built per request)."""
    return [(p.value, p.label) for p in Presence]
