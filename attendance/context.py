"""What the engine needs besides facts, from the database: rules, schedules, calendar, staff."""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from sqlmodel import Session, col, select

import attendance_engine as eng
from attendance.facts import FactSet
from attendance.models import ContextVersion
from hallbase.hallconfig import AttendanceSection
from hallbase.hallconfig.schedules import month_day
from hallbase.holidays import _warn_uncovered, calendar_covers
from hallbase.models import Hall, HolidayOverride, Schedule, ScheduleSlot, Staff, Window
from hallbase.settings import Settings


def rules_from(section: AttendanceSection) -> eng.Rules:
    """Map the configuration's `[attendance]` section onto the engine's thresholds."""
    chain = tuple(
        eng.ApprovalStep(step.role, math.inf if step.max_days is None else step.max_days)
        for step in section.approval_chain
    )
    return eng.Rules(
        late_threshold_minutes=section.late_threshold_minutes,
        off_post_absent_minutes=section.off_post_absent_minutes,
        off_post_grace_minutes=section.off_post_grace_minutes,
        off_post_grace_per=section.off_post_grace_per,
        missing_makes_absent=section.missing_makes_absent,
        return_to_unit_events=section.return_to_unit_events,
        return_to_unit_absent_days=section.return_to_unit_absent_days,
        deduction_per_violation=round(section.deduction_per_violation),
        deduction_per_lost_record=round(section.deduction_per_lost_record),
        escalation_period=section.escalation_period,
        approval_chain=chain,
    )


def engine_schedule(row: Schedule, slots: Iterable[ScheduleSlot]) -> eng.Schedule:
    """One stored schedule as the engine's (validated: raises ScheduleError naming it)."""
    specs = tuple(
        eng.SlotSpec(s.name, s.kind, s.due, s.half, s.window_start, s.window_end)
        for s in sorted(slots, key=lambda s: s.position)
    )
    return eng.Schedule(
        row.name, specs, month_day(row.valid_from), month_day(row.valid_to), row.is_default
    )


@lru_cache(maxsize=16)
def _national_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays on weekdays, weekend days worked) of one year from chinesecalendar."""
    holidays: set[date] = set()
    moved: set[date] = set()
    day = date(year, 1, 1)
    while day.year == year:
        workday = chinese_calendar.is_workday(day)
        if day.weekday() < 5 and not workday:
            holidays.add(day)
        elif day.weekday() >= 5 and workday:
            moved.add(day)
        day += timedelta(days=1)
    return frozenset(holidays), frozenset(moved)


def work_calendar(years: Iterable[int], overrides: Mapping[date, bool]) -> eng.WorkCalendar:
    """The engine's calendar: national data for covered years, weekends elsewhere, overrides win."""
    holidays: set[date] = set()
    moved: set[date] = set()
    for year in sorted(set(years)):
        if calendar_covers(year):
            h, m = _national_year(year)
            holidays |= h
            moved |= m
        else:
            _warn_uncovered(year)  # the same one-time warning the calendar API gives
    return eng.WorkCalendar(frozenset(holidays), frozenset(moved), dict(overrides))


@dataclass(frozen=True)
class StaffRow:
    """The staff columns the attendance service uses."""

    staff_no: str
    name: str
    pin: str
    unit: str
    role: str
    info: eng.StaffInfo


@dataclass(frozen=True)
class WindowPosts:
    """A window's A and B posts."""

    number: int
    a_post: str
    b_post: str | None


@dataclass
class AttendanceContext:
    """Everything but facts that one evaluation needs; cheap to build (a few small queries)."""

    rules: eng.Rules
    tz: ZoneInfo
    go_live: date | None
    schedules: tuple[eng.Schedule, ...]
    staff: dict[str, StaffRow]
    windows: tuple[WindowPosts, ...]
    calendar: eng.WorkCalendar
    _partners: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def partners(self, staff_no: str) -> set[str]:
        """Everyone who shares a window with ``staff_no`` (their cover is judged together)."""
        known = self._partners.get(staff_no)
        if known is None:
            out: set[str] = set()
            for w in self.windows:
                posts = {w.a_post, w.b_post} - {None}
                if staff_no in posts:
                    out |= {p for p in posts if p is not None}
            known = self._partners[staff_no] = frozenset(out - {staff_no})  # windows are fixed
        return set(known)

    def schedule_for(self, staff_no: str, day: date) -> eng.Schedule:
        """The schedule ``staff_no`` works on ``day``."""
        return eng.pick_schedule(self.schedules, day, self.staff[staff_no].info.schedules)

    def evaluate(self, staff_no: str, day: date, facts: eng.Facts, now: datetime) -> eng.DayResult:
        """The engine's verdict of one staff-day (``facts`` already that person's)."""
        return self._evaluate(staff_no, [(day, facts)], now)[0]

    def evaluate_days(
        self, staff_no: str, days: Iterable[date], facts: FactSet, now: datetime
    ) -> list[eng.DayResult]:
        """The engine's verdicts of ``staff_no`` on each of ``days``, from ``facts``."""
        return self._evaluate(staff_no, facts.days(staff_no, days), now)

    def _evaluate(
        self, staff_no: str, days: Iterable[tuple[date, eng.Facts]], now: datetime
    ) -> list[eng.DayResult]:
        return eng.evaluate_days(
            self.staff[staff_no].info,
            days,
            schedules=self.schedules,
            calendar=self.calendar,
            rules=self.rules,
            tz=self.tz,
            now=now,
            go_live=self.go_live,
        )


_SCHEDULES: dict[tuple[object, ...], eng.Schedule] = {}


