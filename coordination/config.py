"""Configuration: documented defaults, overridden by environment variables and instance/config.py."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("CONCERTATION_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str | None) -> str:
    """Return the SQLAlchemy URL for DATABASE_URL, defaulting to SQLite under instance/.

    ``postgres://`` and ``postgresql://`` URLs are pointed at the psycopg 3 driver.
    """
    if not raw:
        return f"sqlite:///{INSTANCE / 'concertation.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    """Defaults. Every setting can be overridden by an environment variable of the same name."""

    # "production" (default) refuses to start without SECRET_KEY; "development" (make run)
    # keeps a generated key in instance/dev-secret-key so sessions survive restarts.
    ENV = os.environ.get("CONCERTATION_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")

    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # No pool_pre_ping: connections idle for a while are pinged before use instead
    # (coordination/db.py, ``_ping_if_idle``), which spares every request a round trip.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Session cookie: HttpOnly and SameSite=Lax always; Secure (and then named with the
    # __Host- prefix) unless in development mode or SESSION_COOKIE_SECURE=0 says otherwise.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: decided from ENV when the application starts.
    SESSION_COOKIE_SECURE = (_bool("SESSION_COOKIE_SECURE", False)
                             if "SESSION_COOKIE_SECURE" in os.environ else None)
    REMEMBER_COOKIE_HTTPONLY = True
    # Server-side session records end after SESSION_IDLE_MINUTES without a request and, in
    # any case, SESSION_ABSOLUTE_MINUTES after log-in; the cookie's expiry does not slide.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_MINUTES = int(os.environ.get("SESSION_ABSOLUTE_MINUTES", 12 * 60))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_MINUTES * 60
    SESSION_REFRESH_EACH_REQUEST = False
    # Text posted after a session expired is kept this long for its author, then dropped.
    SAVED_FORM_MINUTES = int(os.environ.get("SAVED_FORM_MINUTES", 15))
    # Sensitive steps (e-mail, second factor, roles, calendar address) ask for the password
    # again when it was last entered longer ago than this.
    REAUTH_MINUTES = int(os.environ.get("REAUTH_MINUTES", 5))
    # Roles that must use two-factor authentication (comma-separated). Development mode
    # (make run) leaves it empty so the demo log-ins work with a password alone.
    # (None: "admin,secretariat", or nothing in development mode.)
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES")
    MFA_ISSUER = os.environ.get("MFA_ISSUER", "Concertation")

    # CSRF tokens live as long as the session, so long edits (minutes) are not lost.
    WTF_CSRF_TIME_LIMIT = None

    # Long text fields (mandates, minutes) must not hit Flask's 500 kB form default;
    # forms validate their own lengths with a message. Uploads have their own limit.
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 25 * 1024 * 1024))

    # Failed log-ins are throttled per account and per client address (no permanent lock-out).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Keeps this portal's counters apart when several portals share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "concertation")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes")

    # Languages offered to users; English is the source language.
    LANGUAGES = ("en", "fr", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "coordination" / "translations")
    # Time zone used when no body gives one (a new body defaults to it too).
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "America/Port-au-Prince")

    PAGE_SIZE = 25

    # Seconds a client is told to wait (Retry-After) while the database is down or busy.
    DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", 30))
    # Meeting, deadline and report dates must fall within these years (a typo such as
    # 0202 or 20266 is refused with a message instead of breaking calendars and exports).
    DATE_MIN_YEAR = int(os.environ.get("DATE_MIN_YEAR", 1990))
    DATE_MAX_YEAR = int(os.environ.get("DATE_MAX_YEAR", 2100))

    # Canonical address of the portal: links in e-mail are built on it, never on a request's Host.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Mail: SMTP settings (MAIL_USE_TLS = STARTTLS on a plain port, MAIL_USE_SSL = TLS from the
    # first byte, usually port 465). MAIL_BACKEND "file" writes each message as a .eml file to
    # MAIL_FOLDER instead (the default for development servers, so `make run` needs no SMTP).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "concertation@localhost")
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "Concertation")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 15))
    MAIL_BACKEND = os.environ.get(
        "MAIL_BACKEND", "file" if ENV == "development" and not os.environ.get("MAIL_SERVER") else "smtp")
    MAIL_FOLDER = os.environ.get("MAIL_FOLDER", str(INSTANCE / "mail"))
    # After a request commits mail: "thread" sends it at once in the background, "inline"
    # before the response ends, "off" leaves it to `flask mail send` (cron).
    MAIL_DISPATCH = os.environ.get("MAIL_DISPATCH", "thread")
    # A failed delivery is retried after 1, 2, 4, … times MAIL_RETRY_SECONDS, then marked failed.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 8))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", 60))

    # Reminders (`flask notifications remind`, daily): action items due in these many days,
    # invitees without an answer this many days before a meeting, minutes not approved this
    # many days after their meeting.
    REMINDER_DUE_DAYS = tuple(int(d) for d in os.environ.get("REMINDER_DUE_DAYS", "14,3").split(",") if d.strip())
    REMINDER_RSVP_DAYS = int(os.environ.get("REMINDER_RSVP_DAYS", 7))
    REMINDER_MINUTES_DAYS = int(os.environ.get("REMINDER_MINUTES_DAYS", 30))
    # Circulated minutes: members are asked to comment within this many days (unless the secretariat sets a date).
    MINUTES_COMMENT_DAYS = int(os.environ.get("MINUTES_COMMENT_DAYS", 14))

    # Password reset and account links: valid this long; requests throttled per account and address.
    RESET_TOKEN_SECONDS = int(os.environ.get("RESET_TOKEN_SECONDS", 3600))
    INVITATION_TOKEN_SECONDS = int(os.environ.get("INVITATION_TOKEN_SECONDS", 7 * 86400))
    EMAIL_TOKEN_SECONDS = int(os.environ.get("EMAIL_TOKEN_SECONDS", 86400))
    # The reset request page answers after at least this long, whether the address is known or not.
    RESET_RESPONSE_SECONDS = float(os.environ.get("RESET_RESPONSE_SECONDS", 0.8))
    RESET_REQUESTS_PER_ACCOUNT = os.environ.get("RESET_REQUESTS_PER_ACCOUNT", "3 per hour")
    RESET_REQUESTS_PER_ADDRESS = os.environ.get("RESET_REQUESTS_PER_ADDRESS", "10 per hour")

    # Uploaded files live outside the web root, under generated names.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))

    # Departments (or regions) an action item's geographic scope can name.
    GEOGRAPHIC_AREAS = tuple(
        a.strip() for a in os.environ.get(
            "GEOGRAPHIC_AREAS",
            "Artibonite,Centre,Grand'Anse,Nippes,North,North-East,North-West,West,South,South-East",
        ).split(",") if a.strip()
    )

    # Governance health reports minutes still unapproved this many days after their meeting.
    MINUTES_APPROVAL_DAYS = int(os.environ.get("MINUTES_APPROVAL_DAYS", 60))

    # Cache of serialised calendar feeds and events: in-process (SizedSimpleCache) by default, or a
    # Redis shared by every app process when CACHE_REDIS_URL is set. Entries are keyed by what
    # they contain (versions, dates of change), so a change never serves a stale entry.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "RedisCache" if CACHE_REDIS_URL
                                else "coordination.cache_backend.SizedSimpleCache")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", 24 * 3600))
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "concertation:")
    # SimpleCache keeps at most this many entries per process (one per meeting and per feed).
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", 20000))
    # ... and at most this many bytes of values (see coordination/cache_backend.py).
    CACHE_MAX_BYTES = int(os.environ.get("CACHE_MAX_BYTES", 32 * 1024 * 1024))
    # A signed-in person's page is answered from that cache for at most this many seconds, and
    # only while nothing was written since (see coordination/page_cache.py); 0 turns it off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 60))
    # ... in a store of their own, of at most this many bytes per process when in-process.
    PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", 16 * 1024 * 1024))

    # Trust X-Forwarded-* from this many proxies (0 when serving directly).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))


def development_secret_key() -> str:
    """Return (creating once) the secret key kept in instance/ for development servers."""
    path = INSTANCE / "dev-secret-key"
    INSTANCE.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
