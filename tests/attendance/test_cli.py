"""`hallkeeper attendance`: import a CSV with bad rows, days as JSON, the month as CSV and XLSX."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hallbase.db import make_engine
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from hallkeeper.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    prepare_database(settings, engine)
    engine.dispose()
    return tmp_path


def test_import_days_and_month(env: Path) -> None:
    source = env / "punches.csv"
    source.write_text(
        "staff_no,pin,time\n"
        "SC001,,2026-03-10 08:35:00\n"
        ",2001,2026-03-10T12:01:00+08:00\n"
        "SC001,,not a time\n"
        "XX9,,2026-03-10 14:00\n"
        ",2001,2026-03-10 17:31\n"
        "SC001,,2026-03-10 08:35:00\n"
        ",,2026-03-10 09:00\n",
        "utf-8",
    )
    result = runner.invoke(app, ["attendance", "import", str(source)])
    assert result.exit_code == 1, result.output
    assert f"{source}:4: rejected" in result.output and "ISO 8601" in result.output
    assert f"{source}:5: rejected: unknown staff_no 'XX9'" in result.output
    assert f"{source}:8: rejected" in result.output
    assert "inserted 3, duplicates 1" in result.output and "rejected 3" in result.output

    again = runner.invoke(app, ["attendance", "import", str(source)])
    assert "inserted 0, duplicates 4" in again.output

    days = runner.invoke(app, ["attendance", "days", "--from", "2026-03-10", "--to", "2026-03-10"])
    assert days.exit_code == 0, days.output
    data = {d["staff_no"]: d for d in json.loads(days.stdout)}
    mine = data["SC001"]
    assert [s["status"] for s in mine["slots"]] == ["late", "normal", "missing", "normal"]
    assert mine["absent_days"] == 0.5 and mine["date"] == "2026-03-10"

    month = runner.invoke(app, ["attendance", "month", "2026-03", "--format", "csv"])
    assert month.exit_code == 0, month.output
    rows = {r["工号"]: r for r in csv.DictReader(io.StringIO(month.stdout))}
    assert rows["SC001"]["迟到(次)"] == "1" and rows["SC001"]["姓名"] == "王芳"

    sheet_file = env / "march.xlsx"
    xlsx = runner.invoke(
        app, ["attendance", "month", "2026-03", "--format", "xlsx", "--output", str(sheet_file)]
    )
    assert xlsx.exit_code == 0, xlsx.output
    sheet = load_workbook(sheet_file).active
    assert sheet is not None and "月度考勤表" in str(sheet["A1"].value)
    refused = runner.invoke(app, ["attendance", "month", "2026-3x"])
    assert refused.exit_code == 2 and "YYYY-MM" in refused.output
