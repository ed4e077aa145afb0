"""The search box (a GET form: it changes nothing, so it carries no CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from coordination.forms import BaseForm

MIN_LENGTH, MAX_LENGTH = 2, 100


class SearchForm(BaseForm):
    one_time_token = False  # a GET form: searching twice is harmless

    class Meta:
        csrf = False

    q = StringField(
        _l("Search for"),
        validators=[InputRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH,
                                            message=_l("Type between %(min)d and %(max)d characters."))],
        description=_l("Words from a name, acronym, title, decision, minutes or action code."),
    )
