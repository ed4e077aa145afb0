"""Shared form pieces: the base form, enum choices, stale-copy guard, service errors on fields,
and :func:`submit`, the one way a view handles a submitted form."""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from flask import current_app, flash, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    DateTimeField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields import DateField
from wtforms.validators import Length, StopValidation

from coordination.errors import ValidationError
from coordination.submissions import claim, new_token
from coordination.text import LINE_BREAKS, clean

# The app extension giving a form shown by GET the text saved before a re-authentication: a
# callable(field names) -> formdata or None, installed by coordination.accounts.security (a domain
# above this shared module, so it registers itself instead of being imported here).
RESTORED_FORMDATA = "concertation.restored_formdata"

# What the columns hold: INTEGER (PostgreSQL's int4) and NUMERIC(16, 2).
INT_LIMIT = 2**31 - 1
DECIMAL_LIMIT = Decimal(10) ** 14


def strip(value: Any) -> Any:
    """Text without surrounding blanks nor the characters XML forbids (NUL first)."""
    return clean(value).strip() if isinstance(value, str) else value


def single_line(form: Any, field: Any) -> None:
    """A one-line field (title, place, name…) refuses line breaks: they break calendars and exports."""
    if isinstance(field.data, str) and LINE_BREAKS.search(field.data):
        raise StopValidation(_l("Write this on one line (no line breaks)."))


class HistoricalDate:
    """Marks a date field for past facts (a body established in 1975): years from 1900 are accepted."""

    min_year = 1900

    def __call__(self, form: Any, field: Any) -> None:
        return None


def date_in_window(form: Any, field: Any) -> None:
    """Dates within DATE_MIN_YEAR..DATE_MAX_YEAR: year 1 broke every calendar feed, year 9999 the forms."""
    if field.data is None:
        return
    config = current_app.config
    low = min((v.min_year for v in field.validators if isinstance(v, HistoricalDate)), default=config["DATE_MIN_YEAR"])
    high = config["DATE_MAX_YEAR"]
    if not low <= field.data.year <= high:
        field.errors = []  # the message below says it all
        raise StopValidation(_l("Enter a date between %(low)d and %(high)d.", low=low, high=high))


def integer_in_range(form: Any, field: Any) -> None:
    if field.data is not None and not -INT_LIMIT <= field.data <= INT_LIMIT:
        raise StopValidation(_l("This number is too large."))


def decimal_in_range(form: Any, field: Any) -> None:
    if field.data is None:
        return
    if not field.data.is_finite() or abs(field.data) >= DECIMAL_LIMIT:
        raise StopValidation(_l("Enter a number below 100,000,000,000,000."))


def _checks_for(field: Any) -> list[Any]:
    """The validators every field of this kind gets, whatever the form (see BaseForm)."""
    if isinstance(field, DateTimeField | DateField):
        return [date_in_window]
    if isinstance(field, IntegerField):
        return [integer_in_range]
    if isinstance(field, DecimalField):
        return [decimal_in_range]
    if isinstance(field, StringField) and not isinstance(field, TextAreaField | HiddenField | PasswordField):
        return [single_line]
    return []


