"""Password rules (OWASP ASVS 6.2): length, common passwords, the person's own name and e-mail.

``check_password_rules`` is the one validator every path that sets a password calls (the
password change, an administrator's initial password, resets and invitations). There are no
composition rules: a long passphrase of plain words is welcome. Passwords are taken exactly
as typed — spaces and any Unicode included — and never truncated.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # well past ASVS's "at least 128"; argon2 hashes any length
# Name parts and e-mail local parts shorter than this are too common to refuse ("ana").
_MIN_PERSONAL_PART = 4
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the 10,000 most common passwords, lower case (no network needed)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _squeezed(text: str) -> str:
    return "".join(text.casefold().split())


_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def is_common(password: str) -> bool:
    """Whether the password is on the common-passwords list, ignoring case and blanks, or is
    a listed one repeated or padded with digits and signs ("password1234", "dragon!!dragon!!")."""
    listed = common_passwords()
    squeezed = _squeezed(password)
    if password.casefold() in listed or squeezed in listed:
        return True
    for size in range(1, len(squeezed) // 2 + 1):  # the same piece repeated
        if len(squeezed) % size == 0 and squeezed == squeezed[:size] * (len(squeezed) // size):
            piece = squeezed[:size]
            if piece in listed or _EDGES.sub("", piece) in listed or len(set(piece)) < 3:
                return True
            break
    core = _EDGES.sub("", squeezed)
    return bool(core) and core in listed


def _personal_parts(email: str, full_name: str) -> list[str]:
    email = email.strip().casefold()
    parts = [email] if email else []
    local = email.split("@", 1)[0]
    parts += [p for p in re.split(r"[\W_]+", local) if len(p) >= _MIN_PERSONAL_PART]
    name = full_name.strip().casefold()
    if len(_squeezed(name)) >= _MIN_PERSONAL_PART:
        parts.append(_squeezed(name))
    parts += [p for p in re.split(r"[\W_]+", name) if len(p) >= _MIN_PERSONAL_PART]
    return parts


def check_password_rules(password: str, user_email: str = "", full_name: str = "") -> str | None:
    """Return why ``password`` is unacceptable for the person, or None when it may be used.

    ``user_email`` and ``full_name`` are the person's (the new ones when they change too).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    if is_common(password):
        return str(_l("This password is among the most common ones and easy to guess. "
                      "Choose another, for example a few unrelated words."))
    typed = password.casefold()
    squeezed = _squeezed(password)
    for part in _personal_parts(user_email, full_name):
        if part in typed or part in squeezed:
            return str(_l("The password must not contain your name or e-mail address."))
    return None


def password_strength(password: str) -> tuple[int, str]:
    """A rough strength hint (0–4 and a label) shown beside the password field.

    Mirrors ``static/js/app.js`` so the hint reads the same with or without JavaScript.
    It only advises: ``check_password_rules`` decides.
    """
    if not password:
        return 0, ""
    length = len(password)
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    distinct = len(set(password))
    if length < MIN_PASSWORD_LENGTH or is_common(password) or distinct < 5:
        score = 0
    elif length >= 20 or (length >= 16 and kinds >= 2):
        score = 4
    elif length >= 14 or kinds >= 3:
        score = 3
    else:
        score = 2
    labels = {0: _l("Too weak"), 2: _l("Fair"), 3: _l("Good"), 4: _l("Strong")}
    return score, str(labels[score])
