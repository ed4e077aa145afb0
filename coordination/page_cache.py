"""Rendered pages kept per viewer until anything they could show changes.

A page such as a meeting's costs 10–30 ms to build and is read far more often than anything
on it is written. :func:`cached_page` keeps the HTML of a signed-in person's GET, and answers
the next identical request with it, for as long as

- the **content stamp** has not moved: one row (``content_stamps``) whose ``version`` every
  committed transaction that wrote anything but bookkeeping moves, as its last statement (so
  a reader who sees the new data also sees the new stamp, and no page built from old data is
  stored under a new stamp). Any write invalidates every page: coordination portals are
  written rarely and read often, and a finer key could forget a dependency. Writes are seen
  through the session (the ORM's flushes and ``session.execute`` of any insert, update,
  delete or text statement); a write sent on a raw connection, or from outside the
  application (psql, a data migration), is not, and shows at the latest after the TTL;
- and at most ``PAGE_CACHE_SECONDS`` (60 by default), because a few things on a page follow
  the clock, not the data ("past", "next meetings", a seat that ends today). The date in
  DEFAULT_TIMEZONE is part of the key, so a new day there never shows yesterday's page;
  other zones' days turn within the TTL.

The key also holds the person, the session's CSRF secret (the page's forms carry tokens made
from it), the language, the host and address with its query and the release (code, templates
and catalogues), so nobody is ever shown a page built for someone else, for another session
or by another release. Nothing is kept or served while the session holds a flashed message
or a form to restore; only pages built for GET are kept. Pages live in a store of their own
(``page_store``, ``PAGE_CACHE_MAX_BYTES`` per process), so many addresses cannot push the
feeds and roll-ups out. With Redis the kept HTML (feed addresses, CSRF tokens included) is
in Redis, as the feeds are: it must be as private as the database.

Every request still runs the sign-in checks: the session and account are loaded and the
password-change and second-factor rules apply before the cache is asked. The route's guard
runs only when the page is built: a page is stored only after the policy allowed it, and
whatever could change the policy's answer (seats, roles, restrictions, accounts) is a write
that moves the stamp. ``PAGE_CACHE_SECONDS = 0`` turns the cache off.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Mapped, Session, mapped_column

from coordination.dates import local_today
from coordination.db import NOT_CONTENT, Base
from coordination.extensions import db, page_store
from coordination.submissions import issued_tokens, new_token

# Tables whose writes are bookkeeping no cached page shows: session activity, forms kept across
# an expired session, double-submit memos, the mail outbox and its reminder log.
BOOKKEEPING_TABLES = frozenset({
    "content_stamps", "user_sessions", "saved_forms", "form_submissions", "outbox_messages", "reminder_log",
})
# Changing what a cached value holds changes this, so an older process's entries are not read.
PAGE_FORMAT = 1
_WROTE = "content_written"


class ContentStamp(Base):
    """The single row whose ``version`` moves with every committed change of content."""

    __tablename__ = "content_stamps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")


_READ = sa.select(ContentStamp.version).where(ContentStamp.id == 1)
_BUMP = sa.update(ContentStamp).where(ContentStamp.id == 1).values(version=ContentStamp.version + 1)


# The stamp as a column, for a query the request runs anyway (the session's).
STAMP = _READ.scalar_subquery()


def remember_version(version: int | None) -> None:
    """Note the stamp read with another query, for this request's page."""
    g.content_version = version


def content_version() -> int | None:
    """The current content stamp, or None if its row is missing (then nothing is cached)."""
    if "content_version" not in g:
        g.content_version = db.session.execute(_READ).scalar()
    return g.content_version


# --- noting writes and moving the stamp ----------------------------------------------------------

def _table_of(entity: Any) -> str | None:
    table = getattr(entity, "__table__", None)
    return getattr(table, "name", None)


def _rows_changed(session: Session, obj: Any) -> bool:
    """Whether flushing a changed ``obj`` writes content: its own columns, or the rows of a
    many-to-many table. A collection of rows in other tables (a user's sessions) is left to
    those rows, which are in the flush themselves."""
    if session.is_modified(obj, include_collections=False):
        return True
    state = sa.inspect(obj)
    return any(relation.secondary is not None and relation.secondary.name not in BOOKKEEPING_TABLES
               and state.attrs[relation.key].history.has_changes()
               for relation in state.mapper.relationships)


def _note_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.deleted):
        if _table_of(obj) not in BOOKKEEPING_TABLES:
            session.info[_WROTE] = True
            return
    for obj in session.dirty:
        if _table_of(obj) not in BOOKKEEPING_TABLES and _rows_changed(session, obj):
            session.info[_WROTE] = True
            return


