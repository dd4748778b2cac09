"""`hallkeeper attendance`: import a CSV with bad rows, days as JSON, the month as CSV and XLSX."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from attendance import month_build, reports
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


def test_the_month_is_built_a_chunk_of_people_at_a_time(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI builds the month as the API does: one person per chunk here, each chunk
    written out before the next is evaluated; the JSON has the API's shape."""
    chunks = reports.month_chunks
    built: list[int] = []
    written: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Iterator[reports.MonthReport]:
        for chunk in chunks(*args, **kwargs):
            built.append(len(chunk.rows))
            yield chunk
            written.append(len(built))

    monkeypatch.setattr(reports, "CHUNK", 1)
    monkeypatch.setattr(month_build, "month_chunks", counting)
    month = runner.invoke(app, ["attendance", "month", "2026-03", "--format", "json"])
    assert month.exit_code == 0, month.output
    body = json.loads(month.stdout)
    people = len(body["data"])
    assert people >= 4 and len(built) == people and written == list(range(1, people + 1))
    assert body["month"] == "2026-03" and len(body["dates"]) == 31
    assert set(body["days"]) == {r["staff_no"] for r in body["data"]}
    output = env / "march.csv"
    csv_run = runner.invoke(
        app, ["attendance", "month", "2026-03", "--format", "csv", "--output", str(output)]
    )
    assert csv_run.exit_code == 0, csv_run.output
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8"))))
    assert len(rows) == people + 2 and rows[-1][0] == "合计"
    assert [p.name for p in env.iterdir() if p.name.endswith(".partial")] == []
