"""Statistics as CSV and XLSX, with Chinese column headers by default (``lang="en"``:
English)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from kiosk.words import Lang

HEADERS: dict[str, dict[Lang, str]] = {
    "key": {"zh": "分组", "en": "Group"},
    "tickets": {"zh": "取号数", "en": "Tickets"},
    "called": {"zh": "叫号数", "en": "Called"},
    "served": {"zh": "办理数", "en": "Served"},
    "no_shows": {"zh": "过号数", "en": "No-shows"},
    "transfers": {"zh": "转办数", "en": "Transfers"},
    "missing_documents": {"zh": "材料不全数", "en": "Documents missing"},
    "wait_mean_min": {"zh": "平均等候(分钟)", "en": "Mean wait (min)"},
    "wait_p90_min": {"zh": "等候P90(分钟)", "en": "Wait p90 (min)"},
    "service_mean_min": {"zh": "平均办理(分钟)", "en": "Mean service (min)"},
    "service_p90_min": {"zh": "办理P90(分钟)", "en": "Service p90 (min)"},
    "ratings": {"zh": "评价数", "en": "Ratings"},
    "rating_attitude": {"zh": "态度", "en": "Attitude"},
    "rating_quality": {"zh": "质量", "en": "Quality"},
    "rating_efficiency": {"zh": "效率", "en": "Efficiency"},
    "rating_integrity": {"zh": "廉洁", "en": "Integrity"},
    "rating_overall": {"zh": "总体评价", "en": "Overall"},
    "committed": {"zh": "承诺件数", "en": "Committed items"},
    "committed_on_time": {"zh": "按时办结", "en": "On time"},
    "committed_late": {"zh": "超期", "en": "Late"},
    "on_time_rate": {"zh": "按时办结率", "en": "On-time rate"},
}
GROUP_NAMES: dict[str, dict[Lang, str]] = {
    "service": {"zh": "事项", "en": "Service"},
    "window": {"zh": "窗口", "en": "Window"},
    "staff": {"zh": "工作人员", "en": "Staff"},
    "hour": {"zh": "时段", "en": "Hour"},
}
# The code beside the name, last: 工号 for staff, the service's code, the window's number.
CODE_NAMES: dict[str, dict[Lang, str]] = {
    "service": {"zh": "事项编码", "en": "Service code"},
    "window": {"zh": "窗口号", "en": "Window no."},
    "staff": {"zh": "工号", "en": "Staff no."},
    "hour": {"zh": "小时", "en": "Hour"},
}
COLUMNS = tuple(HEADERS)


def header_row(by: str, lang: Lang) -> list[str]:
    """The column titles; the first names the grouping (事项 / 窗口 / 工作人员 / 时段)."""
    return [GROUP_NAMES[by][lang], *(HEADERS[c][lang] for c in COLUMNS[1:]), CODE_NAMES[by][lang]]


def _line(row: dict[str, Any], lang: Lang) -> list[Any]:
    """A row as people read it: the group's name first (王芳, 社保业务), its code last."""
    name = row.get("name") or {}
    first = name.get(lang) or str(row["key"])
    return [first, *(row[c] for c in COLUMNS[1:]), row["key"]]


def to_csv(rows: list[dict[str, Any]], by: str, lang: Lang) -> bytes:
    """CSV with a UTF-8 BOM so that Excel opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header_row(by, lang))
    for row in rows:
        writer.writerow(["" if v is None else v for v in _line(row, lang)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]], by: str, lang: Lang, title: str) -> bytes:
    """An XLSX workbook with one sheet of the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header_row(by, lang))
    for row in rows:
        sheet.append(_line(row, lang))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
