"""Shared form pieces: the base form, enum choices, stale-copy guard, service errors on fields."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, PasswordField, SelectMultipleField, StringField, widgets
from wtforms.validators import Length

from coordination.errors import ValidationError


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every form: CSRF on, text stripped of surrounding blanks (passwords excepted: they are
    taken exactly as typed). Shown again after a session expired, it carries the saved text."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if strip not in filters and not issubclass(unbound_field.field_class, PasswordField):
                filters = [strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    def __init__(self, *args: Any, **kwargs: Any):
        if not args and "formdata" not in kwargs:
            from coordination.accounts.security import restored_formdata

            restored = restored_formdata({name for name, _field in self._unbound_fields})
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)

    def data_for(self, *names: str) -> dict[str, Any]:
        """The submitted values of ``names`` (all fields but CSRF/submit when empty)."""
        if not names:
            names = tuple(n for n in self._fields if n not in ("csrf_token", "submit"))
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


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (usable without JavaScript, unlike a multiple select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def form_status() -> int:
    """200 for a form shown afresh, 422 when a submitted form is shown again with errors."""
    from flask import request

    return 422 if request.method == "POST" else 200


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
