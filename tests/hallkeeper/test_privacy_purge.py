"""The retention purge on SQLite and PostgreSQL: exactly what is past its months goes, open
months stay, a dry run changes nothing, and the line holds against re-sent punches."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from attendance.ingest import store_punches
from attendance.models import (
    DayVerdict,
    LeaveRequest,
    MakeUpPunch,
    Punch,
    QuarantinedRecord,
    RetentionMark,
    WindowAway,
)
from attendance.retention import cutoff
from devices.events import Punch as PunchEvent
from hallbase.auth.models import AuditEntry
from hallbase.db import read_session, write_session
from hallbase.errors import ConfigError
from hallbase.hallconfig import parse_config
from hallbase.models import Service
from hallbase.settings import REPO_CONFIG, Settings
from hallkeeper import migrations
from hallkeeper.privacy.purge import PurgeJob, run_purge
from hallkeeper.seed import apply_config
from kiosk.models import Appointment, AppointmentSlot

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2029, 6, 15, 10, 0, tzinfo=TZ)
# Defaults: punches and requests 36 months (kept from 2026-06-01), quarantine 12 (2028-06-01),
# verdicts 60 (2024-06-01: before go-live, so all kept), citizens 6 (2028-12-01).


def local(day: date, hhmm: str = "00:00") -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@pytest.fixture
def engine(any_engine: Engine, settings: Settings) -> Engine:
    migrations.upgrade(any_engine)
    with write_session(any_engine) as session:
        apply_config(session, settings.hall)
    return any_engine


def _punch(session: Session, at: datetime, pin: str = "2001") -> None:
    session.add(
        Punch(
            device_sn="T1",
            pin=pin,
            device_time=at,
            staff_no="SC001",
            source="adms",
            received_at=at,
        )
    )


def _verdict(session: Session, day: date, provisional: bool = False) -> None:
    session.add(
        DayVerdict(
            staff_no="SC001",
            day=day,
            status="normal",
            provisional=provisional,
            result={},
            computed_at=local(day, "20:00"),
        )
    )


def _leave(session: Session, start: date, end: date, status: str = "approved") -> None:
    session.add(
        LeaveRequest(
            staff_no="SC001",
            kind="sick",
            start=local(start, "08:30"),
            end=local(end, "17:30"),
            reason="prenatal check-up",
            status=status,
            approver_role="window_lead",
            filed_at=local(start),
        )
    )


def _appointment(session: Session, day: date, code: str) -> None:
    service = session.exec(select(Service)).first()
    assert service is not None and service.id is not None
    slot = AppointmentSlot(
        service_id=service.id,
        day=day,
        start=local(day, "09:00"),
        end=local(day, "10:00"),
        capacity=5,
        booked=1,
    )
    session.add(slot)
    session.flush()
    assert slot.id is not None
    session.add(
        Appointment(
            slot_id=slot.id,
            code=code,
            name="citizen",
            phone="13800000000",
            id_salt="s" * 32,
            id_hash="h" * 64,
            created_at=local(day - timedelta(days=3)),
        )
    )


def seed(engine: Engine) -> None:
    """Records on both sides of each kind's line."""
    with write_session(engine) as session:
        _punch(session, local(date(2026, 5, 31), "23:59"))  # purged
        _punch(session, local(date(2026, 6, 1), "00:00"))  # kept: the first day kept
        for received in (local(date(2028, 5, 31)), local(date(2028, 6, 1))):
            session.add(
                QuarantinedRecord(
                    device_sn="T1",
                    digest=f"d{received.day}",
                    pin="2001",
                    reason="clock reset",
                    raw=b"2001\t2000-01-01 00:00:00",
                    received_at=received,
                )
            )
        # Received first before the line, sent again after it: kept.
        session.add(
            QuarantinedRecord(
                device_sn="T1",
                digest="again",
                reason="clock reset",
                raw=b"x",
                received_at=local(date(2027, 1, 1)),
                last_received_at=local(date(2028, 7, 1)),
            )
        )
        _leave(session, date(2026, 5, 20), date(2026, 5, 22))  # purged
        _leave(session, date(2026, 5, 29), date(2026, 6, 2))  # kept: ends after the line
        session.add(
            MakeUpPunch(
                staff_no="SC001",
                day=date(2026, 5, 31),
                slot="am_in",
                at=local(date(2026, 5, 31), "08:30"),
                status="approved",
                filed_at=local(date(2026, 6, 1)),
            )
        )
        session.add(
            WindowAway(
                window_number=1,
                staff_no="SC001",
                start=local(date(2026, 5, 4), "10:00"),
                end=local(date(2026, 5, 4), "10:40"),
                recorded_at=local(date(2026, 5, 4), "10:40"),
            )
        )
        _verdict(session, date(2026, 5, 29))  # kept: verdicts are kept 60 months
        _appointment(session, date(2028, 11, 30), "OLD00001")  # blanked
        _appointment(session, date(2028, 12, 1), "NEW00001")  # kept


