"""Forms for log-in, password change, profile and user administration."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Optional, ValidationError

from coordination.accounts.models import LANGUAGE_LABELS, Role
from coordination.forms import BaseForm, VersionedForm, enum_choices, optional_int, text_length


class LoginForm(BaseForm):
    one_time_token = False  # a second log-in must still open a session
    email = EmailField(_l("E-mail"), validators=[InputRequired(), text_length(254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), text_length(256)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(BaseForm):
    one_time_token = False  # checked against the current password anyway
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), text_length(256)],
        description=_l("At least 12 characters; spaces and any letters are welcome. A passphrase "
                       "of several unrelated words is strong and easy to remember. Common "
                       "passwords and ones containing your name or e-mail are refused."),
        render_kw={"autocomplete": "new-password", "data-strength": "1"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


def _language_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in LANGUAGE_LABELS.items()]


class ProfileForm(VersionedForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), text_length(200)])
    position = StringField(_l("Position"), validators=[Optional(), text_length(200)])
    phone = StringField(_l("Phone"), validators=[Optional(), text_length(50)])
    language = SelectField(_l("Preferred language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _language_choices()


class UserForm(VersionedForm):
    email = EmailField(
        _l("E-mail (log-in)"),
        validators=[InputRequired(), Email(message=_l("Enter a valid e-mail address.")), text_length(254)],
    )
    full_name = StringField(_l("Full name"), validators=[InputRequired(), text_length(200)])
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[Optional()])
    position = StringField(_l("Position"), validators=[Optional(), text_length(200)])
    phone = StringField(_l("Phone"), validators=[Optional(), text_length(50)])
    language = SelectField(_l("Preferred language"))
    role = SelectField(_l("Role"))
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), text_length(256)],
        description=_l(
            "Optional. The person must change it at first log-in. "
            "Leave empty for a person who does not log in."
        ),
    )

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", _l("— none —"))] + [
            (o.id, str(o)) for o in organisations
        ]
        self.language.choices = _language_choices()
        self.role.choices = enum_choices(Role)


class NewUserForm(UserForm):
    """Creating an account: instead of typing a password, mail the person a link to choose one."""

    send_invitation = BooleanField(
        _l("Send an invitation link"),
        description=_l("The person receives a single-use link, valid for a week, to choose their own password. "
                       "Leave the initial password empty."),
    )

    def validate_send_invitation(self, field):
        if field.data and self.password.data:
            raise ValidationError(_l("Either type an initial password or send an invitation link, not both."))
class LanguageForm(BaseForm):
    """The language switcher: one of the languages that can be shown."""

    language = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from coordination.i18n import LANGUAGE_NAMES, available_languages

        self.language.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()]


class DeactivateForm(BaseForm):
    active = BooleanField()


class CodeForm(BaseForm):
    """The second step of log-in: a code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), text_length(40)],
        description=_l("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )


class TwoFactorSetupForm(BaseForm):
    code = StringField(
        _l("Code shown by the app"),
        validators=[InputRequired(), text_length(10)],
        description=_l("Enter the 6-digit code the app shows now, to confirm it is set up."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TwoFactorDisableForm(BaseForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(), text_length(256)])
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), text_length(40)],
        description=_l("A current code from your authenticator app, or a recovery code."),
        render_kw={"autocomplete": "one-time-code"},
    )


class ReauthForm(BaseForm):
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), text_length(256)],
        render_kw={"autocomplete": "current-password"},
    )
