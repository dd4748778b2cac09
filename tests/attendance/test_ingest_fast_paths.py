"""The ingest's fast paths: the cached context sees every change, repeats count as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from attendance.context import AttendanceContext, cached_context, staff_by_pin
from attendance.ingest import store_punches
from attendance.models import DayVerdict
from attendance.models import Punch as PunchRow
from attendance.verdict_store import Stored, dumps, stored_verdicts, upsert_day_verdicts
from devices.events import Punch
from hallbase.db import read_session, write_session
from hallbase.models import Hall as HallRow
from hallbase.models import HolidayOverride, Schedule, ScheduleSlot, Staff, Window
from tests.helpers.attendance import DAY, Hall, at

YEARS = {DAY.year}
PUNCH: sa.Table = PunchRow.__table__  # type: ignore[attr-defined]


def _context(hall: Hall) -> AttendanceContext:
    with write_session(hall.engine) as session:
        return cached_context(session, hall.settings, YEARS)


def test_cached_context_is_reused_while_nothing_changes(hall: Hall) -> None:
    first = _context(hall)
    assert _context(hall) is first
    with write_session(hall.engine) as session:
        other_years = cached_context(session, hall.settings, {DAY.year - 1})
    assert other_years is not first
    assert _context(hall) is first  # one entry per set of years


def test_cached_context_sees_staff_schedule_holiday_window_and_hall_changes(hall: Hall) -> None:
    ctx = _context(hall)
    assert ctx.staff["SC001"].info.end_date is None

    with write_session(hall.engine) as session:
        person = session.exec(select(Staff).where(Staff.staff_no == "SC001")).one()
        person.end_date = date(2026, 6, 30)
        session.add(person)
    ctx = _context(hall)
    assert ctx.staff["SC001"].info.end_date == date(2026, 6, 30)

    assert ctx.calendar.is_workday(DAY)
    with write_session(hall.engine) as session:
        session.add(HolidayOverride(day=DAY, workday=False, note="test"))
    ctx = _context(hall)
    assert not ctx.calendar.is_workday(DAY)

    with write_session(hall.engine) as session:
        slot = session.exec(
            select(ScheduleSlot).join(Schedule).where(ScheduleSlot.name == "am_in")
        ).first()
        assert slot is not None
        slot.due = time(8, 45)
        session.add(slot)
    ctx = _context(hall)
    dues = {s.due for sched in ctx.schedules for s in sched.slots if s.name == "am_in"}
    assert time(8, 45) in dues

    with write_session(hall.engine) as session:
        window = session.exec(select(Window).where(Window.a_post == "SC001")).first()
        assert window is not None
        window.b_post = "SC003"
        session.add(window)
    ctx = _context(hall)
    assert "SC003" in ctx.partners("SC001")

    with write_session(hall.engine) as session:
        row = session.exec(select(HallRow)).one()
        row.go_live = date(2026, 4, 1)
        session.add(row)
    assert _context(hall).go_live == date(2026, 4, 1)


def test_ingest_uses_a_holiday_added_after_the_context_was_cached(hall: Hall) -> None:
    hall.clock.set("09:00")
    hall.punch("SC001", "08:20")
    assert hall.verdict("SC001") is not None
    assert hall.verdict("SC001").status != "off"  # type: ignore[union-attr]
    with write_session(hall.engine) as session:
        session.add(HolidayOverride(day=DAY, workday=False, note="closed"))
    hall.punch("SC001", "08:25")  # a new punch re-derives the day with the new calendar
    verdict = hall.verdict("SC001")
    assert verdict is not None and verdict.status == "off"


def test_repeats_are_counted_within_a_batch_and_across_batches(hall: Hall) -> None:
    now = at("12:00")
    t1, t2 = at("08:20"), at("08:21")
    batch = [
        Punch("ZKR", "2001", t1),
        Punch("ZKR", "2001", t1.astimezone(UTC)),  # the same instant: the same natural key
        Punch("ZKR", "2001", t2),
        Punch("ZKR", "9999", t2),  # nobody's PIN: stored, unmapped
    ]
    with write_session(hall.engine) as session:
        first = store_punches(session, batch, source="zk", now=now, settings=hall.settings)
    assert (first.inserted, first.duplicates, first.unmapped) == (3, 1, 1)
    with write_session(hall.engine) as session:
        again = store_punches(session, batch, source="zk", now=now, settings=hall.settings)
    assert (again.inserted, again.duplicates, again.unmapped) == (0, 4, 0)
    assert again.derived.evaluated == 0  # nothing new: nothing re-derived
    with read_session(hall.engine) as session:
        rows = {
            (r.pin, r.device_time): (r.repeats, r.staff_no)
            for r in session.exec(select(PunchRow).where(PunchRow.device_sn == "ZKR")).all()
        }
    assert rows == {
        ("2001", t1.astimezone(UTC)): (3, "SC001"),  # twice in the first batch, twice again
        ("2001", t2.astimezone(UTC)): (1, "SC001"),
        ("9999", t2.astimezone(UTC)): (1, None),
    }


def test_instants_are_stored_in_sqlalchemys_sqlite_format(hall: Hall) -> None:
    if hall.engine.dialect.name != "sqlite":
        return  # PostgreSQL stores timestamptz: nothing to compare
    instants = [at("08:20"), at("08:20:07") + timedelta(microseconds=123), at("23:59:59")]
    with write_session(hall.engine) as session:
        store_punches(
            session,
            [Punch("ZKF", "2001", t) for t in instants],
            source="zk",
            now=at("23:59:59") + timedelta(minutes=1),
            settings=hall.settings,
        )
    reference = sqlite.DATETIME().bind_processor(hall.engine.dialect)
    assert reference is not None
    expected = sorted(reference(t.astimezone(UTC).replace(tzinfo=None)) for t in instants)
    with read_session(hall.engine) as session:
        stored = sorted(
            r[0]
            for r in session.connection().exec_driver_sql(
                "SELECT device_time FROM punch WHERE device_sn = 'ZKF'"
            )
        )
        back = sorted(
            session.connection().execute(
                sa.select(PUNCH.c.device_time).where(PUNCH.c.device_sn == "ZKF")
            )
        )
    assert stored == expected
    assert [r[0] for r in back] == sorted(t.astimezone(UTC) for t in instants)
    assert all(r[0].tzinfo is UTC for r in back)


def test_stored_text_in_other_forms_still_reads_back(hall: Hall) -> None:
    if hall.engine.dialect.name != "sqlite":
        return
    with write_session(hall.engine) as session:
        conn = session.connection()
        for text in ("2026-03-10 00:20:00", "2026-03-10 08:20:00+08:00"):
            conn.exec_driver_sql(
                "INSERT INTO punch (device_sn, pin, device_time, source, received_at, repeats) "
                "VALUES ('ZKO', ?, ?, 'zk', '2026-03-10 00:30:00.000000', 0)",
                (text[-5:], text),
            )
    with read_session(hall.engine) as session:
        times = session.exec(select(PunchRow.device_time).where(PunchRow.device_sn == "ZKO")).all()
    assert times == [datetime(2026, 3, 10, 0, 20, tzinfo=UTC)] * 2


def test_upserted_verdicts_match_the_models_own_inserts(hall: Hall) -> None:
    table: sa.Table = DayVerdict.__table__  # type: ignore[attr-defined]
    row = {
        "status": "late", "absent_days": 0.5, "provisional": True,
        "result": {"slots": [{"due": "2026-03-10T08:30:00+08:00", "minutes": 3}], "x": "迟到"},
        "alerted": ["SC001:2026-03-10:am_in:late"], "held": 1, "computed_at": at("09:00"),
    }  # fmt: skip
    with write_session(hall.engine) as session:
        upsert_day_verdicts(session.connection(), [{"staff_no": "SC001", "day": DAY, **row}])
        session.connection().execute(
            table.insert(), [{"staff_no": "SC002", "day": DAY, **row}]
        )  # the model's own way
        changed = {**row, "status": "absent", "held": 0, "alerted": []}
        upsert_day_verdicts(session.connection(), [{"staff_no": "SC003", "day": DAY, **row}])
        upsert_day_verdicts(session.connection(), [{"staff_no": "SC003", "day": DAY, **changed}])
    with read_session(hall.engine) as session:
        mine, theirs, updated = (
            session.get(DayVerdict, (s, DAY)) for s in ("SC001", "SC002", "SC003")
        )
        raw = {
            r[0]: tuple(r[1:])
            for r in session.connection().exec_driver_sql(
                "SELECT staff_no, day, status, absent_days, provisional, result, alerted, held, "
                "computed_at FROM day_verdict"
            )
        }
    assert mine is not None and theirs is not None and updated is not None
    fields = ("status", "absent_days", "provisional", "result", "alerted", "held", "computed_at")
    assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert mine.result["x"] == "迟到" and mine.computed_at == at("09:00")
    assert raw["SC001"] == raw["SC002"]  # byte for byte what SQLAlchemy stores
    assert (updated.status, updated.held, updated.alerted) == ("absent", 0, [])
    with read_session(hall.engine) as session:
        read = stored_verdicts(session.connection(), ["SC001", "SC002", "SC003", "X"], DAY, DAY)
    assert read == {
        (v.staff_no, DAY): Stored(dumps(v.result), dumps(v.alerted), v.held, v.status)
        for v in (mine, theirs, updated)
    }  # the stored text of what the ORM reads


def test_staff_by_pin_maps_every_pin_and_sees_new_staff(hall: Hall) -> None:
    with read_session(hall.engine) as session:
        known = {s.pin: s.staff_no for s in session.exec(select(Staff)).all()}
    assert known  # the shipped hall's staff have PINs
    with write_session(hall.engine) as session:
        assert staff_by_pin(session) == known
    with hall.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO staff (staff_no, name, pin, unit_code, category, role)"
            " VALUES ('NEW01', 'n', '770077', 'ZWB', '聘用', 'staff')"
        )
    with write_session(hall.engine) as session:
        assert staff_by_pin(session) == {**known, "770077": "NEW01"}