def counts(engine: Engine) -> dict[str, int]:
    with read_session(engine) as session:
        named = session.exec(select(Appointment).where(col(Appointment.name) != "")).all()
        return {
            "punch": len(session.exec(select(Punch)).all()),
            "quarantined": len(session.exec(select(QuarantinedRecord)).all()),
            "leave": len(session.exec(select(LeaveRequest)).all()),
            "makeup": len(session.exec(select(MakeUpPunch)).all()),
            "away": len(session.exec(select(WindowAway)).all()),
            "verdict": len(session.exec(select(DayVerdict)).all()),
            "named_appointments": len(named),
            "appointments": len(session.exec(select(Appointment)).all()),
        }


def purge_entries(engine: Engine) -> list[AuditEntry]:
    with read_session(engine) as session:
        query = select(AuditEntry).where(col(AuditEntry.action) == "privacy.purge")
        return list(session.exec(query).all())


def test_purge_removes_exactly_what_is_past_its_months(engine: Engine, settings: Settings) -> None:
    seed(engine)
    before = counts(engine)
    with write_session(engine) as session:
        dry = run_purge(session, settings, NOW, dry_run=True)
    assert counts(engine) == before and purge_entries(engine) == []  # a dry run only counts
    with write_session(engine) as session:
        report = run_purge(session, settings, NOW)
    assert dry.view()["kinds"] == report.view()["kinds"]
    assert counts(engine) == {
        "punch": 1,
        "quarantined": 2,
        "leave": 1,
        "makeup": 0,
        "away": 0,
        "verdict": 1,
        "named_appointments": 1,
        "appointments": 2,  # the appointment stays for the statistics, nameless
    }
    with read_session(engine) as session:
        (kept,) = session.exec(select(Punch)).all()
        assert kept.device_time == local(date(2026, 6, 1))
        old = session.exec(select(Appointment).where(Appointment.code == "OLD00001")).one()
        assert (old.name, old.phone, old.id_hash, old.id_salt) == ("", "", None, None)
        marks = {m.kind: m.kept_from for m in session.exec(select(RetentionMark))}
    assert marks == {
        "punches": date(2026, 6, 1),
        "quarantine": date(2028, 6, 1),
        "requests": date(2026, 6, 1),
        "verdicts": date(2024, 6, 1),
    }
    (entry,) = purge_entries(engine)
    assert (entry.actor_kind, entry.target) == ("system", "privacy:retention")
    after = json.loads(entry.after or "{}")
    removed = {k["kind"]: k["removed"] for k in after["kinds"]}
    assert removed["punches"] == {"punch": 1}
    assert removed["quarantine"] == {"quarantined_record": 1}
    assert removed["requests"]["leave_request"] == 1 and removed["requests"]["window_away"] == 1
    assert removed["citizens"] == {"queue_appointment": 1}
    assert after["total"] == 1 + 1 + 1 + 1 + 1 + 1
    # Nothing more to do the same day: no second entry.
    with write_session(engine) as session:
        assert run_purge(session, settings, NOW + timedelta(hours=1)).total == 0
    assert len(purge_entries(engine)) == 1


