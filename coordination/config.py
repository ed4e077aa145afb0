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
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Session cookie: HttpOnly and SameSite=Lax always; Secure when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600))

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

    # Mail (used from the meetings and reminders features).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "concertation@localhost")

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

    # Cache of serialised calendar feeds and events: in-process (SimpleCache) by default, or a
    # Redis shared by every app process when CACHE_REDIS_URL is set. Entries are keyed by what
    # they contain (versions, dates of change), so a change never serves a stale entry.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "RedisCache" if CACHE_REDIS_URL else "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", 24 * 3600))
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "concertation:")
    # SimpleCache keeps at most this many entries per process (one per meeting and per feed).
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", 20000))

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
