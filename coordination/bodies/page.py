"""What a body's page and its decision register show from the domains above bodies.

Bodies sit low in the domain order, yet a body's page shows its seats, charter, meetings,
decisions and governance health, and its decision register the actions arising. The domains
that hold them add their part here (the app factory does, once per process), so imports point
one way. A part is named, so adding it again replaces it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm.interfaces import ORMOption

from coordination.bodies.models import Body

# (body, today) -> the section's template variables.
Section = Callable[[Body, date], dict[str, Any]]
# (body, year, search, today, what the earlier parts found) -> more template variables.
RegisterPart = Callable[[Body, int | None, str, date, dict[str, Any]], dict[str, Any]]

_sections: dict[str, tuple[Section, Callable[[], tuple[ORMOption, ...]] | None]] = {}
_register_parts: dict[str, RegisterPart] = {}


def add_section(name: str, section: Section, options: Callable[[], tuple[ORMOption, ...]] | None = None) -> None:
    """Show ``section``'s variables on the body page, loading the body with ``options()``."""
    _sections[name] = (section, options)


def add_register_part(name: str, part: RegisterPart) -> None:
    """Add ``part``'s variables to the decision register (parts run in the order added)."""
    _register_parts[name] = part


def option_sources() -> tuple[Callable[[], tuple[ORMOption, ...]], ...]:
    """What gives the sections' loader options (hashable: a query built from them can be kept)."""
    return tuple(options for _section, options in _sections.values() if options)


def load_options(sources: tuple[Callable[[], tuple[ORMOption, ...]], ...] | None = None) -> tuple[ORMOption, ...]:
    """The loader options the sections need on the body's query (so templates query nothing)."""
    return tuple(option for options in (option_sources() if sources is None else sources) for option in options())


def context(body: Body, today: date) -> dict[str, Any]:
    """The template variables of every section of ``body``'s page."""
    result: dict[str, Any] = {}
    for section, _options in _sections.values():
        result.update(section(body, today))
    return result


def decision_register(body: Body, year: int | None, search: str, today: date) -> dict[str, Any]:
    """The template variables of the body's decision register, filtered by year and text."""
    result: dict[str, Any] = {}
    for part in _register_parts.values():
        result.update(part(body, year, search, today, result))
    return result