class BaseForm(FlaskForm):
    """Every form: CSRF on; text stripped of surrounding blanks and of characters XML forbids
    (passwords excepted: they are taken exactly as typed); one-line fields refuse line breaks;
    dates fall in the configured window; numbers fit their columns. Each rule is added here
    once, so no form can forget it. Shown again after a session expired, it carries the saved text.

    The hidden ``form_token`` makes a second submission of the same filled-in form (double
    click, back + resubmit, two parallel posts) create nothing: it is claimed when the form
    validates and a second claim redirects to what the first created (see
    :mod:`coordination.submissions`). Forms where a repeat is harmless or must still act
    (log-in) set ``one_time_token = False``.
    """

    one_time_token = True
    form_token = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any):
        restore = current_app.extensions.get(RESTORED_FORMDATA)
        if not args and "formdata" not in kwargs and restore is not None:
            restored = restore({name for name, _field in self._unbound_fields})
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)
        if not self.one_time_token:
            del self.form_token
        elif not self.form_token.data:
            self.form_token.data = new_token()

    def validate_on_submit(self, extra_validators=None) -> bool:
        """Validate, then claim the one-time token (raises DuplicateSubmission if already used)."""
        if not super().validate_on_submit(extra_validators):
            return False
        posted = self.form_token.raw_data if self.one_time_token else None
        token = posted[0] if posted else ""
        if token and len(token) <= 64:
            claim(token, current_user.id if current_user.is_authenticated else None)
        return True

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and not issubclass(unbound_field.field_class, PasswordField):
                filters = [strip, *filters]
            field = unbound_field.bind(form=form, filters=filters, **options)
            checks = _checks_for(field)
            if checks:
                field.validators = [*field.validators, *checks]
            return field

    def data_for(self, *names: str) -> dict[str, Any]:
        """The submitted values of ``names`` (all fields but CSRF/submit when empty)."""
        if not names:
            names = tuple(n for n in self._fields if n not in ("csrf_token", "submit", "form_token"))
        # A text field left out of the POST reads as None; the columns want "".
        return {
            name: "" if self._fields[name].data is None and isinstance(self._fields[name], StringField)
            else self._fields[name].data
            for name in names
        }

    def apply_errors(self, error: ValidationError) -> None:
        """Show a service's validation errors beside the fields they concern."""
        for name, message in error.errors.items():
            field = self._fields.get(name) if name else None
            if field is not None:
                field.errors = [*field.errors, str(message)] if isinstance(field.errors, list) else [str(message)]
            else:
                self.form_errors.append(str(message))


class VersionedForm(BaseForm):
    """An edit form that carries the version it was opened on (optimistic locking)."""

    version = HiddenField()


class ConfirmForm(BaseForm):
    """An empty form carrying only the CSRF token, for POST-only buttons (delete, approve, revoke)."""


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (usable without JavaScript, unlike a multiple select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def form_status() -> int:
    """200 for a form shown afresh, 422 when a submitted form is shown again with errors."""
    return 422 if request.method == "POST" else 200


def submit(form: BaseForm, action: Callable[[], Any], *, done: Callable[[Any], tuple[Any, str]],
           render: Callable[[], Any]) -> Any:
    """The form-submit pattern of every view: validate → service → flash → redirect, else re-render.

    When ``form`` validates, ``action()`` runs the service; a :class:`ValidationError` it raises
    is shown beside the fields it names. Otherwise ``done(result)`` gives ``(message, location)``:
    the message is flashed and the browser is sent there with a 303 (so a reload never posts
    again). Any other domain error (conflict, stale copy, refused) propagates to the error
    handlers, which roll back and answer with its status. When the form is shown (first time,
    invalid input, refused by the service), ``render()`` gives the page: a body, answered with
    :func:`form_status` (200 on GET, 422 on POST), or a ``(body, status)`` tuple used as is.
    """
    if form.validate_on_submit():
        try:
            result = action()
        except ValidationError as error:
            form.apply_errors(error)
        else:
            message, location = done(result)
            if message:
                flash(message, "success")
            return redirect(location, 303)
    page = render()
    return page if isinstance(page, tuple) else (page, form_status())


def enum_choices(enum_cls: type[enum.Enum], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(m.value, m.label) for m in enum_cls]
    return [("", blank), *choices] if blank is not None else choices


def model_choices(rows: Iterable[Any], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(r.id), str(r)) for r in rows]
    return [("", blank), *choices] if blank is not None else choices


def optional_int(value: Any) -> int | None:
    """Coerce a select's value to int, with '' meaning no choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


def text_length(max_length: int) -> Length:
    return Length(max=max_length, message=_l("Use at most %(max)d characters.", max=max_length))


def help_text(text: str) -> Markup:
    return Markup.escape(text)
