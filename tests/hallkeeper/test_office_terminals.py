"""The terminals' office page (/office/terminals): terminals with their actions, unmapped PINs
credited to a person, records kept aside; who opens it; the API's clock setting against a
ZK simulator and the refusals in the page's words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select

from attendance.models import Punch
from devices.zk.simulator import ZKSimulator
from hallbase.auth.models import AuditEntry
from hallbase.db import read_session
from hallbase.settings import REPO_CONFIG, Settings, load_settings
from tests.helpers.live_server import free_port
from tests.helpers.office import browser, office_app, title
from tests.helpers.queue import MONDAY_9AM

PAGE = "/office/terminals"
NEW = "NEWADMS1"  # an ADMS terminal that called once and waits


@pytest.fixture
def app(any_engine: Engine, settings: Settings) -> Iterator[Any]:
    yield office_app(any_engine, settings)


def row(html: str, table: str, key: str) -> str:
    """The inner HTML of the row ``key`` of table ``table``."""
    body = html[html.index(f'id="{table}"') :]
    start = body.index(f'<tr data-key="{key}"')
    return body[start : body.index("</tr>", start)]


def _traffic(app: Any) -> None:
    """A new ADMS terminal's first call, a punch from a PIN nobody holds, a reset clock's."""
    assert TestClient(app).get("/iclock/cdata", params={"SN": NEW}).status_code == 403
    admin = browser(app, "admin")
    punches = [{"pin": "9001", "time": "2026-11-23T08:25", "device_sn": "ZK1"},
               {"pin": "2003", "time": "2000-01-01T08:00", "device_sn": "ZK1"}]  # fmt: skip
    answer = admin.post("/api/v1/punches", json=punches)
    assert answer.status_code == 200, answer.text
    assert answer.json()["unmapped"] == 1 and len(answer.json()["rejected"]) == 1


def test_the_admin_sees_terminals_unmapped_pins_and_records_kept_aside(app: Any) -> None:
    _traffic(app)
    admin = browser(app, "admin")
    html = admin.get(PAGE).text
    assert title(html) == "考勤机"
    waiting = row(html, "terminals-table", NEW)
    assert "待批准" in waiting and "考勤机 (ADMS 推送)" in waiting
    assert f'data-post="/api/v1/devices/{NEW}/approve"' in waiting
    assert "sync-users" not in waiting and "set-clock" not in waiting  # not approved yet
    pin = row(html, "unmapped-table", "9001")
    assert "2026-11-23 08:25:00" in pin and "对应到工作人员" in pin
    assert 'id="assign-form"' in html and "计入" in html
    assert "2000-01-01 08:00:00" in html and 'id="aside-table"' in html
    assert "共1条，显示最近1条" in html

    english = admin.get(PAGE, params={"lang": "en"}).text
    assert title(english) == "Fingerprint terminals"
    assert "Awaiting approval" in row(english, "terminals-table", NEW)
    assert "Map to a staff member" in row(english, "unmapped-table", "9001")
    assert "Records kept aside" in english and "考勤" not in english


def test_an_approved_terminal_offers_sync_and_a_mapped_pin_counts_for_the_person(
    app: Any, any_engine: Engine
) -> None:
    _traffic(app)
    admin = browser(app, "admin")
    assert admin.post(f"/api/v1/devices/{NEW}/approve").status_code == 200
    approved = row(admin.get(PAGE).text, "terminals-table", NEW)
    assert "approve" not in approved and "sync-users" in approved
    assert "set-clock" not in approved  # an ADMS terminal takes the service's time
    mapped = admin.post(
        "/api/v1/punches/unmapped/assign", json={"pin": "9001", "staff_no": "SC003"}
    )
    assert mapped.status_code == 200, mapped.text
    with read_session(any_engine) as session:
        punch = session.exec(select(Punch).where(col(Punch.pin) == "9001")).one()
    assert punch.staff_no == "SC003"
    html = admin.get(PAGE).text
    assert 'data-key="9001"' not in html and 'id="assign-form"' not in html  # none left


def test_the_supervisor_reads_the_office_and_window_staff_are_refused(app: Any) -> None:
    _traffic(app)
    watch = browser(app, "watch").get(PAGE)
    assert watch.status_code == 200 and title(watch.text) == "考勤机"
    assert NEW in watch.text and "9001" in watch.text
    assert "data-post" not in watch.text and "office-form" not in watch.text
    for username in ("chief", "liming"):
        refused = browser(app, username).get(PAGE)
        assert refused.status_code == 403 and "您的角色无权进行此操作" in refused.text
    assert browser(app, None).get(PAGE).headers["location"].startswith("/login?next=")
    # The menu lists the page for those who may open it.
    assert f'href="{PAGE}?lang=zh"' in browser(app, "watch").get("/office").text
    assert f'href="{PAGE}?lang=zh"' in browser(app, "admin").get("/office/windows").text
    assert PAGE not in browser(app, "chief").get("/office").text


def _explained(client: TestClient, answer: Any) -> list[str]:
    explained = client.post(
        "/office/explain", json={"status": answer.status_code, "body": answer.json()}
    )
    assert explained.status_code == 200, explained.text
    return [p["line"] for p in explained.json()["problems"]]


def test_the_terminals_refusals_are_explained_in_chinese(app: Any) -> None:
    _traffic(app)
    admin = browser(app, "admin")
    unapproved = admin.post(f"/api/v1/devices/{NEW}/sync-users")
    assert unapproved.status_code == 409
    assert _explained(admin, unapproved) == [f"考勤机{NEW}尚未批准接入"]
    admin.post(f"/api/v1/devices/{NEW}/approve")
    adms = admin.post(f"/api/v1/devices/{NEW}/set-clock")
    assert adms.status_code == 409
    assert _explained(admin, adms) == ["ADMS考勤机每次连接都自动采用服务器时间，无需手动校时"]
    assert _explained(admin, admin.post("/api/v1/devices/NOPE/set-clock")) == [
        "没有序列号为NOPE的考勤机"
    ]
    nothing = admin.post(
        "/api/v1/punches/unmapped/assign", json={"pin": "7777", "staff_no": "SC003"}
    )
    assert _explained(admin, nothing) == ["考勤号：考勤号7777在该日期范围内没有待对应的打卡"]
    nobody = admin.post("/api/v1/punches/unmapped/assign", json={"pin": "9001", "staff_no": "XX9"})
    assert _explained(admin, nobody) == ["工号：没有工号为XX9的工作人员"]


def test_set_clock_sets_a_zk_terminals_clock_to_the_services_time_and_is_audited(
    tmp_path: Path, any_engine: Engine
) -> None:
    with ZKSimulator("127.0.0.1", free_port(), serial="ZK-CLK", zone="Asia/Shanghai") as zk:
        zk.set_clock(MONDAY_9AM.replace(year=2000))  # a power cut reset it
        config = tmp_path / "hall.toml"
        entry = (f'\n[[devices]]\nserial = "ZK-CLK"\nprotocol = "zk_tcp"\n'
                 f'address = "127.0.0.1:{zk.port}"\ntimeout_seconds = 2\n')  # fmt: skip
        config.write_text(REPO_CONFIG.read_text("utf-8") + entry, "utf-8")
        settings = load_settings(data_dir=tmp_path, database_url="", config=config, mqtt_url="")
        # no lifespan: no poller corrects the clock meanwhile
        app = office_app(any_engine, settings)
        admin = browser(app, "admin")
        buttons = row(admin.get(PAGE).text, "terminals-table", "ZK-CLK")
        assert "/api/v1/devices/ZK-CLK/set-clock" in buttons and "sync-users" in buttons
        answer = admin.post("/api/v1/devices/ZK-CLK/set-clock")
        assert answer.status_code == 200, answer.text
        assert answer.json()["device_time"].startswith("2000-11-23T09:00")
        assert answer.json()["set_to"].startswith("2026-11-23T09:00")
        assert abs((zk.device.now() - MONDAY_9AM).total_seconds()) < 5
    with read_session(any_engine) as session:
        (entry_row,) = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "device.set_clock")
        ).all()
    assert entry_row.target == "device:ZK-CLK"
    assert browser(app, "watch").post("/api/v1/devices/ZK-CLK/set-clock").status_code == 403
