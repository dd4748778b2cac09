"""Where a supervised terminal's records go: the one ingest path, one transaction a batch."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from attendance.ingest import store_punches
from devices.events import BadRecord, Punch
from hallbase.alerts import raise_alert
from hallbase.clock import Clock
from hallbase.db import write_session
from hallbase.settings import Settings

KEY_MAX = 40  # the outbox's message id (64) holds the longest device alert kind and this


def device_key(serial: str, suffix: str | datetime) -> str:
    """An alert key for one terminal's event that fits the outbox's message id."""
    if isinstance(suffix, datetime):
        suffix = suffix.strftime("%Y%m%dT%H%M%S%z")
    key = f"{serial}:{suffix}"
    if len(key) > KEY_MAX:  # a long serial: a digest keeps the key stable and unique
        key = hashlib.sha256(key.encode()).hexdigest()[:KEY_MAX]
    return key


@dataclass(frozen=True)
class Sink:
    """Where a terminal's records go: the database and the hall's settings."""

    engine: Engine
    settings: Settings
    clock: Clock

    def __call__(self, records: Sequence[Punch | BadRecord], source: str) -> None:
        """Store records through the one ingest path; the terminal is synced up to now."""
        if not records:
            return
        with write_session(self.engine) as session:
            store_punches(
                session,
                list(records),
                source=source,
                now=self.clock(),
                settings=self.settings,
                synced_device=records[0].device_sn,
            )

    def synced(self, serial: str, at: datetime) -> None:
        """Everything ``serial`` sent up to ``at`` is stored (alerts waiting for it go out)."""
        with write_session(self.engine) as session:
            store_punches(
                session, [], source="sync", now=at, settings=self.settings, synced_device=serial
            )

    def alert(
        self, kind: str, key: str, payload: dict[str, Any], severity: str = "warning"
    ) -> None:
        """Queue one supervisor alert about a terminal (idempotent on ``kind`` and ``key``)."""
        with write_session(self.engine) as session:
            raise_alert(
                session, kind=kind, key=key, payload=payload, now=self.clock(), severity=severity
            )
