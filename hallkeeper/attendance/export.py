"""The month as CSV and as the sheet a hall publishes (月度考勤表, XLSX)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from attendance_engine.labels import label
from hallkeeper.attendance.reports import MonthReport

# One symbol per day status, as halls print them on the monthly sheet.
SYMBOLS = {
    "normal": "√",
    "late": "迟",
    "early": "早",
    "absent": "旷",
    "missing": "缺",
    "leave": "假",
    "out": "外",
    "off_post": "脱",
    "pending": "…",
    "off": "",
}
CSV_FIELDS = (
    "staff_no",
    "name",
    "unit",
    "late",
    "early",
    "off_post",
    "missing",
    "absent_days",
    "leave_days",
    "window_uncovered",
    "score",
    "grade",
    "flags",
    "escalation",
)
TOTALS = (
    ("late", "迟到(次)"),
    ("early", "早退(次)"),
    ("off_post", "脱岗(次)"),
    ("missing", "缺卡(次)"),
    ("window_uncovered", "空岗(次)"),
    ("absent_days", "旷工(天)"),
    ("leave_days", "请假(天)"),
    ("score", "得分"),
)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F4")
BAD_FILL = PatternFill("solid", fgColor="F8D7D4")


def _escalation_codes(row: dict[str, Any]) -> str:
    return ";".join(f"{s['kind']}#{s['occurrence']}:{s['code']}" for s in row["escalation"])


def month_csv(report: MonthReport) -> str:
    """One line per person with the issue's month fields; lists joined by ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in report.rows:
        values = {**row, "flags": ";".join(row["flags"]), "escalation": _escalation_codes(row)}
        writer.writerow([values[f] for f in CSV_FIELDS])
    return buffer.getvalue()


def month_xlsx(report: MonthReport, hall_name: str) -> bytes:
    """The monthly sheet: a row per person, a column per day with a symbol, totals, a legend."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{report.year}-{report.month:02d}"
    header = ["工号", "姓名", "单位"] + [str(d.day) for d in report.dates]
    header += [title for _key, title in TOTALS] + ["等级", "备注"]
    ws.append([f"{hall_name} {report.year}年{report.month}月 月度考勤表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
    for row in report.rows:
        statuses = report.days[row["staff_no"]]
        line: list[Any] = [row["staff_no"], row["name"], row["unit_name"]]
        line += [SYMBOLS.get(s, s) for s in statuses]
        line += [row[key] for key, _title in TOTALS]
        line += [label("grade", row["grade"]), "、".join(label("flag", f) for f in row["flags"])]
        ws.append(line)
        for offset, status in enumerate(statuses):
            cell = ws.cell(row=ws.max_row, column=4 + offset)
            cell.alignment = Alignment(horizontal="center")
            if status in ("absent", "missing", "late", "early", "off_post"):
                cell.fill = BAD_FILL
    total = ["合计", "", ""] + [""] * len(report.dates)
    total += [sum(r[key] for r in report.rows) for key, _t in TOTALS[:-1]] + ["", "", ""]
    ws.append(total)
    ws.append([])
    ws.append(["图例"])
    for status, symbol in SYMBOLS.items():
        if symbol:
            ws.append([symbol, label("status", status)])
    ws.append(["(空)", label("status", "off")])
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 22
    for i in range(len(report.dates)):
        ws.column_dimensions[get_column_letter(4 + i)].width = 3.5
    ws.freeze_panes = "D3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
