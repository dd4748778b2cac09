"""The lines of the month's sheet (月度考勤表): its words, symbols, columns and totals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from attendance.reports import MonthReport
from hallbase.words import has, label, t

# The sheet is the published Chinese form: its words come from the catalogue's ``sheet.*``
# (one symbol per day status, as halls print them) in the hall's default language.
STATUSES = ("normal", "late", "early", "absent", "missing", "leave", "out", "off_post", "pending")
HEAD = ("staff_no", "name", "unit")
TOTALS = (
    "late",
    "early",
    "off_post",
    "missing",
    "window_uncovered",
    "absent_days",
    "absent_whole_days",
    "absent_half_days",
    "leave_days",
    "score",
)
TAIL = ("grade", "flags", "escalation")
SIGNATURES = ("made", "checked", "duty_chief")


def symbols() -> dict[str, str]:
    """The symbol of each day status (a day off has none)."""
    return {status: t(f"sheet.symbol.{status}") for status in (*STATUSES, "off")}


def half_absent() -> str:
    """The symbol of a day with half of it absent; the absent symbol is a whole day."""
    return t("sheet.half_absent")


def day_symbol(status: str, absent_days: float) -> str:
    """The day's symbol; an absent day shows whether half of it or all of it was absent."""
    if status == "absent" and 0 < absent_days < 1:
        return half_absent()
    key = f"sheet.symbol.{status}"
    return t(key) if has(key) else status


def escalation_text(row: dict[str, Any]) -> str:
    """Each event with its step on the ladder: 3月2日 迟到第1次：书面检讨；..."""
    parts = []
    for step in row["escalation"]:
        day = datetime.fromisoformat(step["at"]).date()
        kind = label("status", step["kind"])
        n = step["occurrence"]
        parts.append(
            t("sheet.step", month=day.month, day=day.day, kind=kind, occurrence=n, step=step["zh"])
        )
    return t("sheet.step_sep").join(parts)


def header(dates: list[date]) -> list[str]:
    """The sheet's column titles (the CSV has the same)."""
    return [
        *(t(f"sheet.head.{k}") for k in HEAD),
        *(str(d.day) for d in dates),
        *(t(f"sheet.total.{k}") for k in TOTALS),
        *(t(f"sheet.tail.{k}") for k in TAIL),
    ]


class Totals:
    """The totals line, summed chunk by chunk."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.sums: dict[str, float] = dict.fromkeys(TOTALS[:-1], 0)

    def add(self, report: MonthReport) -> None:
        """Add the people of ``report``."""
        for key in self.sums:
            self.sums[key] += sum(r[key] for r in report.rows)

    def line(self) -> list[Any]:
        """Each count summed; the score, grade, flags and escalation left blank."""
        return [t("sheet.sum"), "", "", *([""] * self.days), *self.sums.values(), *([""] * 4)]


def person_lines(report: MonthReport) -> Iterator[list[Any]]:
    """One line per person of ``report``."""
    flag_sep = t("sheet.flag_sep")
    shown: dict[tuple[str, float], str] = {}  # the catalogue looked up once per kind of day
    for row in report.rows:
        no = row["staff_no"]
        line: list[Any] = [no, row["name"], row["unit_name"]]
        for day in zip(report.days[no], report.absent[no], strict=True):
            symbol = shown.get(day)
            if symbol is None:
                symbol = shown[day] = day_symbol(*day)
            line.append(symbol)
        line += [row[key] for key in TOTALS]
        flags = flag_sep.join(label("flag", f) for f in row["flags"])
        line += [label("grade", row["grade"]), flags]
        line.append(escalation_text(row))
        yield line


def lines(report: MonthReport) -> list[list[Any]]:
    """One line per person, then the totals line."""
    totals = Totals(len(report.dates))
    totals.add(report)
    return [*person_lines(report), totals.line()]
