"""A year's holidays as the State Council publishes them: days off and moved working days.

Every December the State Council's General Office publishes the next year's arrangement
(国务院办公厅关于YYYY年部分节假日安排的通知): for each festival a range of days off
(放假调休) and the weekend days worked in exchange (调休上班). The `chinesecalendar`
package knows a year only once a release carries it, so until then an admin enters the
notice as a small TOML file, one `[[holidays]]` entry per line of the notice; for example
the Spring Festival line of the notice for 2017 (春节：1月27日至2月2日放假调休，共7天。
1月22日（星期日）、2月4日（星期六）上班。) reads:

    year = 2017
    title = "国务院办公厅关于2017年部分节假日安排的通知"

    [[holidays]]
    name = "春节"
    start = 2017-01-27
    end = 2017-02-02              # optional: a single day when left out
    workdays = [2017-01-22, 2017-02-04]

`hallkeeper holidays import FILE` and `POST /api/v1/holidays/import` (the same fields as
JSON) store each date as a holiday override (which wins over the package), record the year
as entered, and judge the stored days that changed again. `config/holidays.sample.toml` is
the whole notice for 2017.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session

from attendance.refresh import rederive_days
from hallbase.errors import ConfigError
from hallbase.models import HolidayOverride, HolidayYear
from hallbase.settings import Settings
from hallbase.words import t

log = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidayLine(_Strict):
    """One line of the notice: a festival's days off and the weekend days worked for it."""

    name: str = Field(min_length=1, max_length=50)
    start: date
    end: date | None = None
    workdays: tuple[date, ...] = ()

    @property
    def days_off(self) -> list[date]:
        """Every date from start to end."""
        last = self.end or self.start
        return [self.start + timedelta(days=i) for i in range((last - self.start).days + 1)]


class HolidayNotice(_Strict):
    """A year's arrangement (节假日安排)."""

    year: int = Field(ge=2000, le=2100)
    title: str = Field(default="", max_length=200)
    holidays: tuple[HolidayLine, ...] = Field(min_length=1)


def _problems(notice: HolidayNotice) -> list[tuple[str, str]]:
    """What the schema cannot check: order, the year, overlaps, workdays on weekends."""
    found: list[tuple[str, str]] = []
    # A New Year's arrangement may begin in the December before (as the notice for 2019 did).
    lo, hi = date(notice.year - 1, 12, 1), date(notice.year, 12, 31)
    taken: dict[date, str] = {}
    for i, line in enumerate(notice.holidays):
        where = f"holidays[{i}]"
        if line.end is not None and line.end < line.start:
            found.append((f"{where}.end", f"{line.end} is before start {line.start}"))
            continue
        if len(line.days_off) > 31:
            found.append((f"{where}.end", f"{len(line.days_off)} days off: at most 31"))
            continue
        for key, value in (("start", line.start), ("end", line.end or line.start)):
            if not lo <= value <= hi:
                found.append((f"{where}.{key}", f"{value} is not in {notice.year}"))
        for day in line.days_off:
            if day in taken:
                found.append((where, f"{day} is already a day off of {taken[day]!r}"))
                break
            taken[day] = line.name
    worked: set[date] = set()
    for i, line in enumerate(notice.holidays):
        for j, day in enumerate(line.workdays):
            where = f"holidays[{i}].workdays[{j}]"
            if not lo <= day <= date(notice.year, 12, 31):
                found.append((where, f"{day} is not in {notice.year}"))
            elif day.weekday() < 5:
                weekday = t(f"holidays.weekday.{day.weekday()}")
                found.append((where, f"{day} is a weekday ({weekday}): already a working day"))
            elif day in taken:
                found.append((where, f"{day} is also a day off of {taken[day]!r}"))
            elif day in worked:
                found.append((where, f"{day} is listed twice"))
            worked.add(day)
    return found


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_notice(data: dict[str, Any], source: str) -> HolidayNotice:
    """Validate a parsed notice; raise ConfigError listing every problem with its key."""
    try:
        notice = HolidayNotice.model_validate(data)
    except ValidationError as exc:
        problems = [(_location(err["loc"]), err["msg"]) for err in exc.errors()]
        raise ConfigError(source, problems) from None
    problems = _problems(notice)
    if problems:
        raise ConfigError(source, problems)
    return notice


def load_notice(path: Path) -> HolidayNotice:
    """Read and validate a notice file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [("(file)", f"cannot read: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [("(file)", f"not UTF-8 at byte {exc.start}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [("(syntax)", str(exc))]) from None
    return parse_notice(data, str(path))


def import_notice(
    session: Session, settings: Settings, notice: HolidayNotice, now: datetime
) -> dict[str, int]:
    """Store the notice's dates as overrides, record the year, judge the changed days again."""
    wanted: dict[date, tuple[bool, str]] = {}
    for line in notice.holidays:
        for day in line.days_off:
            wanted[day] = (False, line.name)
        for day in line.workdays:
            wanted[day] = (True, line.name + t("holidays.workday"))
    changed_days: list[date] = []
    for day, (workday, note) in sorted(wanted.items()):
        row = session.get(HolidayOverride, day)
        if row is None:
            row = HolidayOverride(day=day, workday=workday, note=note)
            changed_days.append(day)
        elif row.workday != workday:
            changed_days.append(day)
        row.workday, row.note = workday, note
        session.add(row)
    record = session.get(HolidayYear, notice.year) or HolidayYear(year=notice.year, imported_at=now)
    record.title, record.imported_at = notice.title, now
    record.days_off = sum(1 for workday, _ in wanted.values() if not workday)
    record.workdays = sum(1 for workday, _ in wanted.values() if workday)
    session.add(record)
    session.flush()
    done = rederive_days(session, settings, changed_days, now)
    log.info(
        "holidays of %d imported: %d days off, %d moved working days, %d verdicts changed",
        notice.year,
        record.days_off,
        record.workdays,
        done.changed,
    )
    return {
        "year": notice.year,
        "days_off": record.days_off,
        "workdays": record.workdays,
        "changed": done.changed,
    }
