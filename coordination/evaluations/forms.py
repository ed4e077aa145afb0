"""Forms for evaluations: the record, narrative notes, recommendations, follow-up items, files."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from coordination.evaluations.models import AttachmentKind, EvaluationKind, NoteKind
from coordination.forms import (
    BaseForm,
    MultiCheckboxField,
    VersionedForm,
    enum_choices,
    optional_int,
    text_length,
)
from coordination.plans.models import Priority

OVERALL = _l("— the plan overall —")
NONE = _l("— none —")


def _axis_choices(axes) -> list[tuple]:
    return [("", OVERALL)] + [(a.id, f"{a.code}. {a.title}") for a in axes]


class EvaluationForm(VersionedForm):
    plan_id = SelectField(_l("Plan"), coerce=optional_int, validators=[InputRequired(message=_l("Choose a plan."))])
    title = StringField(_l("Title"), validators=[InputRequired(), text_length(300)],
                        description=_l("E.g. Mid-term evaluation, November 2005 – November 2008."))
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    period_start = DateField(_l("Period covered: from"), validators=[InputRequired()])
    period_end = DateField(_l("Period covered: to"), validators=[InputRequired()])
    as_of = DateField(_l("Figures as of"), validators=[InputRequired()],
                      description=_l("The plan is shown as it stood on this date: not in the future, and "
                                     "within or after the plan's period."))
    evaluator_ids = MultiCheckboxField(_l("Evaluators (people in the portal)"), coerce=int)
    external_organisation = StringField(_l("External evaluating organisation"),
                                        validators=[Optional(), text_length(200)])
    summary = TextAreaField(_l("Executive summary"), validators=[Optional(), text_length(50000)])

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(EvaluationKind)
        self.evaluator_ids.choices = [
            (p.id, f"{p.full_name} — {p.organisation.short_name}" if p.organisation else p.full_name) for p in people
        ]


class NoteForm(BaseForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    axis_id = SelectField(_l("About"), coerce=optional_int, validators=[Optional()])
    text = TextAreaField(_l("Text"), validators=[InputRequired(), text_length(20000)])

    def __init__(self, axes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(NoteKind)
        self.axis_id.choices = _axis_choices(axes)


class RecommendationForm(BaseForm):
    text = TextAreaField(_l("Recommendation"), validators=[InputRequired(), text_length(20000)])
    priority = SelectField(_l("Priority"), validators=[InputRequired()])
    addressee_id = SelectField(_l("Addressed to"), coerce=optional_int, validators=[Optional()])
    axis_id = SelectField(_l("About"), coerce=optional_int, validators=[Optional()])

    def __init__(self, axes, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = enum_choices(Priority)
        self.addressee_id.choices = [("", NONE)] + [(o.id, str(o)) for o in organisations]
        self.axis_id.choices = _axis_choices(axes)


class FollowUpForm(BaseForm):
    """Turn a recommendation into an action item (in the plan or outside it)."""

    title = StringField(_l("Title of the action"), validators=[InputRequired(), text_length(300)])
    parent_id = SelectField(_l("Place in the plan"), coerce=optional_int, validators=[Optional()],
                            description=_l("Leave on “outside the plan” for an item the body follows apart."))
    lead_organisation_id = SelectField(_l("Lead organisation (owner)"), coerce=optional_int,
                                       validators=[InputRequired(message=_l("Choose the owner."))])
    focal_person_id = SelectField(_l("Focal person"), coerce=optional_int, validators=[Optional()])
    focal_is_guest = BooleanField(_l("The focal person is a guest focal point from another organisation"))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[InputRequired()])
    priority = SelectField(_l("Priority"), validators=[InputRequired()])

    def __init__(self, tree, organisations, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [("", _l("— outside the plan —"))] + [
            (c.id, f"{'· ' * c.depth}{c.code} {c.title}") for c in tree
        ]
        self.lead_organisation_id.choices = [("", NONE)] + [(o.id, str(o)) for o in organisations]
        self.focal_person_id.choices = [("", NONE)] + [
            (p.id, f"{p.full_name} — {p.organisation.short_name}" if p.organisation else p.full_name) for p in people
        ]
        self.priority.choices = enum_choices(Priority)


class AttachmentForm(BaseForm):
    kind = SelectField(_l("Document"), validators=[InputRequired()])
    file = FileField(_l("File"), description=_l("PDF, Word, Excel, OpenDocument, PNG, JPEG, CSV or text; 10 MB at most."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(AttachmentKind)
