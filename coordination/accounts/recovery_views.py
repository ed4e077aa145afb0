"""Account pages reached by e-mail: set a password from an invitation, reset it, change the address.

Routes live on the accounts blueprint; they are kept apart from the log-in and profile views.
"""
from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, EqualTo, InputRequired

from coordination.accounts import queries, recovery
from coordination.accounts.models import User
from coordination.accounts.views import bp
from coordination.errors import ValidationError
from coordination.forms import BaseForm, ConfirmForm, form_status, text_length
from coordination.permissions import guard, login_only, public


class ForgotForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(message=_l("Enter a valid e-mail address.")),
                                                 text_length(254)])


class NewPasswordForm(BaseForm):
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), text_length(256)],
                                 description=_l("At least 12 characters. A passphrase of several words is easy to remember."))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[InputRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


class EmailChangeForm(BaseForm):
    new_email = EmailField(_l("New e-mail address"), validators=[
        InputRequired(), Email(message=_l("Enter a valid e-mail address.")), text_length(254)])
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), text_length(256)])


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a reset link. The answer (and its timing) is the same whether the address is known."""
    form = ForgotForm()
    if form.validate_on_submit():
        started = time.monotonic()
        recovery.request_password_reset(form.email.data, request.remote_addr or "unknown")
        recovery.pad_response_time(started)
        return render_template("accounts/forgot_sent.html"), 200
    return render_template("accounts/forgot.html", form=form), form_status()


def _invalid_link():
    return render_template("accounts/link_invalid.html"), 400


def _set_password(purpose: str, template: str, token: str):
    row = recovery.find_token(token, purpose)
    if row is None:
        return _invalid_link()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.set_password_with_token(row, form.new_password.data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("Your password is set. Every other session of your account has been logged out; log in now."), "success")
            return redirect(url_for("accounts.login"), 303)
    return render_template(template, form=form, person=row.user), form_status()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _set_password(recovery.RESET, "accounts/reset.html", token)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _set_password(recovery.INVITE, "accounts/welcome.html", token)


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@guard("edit", User, load=queries.get_user)
def send_invitation(user: User):
    """Mail the person a link to choose their password (a new link voids the previous one)."""
    recovery.send_account_invitation(user, actor=current_user)
    flash(_("An invitation link has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.detail", user_id=user.id), 303)


@bp.route("/email", methods=["GET", "POST"])
@login_only
def change_email():
    form = EmailChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            recovery.request_email_change(user, form.new_email.data, form.current_password.data, actor=user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            flash(_("We have sent a confirmation link to %(email)s. Your address changes once you follow it.",
                    email=form.new_email.data), "success")
            return redirect(url_for("accounts.profile"), 303)
    return render_template("accounts/email.html", form=form, user=user), form_status()


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """Confirm a new address: the link shows a button (no change on GET)."""
    row = recovery.find_token(token, recovery.EMAIL)
    if row is None:
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            recovery.confirm_email_change(row)
        except ValidationError as error:
            form.apply_errors(error)
            return render_template("accounts/email_confirm.html", form=form, row=row), 409
        flash(_("Your e-mail address is now %(email)s.", email=row.new_email), "success")
        target = "accounts.profile" if current_user.is_authenticated else "accounts.login"
        return redirect(url_for(target), 303)
    return render_template("accounts/email_confirm.html", form=form, row=row), form_status()


