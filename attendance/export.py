"""The month as the sheet a hall prints and signs (月度考勤表): XLSX, and CSV of its columns."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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
HEAD_FILL = PatternFill("solid", fgColor="DDE6F4")
BAD_FILL = PatternFill("solid", fgColor="F8D7D4")
BAD = frozenset({"absent", "missing", "late", "early", "off_post"})


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


def header(report: MonthReport) -> list[str]:
    """The sheet's column titles (the CSV has the same)."""
    days = (str(d.day) for d in report.dates)
    return [
        *(t(f"sheet.head.{k}") for k in HEAD),
        *days,
        *(t(f"sheet.total.{k}") for k in TOTALS),
        *(t(f"sheet.tail.{k}") for k in TAIL),
    ]


def lines(report: MonthReport) -> list[list[Any]]:
    """One line per person, then the totals line."""
    out: list[list[Any]] = []
    for row in report.rows:
        no = row["staff_no"]
        line: list[Any] = [no, row["name"], row["unit_name"]]
        line += [day_symbol(s, a) for s, a in zip(report.days[no], report.absent[no], strict=True)]
        line += [row[key] for key in TOTALS]
        flags = t("sheet.flag_sep").join(label("flag", f) for f in row["flags"])
        line += [label("grade", row["grade"]), flags]
        line.append(escalation_text(row))
        out.append(line)
    total: list[Any] = [t("sheet.sum"), "", "", *([""] * len(report.dates))]
    total += [sum(r[key] for r in report.rows) for key in TOTALS[:-1]] + [""] * 4
    out.append(total)
    return out


def month_csv(report: MonthReport) -> str:
    """The sheet's table as CSV: the same columns and values as the XLSX."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header(report))
    writer.writerows(lines(report))
    return buffer.getvalue()


def _print_setup(ws: Worksheet, columns: int) -> None:
    """A4 landscape, one page wide, the title and the column titles repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = t("sheet.footer")
    ws.print_area = f"A1:{get_column_letter(columns)}{ws.max_row}"


def month_xlsx(report: MonthReport, hall_name: str) -> bytes:
    """The monthly sheet: a row per person, a column per day, totals, legend, signature lines."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{report.year}-{report.month:02d}"
    titles = header(report)
    ws.append([t("sheet.title", hall=hall_name, year=report.year, month=report.month)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(titles))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(titles)
    for cell in ws[2]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row, line in zip([*report.rows, None], lines(report), strict=True):
        ws.append(line)
        if row is None:
            continue
        for offset, status in enumerate(report.days[row["staff_no"]]):
            cell = ws.cell(row=ws.max_row, column=len(HEAD) + 1 + offset)
            cell.alignment = Alignment(horizontal="center")
            if status in BAD:
                cell.fill = BAD_FILL
        ws.cell(row=ws.max_row, column=len(titles)).alignment = Alignment(wrap_text=True)
    ws.append([])
    ws.append([t("sheet.legend")])
    for status, symbol in symbols().items():
        if symbol:
            ws.append([symbol, label("status", status)])
    ws.append([half_absent(), t("sheet.half_absent_text")])
    ws.append([t("sheet.blank"), label("status", "off")])
    ws.append([])
    # Spread over the width, each in a cell with empty neighbours so that its line shows.
    signed: list[Any] = [None] * len(titles)
    for i, key in enumerate([*SIGNATURES, "date"]):
        title = t(f"sheet.sign.{key}")
        signed[i * len(titles) // 4] = f"{title}________________"
    ws.append(signed)
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 22
    for i in range(len(report.dates)):
        ws.column_dimensions[get_column_letter(len(HEAD) + 1 + i)].width = 4
    ws.column_dimensions[get_column_letter(len(titles))].width = 48
    ws.freeze_panes = "D3"
    _print_setup(ws, len(titles))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
