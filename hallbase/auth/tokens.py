"""Secrets handed out once (session cookies, API tokens, machine keys) and their stored digests.

Only a keyed digest is stored (HMAC-SHA256 with HALLKEEPER_SESSION_SECRET): a copy of the
database neither yields a credential nor lets anyone write a row that one would match without
the secret. Changing the secret ends every session and voids every token and machine key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_MARK = "hkt_"
MACHINE_KEY_MARK = "hkm_"
PREFIX_LENGTH = 12  # the mark and 8 characters: enough to tell keys apart in a list


def new_secret() -> str:
    """A fresh 256-bit secret, URL-safe."""
    return secrets.token_urlsafe(32)


def new_credential(mark: str) -> tuple[str, str]:
    """A new API token or machine key, and the short prefix that is stored and shown."""
    value = mark + new_secret()
    return value, value[:PREFIX_LENGTH]


def digest(secret: str, value: str) -> str:
    """The stored form of a session cookie, API token or machine key (HMAC-SHA256, hex).

    A request whose credential `hallbase.auth.cache` does not hold computes one, on the event
    loop. `hmac.new` keeps the interpreter lock for a short value; the one-shot `hmac.digest`
    lets it go for every call, and getting it back waits for whichever thread took it (the
    database writer under load: up to the 5 ms switch interval, measured 2.5 ms a call with
    another thread busy)."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time equality of two texts (CSRF tokens)."""
    return hmac.compare_digest(a.encode(), b.encode())
