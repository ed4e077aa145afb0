"""Languages and locale-aware formatting: which language a page is shown in, and how people read dates, numbers and money.

One place decides the language (:func:`select_locale`, Flask-Babel's selector) and one place
formats numbers and money (the ``format_*`` helpers, also template filters); dates and times
are formatted by :mod:`coordination.dates`. A language is
only selected when a catalogue exists for it (English, the source, always does), so the
``lang`` attribute of a page is always the language it is actually written in.

``in_locale(user_or_code)`` renders something (a document, an e-mail) in another person's
language::

    with in_locale(recipient):
        body = render_template("mail/invitation.txt", ...)
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import format_percent as babel_format_percent
from flask import current_app, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

SOURCE_LANGUAGE = "en"
# Each language is offered under its own name (a reader who does not understand the current
# language must still find theirs); these are not translated on purpose.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
SESSION_KEY = "language"


def translation_directories() -> list[Path]:
    """The folders Flask-Babel reads catalogues from (``BABEL_TRANSLATION_DIRECTORIES``, ';'-separated)."""
    raw = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    root = Path(current_app.root_path)
    return [root / part if not Path(part).is_absolute() else Path(part) for part in raw.split(";") if part]


def has_catalogue(code: str) -> bool:
    """Whether a compiled catalogue exists for ``code`` (the source language needs none)."""
    if code == SOURCE_LANGUAGE:
        return True
    return any((folder / code / "LC_MESSAGES" / "messages.mo").is_file() for folder in translation_directories())


def available_languages() -> list[str]:
    """The configured ``LANGUAGES`` that can really be shown, in configuration order (cached per app)."""
    cache = current_app.extensions.setdefault("concertation_languages", {})
    key = (tuple(current_app.config["LANGUAGES"]), current_app.config.get("BABEL_TRANSLATION_DIRECTORIES"))
    if key not in cache:
        cache[key] = [code for code in current_app.config["LANGUAGES"] if has_catalogue(code)]
    return cache[key]


def resolve(code: str | None) -> str:
    """``code`` if it can be shown, else its base language (``fr_CA`` → ``fr``), else the default."""
    available = available_languages()
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)
    if not code:
        return default if default in available else SOURCE_LANGUAGE
    code = code.replace("-", "_")
    for candidate in (code, code.split("_")[0].lower()):
        if candidate in available:
            return candidate
    return default if default in available else SOURCE_LANGUAGE


def select_locale() -> str:
    """The language a page is shown in.

    A logged-in person's profile setting; before log-in the language picked with the switcher
    (kept in the session), else the browser's ``Accept-Language``; always one that has a
    catalogue, else English. CLI commands speak the default language.
    """
    if not has_request_context():
        return resolve(None)
    if current_user and current_user.is_authenticated and current_user.language:
        return resolve(current_user.language)
    chosen = session.get(SESSION_KEY)
    if chosen:
        return resolve(chosen)
    return resolve(request.accept_languages.best_match(available_languages()))


def language_of(user_or_code: Any) -> str:
    """The language code to use for a person (their profile setting) or a code, resolved to one that can be shown."""
    if user_or_code is None or isinstance(user_or_code, str):
        return resolve(user_or_code)
    return resolve(getattr(user_or_code, "language", None))


@contextmanager
def in_locale(user_or_code: Any) -> Iterator[str]:
    """Render in a person's language (a ``User``, or a code such as ``"fr"``) inside the block.

    Gettext, lazy strings and the ``format_*`` helpers all follow; yields the code used.
    Outside a request, an application context is enough.
    """
    code = language_of(user_or_code)
    with force_locale(code):
        yield code


# --- formatting -----------------------------------------------------------------------------


def current_locale() -> Locale:
    """The Babel locale of the current language (English outside a request)."""
    return get_locale() or Locale.parse(SOURCE_LANGUAGE)


def format_number(value: Any, digits: int | None = None) -> str:
    """A number with the reader's separators ("1,234.5", « 1 234,5 »)."""
    if value is None:
        return ""
    if digits is not None:
        value = round(Decimal(str(value)), digits)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return babel_format_decimal(value, format=pattern, locale=current_locale())
    return babel_format_decimal(value, locale=current_locale())


def format_percentage(value: Any) -> str:
    """A percentage given from 0 to 100, rounded to a whole number ("45%", « 45 % »)."""
    if value is None:
        return ""
    return _percent(round(Decimal(str(value))), current_locale())


@lru_cache(maxsize=2048)
def _percent(whole: int, locale: Locale) -> str:
    # Pages show dozens of percentages, almost all between 0 and 100: each is formatted once
    # per language and process (Babel's formatting is costly next to a dictionary look-up).
    return babel_format_percent(Decimal(whole) / 100, locale=locale)


def format_money(amount: Any, currency: str | None) -> str:
    """An amount in an ISO currency ("$12,000.00", « 12 000,00 $US »); a plain number without one."""
    if amount is None:
        return ""
    if not currency:
        return format_number(amount, 2)
    try:
        return babel_format_currency(amount, currency.upper(), locale=current_locale())
    except (ValueError, KeyError):  # an unknown code: the number and the code as typed
        return f"{format_number(amount, 2)} {currency}"


def register(app) -> None:
    """Template filters and globals for languages and formatting."""
    app.jinja_env.filters.update(number=format_number, percentage=format_percentage, money=format_money)
    app.jinja_env.globals.update(
        language_names=LANGUAGE_NAMES, available_languages=available_languages,
    )
