"""Log-in, log-out, own profile and password; user administration for admins."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from coordination import i18n
from coordination.accounts import mfa, queries, recovery, security, services, sessions, throttling

# Pages reached from e-mail (invitation, password reset, address change) and the sign-in
# security pages live apart; importing them adds their routes to the blueprint.
from coordination.accounts import recovery_views, security_views  # noqa: F401  isort: skip
from coordination.accounts.blueprint import bp
from coordination.accounts.forms import (
    LanguageForm,
    LoginForm,
    NewUserForm,
    PasswordForm,
    ProfileForm,
    UserForm,
)
from coordination.accounts.models import User
from coordination.accounts.passwords import password_strength
from coordination.extensions import login_manager
from coordination.forms import ConfirmForm, submit
from coordination.logs import security_event
from coordination.permissions import guard, login_only, public
from coordination.urls import is_safe_next, page_arg

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the log-in page explains itself
login_manager.session_protection = None  # sessions are checked server-side instead


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    row, expired_user_id = sessions.load_session(session.get("sid"))
    if row is None or str(row.user_id) != user_id:
        g.expired_user_id = expired_user_id
        return None
    g.user_session = row
    return row.user


login_manager.unauthorized_handler(security.unauthorized)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        wait = throttling.login_retry_after(form.email.data, address)
        if wait is not None:
            security_event("throttled", "log-in throttled for account %r", form.email.data)
            return security.too_many_attempts(wait)
        user = services.authenticate(form.email.data, form.password.data)
        target = request.args.get("next")
        target = target if is_safe_next(target) else None
        if user is None:
            # The account typed and the address; never the password.
            security_event("login_failed", "failed log-in for account %r", form.email.data)
            throttling.note_failed_login(form.email.data, address)
            form.form_errors.append(_("The e-mail address or password is not correct."))
            status = 401
        elif user.has_two_factor:
            # The password is right; the session starts only after the second factor.
            session.clear()
            session["mfa_pending"] = {"uid": user.id, "at": int(sessions.now().timestamp()),
                                      "next": target}
            return redirect(url_for("accounts.login_code"), 303)
        else:
            language = session.get(i18n.SESSION_KEY)
            session.clear()
            if language:  # the switcher's choice survives the new session
                session[i18n.SESSION_KEY] = language
            security.begin_session(user)
            return redirect(security.after_login(user, target), 303)
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/language", methods=["POST"])
@public
def language():
    """The language switcher (a plain form: works without JavaScript).

    Before log-in the choice is kept in the session; a logged-in person's profile setting
    changes. Then back to the page the switcher was on.
    """
    form = LanguageForm()
    target = request.form.get("next")
    back = target if is_safe_next(target) else url_for("accounts.login")
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(back, 303)
    code = form.language.data
    if current_user.is_authenticated:
        services.update_profile(current_user._get_current_object(), {"language": code}, actor=current_user)
    session[i18n.SESSION_KEY] = code
    return redirect(back, 303)


@bp.route("/logout", methods=["POST"])
@login_only
def logout():
    sessions.end_session(session.get("sid"))
    language = i18n.select_locale()  # the log-in page stays in the person's language
    logout_user()
    session.clear()
    session[i18n.SESSION_KEY] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_only
def password():
    form = PasswordForm()

    def change():
        services.change_password(current_user, form.current_password.data, form.new_password.data, actor=current_user)
        # Every session ended, this one included: open a fresh one for this browser.
        security.begin_session(current_user._get_current_object())

    def done(_none):
        _score, label = password_strength(form.new_password.data)
        return (_("Your password has been changed (strength: %(label)s). Other sessions have "
                  "been logged out.", label=label), url_for("accounts.profile"))

    def render():
        hint = password_strength(form.new_password.data or "") if request.method == "POST" else None
        return render_template("accounts/password.html", form=form, hint=hint)

    return submit(form, change, done=done, render=render)


# Domains above accounts add their part of the profile page (notifications: the reminders
# choice) by registering a callable that returns its template variables for the person.
_profile_parts: list[Callable[[User], dict[str, Any]]] = []


def add_to_profile(part: Callable[[User], dict[str, Any]]) -> None:
    """Give the profile page the variables ``part(user)`` returns (called by a higher domain)."""
    _profile_parts.append(part)


@bp.route("/profile", methods=["GET", "POST"])
@login_only
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user if request.method == "GET" else None)

    def render():
        extra = {name: value for part in _profile_parts for name, value in part(user).items()}
        return render_template(
            "accounts/profile.html", form=form, user=user,
            sessions=sessions.active_sessions(user), this_session=security.current_session(),
            two_factor_required=mfa.required_for(user), confirm=ConfirmForm(), **extra,
        )

    return submit(form, lambda: services.update_profile(user, form.data_for(), actor=user),
                  done=lambda _changes: (_("Your profile has been saved."), url_for("accounts.profile")),
                  render=render)


def _user_url(user: User) -> str:
    return url_for("accounts.detail", user_id=user.id)


@bp.route("/users")
@guard("view", User)
def users():
    search = request.args.get("q", "").strip()[:100]
    page = queries.users_page(page_arg(), current_app.config["PAGE_SIZE"], search)
    return render_template("accounts/users.html", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
@guard("create", User)
def create():
    form = NewUserForm(queries.organisations())

    def create_user():
        if form.send_invitation.data:
            return recovery.create_user_with_invitation(form.data_for(), actor=current_user)
        return services.create_user(form.data_for(), actor=current_user)

    return submit(form, create_user,
                  done=lambda user: (_("Account created for %(name)s.", name=user.full_name), _user_url(user)),
                  render=lambda: render_template("accounts/user_form.html", form=form, user=None))


@bp.route("/users/<int:user_id>")
@guard("view", User, load=queries.get_user)
def detail(user: User):
    return render_template("accounts/user.html", user=user, confirm=ConfirmForm(),
                           sessions=sessions.active_sessions(user),
                           this_session=security.current_session())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@guard("edit", User, load=queries.get_user)
def edit(user: User):
    form = UserForm(queries.organisations(), obj=user if request.method == "GET" else None)

    def save():
        # A new role, e-mail or password is a sensitive step: the password again if not fresh.
        sensitive = (form.role.data != user.role.value
                     or services.normalise_email(form.email.data or "") != user.email
                     or bool(form.password.data))
        if sensitive and sessions.needs_reauthentication(security.current_session()):
            abort(security.ask_reauthentication())  # answered as is: the redirect to the password prompt
        return services.update_user(user, form.data_for(), actor=current_user)

    return submit(form, save, done=lambda _changes: (_("The account has been saved."), _user_url(user)),
                  render=lambda: render_template("accounts/user_form.html", form=form, user=user))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@guard("delete", User, load=queries.get_user)
def deactivate(user: User):
    services.set_active(user, False, actor=current_user)
    flash(_("%(name)s can no longer log in. Their history is kept.", name=user.full_name), "success")
    return redirect(_user_url(user), 303)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@guard("edit", User, load=queries.get_user)
def reactivate(user: User):
    services.set_active(user, True, actor=current_user)
    flash(_("%(name)s can log in again.", name=user.full_name), "success")
    return redirect(_user_url(user), 303)

