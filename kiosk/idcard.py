"""Resident ID numbers (居民身份证号码, GB 11643): checked, then kept only as a salted hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(number: str) -> str:
    """The ID number upper-cased without spaces, or ValueError saying what is wrong."""
    value = number.replace(" ", "").upper()
    if not _PATTERN.match(value):
        raise ValueError("an ID number has 17 digits and a final digit or X")
    if check_digit(value[:17]) != value[17]:
        raise ValueError("the ID number's check digit is wrong (typing error?)")
    return value


def new_salt() -> str:
    """A fresh random salt for one stored hash."""
    return secrets.token_hex(16)


def id_hash(number: str, salt: str, pepper: str = "") -> str:
    """The stored form of an ID number: HMAC-SHA256 over salt and number, keyed by the pepper."""
    key = pepper.encode() or b"hallkeeper-id"
    return hmac.new(key, (salt + normalise(number)).encode(), hashlib.sha256).hexdigest()


def matches(number: str, salt: str, stored: str, pepper: str = "") -> bool:
    """True when ``number`` is the one hashed into ``stored``."""
    return hmac.compare_digest(id_hash(number, salt, pepper), stored)