def test_a_month_not_closed_is_never_purged(engine: Engine, settings: Settings) -> None:
    seed(engine)
    with write_session(engine) as session:
        _verdict(session, date(2026, 5, 3), provisional=True)  # a terminal never synced it
    with write_session(engine) as session:
        report = run_purge(session, settings, NOW)
    kinds = {k.kind: k for k in report.kinds}
    assert kinds["punches"].kept_from == date(2026, 5, 1)
    assert kinds["punches"].held_back_by == date(2026, 5, 1)
    assert kinds["quarantine"].held_back_by is None  # not a fact behind a verdict
    assert counts(engine)["punch"] == 2 and counts(engine)["leave"] == 2


def test_cutoffs_are_month_starts_and_never_reach_the_previous_month() -> None:
    assert cutoff(date(2029, 6, 15), 36) == date(2026, 6, 1)
    assert cutoff(date(2029, 1, 31), 1) == date(2028, 12, 1)  # December stays in January
    assert cutoff(date(2029, 1, 1), 13) == date(2027, 12, 1)
    assert cutoff(date(2029, 6, 15), "forever") is None
    hall = tomllib.loads(REPO_CONFIG.read_text("utf-8"))
    with pytest.raises(ConfigError, match=r"privacy\.punches_months"):
        parse_config(hall | {"privacy": {"punches_months": 6}}, "test")
    with pytest.raises(ConfigError, match=r"privacy\.citizens_months"):
        parse_config(hall | {"privacy": {"citizens_months": 0}}, "test")
    kept = parse_config(hall | {"privacy": {"verdicts_months": "forever"}}, "test")
    assert kept.privacy.verdicts_months == "forever" and kept.privacy.punches_months == 36


def test_punches_before_the_line_are_not_stored_again_nor_judged(
    engine: Engine, settings: Settings
) -> None:
    seed(engine)
    with write_session(engine) as session:
        run_purge(session, settings, NOW)
    old = PunchEvent(device_sn="T1", pin="2001", time=local(date(2026, 5, 12), "08:25"))
    new = PunchEvent(device_sn="T1", pin="2001", time=local(date(2026, 6, 12), "08:25"))
    with write_session(engine) as session:
        result = store_punches(session, [old, new], source="zk", now=NOW, settings=settings)
    assert (result.inserted, result.expired) == (1, 1)
    with read_session(engine) as session:
        days = {v.day for v in session.exec(select(DayVerdict))}
    assert date(2026, 6, 12) in days and date(2026, 5, 12) not in days


def test_the_daily_job_runs_once_a_day_after_its_hour(engine: Engine, settings: Settings) -> None:
    seed(engine)
    clock = [datetime(2029, 6, 15, 2, 59, tzinfo=TZ)]
    job = PurgeJob(settings, engine, lambda: clock[0])
    job.step()
    assert job.last is None and counts(engine)["punch"] == 2  # before purge_hour = 3
    clock[0] = datetime(2029, 6, 15, 3, 0, tzinfo=TZ)
    job.step()
    assert job.last is not None and job.last.total == 6 and counts(engine)["punch"] == 1
    first = job.last
    job.step()
    assert job.last is first  # once a day


def test_the_command_line_purge_and_its_dry_run(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hallbase.settings import load_settings
    from hallkeeper.cli import app

    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    settings = load_settings()
    engine = migrations_engine(settings)
    seed(engine)
    monkeypatch.setattr("hallkeeper.cli_privacy.utcnow", lambda: NOW)
    runner = CliRunner()
    dry = runner.invoke(app, ["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "would remove 6 records" in dry.output, dry.output
    assert counts(engine)["punch"] == 2
    done = runner.invoke(app, ["privacy", "purge"])
    assert done.exit_code == 0 and "removed 6 records" in done.output, done.output
    assert "punches: kept from 2026-06-01; punch 1" in done.output
    (entry,) = purge_entries(engine)
    assert entry.actor_kind == "cli"


def migrations_engine(settings: Settings) -> Engine:
    from hallbase.db import make_engine

    engine = make_engine(settings.effective_database_url)
    migrations.upgrade(engine)
    with write_session(engine) as session:
        apply_config(session, settings.hall)
    return engine
