"""SQLAlchemy base with a naming convention, UTC datetimes, mixins and SQLite connection set-up."""
from __future__ import annotations

import enum
import sqlite3
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import Pool

from coordination.errors import STALE_MESSAGE, STEP_REFUSED, ConflictError, StaleError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A datetime stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, so values are stored there as naive UTC; PostgreSQL uses
    ``timestamp with time zone``. Naive datetimes are refused so no local time slips in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_ENUM_LABELS: dict[tuple[type, str], Any] = {}


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members have translatable labels, set with :func:`set_labels`.

    Labels are keyed by (enum class, value): members of different enums with the same value
    (``SeatRole.MEMBER`` and ``MembershipKind.MEMBER``) compare equal as strings, so one
    dict keyed by members would silently merge them.
    """

    @property
    def label(self) -> str:
        """The translated label, resolved once per request (list pages show it on every row)."""
        key = (type(self), self.value)
        if not has_app_context():
            return str(_ENUM_LABELS.get(key, self.value))
        cache = g.setdefault("_enum_labels", {})
        cached = (key, str(get_locale()))  # force_locale (e-mails) changes the language mid-context
        if cached not in cache:
            cache[cached] = str(_ENUM_LABELS.get(key, self.value))
        return cache[cached]


def set_labels(enum_cls: type[enum.Enum], labels: Mapping[Any, Any]) -> None:
    """Register the labels of ``enum_cls`` (every member must have one)."""
    missing = {m.value for m in enum_cls} - {str(k) for k in labels}
    if missing:
        raise ValueError(f"{enum_cls.__name__} lacks labels for {sorted(missing)}")
    for member, label in labels.items():
        _ENUM_LABELS[(enum_cls, str(member))] = label


def migration_compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Alembic type comparison: the UTC type reaches the database as a plain DateTime.

    SQLite reports DATETIME without a zone, so only a non-datetime column is a change.
    Other types fall back to Alembic's own comparison (None).
    """
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, sa.DateTime)
    return None


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable VARCHAR column storing a StrEnum by value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps ``version``."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


# The execution option of a write no page shows (coordination/page_cache.py leaves its stamp).
NOT_CONTENT = "not_content"


def bookkeeping(obj: Any, *, silent: bool = False, **values: Any) -> None:
    """Write ``values`` on ``obj``'s row without checking or bumping its version.

    For bookkeeping (last log-in, "changed through a child" times): such writes must never
    make an edit form someone else has open look stale, nor fail because of one. The
    in-memory object gets the values as if loaded, so the ORM does not write them again.
    ``updated_at`` is left as it is unless given. ``silent``: no page shows the values (the
    time of a log-in), so kept pages stay valid (coordination/page_cache.py).
    """
    table = obj.__table__
    if "updated_at" in table.c and "updated_at" not in values:
        values["updated_at"] = table.c.updated_at
    session = object_session(obj)
    statement = sa.update(table).where(table.c.id == obj.id).values(**values)
    session.execute(statement.execution_options(**{NOT_CONTENT: True}) if silent else statement)
    for name, value in values.items():
        if not isinstance(value, sa.Column):
            set_committed_value(obj, name, value)


def touch(obj: Any) -> None:
    """Mark ``obj`` as changed now (its ``updated_at``) without bumping its version.

    Adding a decision to minutes changes the minutes' content but not the fields of their
    edit form, so it must not make that form stale.
    """
    bookkeeping(obj, updated_at=utcnow())


def audit_value(value: Any) -> Any:
    """Render a value as JSON-safe text for the audit log."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(audit_value(v) for v in value)
    return str(value)


def check_version(obj: Any, expected: Any) -> None:
    """Refuse an edit made from a stale copy (optimistic locking): ``expected`` is the version the
    form was opened at (its hidden ``version`` field); none given means nothing to check."""
    if expected in (None, ""):
        return
    if int(expected) != obj.version:
        raise StaleError(STALE_MESSAGE)


def transition(obj: Any, to: Any, steps: Mapping[Any, Iterable[Any]], *, field: str = "status",
               message: Any = None) -> Any:
    """Move ``obj`` from its current state to ``to`` if ``steps`` allows it; return the old state.

    ``steps`` maps each state to the states it may go to (a state missing from it goes nowhere).
    An illegal step raises :class:`ConflictError` (409) with ``message`` or a generic one, and
    leaves the object as it was. The one place status workflows (minutes, charters, meetings,
    evaluations) are enforced, so a new route cannot skip a step.
    """
    old = getattr(obj, field)
    if to not in steps.get(old, ()):
        raise ConflictError(message or STEP_REFUSED)
    setattr(obj, field, to)
    return old


def apply_changes(obj: Any, data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, tuple]:
    """Set each of ``fields`` present in ``data`` on ``obj``; return ``{field: (old, new)}``."""
    changes: dict[str, tuple] = {}
    for name in fields:
        if name not in data:
            continue
        old, new = getattr(obj, name), data[name]
        if isinstance(new, str):
            new = new.strip()
        if old != new:
            setattr(obj, name, new)
            changes[name] = (audit_value(old), audit_value(new))
    return changes


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys and WAL on every SQLite connection; let SQLAlchemy drive transactions.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs, so it is turned
    off here and BEGIN is emitted in ``_sqlite_on_begin``.
    """
    # (BEGIN IMMEDIATE there for writes: a deferred transaction that reads, then writes after
    # another process committed, fails at once with "database is locked" whatever the busy
    # timeout; taking the write lock up front makes concurrent writers wait their turn instead.
    # Reads begin deferred, so WAL lets them run while another connection holds the lock.)
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # How long a writer waits for the lock: sqlite3's ``timeout`` (5 s unless the engine's
    # connect_args say otherwise); then the request answers 503 with Retry-After.
    cursor.close()


# A pooled connection idle longer than this is pinged before use (see ``_ping_if_idle``).
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling, but only for connections that sat idle a while.

    ``pool_pre_ping`` would send a round trip before every request, a fifth of a small
    request's time. A connection returned less than ``PING_AFTER_IDLE_SECONDS`` ago was
    working then; an older one (the server may have restarted or dropped it) is pinged, and a
    dead one raises ``DisconnectionError``, so the pool discards it and checks out another.
    A connection dropped within those seconds fails its request with the 503 page, and
    SQLAlchemy then invalidates the pool.
    """
    idle = time.monotonic() - record.info.get("checked_in", time.monotonic())
    if idle < PING_AFTER_IDLE_SECONDS or isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        if not getattr(dbapi_connection, "autocommit", True):
            dbapi_connection.rollback()  # the ping must not leave a transaction open
    except Exception as error:  # noqa: BLE001 - any driver error means the connection is unusable
        raise sa.exc.DisconnectionError(str(error)) from error


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _read_only_request() -> bool:
    """Whether the transaction serves a GET/HEAD/OPTIONS request (CLI and tasks count as writes)."""
    return has_request_context() and request.method in SAFE_METHODS


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        # A read-only request must not queue behind a writer (WAL readers never block): it
        # begins deferred; should it write after all, SQLite upgrades or answers "busy" (503).
        connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def contains(text: str, *columns: Any) -> Any:
    """Case-insensitive "one of ``columns`` contains ``text``"; ``%`` and ``_`` in it are literal."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.or_(*(sa.func.lower(column).like(f"%{escaped}%", escape="\\") for column in columns))


def within(column: Any, ids: Iterable[int] | None) -> Any:
    """``column`` is one of ``ids``; ``None`` means no restriction (users who see every body)."""
    return sa.true() if ids is None else column.in_(ids)
