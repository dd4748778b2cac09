"""Stored verdicts, kept up by incremental re-derivation and deadline ticks, equal recomputation.

Facts arrive in any order and at any time of the day (late uploads, leave filed afterwards,
make-ups, away periods); the scheduler ticks at each decision instant as it does live. After
every step the stored verdict of every staff-day equals a full recomputation at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import select

from attendance import makeups
from attendance import requests as rq
from attendance.context import load_context
from attendance.derive import rederive
from attendance.ingest import store_punches
from attendance.models import DayVerdict, WindowAway
from attendance.reports import days_report
from attendance.scheduler import AttendanceScheduler
from devices.events import Punch
from hallbase.db import make_engine, read_session, write_session
from hallbase.settings import Settings
from hallkeeper.app import prepare_database
from tests.helpers.attendance import TZ, Clock, at

PEOPLE = {"SC001": "2001", "SC002": "2002", "SC003": "2003"}
APPROVER = {"SC001": "ZW002", "SC002": "SC001", "SC003": "SC001"}
WORKDAYS = [
    d for d in (date(2026, 3, 2) + timedelta(days=i) for i in range(120)) if d.weekday() < 5
]
minutes = st.integers(min_value=7 * 60, max_value=19 * 60)
people = st.sampled_from(sorted(PEOPLE))
slots = st.sampled_from(["am_in", "am_out", "pm_in", "pm_out"])
events = st.lists(
    st.one_of(
        st.tuples(st.just("punch"), minutes, people, minutes),
        st.tuples(st.just("leave"), minutes, people, st.sampled_from(["am", "pm"])),
        st.tuples(st.just("makeup"), minutes, people, slots),
        st.tuples(st.just("away"), minutes, people, st.integers(1, 50)),
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Settings]]:
    from hallbase.settings import load_settings

    path = tmp_path_factory.mktemp("consistency")
    cfg = load_settings(data_dir=path, database_url="", mqtt_url="")
    engine = make_engine(f"sqlite:///{path / 'c.db'}")
    prepare_database(cfg, engine)
    yield engine, cfg
    engine.dispose()


def _minute(day: date, value: int) -> datetime:
    return at(f"{value // 60:02d}:{value % 60:02d}", day)


def _apply(
    engine: Engine, cfg: Settings, day: date, event: tuple[object, ...], now: datetime
) -> None:
    kind, _when, staff_no, arg = event
    assert isinstance(staff_no, str)
    with write_session(engine) as session:
        ctx = load_context(session, cfg, {day.year})
        if kind == "punch":
            assert isinstance(arg, int)
            punch_at = min(_minute(day, arg), now)  # a delayed upload when earlier than now
            store_punches(session, [Punch("ZK1", PEOPLE[staff_no], punch_at)], source="zk",
                          now=now, settings=cfg, ctx=ctx)  # fmt: skip
        elif kind == "leave":
            start, end = rq.half_bounds(ctx, staff_no, day, arg)  # type: ignore[arg-type]
            try:
                row = rq.file_leave(session, ctx, staff_no=staff_no, kind="sick", start=start,
                                    end=end, now=now)  # fmt: skip
            except rq.RequestError as exc:
                assert exc.code == "leave_overlap"  # the same half filed twice is refused
                return
            rq.decide_leave(session, ctx, row, approve=True, approver=APPROVER[staff_no], now=now)
        elif kind == "makeup":
            try:
                row_m = makeups.file_makeup(
                    session, ctx, staff_no=staff_no, day=day, slot=str(arg), now=now
                )
            except rq.RequestError as exc:
                assert exc.code == "makeup_duplicate"  # the same slot filed twice is refused
                return
            makeups.decide_makeup(
                session, ctx, row_m, approve=True, approver=APPROVER[staff_no], now=now
            )
        else:
            assert isinstance(arg, int)
            start = now - timedelta(minutes=arg)
            window = 1 if staff_no == "SC001" else 2
            session.add(WindowAway(window_number=window, staff_no=staff_no, start=start,
                                   end=now, recorded_at=now))  # fmt: skip
            session.flush()
            rederive(session, ctx, [(staff_no, day)], now)


def _assert_consistent(engine: Engine, cfg: Settings, day: date, now: datetime) -> None:
    with read_session(engine) as session:
        ctx = load_context(session, cfg, {day.year})
        fresh = {d["staff_no"]: d for d in days_report(session, ctx, day, day, now)}
        for staff_no in PEOPLE:
            stored = session.get(DayVerdict, (staff_no, day))
            assert stored is not None, f"{staff_no} never derived"
            kept = {k: v for k, v in stored.result.items() if k != "provisional"}
            assert kept == fresh[staff_no], f"{staff_no} at {now.isoformat()}"


days = count()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events)
def test_incremental_equals_recomputation(
    shared: tuple[Engine, Settings], batch: list[tuple[object, ...]]
) -> None:
    engine, cfg = shared
    day = WORKDAYS[next(days) % len(WORKDAYS)]
    clock = Clock(_minute(day, 7 * 60))
    scheduler = AttendanceScheduler(cfg, engine, clock)
    scheduler.tick()
    pending = sorted(t for t in scheduler.decision_instants(day) if t > clock())
    for event in sorted(batch, key=lambda e: int(str(e[1]))):
        now = _minute(day, int(str(event[1])))
        while pending and pending[0] <= now:
            clock.now = pending.pop(0)
            scheduler.tick()
        clock.now = now
        _apply(engine, cfg, day, event, now)
        _assert_consistent(engine, cfg, day, now)
    for instant in pending:  # the rest of the day, to midnight
        clock.now = instant
        scheduler.tick()
    _assert_consistent(engine, cfg, day, clock.now)
    assert clock.now.astimezone(TZ).date() >= day


# Changes of who is due at work when, made through the API as an admin makes them; the
# stored verdicts must then agree with the recomputation on every day, also the days on
# which someone has no fact at all (the board shows only stored verdicts).
GO_LIVE = date(2026, 3, 2)
TODAY = date(2026, 3, 20)  # a Friday; the clock stays at 20:00 on it
offsets = st.integers(min_value=0, max_value=(TODAY - GO_LIVE).days)
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("punch"), people, offsets, minutes),
        st.tuples(st.just("holiday"), offsets, st.booleans()),
        st.tuples(st.just("unholiday"), offsets),
        st.tuples(st.just("new_staff"), offsets),
        st.tuples(st.just("start_date"), people, offsets),
        st.tuples(st.just("schedule"), st.integers(min_value=0, max_value=40)),
        st.tuples(st.just("go_live"), st.integers(min_value=-3, max_value=5)),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip
SLOTS = [("am_in", "08:30"), ("am_out", "12:00"), ("pm_in", "14:00"), ("pm_out", "17:30")]
staff_numbers = count(100)


def _change(client: TestClient, change: tuple[object, ...]) -> None:
    kind = change[0]
    if kind == "punch":
        _, staff_no, offset, value = change
        day = GO_LIVE + timedelta(days=int(str(offset)))
        value = int(str(value))
        body = [{"staff_no": staff_no, "time": f"{day}T{value // 60:02d}:{value % 60:02d}"}]
        answer = client.post("/api/v1/punches", json=body)
    elif kind in ("holiday", "unholiday"):
        day = GO_LIVE + timedelta(days=int(str(change[1])))
        if kind == "holiday":
            answer = client.put(f"/api/v1/holidays/{day}", json={"workday": change[2]})
        else:
            answer = client.delete(f"/api/v1/holidays/{day}")
            assert answer.status_code in (204, 404)
            return
    elif kind == "new_staff":
        number = next(staff_numbers)
        answer = client.post(
            "/api/v1/staff",
            json={"staff_no": f"NS{number}", "name": f"新人{number}", "pin": f"9{number}",
                  "unit_code": "ZWB", "category": "聘用",
                  "start_date": str(GO_LIVE + timedelta(days=int(str(change[1]))))},
        )  # fmt: skip
    elif kind == "start_date":
        start = GO_LIVE + timedelta(days=int(str(change[2])))
        answer = client.patch(f"/api/v1/staff/{change[1]}", json={"start_date": str(start)})
    elif kind == "schedule":
        shift = timedelta(minutes=int(str(change[1])))
        slots = [
            {"name": name, "due": (datetime.combine(TODAY, time.fromisoformat(due)) + shift)
             .time().isoformat(timespec="minutes")}
            for name, due in SLOTS
        ]  # fmt: skip
        answer = client.put("/api/v1/schedules/four_punch", json={"default": True, "slots": slots})
    else:
        go_live = GO_LIVE + timedelta(days=int(str(change[1])))
        answer = client.patch("/api/v1/hall", json={"go_live": str(go_live)})
    assert answer.status_code < 300, answer.text


def _assert_every_day_consistent(engine: Engine, cfg: Settings, now: datetime) -> None:
    first = GO_LIVE - timedelta(days=5)
    with read_session(engine) as session:
        ctx = load_context(session, cfg, {TODAY.year})
        fresh = days_report(session, ctx, first, TODAY, now)
        stored = {(v.staff_no, v.day): v for v in session.exec(select(DayVerdict)).all()}
    for day in fresh:
        key = (day["staff_no"], date.fromisoformat(day["date"]))
        kept = stored.get(key)
        if kept is None:
            # Only a day nobody was due at work on may lack a stored verdict.
            assert day["status"] == "off", f"{key} has no stored verdict but is {day['status']}"
            continue
        result = {k: v for k, v in kept.result.items() if k != "provisional"}
        assert result == day, f"{key}: stored {kept.status}, recomputed {day['status']}"


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(CHANGES)
def test_every_staff_day_is_stored_as_recomputed_after_calendar_and_staff_changes(
    tmp_path_factory: pytest.TempPathFactory, changes: list[tuple[object, ...]]
) -> None:
    from hallbase.settings import load_settings
    from hallkeeper.app import create_app
    from tests.helpers.auth import admin_headers

    path = tmp_path_factory.mktemp("every-day")
    cfg = load_settings(data_dir=path, database_url="", mqtt_url="")
    engine = make_engine(f"sqlite:///{path / 'e.db'}")
    try:
        clock = Clock(at("20:00", TODAY))
        app = create_app(cfg, engine=engine, clock=clock)
        client = TestClient(app, headers=admin_headers(app))
        assert client.patch("/api/v1/hall", json={"go_live": str(GO_LIVE)}).status_code == 200
        AttendanceScheduler(cfg, engine, clock).tick()  # the service starts: days are judged
        _assert_every_day_consistent(engine, cfg, clock())
        for change in changes:
            _change(client, change)
            _assert_every_day_consistent(engine, cfg, clock())
    finally:
        engine.dispose()
