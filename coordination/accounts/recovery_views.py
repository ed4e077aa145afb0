"""Account pages reached by e-mail: set a password from an invitation, reset it, confirm a new address."""
from __future__ import annotations

from coordination.accounts import recovery  # noqa: F401
