"""The month as the sheet a hall prints and signs (月度考勤表): XLSX, and CSV of its columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

from attendance.reports import MonthReport
from attendance.sheet import write_sheet
from attendance.sheet_rows import (
    HEAD,
    SIGNATURES,
    STATUSES,
    TAIL,
    TOTALS,
    Totals,
    day_symbol,
    escalation_text,
    half_absent,
    header,
    lines,
    person_lines,
    symbols,
)

__all__ = [
    "HEAD",
    "SIGNATURES",
    "STATUSES",
    "TAIL",
    "TOTALS",
    "csv_parts",
    "day_symbol",
    "escalation_text",
    "half_absent",
    "header",
    "lines",
    "month_csv",
    "month_xlsx",
    "symbols",
    "write_sheet",
]


def csv_parts(dates: list[date], chunks: Iterable[MonthReport]) -> Iterator[str]:
    """The sheet's table as CSV, a piece per chunk of people: the XLSX's columns and values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header(dates))
    totals = Totals(len(dates))
    for chunk in chunks:
        writer.writerows(person_lines(chunk))
        totals.add(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    writer.writerow(totals.line())
    yield buffer.getvalue()


def month_csv(report: MonthReport) -> str:
    """The sheet's table as CSV: the same columns and values as the XLSX."""
    return "".join(csv_parts(report.dates, [report]))


def month_xlsx(report: MonthReport, hall_name: str) -> bytes:
    """The monthly sheet of ``report`` as the bytes of an XLSX file."""
    buffer = io.BytesIO()
    write_sheet(buffer, report.year, report.month, [report], hall_name)
    return buffer.getvalue()
