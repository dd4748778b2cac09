"""The attendance app under test: a hall-local day, a clock set by hand, the app's handles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from attendance.models import DayVerdict, Punch
from hallbase.db import read_session
from hallbase.models import AlertOutbox
from hallbase.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)  # a Tuesday and a working day; four_punch: 08:30 12:00 14:00 17:30


def at(hhmm: str, day: date = DAY) -> datetime:
    """An aware hall-local instant on ``day``."""
    hour, minute = (int(x) for x in hhmm.split(":")[:2])
    second = int(hhmm.split(":")[2]) if hhmm.count(":") == 2 else 0
    return datetime.combine(day, time(hour, minute, second), tzinfo=TZ)


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, hhmm: str, day: date = DAY) -> datetime:
        self.now = at(hhmm, day)
        return self.now


@dataclass
class Hall:
    """The app under test: an HTTP client (no lifespan: no background threads), engine, clock."""

    client: TestClient
    engine: Engine
    clock: Clock
    settings: Settings

    def verdict(self, staff_no: str, day: date = DAY) -> DayVerdict | None:
        with read_session(self.engine) as session:
            return session.get(DayVerdict, (staff_no, day))

    def alerts(self, prefix: str = "attendance.", day: date = DAY) -> list[str]:
        """Attendance alert ids about ``day``."""
        with read_session(self.engine) as session:
            rows = session.exec(select(AlertOutbox.message_id)).all()
        return sorted(r for r in rows if r.startswith(prefix) and f":{day.isoformat()}:" in r)

    def punch(self, staff_no: str, hhmm: str, day: date = DAY) -> dict[str, object]:
        body = [{"staff_no": staff_no, "time": f"{day.isoformat()}T{hhmm}"}]
        answer = self.client.post("/api/v1/punches", json=body)
        assert answer.status_code == 200, answer.text
        result: dict[str, object] = answer.json()
        return result


def stored(engine: Engine, serial: str) -> list[Punch]:
    """The punches stored from terminal ``serial``."""
    with read_session(engine) as session:
        return list(session.exec(select(Punch).where(Punch.device_sn == serial)).all())


def alerts(engine: Engine, kind: str) -> list[AlertOutbox]:
    """The outbox's alerts of ``kind``."""
    with read_session(engine) as session:
        return list(session.exec(select(AlertOutbox).where(AlertOutbox.kind == kind)).all())