def _note_statement(state: Any) -> None:
    """Bulk and Core statements run through the session (``session.execute(update(...))``)."""
    statement = state.statement
    if state.execution_options.get(NOT_CONTENT):  # bookkeeping(..., silent=True): a log-in's time
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(statement, "table", None), "name", None)
        if table not in BOOKKEEPING_TABLES:
            state.session.info[_WROTE] = True
    elif isinstance(statement, sa.TextClause) and not str(statement).lstrip()[:6].upper() == "SELECT":
        state.session.info[_WROTE] = True


def _bump_before_commit(session: Session) -> None:
    """Move the stamp as the transaction's last statement (rows are locked only at its end).

    SQLAlchemy also calls this when a savepoint is released: the stamp waits for the outermost
    commit, or a savepoint rolled back later would take the move with it, and the stamp's row
    would stay locked for the rest of the transaction."""
    if session.in_nested_transaction():
        return
    if session.info.get(_WROTE) is None and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    if session.info.pop(_WROTE, None):
        session.execute(_BUMP)


def _forget(session: Session, transaction: Any) -> None:
    """A transaction that ended without committing forgets its writes (a savepoint's end does not:
    the writes before it may still be committed)."""
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def watch_writes() -> None:
    """Listen on every session (web requests, CLI, mail sender): once per process."""
    if sa.event.contains(Session, "after_flush", _note_flush):
        return
    sa.event.listen(Session, "after_flush", _note_flush)
    sa.event.listen(Session, "do_orm_execute", _note_statement)
    sa.event.listen(Session, "before_commit", _bump_before_commit)
    sa.event.listen(Session, "after_transaction_end", _forget)


# --- the page cache ---------------------------------------------------------------------------------

def release_tag(app: Flask) -> str:
    """What the pages were built from besides the data: the code, the templates and the compiled
    catalogues (names, sizes and times), so a new release never serves an old page, even from
    a Redis that outlives the processes."""
    digest = hashlib.sha256(str(PAGE_FORMAT).encode())
    roots = [Path(app.template_folder or "templates"), Path(app.root_path)]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".mo", ".py"):
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _key() -> str | None:
    """This request's key, or None if its page must not come from, or go to, the cache."""
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if (not seconds or request.method not in ("GET", "HEAD") or not current_user.is_authenticated
            or "_flashes" in session or "restore_form" in session):
        return None
    secret = session.get("csrf_token")
    version = content_version()
    if not secret or version is None:
        return None
    viewer = hashlib.sha256(f"{current_user.id}:{secret}".encode()).hexdigest()[:24]
    return (f"{current_app.extensions['page_release']}:{version}:{viewer}:{get_locale()}:"
            f"{local_today().isoformat()}:{request.host}{request.full_path}")


def _storable(response: Response) -> bool:
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    return (response.status_code == 200 and not response.direct_passthrough and not response.is_streamed
            and "Set-Cookie" not in response.headers and not session.get("_flashes") and not ctx.flashes)


def _kept(response: Response) -> tuple[str, int, list[tuple[str, str]]]:
    """What is stored of a page: its HTML with each one-time form token replaced by a marker
    (NUL never reaches a page: text is cleaned of it), how many, and the view's headers."""
    body = response.get_data(as_text=True)
    for number, token in enumerate(issued_tokens()):
        body = body.replace(token, f"\x00{number}\x00")
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in ("content-length", "set-cookie")]
    return body, len(issued_tokens()), headers


def _served(kept: tuple[str, int, list[tuple[str, str]]]) -> Response:
    """A kept page, with fresh one-time tokens: two copies of a form never share one, so the
    second is never taken for a double submission of the first."""
    body, tokens, headers = kept
    for number in range(tokens):
        body = body.replace(f"\x00{number}\x00", new_token())
    return current_app.response_class(body, headers=headers)


def cached_page(view: Callable) -> Callable:
    """Serve the signed-in viewer's page from the cache while nothing on it changed.

    Put it above the route's guard: the guard and the view run only when the page is built.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = _key()
        if key is not None:
            kept = page_store.get(key)
            if kept is not None:
                return _served(kept)
        response = current_app.make_response(view(*args, **kwargs))
        if request.method == "GET" and _storable(response):  # a page built for HEAD may differ
            key = _key()  # the page may have made the session's CSRF secret
            if key is not None:
                page_store.set(key, _kept(response), timeout=current_app.config["PAGE_CACHE_SECONDS"])
        return response

    return wrapped


def init_app(app: Flask) -> None:
    """The page store: the feeds' kind of cache, with a budget of its own (pages can never push
    out feeds and plan roll-ups) and its own key prefix."""
    watch_writes()
    page_store.init_app(app, config={
        "CACHE_MAX_BYTES": app.config["PAGE_CACHE_MAX_BYTES"],
        "CACHE_KEY_PREFIX": f"{app.config['CACHE_KEY_PREFIX']}page:",
    })
    app.extensions["page_release"] = release_tag(app)
