"""A slot a higher domain fills for a lower one at start-up, so imports point one way
(the mail of meetings and minutes, the deadlines of the personal calendar feed, the actions
arising from minutes). The app factory fills every slot (``coordination._fill_slots``)."""
from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    """One implementation of ``T``, registered once by the app factory."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._filled: T | None = None

    def fill(self, implementation: T) -> None:
        """Register the implementation (the app factory does, once per process)."""
        self._filled = implementation

    def get(self) -> T:
        """The implementation; refused when missing (no mail or deadline may be lost silently)."""
        if self._filled is None:
            raise RuntimeError(f"No {self.what} registered: build the application with create_app().")
        return self._filled