def _schedule(row: Schedule, slots: list[ScheduleSlot]) -> eng.Schedule:
    """The engine schedule for a stored one, reused while its rows are unchanged.

    Reusing the same object keeps the engine's per-schedule window cache warm.
    """
    key = (
        row.name, row.valid_from, row.valid_to, row.is_default,
        tuple((s.position, s.name, s.kind, s.half, s.due, s.window_start, s.window_end)
              for s in slots),
    )  # fmt: skip
    found = _SCHEDULES.get(key)
    if found is None:
        if len(_SCHEDULES) > 256:
            _SCHEDULES.clear()
        found = _SCHEDULES[key] = engine_schedule(row, slots)
    return found


def load_context(
    session: Session,
    settings: Settings,
    years: Iterable[int],
    staff_nos: Iterable[str] | None = None,
) -> AttendanceContext:
    """Read schedules, staff, windows, overrides and the hall row for the given years.

    ``staff_nos``: only these people and those who share a window with them (a punch's
    re-derivation needs no more, and reading 1,000 staff rows per punch would dominate).
    """
    rows = session.exec(select(Schedule)).all()
    slots = session.exec(select(ScheduleSlot)).all()
    by_schedule: dict[int | None, list[ScheduleSlot]] = {}
    for slot in slots:
        by_schedule.setdefault(slot.schedule_id, []).append(slot)
    schedules = tuple(_schedule(r, by_schedule.get(r.id, [])) for r in rows)
    implicit = tuple(s.name for s in schedules if s.default or s.seasonal)
    windows = tuple(
        WindowPosts(w.number, w.a_post, w.b_post)
        for w in session.exec(select(Window).order_by(col(Window.number))).all()
    )
    t = Staff.__table__  # type: ignore[attr-defined]
    query = sa.select(
        t.c.staff_no, t.c.name, t.c.pin, t.c.unit_code, t.c.role, t.c.category,
        t.c.start_date, t.c.end_date, t.c.schedule,
    )  # fmt: skip
    if staff_nos is not None:
        wanted = set(staff_nos)
        for w in windows:
            posts = {w.a_post, w.b_post} - {None}
            if posts & wanted:
                wanted |= {p for p in posts if p is not None}
        query = query.where(t.c.staff_no.in_(sorted(wanted)))
    staff: dict[str, StaffRow] = {}
    for no, name, pin, unit, role, category, start, end, sched in session.connection().execute(
        query
    ):
        info = eng.StaffInfo(no, category, start, end, (sched,) if sched else implicit)
        staff[no] = StaffRow(no, name, pin, unit, role, info)
    overrides = {o.day: o.workday for o in session.exec(select(HolidayOverride)).all()}
    hall = session.exec(select(Hall)).first()
    return AttendanceContext(
        rules=rules_from(settings.hall.attendance),
        tz=settings.zone,
        go_live=hall.go_live if hall else settings.hall.hall.go_live,
        schedules=schedules,
        staff=staff,
        windows=windows,
        calendar=work_calendar(years, overrides),
    )


# A cached context is reused while the database's context version is the one it was built
# under: triggers on every table the context is read from (`SOURCES`, see migration 0005)
# set it to a new random value on each change, from any connection or process.
SOURCES = (Schedule, ScheduleSlot, Window, Staff, HolidayOverride, Hall)


@dataclass(frozen=True)
class _Cached:
    settings: Settings
    version: int
    context: AttendanceContext


_cache: weakref.WeakKeyDictionary[sa.Pool, dict[tuple[int, frozenset[int]], _Cached]] = (
    weakref.WeakKeyDictionary()
)


def _database(session: Session) -> sa.Pool:
    """The key of the session's database in the caches: its engine's pool, which the engines
    made by `execution_options` (a new one for each read session) share with their engine."""
    return session.get_bind().engine.pool


# Built once (SQLAlchemy's compiled cache serves them): every ADMS batch runs both.
_version = ContextVersion.__table__  # type: ignore[attr-defined]
_VERSION = sa.select(_version.c.version).where(_version.c.id == 1)
_staff = Staff.__table__  # type: ignore[attr-defined]
_PINS = sa.select(_staff.c.pin, _staff.c.staff_no)


def context_version(session: Session) -> int | None:
    """The current context version (None: the row is missing, nothing can be cached)."""
    version = session.connection().execute(_VERSION).scalar()
    return None if version is None else int(version)


_pins: weakref.WeakKeyDictionary[sa.Pool, tuple[int, dict[str, str]]] = weakref.WeakKeyDictionary()


def staff_by_pin(session: Session) -> Mapping[str, str]:
    """Every terminal PIN's staff number, reused while the context version is unchanged.

    The mapping must not be changed by its users.
    """
    database = _database(session)
    version = context_version(session)  # before the table: see cached_context
    hit = _pins.get(database)
    if hit is not None and hit[0] == version:
        return hit[1]
    found: dict[str, str] = dict(session.connection().execute(_PINS).all())
    if version is not None:
        _pins[database] = (version, found)
    return found


def cached_context(session: Session, settings: Settings, years: Iterable[int]) -> AttendanceContext:
    """The whole hall's context for ``years``, reused while its source rows are unchanged.

    For the ingest path, which needs it for every batch. The context must not be changed
    by its users (none does: it is read-only data for the engine).
    """
    wanted = frozenset(years)
    per_engine = _cache.setdefault(_database(session), {})
    key = (id(settings), wanted)
    # Read before the tables: a change committed in between makes the next call reload.
    version = context_version(session)
    hit = per_engine.get(key)
    if hit is not None and hit.settings is settings and hit.version == version:
        return hit.context
    context = load_context(session, settings, wanted)
    if version is not None:
        if len(per_engine) > 8:
            per_engine.clear()
        per_engine[key] = _Cached(settings, version, context)  # holds settings: id stays unique
    return context
