"""Statistics as CSV and XLSX, with Chinese column headers by default (``lang="en"``:
English)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from hallbase.words import DEFAULT, Lang, t

# The columns of a statistics row, in order: the group's key first (its name is shown there).
COLUMNS = (
    "key",
    "tickets",
    "called",
    "served",
    "no_shows",
    "transfers",
    "transfer_legs",
    "missing_documents",
    "wait_mean_min",
    "wait_p90_min",
    "service_mean_min",
    "service_p90_min",
    "ratings",
    "rating_attitude",
    "rating_quality",
    "rating_efficiency",
    "rating_integrity",
    "rating_overall",
    "committed",
    "committed_on_time",
    "committed_late",
    "on_time_rate",
)


def header_row(by: str, lang: Lang) -> list[str]:
    """The column titles; the first names the grouping (事项 / 窗口 / 工作人员 / 时段)."""
    headers = (t(f"export.header.{c}", lang) for c in COLUMNS[1:])
    return [t(f"export.group.{by}", lang), *headers, t(f"export.code.{by}", lang)]


def _line(row: dict[str, Any], lang: Lang) -> list[Any]:
    """A row as people read it: the group's name first (王芳, 社保业务), its code last."""
    name = row.get("name") or {}
    first = name.get(lang) or name.get(DEFAULT) or str(row["key"])
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
