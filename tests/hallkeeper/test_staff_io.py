"""Staff import and export: CSV (UTF-8 and GBK) and XLSX, bad rows rejected with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.db import read_session, write_session
from hallbase.errors import RowError
from hallbase.models import Staff
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.seed import apply_config
from hallkeeper.staff_io import export_staff, import_staff


@pytest.fixture
def seeded(any_engine: Engine, settings: Settings) -> Engine:
    migrations.upgrade(any_engine)
    with write_session(any_engine) as session:
        apply_config(session, settings.hall)
    return any_engine


CSV_ROWS = """工号,姓名,考勤号,派驻单位,人员类别,角色,入职日期
NEW01,钱多多,7001,SCJ,聘用,staff,2025/3/1
NEW02,孙小美,7002,市公安局,在编,,2025-04-01
NEW03,无单位,7003,NOPE,聘用,,
NEW01,重复人,7004,SCJ,聘用,,
NEW05,坏考勤号,70a5,SCJ,聘用,,
NEW06,抢号,2001,SCJ,聘用,,
SC002,李明,2002,SCJ,在编,,2023-04-01
"""


def test_csv_import_keeps_good_rows_and_names_bad_lines(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_bytes(CSV_ROWS.encode("gbk"))  # as Excel saves it in a Chinese locale
    with write_session(seeded) as session:
        result = import_staff(session, path)
    assert (result.created, result.updated) == (2, 1)
    reasons = {r.line: r.reason for r in result.rejected}
    assert set(reasons) == {4, 5, 6, 7}
    assert "unknown unit 'NOPE'" in reasons[4]
    assert "duplicate 工号 NEW01 (first on line 2)" in reasons[5]
    assert reasons[6].startswith("pin:")
    assert "already belongs to SC001" in reasons[7]
    with read_session(seeded) as session:
        new = session.exec(select(Staff).where(Staff.staff_no == "NEW02")).one()
        assert (new.name, new.unit_code, new.category) == ("孙小美", "GAJ", "在编")
        assert session.exec(select(Staff).where(Staff.staff_no == "SC002")).one().category == "在编"
        assert session.exec(select(Staff).where(Staff.staff_no == "NEW03")).first() is None


def test_xlsx_import_and_round_trip(seeded: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["staff_no", "name", "pin", "unit", "category", "start_date"])
    sheet.append(["X100", "欧阳娜娜", 8100, "RSJ", "聘用", None])
    sheet.append(["X101", "", 8101, "RSJ", "聘用", None])
    path = tmp_path / "staff.xlsx"
    book.save(path)
    with write_session(seeded) as session:
        result = import_staff(session, path)
    assert result.created == 1 and [r.line for r in result.rejected] == [3]
    out = tmp_path / "out.xlsx"
    with read_session(seeded) as session:
        count = export_staff(session, out)
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "考勤号") and len(rows) == count + 1
    assert ("X100", "欧阳娜娜", "8100") in [r[:3] for r in rows]
    csv_out = tmp_path / "out.csv"
    with read_session(seeded) as session:
        export_staff(session, csv_out)
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    with write_session(seeded) as session:
        again = import_staff(session, csv_out)
    assert (again.created, again.updated, again.rejected) == (0, count, [])


def test_missing_columns_and_wrong_type(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("工号,姓名\nA1,x\n", "utf-8")
    with write_session(seeded) as session, pytest.raises(RowError, match="考勤号"):
        import_staff(session, path)
    with write_session(seeded) as session, pytest.raises(RowError, match="unsupported"):
        import_staff(session, tmp_path / "staff.txt")
