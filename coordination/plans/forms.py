"""Forms for plans, items, moves, indicators, progress updates and comments."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, InputRequired, NumberRange, Optional, ValidationError

from coordination.dates import local_today
from coordination.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    enum_choices,
    optional_int,
    text_length,
)
from coordination.plans.models import ItemStatus, Origin, Priority

CHOOSE = _l("— choose —")
NONE = _l("— none —")


class PlanForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(300)])
    body_id = SelectField(_l("Owning body"), coerce=optional_int, validators=[InputRequired()])
    period_start = DateField(_l("Period starts"), validators=[InputRequired()])
    period_end = DateField(_l("Period ends"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), text_length(20000)])

    def __init__(self, bodies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body_id.choices = [("", CHOOSE)] + [(b.id, str(b)) for b in bodies]


class ItemForm(VersionedForm):
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), text_length(20000)])
    lead_organisation_id = SelectField(
        _l("Lead organisation (owner)"), coerce=optional_int, validators=[Optional()],
        description=_l("Its members report progress on the item."),
    )
    supporter_ids = MultiCheckboxField(_l("Supporting organisations"), coerce=int)
    focal_person_id = SelectField(_l("Focal person"), coerce=optional_int, validators=[Optional()])
    focal_is_guest = BooleanField(
        _l("The focal person is a guest focal point from another organisation"),
    )
    start_date = DateField(_l("Start date"), validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    priority = SelectField(_l("Priority"), validators=[InputRequired()])
    weight = IntegerField(
        _l("Weight in the parent's progress"), default=1,
        validators=[InputRequired(), NumberRange(min=1, max=100, message=_l("Use a whole number from 1 to 100."))],
        description=_l("Siblings with equal weights count equally."),
    )
    scope_national = BooleanField(_l("National scope"), default=True)
    areas = MultiCheckboxField(_l("Departments / areas"), description=_l("For an item that is not national."))
    budget_amount = DecimalField(
        _l("Budget"), places=2, validators=[Optional()],
    )
    budget_currency = StringField(_l("Currency"), validators=[Optional(), text_length(3)], description=_l("ISO code, e.g. USD or HTG."))
    funding_source = StringField(_l("Funding source"), validators=[Optional(), text_length(200)])
    origin = SelectField(_l("Origin"), validators=[Optional()])
    origin_note = StringField(_l("Origin details"), validators=[Optional(), text_length(300)],
                              description=_l("E.g. the decision or recommendation it comes from."))
    body_id = SelectField(_l("Body that follows it"), coerce=optional_int, validators=[Optional()])

    def __init__(self, organisations, people, bodies=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organisation_id.choices = [("", NONE)] + [(o.id, str(o)) for o in organisations]
        self.supporter_ids.choices = [(o.id, o.short_name) for o in organisations]
        self.focal_person_id.choices = [("", NONE)] + [
            (p.id, f"{p.full_name} — {p.organisation.short_name}" if p.organisation else p.full_name) for p in people
        ]
        self.priority.choices = enum_choices(Priority)
        self.areas.choices = [(a, a) for a in current_app.config["GEOGRAPHIC_AREAS"]]
        self.origin.choices = enum_choices(Origin)
        if bodies is None:  # an item of a plan: origin and body come from the plan
            del self.origin, self.origin_note, self.body_id
        else:
            self.body_id.choices = [("", CHOOSE)] + [(b.id, str(b)) for b in bodies]


class MoveForm(VersionedForm):
    parent_id = SelectField(_l("New place"), coerce=optional_int, validators=[Optional()])

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [("", _l("— top level (a new axis) —"))] + [
            (c.id, f"{'· ' * c.depth}{c.code} {c.title}") for c in candidates
        ]


class IndicatorForm(BaseForm):
    name = StringField(_l("Indicator"), validators=[InputRequired(), text_length(200)])
    unit = StringField(_l("Unit"), validators=[Optional(), text_length(50)])
    baseline = DecimalField(_l("Baseline"), validators=[Optional()])
    target = DecimalField(_l("Target"), validators=[Optional()])


def _not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_l("The date of an update cannot be in the future."))


def progress_form_class(item):
    """A progress form with one value field per indicator of ``item``."""

    class ProgressForm(BaseForm):
        update_date = DateField(_l("Date of the update"), validators=[InputRequired(), _not_future])
        status = SelectField(_l("Status"), validators=[InputRequired()])
        progress = IntegerField(
            _l("Progress (%)"),
            validators=[InputRequired(), NumberRange(min=0, max=100, message=_l("Progress is a percentage from 0 to 100."))],
        )
        narrative = TextAreaField(_l("What happened"), validators=[Optional(), text_length(20000)])
        evidence_url = URLField(
            _l("Evidence link"),
            validators=[Optional(), URL(message=_l("Enter a full address starting with https://")), text_length(500)],
        )
        evidence_file = FileField(
            _l("Evidence file"),
            description=_l("PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text; 10 MB at most."),
        )
        corrects_id = SelectField(
            _l("This update corrects"), coerce=optional_int, validators=[Optional()],
            description=_l("Choose an earlier update that was wrong; say why in the text."),
        )

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.status.choices = enum_choices(ItemStatus)
            self.corrects_id.choices = [("", NONE)] + [
                (u.id, f"{u.update_date.isoformat()} — {u.status.label}, {u.progress} %") for u in reversed(item.updates)
            ]

        def indicator_values(self) -> dict[int, object]:
            return {i.id: self[f"indicator_{i.id}"].data for i in item.indicators}

    for indicator in item.indicators:
        setattr(
            ProgressForm, f"indicator_{indicator.id}",
            DecimalField(str(indicator), validators=[Optional()],
                         description=_l("Value on the date of the update (leave empty if not measured).")),
        )
    return ProgressForm


class CommentForm(BaseForm):
    text = TextAreaField(_l("Comment"), validators=[InputRequired(), text_length(5000)])
