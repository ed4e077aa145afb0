"""Sign-in security pages: the second log-in step, two-factor set-up and removal, the
password prompt before sensitive steps, and the list of active sessions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from coordination.accounts import mfa, queries, security, services, sessions, throttling
from coordination.accounts.blueprint import bp
from coordination.accounts.forms import (
    CodeForm,
    ReauthForm,
    TwoFactorDisableForm,
    TwoFactorSetupForm,
)
from coordination.accounts.models import User, UserSession
from coordination.errors import ValidationError
from coordination.forms import form_status, submit
from coordination.permissions import guard, login_only, public
from coordination.urls import is_safe_next

# The second log-in step must follow the password within this many seconds.
PENDING_SECONDS = 5 * 60


def _mfa_keys(user_id: int) -> dict[str, str]:
    return {"account": f"user:{user_id}", "address": request.remote_addr or "unknown"}


def _pending_user() -> User | None:
    pending = session.get("mfa_pending")
    if not isinstance(pending, dict):
        return None
    if sessions.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = queries.get_user(int(pending.get("uid", 0)))
    return user if user is not None and user.can_log_in and user.has_two_factor else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """Second step of log-in for people with two-factor authentication."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user = _pending_user()
    if user is None:
        session.pop("mfa_pending", None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"), 303 if request.method == "POST" else 302)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        wait = throttling.failure_retry_after("mfa-failure", _mfa_keys(user.id))
        if wait is not None:
            return security.too_many_attempts(wait)
        kind = mfa.verify_second_factor(user, form.code.data)
        if kind is None:
            throttling.note_failure("mfa-failure", _mfa_keys(user.id))
            form.code.errors = [_("This code is not correct, or it was already used.")]
            status = 401
        else:
            target = session.get("mfa_pending", {}).get("next")
            session.clear()
            security.begin_session(user)
            if kind == "recovery":
                left = mfa.recovery_codes_left(user)
                flash(ngettext("You used a recovery code; %(num)d is left. If you lost your "
                               "phone, set up your authenticator again now.",
                               "You used a recovery code; %(num)d are left. If you lost your "
                               "phone, set up your authenticator again now.", left), "warning")
                return redirect(url_for("accounts.two_factor"), 303)
            return redirect(security.after_login(user, target if is_safe_next(target) else None), 303)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login_code.html", form=form), status


@bp.route("/reauthenticate", methods=["GET", "POST"])
@login_only
def reauth():
    """Ask for the password again before a sensitive step, then return to it."""
    form = ReauthForm()
    target = request.args.get("next")
    target = target if is_safe_next(target) else url_for("accounts.profile")
    status = 200
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        wait = throttling.login_retry_after(current_user.email, address)
        if wait is not None:
            return security.too_many_attempts(wait)
        if services.reauthenticate(security.current_session(), form.password.data):
            if sessions.saved_form_path(current_user):
                session["restore_form"] = target.split("?", 1)[0]
            return redirect(target, 303)
        throttling.note_failed_login(current_user.email, address)
        form.password.errors = [_("The password is not correct.")]
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("accounts/reauth.html", form=form), status


@bp.route("/two-factor")
@login_only
def two_factor():
    user = current_user._get_current_object()
    return render_template(
        "accounts/two_factor.html", user=user, required=mfa.required_for(user),
        codes_left=mfa.recovery_codes_left(user) if user.has_two_factor else 0,
    )


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_only
@security.recent_login_required
def two_factor_setup():
    """Show a new secret as a QR code; a first code from the app confirms it."""
    user = current_user._get_current_object()
    # The same secret until it is confirmed, so reloading the page after scanning is harmless.
    secret = session.get("totp_setup")
    if not secret:
        secret = mfa.new_secret()
        session["totp_setup"] = secret
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, secret, form.code.data, actor=user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            session.pop("totp_setup", None)
            # Every session of the account ended; this browser continues in a new one.
            security.begin_session(user)
            flash(_("Two-factor authentication is on. Your other sessions have been logged out."), "success")
            # Shown once, in this response only: the codes are stored hashed.
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = mfa.provisioning_uri(user, secret)
    return render_template(
        "accounts/two_factor_setup.html", form=form, qr=mfa.qr_data_uri(uri),
        secret=mfa.grouped(secret), uri=uri, must_enrol=mfa.must_enrol(user),
    ), form_status()


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_only
@security.recent_login_required
def two_factor_recovery_codes():
    """Ten new recovery codes (the old ones stop working), shown once."""
    user = current_user._get_current_object()
    if not user.has_two_factor:
        abort(409)
    codes = mfa.new_recovery_codes(user, actor=user)
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/two-factor/disable", methods=["GET", "POST"])
@login_only
@security.recent_login_required
def two_factor_disable():
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return redirect(url_for("accounts.two_factor"))
    form = TwoFactorDisableForm()
    return submit(form, lambda: mfa.disable(user, form.password.data, form.code.data, actor=user),
                  done=lambda _none: (_("Two-factor authentication is off."), url_for("accounts.two_factor")),
                  render=lambda: render_template("accounts/two_factor_disable.html", form=form,
                                                 required=mfa.required_for(user)))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@guard("edit", User, load=queries.get_user)
@security.recent_login_required
def two_factor_reset(user: User):
    """An administrator removes a person's second factor; their sessions end."""
    mfa.reset(user, actor=current_user)
    flash(_("The second factor of %(name)s has been removed and their sessions ended.",
            name=user.full_name), "success")
    return redirect(url_for("accounts.detail", user_id=user.id), 303)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_only
def end_session(session_id: int):
    """End one of one's own sessions (another browser, a forgotten computer)."""
    user = current_user._get_current_object()
    row = queries.session_of(user, session_id)
    if row is None:
        abort(404)
    sessions.end_session_of(row, actor=user)
    flash(_("The session has been ended."), "success")
    return redirect(url_for("accounts.profile") + "#sessions-title", 303)


@bp.route("/users/<int:user_id>/sessions/<int:session_id>/end", methods=["POST"])
@guard("edit", User, load=queries.get_user, child=queries.session_of)
def end_user_session(user: User, row: UserSession):
    sessions.end_session_of(row, actor=current_user)
    flash(_("The session has been ended."), "success")
    return redirect(url_for("accounts.detail", user_id=user.id) + "#sessions-title", 303)
