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
from attendance_engine.labels import label

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
HALF_ABSENT = "半旷"  # a day with half of it absent; "旷" is a whole day
HEAD = ("工号", "姓名", "单位")
TOTALS = (
    ("late", "迟到(次)"),
    ("early", "早退(次)"),
    ("off_post", "脱岗(次)"),
    ("missing", "缺卡(次)"),
    ("window_uncovered", "空岗(次)"),
    ("absent_days", "旷工(天)"),
    ("absent_whole_days", "全天旷工(天)"),
    ("absent_half_days", "半天旷工(次)"),
    ("leave_days", "请假(天)"),
    ("score", "得分"),
)
TAIL = ("等级", "处理", "违纪处理(逐次)")
SIGNATURES = ("制表：", "审核：", "值班长：")
HEAD_FILL = PatternFill("solid", fgColor="DDE6F4")
BAD_FILL = PatternFill("solid", fgColor="F8D7D4")
BAD = frozenset({"absent", "missing", "late", "early", "off_post"})


def day_symbol(status: str, absent_days: float) -> str:
    """The day's symbol; an absent day shows whether half of it or all of it was absent."""
    if status == "absent" and 0 < absent_days < 1:
        return HALF_ABSENT
    return SYMBOLS.get(status, status)


def escalation_text(row: dict[str, Any]) -> str:
    """Each event with its step on the ladder: 3月2日 迟到第1次：书面检讨；..."""
    parts = []
    for step in row["escalation"]:
        day = datetime.fromisoformat(step["at"]).date()
        kind = label("status", step["kind"])
        parts.append(f"{day.month}月{day.day}日 {kind}第{step['occurrence']}次：{step['zh']}")
    return "；".join(parts)


def header(report: MonthReport) -> list[str]:
    """The sheet's column titles (the CSV has the same)."""
    return [*HEAD, *(str(d.day) for d in report.dates), *(t for _k, t in TOTALS), *TAIL]


def lines(report: MonthReport) -> list[list[Any]]:
    """One line per person, then the totals line."""
    out: list[list[Any]] = []
    for row in report.rows:
        no = row["staff_no"]
        line: list[Any] = [no, row["name"], row["unit_name"]]
        line += [day_symbol(s, a) for s, a in zip(report.days[no], report.absent[no], strict=True)]
        line += [row[key] for key, _title in TOTALS]
        line += [label("grade", row["grade"]), "、".join(label("flag", f) for f in row["flags"])]
        line.append(escalation_text(row))
        out.append(line)
    total: list[Any] = ["合计", "", "", *([""] * len(report.dates))]
    total += [sum(r[key] for r in report.rows) for key, _t in TOTALS[:-1]] + [""] * 4
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
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.print_area = f"A1:{get_column_letter(columns)}{ws.max_row}"


def month_xlsx(report: MonthReport, hall_name: str) -> bytes:
    """The monthly sheet: a row per person, a column per day, totals, legend, signature lines."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{report.year}-{report.month:02d}"
    titles = header(report)
    ws.append([f"{hall_name} {report.year}年{report.month}月 月度考勤表"])
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
    ws.append(["图例"])
    for status, symbol in SYMBOLS.items():
        if symbol:
            ws.append([symbol, label("status", status)])
    ws.append([HALF_ABSENT, "旷工半天"])
    ws.append(["(空)", label("status", "off")])
    ws.append([])
    # Spread over the width, each in a cell with empty neighbours so that its line shows.
    signed: list[Any] = [None] * len(titles)
    for i, title in enumerate([*SIGNATURES, "日期："]):
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
