"""The authorization policy: ``can(user, action, obj)`` and the route guards that apply it.

Every route is decorated with exactly one of :func:`guard`, :func:`ability`,
:func:`feed_guard`, :func:`login_only` or :func:`public`; ``tests/test_permissions.py`` fails on any route that has none.

Visibility of bodies: secretariat, admins and evaluators see every body. A member sees
internal bodies, and a restricted body only if they sit on it (personally, or through their
organisation's current seat). What lies under a restricted body (sub-bodies, charters,
memberships) is hidden the same way, except that a member who sits on a sub-body sees it.
Objects a user may not see answer 404, so their existence is not revealed.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user

from coordination.accounts.models import Role, User
from coordination.audit import AuditEntry
from coordination.bodies import queries as body_queries
from coordination.bodies.models import Body
from coordination.calendar.queries import feed_viewer, read_without_transaction
from coordination.charters.models import Charter
from coordination.dates import local_today
from coordination.evaluations.models import Evaluation
from coordination.extensions import login_manager
from coordination.logs import security_event
from coordination.meetings.models import Meeting
from coordination.memberships import queries as membership_queries
from coordination.memberships.models import OrganisationMembership, PersonMembership
from coordination.minutes.models import Minutes, MinutesStatus
from coordination.organisations.models import Organisation
from coordination.plans.models import ActionItem, ActionPlan

STAFF = (Role.ADMIN, Role.SECRETARIAT)
READERS = (Role.ADMIN, Role.SECRETARIAT, Role.EVALUATOR)


def _role(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def bodies_sat_on(user: User) -> set[int]:
    """Bodies the user sits on today, personally or through their organisation (cached per request)."""
    cache = g.setdefault("_bodies_sat_on", {})
    if user.id not in cache:
        cache[user.id] = membership_queries.body_ids_sat_on(user, local_today())
    return cache[user.id]


def visible_body_ids(user: User) -> set[int] | None:
    """Ids of bodies the user may see, or None when the user sees every body.

    Computed once per request (one query, with the seats) so list pages stay at a fixed query count.
    """
    if _role(user) in READERS:
        return None
    cache = g.setdefault("_visible_bodies", {})
    if user.id not in cache:
        seats = g.setdefault("_bodies_sat_on", {})
        if user.id in seats:
            cache[user.id] = body_queries.visible_body_ids(seats[user.id])
        else:  # both in one query
            seats[user.id], cache[user.id] = body_queries.seats_and_visible_bodies(
                *membership_queries.sat_on_statement(user, local_today()))
    return cache[user.id]


def _remember_seats(user: User, seats: set[int], visible: set[int]) -> None:
    """Keep for this request the seats and visible bodies found with the user (as
    :func:`bodies_sat_on` and :func:`visible_body_ids` would compute them)."""
    g.setdefault("_bodies_sat_on", {})[user.id] = seats
    g.setdefault("_visible_bodies", {})[user.id] = visible


def sees_draft_minutes(user: User) -> bool:
    """Whether draft minutes may appear in the user's lists and search results (as ``_minutes_rule``)."""
    return _role(user) in READERS


def can_see_body(user: User, body: Body) -> bool:
    visible = visible_body_ids(user)
    return visible is None or body.id in visible


# --- rules per object type: (user, action, obj) -> bool; obj may be the class itself ----------


def _user_rule(user: User, action: str, obj: Any) -> bool:
    role = _role(user)
    if action == "view":
        return role in READERS or (isinstance(obj, User) and obj.id == user.id)
    return role == Role.ADMIN


def _organisation_rule(user: User, action: str, obj: Any) -> bool:
    if action == "view":
        return True
    return _role(user) in STAFF


def _body_rule(user: User, action: str, obj: Any) -> bool:
    if action == "view":
        return not isinstance(obj, Body) or can_see_body(user, obj)
    return _role(user) in STAFF


