"""The command line: config check, db upgrade, staff import with its report, and the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from hallbase.settings import REPO_CONFIG
from hallkeeper.cli import app
from tests.helpers.live_server import free_port

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    return tmp_path


def test_config_check_good_and_bad(env: Path) -> None:
    good = runner.invoke(app, ["config", "check"])
    assert good.exit_code == 0 and "OK" in good.output
    bad = env / "bad.toml"
    bad.write_text(
        REPO_CONFIG.read_text("utf-8").replace('unit = "SCJ"', 'unit = "XXX"', 1), "utf-8"
    )
    result = runner.invoke(app, ["config", "check", str(bad)])
    assert result.exit_code == 2
    assert "unit: unknown unit 'XXX'" in result.output and str(bad) in result.output


def test_db_upgrade_then_staff_import_report(env: Path) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and "revision" in upgraded.output
    runner.invoke(app, ["config", "apply"])
    rows = env / "new.csv"
    rows.write_text(
        "工号,姓名,考勤号,派驻单位,人员类别\nN1,新人,7100,SCJ,聘用\nN2,坏,7a,SCJ,聘用\n", "utf-8"
    )
    result = runner.invoke(app, ["staff", "import", str(rows)])
    assert result.exit_code == 1
    assert f"{rows}:3: rejected: pin:" in result.output
    assert "created 1, updated 0, rejected 1" in result.output
    exported = env / "all.csv"
    assert runner.invoke(app, ["staff", "export", str(exported)]).exit_code == 0
    assert "新人" in exported.read_text("utf-8-sig")


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.loads(resp.read().decode("utf-8"))


def _demo_admin(base: str) -> dict[str, str]:
    """The demo's admin logs in (its password is the demo's, printed in its log)."""
    body = json.dumps({"username": "admin", "password": "demo-admin-only"}).encode()
    request = urllib.request.Request(
        f"{base}/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        cookie = resp.headers["set-cookie"].split(";")[0]
    return {"Cookie": cookie}


def test_staff_import_and_hall_file_credit_unmapped_punches(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["config", "apply"]).exit_code == 0
    punches = env / "punches.csv"
    punches.write_text(
        "pin,time\n7100,2026-03-10 08:20\n7100,2026-03-10 12:05\n7200,2026-03-10 08:25\n", "utf-8"
    )
    imported = runner.invoke(app, ["attendance", "import", str(punches)])
    assert imported.exit_code == 0, imported.output
    rows = env / "new.csv"
    rows.write_text("工号,姓名,考勤号,派驻单位,人员类别\nN1,新人,7100,SCJ,聘用\n", "utf-8")
    result = runner.invoke(app, ["staff", "import", str(rows)])
    assert result.exit_code == 0, result.output
    assert "credited 2 unmapped punches of PIN 7100 to N1" in result.output
    hall_file = env / "hall.toml"
    entry = (
        '[[staff]]\nstaff_no = "N2"\nname = "后来者"\npin = "7200"\nunit = "SCJ"\n'
        'category = "聘用"\n\n'
    )
    text = REPO_CONFIG.read_text("utf-8").replace("[[staff]]\n", entry + "[[staff]]\n", 1)
    hall_file.write_text(text, "utf-8")
    monkeypatch.setenv("HALLKEEPER_CONFIG", str(hall_file))
    applied = runner.invoke(app, ["config", "apply"])
    assert applied.exit_code == 0, applied.output
    assert "credited 1 unmapped punches of PIN 7200 to N2" in applied.output
    days = runner.invoke(
        app,
        ["attendance", "days", "--from", "2026-03-10", "--to", "2026-03-10", "--staff", "N1",
         "--format", "json"],
    )  # fmt: skip
    assert days.exit_code == 0, days.output
    slots = {s["slot"]: s["status"] for s in json.loads(days.output)[0]["slots"]}
    assert slots["am_in"] == "normal" and slots["am_out"] == "normal"


# Its own deadlines (a minute to come up, a minute to deliver) speak before the suite timeout.
@pytest.mark.timeout(300)
def test_demo_serves_the_hall_within_a_minute(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLKEEPER_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hallkeeper", "demo", "--port", str(port), "--dir", str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    page = resp.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"demo did not come up: {proc.stdout and proc.stdout.read()}"
                    ) from None
                time.sleep(0.3)
        assert "示范市政务服务中心" in page
        assert (tmp_path / "hallkeeper.db").exists()
        base = f"http://127.0.0.1:{port}/api/v1"
        admin = _demo_admin(base)
        deadline = time.monotonic() + 60
        while True:  # the simulated terminals deliver the scripted day through the adapters
            devices = {d["serial"]: d for d in _get_json(f"{base}/devices", admin)["data"]}
            today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
            week = f"{base}/attendance/days?date_from={today - timedelta(days=10)}"
            days = _get_json(f"{week}&date_to={today}", admin)["data"]
            punched = {r["staff_no"] for r in days if any(s["punch"] for s in r["slots"])}
            synced = all(devices[s]["last_sync"] for s in ("DEMO-ZK-EAST", "DEMO-ADMS-WEST"))
            if synced and len(punched) >= 10:
                break
            assert time.monotonic() < deadline, f"demo terminals did not deliver: {devices}"
            time.sleep(0.5)
        assert devices["DEMO-ZK-EAST"]["available"] is True
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in output
    assert "log in as admin / demo-admin-only" in output
    assert f"http://127.0.0.1:{port}/kiosk?key=hkm_" in output


@pytest.mark.parametrize("word", ["help", "--help", "-h"])
def test_hk_help_shows_usage_and_the_service_commands(word: str) -> None:
    """`./hk help` prints its own usage and the service's commands, and nothing of its code."""
    root = Path(__file__).resolve().parents[2]
    venv = Path(sys.prefix)
    if not (venv / ".hk-installed").exists():
        pytest.skip(f"{venv} was not set up by ./hk (no .hk-installed stamp)")
    result = subprocess.run(
        [str(root / "hk"), word],
        env={**os.environ, "HALLKEEPER_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "./hk demo [args]" in result.stdout
    assert "set -euo" not in result.stdout and "#!" not in result.stdout
    assert "Usage: hallkeeper" in result.stdout and "attendance" in result.stdout
