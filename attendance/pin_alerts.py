"""The alert for punches from a PIN that matches no staff member (unmapped): once per
terminal, PIN and day, so that an admin gives the PIN to its person (their punches are then
credited, see `attendance.unmapped`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session

from attendance_engine.alerts import recent
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import t

KIND = "unmapped_pin"
MESSAGE_ID_MAX = 64  # alert_outbox.message_id


def raise_unmapped(
    session: Session, seen: Iterable[tuple[str, str, date]], now: datetime, today: date
) -> int:
    """Queue one alert per (terminal, PIN, local day) in ``seen`` of recent days (a backlog
    from long ago is recorded, not paged); returns how many were new."""
    alerts = []
    for sn, pin, day in sorted(set(seen)):
        if not recent(day, today):
            continue
        key = f"{sn}:{pin}:{day.isoformat()}"
        if len(KIND) + 1 + len(key) > MESSAGE_ID_MAX:
            key = hashlib.sha1(key.encode()).hexdigest()
        message = t("alerts.unmapped_pin", pin=pin, device=sn, day=day.isoformat())
        payload = {"device_sn": sn, "pin": pin, "date": day.isoformat(), "message": message}
        alerts.append(Alert(KIND, key, payload, "warning"))
    return raise_alerts(session, alerts, now)