def _child_of_body_rule(user: User, action: str, obj: Any) -> bool:
    """Memberships, charters and meetings follow their body's visibility; staff manage them."""
    if isinstance(obj, type):
        return action == "view" or _role(user) in STAFF
    if not can_see_body(user, obj.body):
        return False
    if action == "view":
        return True
    return _role(user) in STAFF


def _plan_rule(user: User, action: str, obj: Any) -> bool:
    """Plans follow their owning body's visibility; the secretariat manages them."""
    if action == "view":
        return isinstance(obj, type) or can_see_body(user, obj.body)
    return _role(user) in STAFF


def _item_rule(user: User, action: str, obj: Any) -> bool:
    """Members report progress on their organisation's items and comment where they support.

    Evaluators read everything and change nothing; the secretariat manages the items.
    """
    role = _role(user)
    if isinstance(obj, type):
        return action == "view" or role in STAFF
    if not can_see_body(user, obj.body):
        return False
    if action == "view":
        return True
    if role in STAFF:
        return True
    if role != Role.MEMBER or user.organisation_id is None:
        return False
    owns = obj.lead_organisation_id == user.organisation_id
    if action == "update_progress":
        return owns
    if action == "comment":
        return owns or any(o.id == user.organisation_id for o in obj.supporters)
    return False


def _meeting_rule(user: User, action: str, obj: Any) -> bool:
    """Meetings follow their body's visibility like seats and charters; invitees answer."""
    if action == "rsvp" and not isinstance(obj, type):
        return can_see_body(user, obj.body) and any(i.user_id == user.id for i in obj.invitations)
    return _child_of_body_rule(user, action, obj)


def _minutes_rule(user: User, action: str, obj: Any) -> bool:
    """Drafts are for the secretariat (and evaluators, who read everything); members of the
    body comment while the minutes are circulated."""
    role = _role(user)
    if isinstance(obj, type):
        return role in STAFF
    if not can_see_body(user, obj.meeting.body):
        return False
    if action == "view":
        return role in READERS or obj.status != MinutesStatus.DRAFT
    if action == "comment":
        sits = obj.meeting.body_id in bodies_sat_on(user)
        return obj.status == MinutesStatus.CIRCULATED and (role in STAFF or (role == Role.MEMBER and sits))
    return role in STAFF


def _evaluation_rule(user: User, action: str, obj: Any) -> bool:
    """Evaluators, the secretariat and admins create evaluations; authors (and staff) edit them
    until final; only staff turn recommendations into action items. Final evaluations are read
    by whoever sees the plan's body; drafts and those under review by their authors and staff."""
    role = _role(user)
    if isinstance(obj, type):
        return action == "view" or role in (*STAFF, Role.EVALUATOR)
    if not can_see_body(user, obj.plan.body):
        return False
    author = obj.is_author(user)
    if action == "view":
        return obj.is_final or role in STAFF or author
    if action == "follow_up":
        return role in STAFF
    if action in ("edit", "delete"):
        return not obj.is_final and (role in STAFF or (role == Role.EVALUATOR and author))
    return False


def _audit_rule(user: User, action: str, obj: Any) -> bool:
    return action == "view" and _role(user) in (Role.ADMIN, Role.EVALUATOR)


RULES: dict[type, Callable[[User, str, Any], bool]] = {
    User: _user_rule,
    Organisation: _organisation_rule,
    Body: _body_rule,
    OrganisationMembership: _child_of_body_rule,
    PersonMembership: _child_of_body_rule,
    Charter: _child_of_body_rule,
    ActionPlan: _plan_rule,
    ActionItem: _item_rule,
    Meeting: _meeting_rule,
    Minutes: _minutes_rule,
    AuditEntry: _audit_rule,
    Evaluation: _evaluation_rule,
}

