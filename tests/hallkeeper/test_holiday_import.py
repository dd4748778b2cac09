"""A year's holidays entered from the State Council's notice: file, API, CLI and warnings."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from attendance.models import DayVerdict
from attendance.scheduler import AttendanceScheduler
from hallbase.db import read_session
from hallbase.errors import ConfigError
from hallbase.holidays import missing_years, warn_missing_years
from hallbase.settings import REPO_CONFIG, Settings
from hallkeeper.app import create_app
from hallkeeper.cli import app as cli
from hallkeeper.holiday_file import load_notice, parse_notice
from tests.helpers.attendance import Clock, at
from tests.helpers.auth import admin_headers

SAMPLE = REPO_CONFIG.parent / "holidays.sample.toml"
DECEMBER = date(2026, 12, 7)
# Test data, not the State Council's: the notice for 2027 was not published when written.
NEXT_YEAR = {
    "year": 2027,
    "title": "测试用安排",
    "holidays": [
        {"name": "测试元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "测试春节", "start": "2027-02-08", "end": "2027-02-12",
         "workdays": ["2027-02-06", "2027-02-20"]},
    ],
}  # fmt: skip


def test_the_sample_is_a_whole_notice_that_matches_the_national_calendar() -> None:
    notice = load_notice(SAMPLE)
    off = {d for line in notice.holidays for d in line.days_off}
    worked = {d for line in notice.holidays for d in line.workdays}
    day = date(notice.year, 1, 1)
    while day.year == notice.year:
        ours = day in worked or (day.weekday() < 5 and day not in off)
        assert ours == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_a_bad_notice_names_every_problem_and_where() -> None:
    bad = {
        "year": 2027,
        "holidays": [
            {"name": "甲", "start": "2027-02-10", "end": "2027-02-08"},
            {"name": "乙", "start": "2027-05-01", "end": "2027-05-05",
             "workdays": ["2027-05-06", "2027-05-01"]},
            {"name": "丙", "start": "2028-01-01"},
        ],
    }  # fmt: skip
    with pytest.raises(ConfigError) as info:
        parse_notice(bad, "2027.toml")
    keys = dict(info.value.problems)
    assert "before start" in keys["holidays[0].end"]
    assert "weekday" in keys["holidays[1].workdays[0]"]  # 2027-05-06 is a Thursday
    assert "day off" in keys["holidays[1].workdays[1]"]
    assert "not in 2027" in keys["holidays[2].start"]
    with pytest.raises(ConfigError) as missing:
        parse_notice({"year": 2027, "holidays": [{"name": "丁"}]}, "2027.toml")
    assert dict(missing.value.problems)["holidays[0].start"] == "Field required"


def test_december_warns_about_next_year(caplog: pytest.LogCaptureFixture) -> None:
    assert missing_years(DECEMBER) == [2027]
    assert missing_years(date(2026, 11, 30)) == []  # before December: nothing to say yet
    assert missing_years(DECEMBER, imported=[2027]) == []


@pytest.fixture
def client(any_engine: Engine, settings: Settings) -> tuple[TestClient, Clock, Engine]:
    clock = Clock(at("10:00", DECEMBER))
    app = create_app(settings, engine=any_engine, clock=clock)
    return TestClient(app, headers=admin_headers(app)), clock, any_engine


def test_import_through_the_api_ends_the_warnings(
    client: tuple[TestClient, Clock, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    c, _clock, engine = client
    assert "2027" in c.get("/").text
    days = c.get("/api/v1/calendar", params={"date_from": "2026-12-07", "date_to": "2026-12-07"})
    assert "2027" in days.json()["warning"]
    new_year = {"date_from": "2027-01-01", "date_to": "2027-01-01"}
    assert c.get("/api/v1/calendar", params=new_year).json()["data"][0]["workday"] is True
    with read_session(engine) as session, caplog.at_level(logging.WARNING):
        assert warn_missing_years(session, DECEMBER) == [2027]
    assert any("2027" in r.getMessage() for r in caplog.records)

    answer = c.post("/api/v1/holidays/import", json=NEXT_YEAR)
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"changed": 0} == {
        "year": 2027, "days_off": 8, "workdays": 2, "changed": 0
    }  # fmt: skip
    first = c.get("/api/v1/calendar", params=new_year).json()
    assert first["data"][0] == {
        "date": "2027-01-01", "workday": False, "source": "override", "note": "测试元旦"
    }  # fmt: skip
    assert first["warning"] is None
    saturday = {"date_from": "2027-02-06", "date_to": "2027-02-06"}
    assert c.get("/api/v1/calendar", params=saturday).json()["data"][0]["workday"] is True
    assert "2027" not in c.get("/").text
    with read_session(engine) as session:
        assert warn_missing_years(session, DECEMBER) == []

    wrong = c.post("/api/v1/holidays/import", json={**NEXT_YEAR, "year": 2028})
    assert wrong.status_code == 422
    assert any("holidays[0].start" in p for p in wrong.json()["detail"])


def test_import_judges_the_affected_days_again(client: tuple[TestClient, Clock, Engine]) -> None:
    c, clock, engine = client
    AttendanceScheduler(c.app.state.settings, engine, clock).tick()  # type: ignore[attr-defined]
    with read_session(engine) as session:
        before = session.get(DayVerdict, ("SC001", DECEMBER))
    assert before is not None and before.status == "missing"  # nobody punched today
    closed = {"year": 2026, "holidays": [{"name": "测试闭厅", "start": str(DECEMBER)}]}
    answer = c.post("/api/v1/holidays/import", json=closed)
    assert answer.status_code == 200 and answer.json()["changed"] >= 1
    with read_session(engine) as session:
        after = session.get(DayVerdict, ("SC001", DECEMBER))
    assert after is not None and after.status == "off"


def test_the_command_line_imports_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    runner = CliRunner()
    done = runner.invoke(cli, ["holidays", "import", str(SAMPLE)])
    assert done.exit_code == 0, done.output
    assert "2017: 24 days off, 5 moved working days" in done.output
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'year = 2027\n[[holidays]]\nname = "x"\nstart = 2027-05-06\nworkdays = [2027-05-06]\n',
        "utf-8",
    )
    failed = runner.invoke(cli, ["holidays", "import", str(bad)])
    assert failed.exit_code == 2 and "holidays[0].workdays[0]" in failed.output
