"""Staff lists in and out as CSV and XLSX, the way halls keep them in Excel.

Headers may be English (`staff_no`, `name`, `pin`, ...) or the Chinese ones halls use (工号, 姓名,
考勤号, ...). A bad row is rejected with its line number and reason; the good rows are imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlmodel import Session, select

from hallbase.errors import RowError
from hallbase.hallconfig import StaffEntry
from hallbase.models import Schedule, Staff, Unit

COLUMNS: list[tuple[str, str]] = [
    ("staff_no", "工号"),
    ("name", "姓名"),
    ("pin", "考勤号"),
    ("unit", "派驻单位"),
    ("category", "人员类别"),
    ("role", "角色"),
    ("start_date", "入职日期"),
    ("end_date", "离岗日期"),
    ("schedule", "班次"),
]
HEADER_ALIASES = {zh: en for en, zh in COLUMNS} | {en: en for en, _ in COLUMNS}
REQUIRED = ("staff_no", "name", "pin", "unit", "category")


@dataclass
class ImportResult:
    """How an import went: counts and every rejected row with its reason."""

    created: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw: bytes) -> str:
    # Excel in a Chinese locale saves CSV as GBK; newer versions as UTF-8 with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RowError(1, "the file is neither UTF-8 nor GBK text")


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """Header, (line number, cells) pairs and the row count of a CSV or XLSX file."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif path.suffix.lower() == ".csv":
        rows = [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(_decode(path.read_bytes())))
        ]
    else:
        raise RowError(0, f"{path.name}: unsupported file type (use .csv or .xlsx)")
    if not rows:
        raise RowError(1, "the file is empty")
    header, body = rows[0], rows[1:]
    numbered = ((i + 2, row) for i, row in enumerate(body) if any(c for c in row))
    return header, numbered, len(body)


def _header_map(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADER_ALIASES.get(title.strip().lower()) or HEADER_ALIASES.get(title.strip())
        if key:
            mapping[key] = index
    missing = [k for k in REQUIRED if k not in mapping]
    if missing:
        wanted = ", ".join(f"{k} ({dict(COLUMNS)[k]})" for k in missing)
        raise RowError(1, f"missing column(s): {wanted}")
    return mapping


def _parse_date(text: str) -> str | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(f"bad date {text!r} (use YYYY-MM-DD)")


def import_staff(
    session: Session, path: Path, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Import staff from ``path``: new 工号 are created, known ones updated, bad rows rejected."""
    header, rows, _total = read_rows(path)
    columns = _header_map(header)
    units = {u.code: u.code for u in session.exec(select(Unit))}
    units |= {u.name: u.code for u in session.exec(select(Unit))}
    schedules = set(session.exec(select(Schedule.name)))
    existing = {s.staff_no: s for s in session.exec(select(Staff))}
    pins = {s.pin: s.staff_no for s in existing.values()}
    seen: dict[str, int] = {}
    result = ImportResult()
    for line, cells in rows:
        if progress:
            progress(1)
        try:
            cells_by_key = {k: (cells[i] if i < len(cells) else "") for k, i in columns.items()}
            for key in ("start_date", "end_date"):
                cells_by_key[key] = _parse_date(cells_by_key.get(key, "")) or ""
            values = {k: v for k, v in cells_by_key.items() if v}
            unit_ref = values.get("unit", "")
            if unit_ref not in units:
                raise ValueError(f"unknown unit {unit_ref!r}")
            values["unit"] = units[unit_ref]
            entry = StaffEntry.model_validate(values)
            if entry.staff_no in seen:
                raise ValueError(
                    f"duplicate 工号 {entry.staff_no} (first on line {seen[entry.staff_no]})"
                )
            if entry.schedule and entry.schedule not in schedules:
                raise ValueError(f"unknown schedule {entry.schedule!r}")
            owner = pins.get(entry.pin)
            if owner is not None and owner != entry.staff_no:
                raise ValueError(f"PIN {entry.pin} already belongs to {owner}")
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            result.rejected.append(
                RowError(line, f"{where}: {err['msg']}" if where else err["msg"])
            )
            continue
        except ValueError as exc:
            result.rejected.append(RowError(line, str(exc)))
            continue
        seen[entry.staff_no] = line
        fields = entry.model_dump(exclude={"unit"}) | {"unit_code": entry.unit}
        row = existing.get(entry.staff_no)
        if row is None:
            row = Staff(**fields)
            existing[entry.staff_no] = row
            result.created += 1
        else:
            pins.pop(row.pin, None)
            row.sqlmodel_update(fields)
            result.updated += 1
        pins[entry.pin] = entry.staff_no
        session.add(row)
    session.flush()
    return result


def export_rows(session: Session) -> list[list[str]]:
    """Header (Chinese) and one row per staff member, ordered by 工号."""
    rows = [[zh for _en, zh in COLUMNS]]
    for s in session.exec(select(Staff).order_by(Staff.staff_no)):
        rows.append(
            [
                s.staff_no,
                s.name,
                s.pin,
                s.unit_code,
                s.category,
                s.role,
                _cell(s.start_date),
                _cell(s.end_date),
                s.schedule or "",
            ]
        )
    return rows


def export_staff(session: Session, path: Path) -> int:
    """Write every staff member to ``path`` (.csv in UTF-8 with BOM for Excel, or .xlsx)."""
    rows = export_rows(session)
    if path.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "工作人员"
        for row in rows:
            sheet.append(row)
        book.save(path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    else:
        raise RowError(0, f"{path.name}: unsupported file type (use .csv or .xlsx)")
    return len(rows) - 1