# Named abilities that are not about one object.
ABILITIES: dict[str, tuple[Role, ...]] = {
    "view_governance": READERS + (Role.MEMBER,),
    "search": READERS + (Role.MEMBER,),
    "manage_mail": (Role.ADMIN,),
    "view_governance_health": READERS,
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` perform ``action`` ("view", "create", "edit", "delete", …) on ``obj``?

    ``obj`` is a model instance, or a model class for list/create questions, or None for
    the named abilities in ``ABILITIES``. Anonymous users may do nothing here.
    """
    role = _role(user)
    if role is None or not user.is_active:
        return False
    if obj is None:
        return role in ABILITIES.get(action, ())
    cls = obj if isinstance(obj, type) else type(obj)
    rule = RULES.get(cls)
    if rule is None:
        raise LookupError(f"no permission rule for {cls.__name__}")
    return rule(user, action, obj)


# --- route guards ------------------------------------------------------------------------


def _deny(status: int, action: str, target: Any) -> None:
    """Refuse with ``status``, logging the refusal as a security event (with the request id)."""
    if isinstance(target, str | type):
        what = getattr(target, "__name__", target)
    else:
        what = f"{type(target).__name__} {getattr(target, 'id', '?')}"
    security_event("denied", "%s refused: %s on %s", status, action, what)
    abort(status)


def _mark(view: Callable, kind: str) -> Callable:
    view.guard = kind  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """The route is open to anonymous visitors (log-in page, health check)."""
    return _mark(view, "public")


def login_only(view: Callable) -> Callable:
    """Any logged-in user may use the route (their own profile, dashboard, log-out)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapped, "login")


def guard(action: str, target: Any, load: Callable[..., Any] | None = None,
          child: Callable[..., Any] | None = None) -> Callable:
    """Load the route's object, then check ``can(current_user, action, obj)``.

    ``target`` is a model class. With ``load`` (called with the URL arguments), the loaded
    object is checked and passed to the view as its first argument; a missing object, or
    one the user may not even see, is 404; a refused action is 403. Without ``load`` the
    class itself is checked (lists, creation) and the view gets the URL arguments.

    Nested routes (the agenda item of a meeting, the seat of a body, the indicator of an
    item) also give ``child``: called as ``child(obj, **url_arguments)`` once the parent is
    loaded and allowed, it returns the child *of that parent* or ``None`` (404, also for a
    child of another parent). The view then gets ``(obj, child)`` and fetches nothing itself.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(**kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if load is None:
                if not can(current_user, action, target):
                    _deny(403, action, target)
                return view(**kwargs)
            obj = load(**kwargs)
            if obj is None:
                abort(404)
            if not can(current_user, "view", obj):
                _deny(404, action, obj)
            if action != "view" and not can(current_user, action, obj):
                _deny(403, action, obj)
            if child is None:
                return view(obj)
            nested = child(obj, **kwargs)
            if nested is None:
                abort(404)
            return view(obj, nested)

        wrapped.guard_action = (action, target)  # type: ignore[attr-defined]
        return _mark(wrapped, "guard")

    return decorator


def feed_guard(body: bool = False) -> Callable:
    """Calendar feeds: the secret token in the URL stands for the user (calendar programs
    carry no session). An unknown or revoked token, or a body the token's user may not see,
    answers 404. The view gets the viewer (``calendar.queries.FeedViewer``: the user, the
    bodies and their seats), then (``body=True``) the body of ``body_id``.

    The user, their seats and visible bodies and the body (without ``body``, the personal
    feed's stamps) come from one query: calendar programs poll feeds every few minutes."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(token: str, **kwargs: Any):
            read_without_transaction()
            found = feed_viewer(token, local_today(), kwargs["body_id"] if body else None)
            if found is None:
                abort(404)
            _remember_seats(found.user, *body_queries.seats_and_visible(found.bodies))
            if not body:
                return view(found)
            if found.body is None:
                abort(404)
            if not can(found.user, "view", found.body):
                _deny(404, "feed", found.body)
            return view(found, found.body)

        return _mark(wrapped, "token")

    return decorator


def ability(name: str) -> Callable:
    """Guard a route by a named ability from ``ABILITIES``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, name):
                _deny(403, name, "ability")
            return view(*args, **kwargs)

        return _mark(wrapped, "guard")

    return decorator
