"""Credentials verified recently, kept in this process's memory for a few seconds.

A kiosk, a keypad bridge or a console sends its key, token or cookie with every request;
looking each one up costs a database round trip (and a thread hop) per request. A verified
credential is kept here for `HOLD_SECONDS`; only verified ones are kept (an unknown or refused
credential is looked up every time, so a new key works at once).

Bound: a change that ends a credential or changes a person's roles (revoking a key or token,
logging out, disabling an account, a new password, a grant given or taken) clears this
process's cache when its transaction commits, so it takes effect here at once. Another
service instance keeps using what it verified for at most `HOLD_SECONDS` more. Expiry
times (a token's, a session's absolute and idle expiry) are checked on every request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlmodel import Session

from hallbase.auth.principal import Principal

HOLD_SECONDS = 5.0
MAX_ENTRIES = 4096
# (database, secret, kind, credential): see `CredentialCache`.
CacheKey = tuple[int, str, str, str]


@dataclass(frozen=True)
class Verified:
    """A credential as verified: its caller and the expiries to check on each use."""

    principal: Principal
    expires_at: datetime | None = None  # a token's or a session's absolute expiry
    last_seen: datetime | None = None  # a session's last recorded use (idle expiry)
    touched: datetime | None = None  # when its last use was last written (redone when old)


class CredentialCache:
    """Verified credentials by (database, secret, kind, credential), each kept `HOLD_SECONDS`.

    Keyed by the credential itself, not its digest: a request whose credential is held costs
    no HMAC on the event loop. The process has the credential in memory while it handles the
    request anyway; an entry is dropped when found expired, or when `size` newer ones push it
    out."""

    def __init__(self, seconds: float = HOLD_SECONDS, size: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[CacheKey, tuple[float, Verified]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Verified | None:
        """The verified credential under ``key``, if verified within the hold time."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() >= found[0]:
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: CacheKey, verified: Verified) -> None:
        """Keep ``verified`` under ``key`` for the hold time."""
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, verified)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every credential (one ended, or someone's roles changed)."""
        with self._lock:
            self._entries.clear()


CREDENTIALS = CredentialCache()


def forget_on_commit(session: Session) -> None:
    """Clear the cache now and again when ``session`` commits (a lookup meanwhile could read
    the row as it was before the change)."""
    CREDENTIALS.clear()
    event.listen(session, "after_commit", lambda _s: CREDENTIALS.clear(), once=True)
