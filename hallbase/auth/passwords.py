"""Password hashing with argon2id (argon2-cffi), and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults: argon2id, RFC 9106's low-memory profile (64 MiB, 3 passes).
# Tests swap in a cheaper hasher; a hash records its own parameters, so verifying follows them.
HASHER = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 128  # hashing is costly on purpose: no unbounded input
# Verified when the username is unknown, so that the answer takes as long as for a known one.
_DUMMY: list[str] = []


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after `check_new_password`)."""
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; ``stored`` None (no such account) costs the
    same time and is False."""
    if stored is None:
        if not _DUMMY:
            _DUMMY.append(HASHER.hash("not a password of anyone"))
        stored = _DUMMY[0]
        password = password + "\0"  # never matches the dummy
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with other parameters than the current ones."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def check_new_password(password: str, username: str = "") -> None:
    """Refuse passwords too short, too long, or equal to the username (ValueError says why)."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")
    if username and password.casefold() == username.casefold():
        raise ValueError("a password must differ from the username")
